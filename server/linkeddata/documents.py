"""Build the RDF graph of a document with SPARQL CONSTRUCT; IRIs enter queries only after validation.

The rule (also in docs/linked-data.md): a document about ``S`` holds
1. every triple with ``S`` as subject, and the triples of blank nodes reachable from ``S`` through
   blank nodes only (up to three levels, e.g. ``time:hasBeginning [ time:inXSDgYear ... ]``);
2. the ``rdfs:label`` / ``skos:prefLabel`` of every IRI ``S`` links to;
3. the incoming links ``?x ?p S`` with the labels of ``?x``, ordered by ``?x ?p`` and paged:
   page 1 holds (1), (2) and the first ``page_size`` incoming links, page ``n`` the ``n``-th slice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import NamedNode, QueryTriples, Triple

from ..errors import NotFound
from ..store import Store

#: Prefixes for Turtle output and compact names (vocabularies the data uses, plus publishing ones).
COMMON_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "vann": "http://purl.org/vocab/vann/",
    "schema": "https://schema.org/",
    "sdgo": "http://metadata.un.org/sdg/ontology#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}

LABEL_PROPERTIES = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")

#: Characters that NamedNode accepts in some versions but that must never reach a query.
_UNSAFE = re.compile(r"[\x00-\x20<>\"{}|\\^`]")

_BLANK_CLOSURE = """
  UNION {{ {s} ?a ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ {s} ?a ?b . FILTER(isBlank(?b)) ?b ?c ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ {s} ?a ?b . FILTER(isBlank(?b)) ?b ?c ?d . FILTER(isBlank(?d)) ?d ?e ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ {s} ?a ?s . FILTER(isIRI(?s)) ?s ?p ?o FILTER(?p IN ({label_list})) }}"""
# Labels of linked IRIs: FILTER(?p IN ...), not ``VALUES ?p {...} ?s ?p ?o``, which Oxigraph 0.5 joins
# from the VALUES side (every label in the graph first): 29 ms instead of 0.05 ms per document at 100k.

_OWN = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ BIND({s} AS ?s) ?s ?p ?o }}" + _BLANK_CLOSURE + "\n}}"

_INCOMING = """CONSTRUCT {{ ?x ?p {s} . ?x ?lp ?l }} WHERE {{
  {{ SELECT ?x ?p WHERE {{ ?x ?p {s} }} ORDER BY ?x ?p LIMIT {limit} OFFSET {offset} }}
  OPTIONAL {{ VALUES ?lp {{ {labels} }} ?x ?lp ?l }}
}}"""

_INCOMING_COUNT = "SELECT (COUNT(*) AS ?n) WHERE {{ ?x ?p {s} }}"
_EXISTS = "ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?p {s} }} }}"


def sparql_iri(iri: str) -> str:
    """``<iri>`` for a query, after checking it parses as an IRI; ``NotFound`` otherwise.

    >>> sparql_iri("https://w3id.org/healthy-cities/id/network/x")
    '<https://w3id.org/healthy-cities/id/network/x>'
    """
    if _UNSAFE.search(iri):
        raise NotFound(f"not a valid IRI: {iri!r}")
    try:
        return str(NamedNode(iri))
    except ValueError:
        raise NotFound(f"not a valid IRI: {iri!r}") from None


def _labels() -> str:
    return " ".join(f"<{p}>" for p in LABEL_PROPERTIES)


def _label_list() -> str:
    return ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)


def unique(triples: Iterable[Triple]) -> list[Triple]:
    """Triples without duplicates, first occurrence order kept."""
    return list(dict.fromkeys(triples))


@dataclass(frozen=True)
class Document:
    """The triples of one page of a document and whether a next page exists."""

    subject: str
    triples: list[Triple]
    page: int
    has_next: bool
    incoming_total: int


def exists(store: Store, iri: str) -> bool:
    """True when ``iri`` is a subject or an object in the default graph."""
    return bool(store.query(_EXISTS.format(s=sparql_iri(iri))))


def describe(store: Store, iri: str, page: int = 1, page_size: int = 200) -> Document:
    """The document about ``iri`` (see module docstring); ``NotFound`` when the IRI is unknown."""
    s = sparql_iri(iri)
    if not exists(store, iri):
        raise NotFound(f"no resource {iri}")
    total = int(next(iter(store.query(_INCOMING_COUNT.format(s=s))))["n"].value)  # type: ignore[call-overload,index]
    if page > 1 and (page - 1) * page_size >= total:
        raise NotFound(f"page {page} of {iri} is empty")
    triples: list[Triple] = []
    if page == 1:
        triples += _construct(store, _OWN.format(s=s, label_list=_label_list()))
    triples += _construct(
        store, _INCOMING.format(s=s, labels=_labels(), limit=page_size, offset=(page - 1) * page_size)
    )
    return Document(iri, unique(triples), page, page * page_size < total, total)


def describe_namespace(store: Store, iri: str) -> list[Triple]:
    """Every subject ``iri`` or ``iri#...`` (an ontology and its hash terms) with blank-node closure."""
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT DISTINCT ?t WHERE { ?t ?tp ?to FILTER(?t = " + sparql_iri(iri)
        + " || STRSTARTS(STR(?t), " + _string_literal(iri + "#") + ")) } }\n  { ?t ?p ?o BIND(?t AS ?s) }"
        + _BLANK_CLOSURE.format(s="?t", label_list=_label_list()) + "\n}"
    )
    triples = unique(_construct(store, query))
    if not triples:
        raise NotFound(f"no resource {iri}")
    return triples


def _string_literal(value: str) -> str:
    """A SPARQL string literal for an already validated IRI string."""
    sparql_iri(value.rstrip("#"))
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def members(store: Store, prefix: str, page: int, page_size: int) -> tuple[list[str], bool]:
    """IRIs of subjects under ``prefix`` (one page, sorted) and whether more follow."""
    query = (
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), " + _string_literal(prefix)
        + ")) } ORDER BY ?s LIMIT " + str(page_size + 1) + " OFFSET " + str((page - 1) * page_size)
    )
    found = [row["s"].value for row in store.query(query)]  # type: ignore[union-attr,index]
    return found[:page_size], len(found) > page_size


def describe_many(store: Store, iris: list[str]) -> list[Triple]:
    """Types and labels of ``iris`` (for listing pages)."""
    if not iris:
        return []
    values = " ".join(sparql_iri(i) for i in iris)
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { " + values + " } VALUES ?p { <http://www.w3.org/1999/02/"
        "22-rdf-syntax-ns#type> " + _labels() + " } ?s ?p ?o }"
    )
    return unique(_construct(store, query))


def graph(store: Store, graph_iri: str) -> list[Triple]:
    """Every triple of one named graph (e.g. the shapes)."""
    return unique(_construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", [graph_iri]))


def _construct(store: Store, query: str, default_graphs: list[str] | None = None) -> list[Triple]:
    result = store.query(query, default_graphs=default_graphs)
    assert isinstance(result, QueryTriples)
    return list(result)
