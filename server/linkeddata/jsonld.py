"""RDF out: Turtle and RDF/XML with only the prefixes they use, JSON-LD compacted with the published context.

The context (``/context/v1.jsonld``, :data:`CONTEXT_PATH`) maps each prefix of the publisher's table to
its namespace and nothing else, so compacting is IRI shortening: every property, ``@id``, ``@type``
and datatype IRI under a namespace of the table is written ``prefix:local``. Expanding a compacted
document with that context gives the expanded document back (a test holds it). A change to what the
context says gets a new version and path; ``v1`` keeps meaning what it says.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

#: Path of the published JSON-LD context (versioned: a changed context gets a new path).
CONTEXT_PATH = "/context/v1.jsonld"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def used_prefixes(triples: Iterable[Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace starts an IRI (or a datatype) in ``triples`` (rdf:type is written ``a``)."""
    iris: set[str] = set()
    for triple in triples:
        predicate = triple.predicate
        for term in (triple.subject, triple.object) if predicate.value == RDF_TYPE else triple:
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal) and not term.language:
                iris.add(term.datatype.value)
    # a namespace ending in / or # starts an IRI exactly when it starts the IRI's own namespace (up to
    # its last / or #), and a page's IRIs share a few of those
    spaces = {iri[:max(iri.rfind("/"), iri.rfind("#")) + 1] for iri in iris}
    return {name: ns for name, ns in prefixes.items()
            if any(space.startswith(ns) for space in (spaces if ns[-1:] in ("/", "#") else iris))}


def context_document(prefixes: dict[str, str]) -> dict[str, Any]:
    """The published context: one entry per prefix (JSON-LD 1.1 prefix definitions)."""
    return {"@context": {"@version": 1.1, **{name: {"@id": ns, "@prefix": True} for name, ns in sorted(prefixes.items())}}}


def compacted(triples: list[Triple], prefixes: dict[str, str], context: str | None) -> bytes:
    """JSON-LD of ``triples`` compacted with ``prefixes``: ``@context`` is the URL of the published context
    declaring them, or (``None``) that context itself, inline (a self-contained dump)."""
    expanded = json.loads(serialize(triples, format=RdfFormat.JSON_LD) or b"[]")
    table = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def iri(value: str) -> str:
        for name, ns in table:
            if value.startswith(ns) and len(value) > len(ns) and not value[len(ns):].startswith("//"):
                return f"{name}:{value[len(ns):]}"
        return value

    def node(value: Any) -> Any:
        if isinstance(value, list):
            return [node(v) for v in value]
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "@id":
                out[key] = item if item.startswith("_:") else iri(item)
            elif key == "@type":
                out[key] = [iri(t) for t in item] if isinstance(item, list) else iri(item)
            elif key.startswith("@"):
                out[key] = node(item)
            else:
                out[iri(key)] = node(item)
        return out

    document = {"@context": context or context_document(prefixes)["@context"], "@graph": node(expanded)}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def rdf_bytes(triples: list[Triple], format_name: str, prefixes: dict[str, str], context: str | None) -> bytes:
    """``triples`` as ``ttl``, ``nt``, ``rdf`` (only the prefixes used) or compacted ``jsonld`` (see :func:`compacted`)."""
    if format_name == "jsonld":
        return compacted(triples, prefixes, context)
    fmt = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "rdf": RdfFormat.RDF_XML}[format_name]
    if fmt is RdfFormat.N_TRIPLES:
        return serialize(triples, format=fmt) or b""
    if fmt is RdfFormat.TURTLE:
        return declared_as_used(serialize(triples, format=fmt, prefixes=prefixes) or b"")
    return serialize(triples, format=fmt, prefixes=used_prefixes(triples, prefixes)) or b""


def declared_as_used(turtle: bytes) -> bytes:
    """Turtle written with the whole prefix table, without the ``@prefix`` lines its body never uses.

    The serializer abbreviates an IRI with a prefix whose namespace starts it, so the body is the
    same as with :func:`used_prefixes`; a prefix is kept when ``name:`` occurs in the body (a
    look in C, where collecting the terms was a Python loop over every triple). A chance occurrence
    inside a literal keeps a declaration that is not needed, never drops one that is.
    """
    end = 0
    while turtle.startswith(b"@prefix ", end):
        end = turtle.index(b"\n", end) + 1
    body = turtle[end:]
    kept = [line for line in turtle[:end].splitlines(keepends=True) if line[8:line.index(b":", 8) + 1] in body]
    return b"".join(kept) + body if end else turtle

