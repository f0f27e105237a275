"""How RDF terms are shown to people: labels (else compact names), short datatypes, language tags.

Pure functions over plain values, shared by the HTML pages (``linkeddata``), the named-query tables
(``api``) and the dataset description (``dataset``); no Flask, no store. A ``Term`` is what the
``term`` macro of ``templates/_macros.html`` renders.

>>> iri_term("http://www.w3.org/ns/org#member", {}, COMMON_PREFIXES, lambda i: i, "en").text
'org:member'
>>> literal_term("1998", None, "http://www.w3.org/2001/XMLSchema#gYear", COMMON_PREFIXES).datatype
'xsd:gYear'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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


def prefix_table(base_iri: str) -> dict[str, str]:
    """Prefixes for output: the common vocabularies plus ``hc:`` for the ontology under ``base_iri``."""
    return {**COMMON_PREFIXES, "hc": base_iri + "ontology#"}


LABEL_PROPERTIES = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")
#: Datatypes not worth a badge: plain strings (a language tag says more).
_PLAIN = ("#string", "#langString")
#: Characters that may not appear in an IRI written into a query (``<...>``).
_UNSAFE = re.compile(r"[\x00-\x20<>\"{}|\\^`]")

Labels = dict[str, dict[str, str]]
"""IRI -> language tag ("" for none) -> label."""


@dataclass
class Term:
    """One RDF term as shown: text, optional link (titled with the full IRI), language or datatype,
    nested blank-node rows; ``raw`` when the text is a bare IRI (long, may break anywhere)."""

    text: str
    href: str | None = None
    title: str | None = None
    lang: str | None = None
    datatype: str | None = None
    nested: list[Row] | None = None
    raw: bool = False


@dataclass
class Row:
    """A predicate with its values."""

    predicate: Term
    values: list[Term] = field(default_factory=list)


def pick(texts: Mapping[str, str], lang: str) -> str | None:
    """The text in ``lang``, else English, else Norwegian, else any."""
    for tag in (lang, "en", "nb", "no", ""):
        if tag in texts:
            return texts[tag]
    return next(iter(texts.values()), None)


def compact(iri: str, prefixes: Mapping[str, str]) -> str:
    """``prefix:local`` for a known namespace, else the IRI.

    >>> compact("http://www.w3.org/ns/org#member", COMMON_PREFIXES)
    'org:member'
    """
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def iri_term(iri: str, labels: Mapping[str, str], prefixes: Mapping[str, str], link: Callable[[str], str], lang: str) -> Term:
    """An IRI shown by its label (else its compact name), linked, with the full IRI on hover."""
    name = compact(iri, prefixes)
    label = pick(labels, lang)
    return Term(label or name, link(iri), iri, raw=label is None and name == iri)


def literal_term(value: str, lang: str | None, datatype: str | None, prefixes: Mapping[str, str]) -> Term:
    """A literal with its language tag, or its datatype by compact name (none for plain strings)."""
    shown = None if lang or not datatype or datatype.endswith(_PLAIN) else compact(datatype, prefixes)
    return Term(value, lang=lang or None, datatype=shown)


def json_term(
    binding: Mapping[str, Any] | None, labels: Labels, prefixes: Mapping[str, str], link: Callable[[str], str], lang: str
) -> Term | None:
    """A SPARQL JSON result term (``{"type": "uri", "value": ...}``) as shown; ``None`` when unbound."""
    if binding is None:
        return None
    value = str(binding.get("value", ""))
    if binding.get("type") == "uri":
        return iri_term(value, labels.get(value, {}), prefixes, link, lang)
    if binding.get("type") == "bnode":
        return Term("_:" + value)
    return literal_term(value, binding.get("xml:lang"), binding.get("datatype"), prefixes)


def safe_iri(iri: str) -> bool:
    """Whether ``iri`` can be written into a query as ``<iri>`` (no spaces, brackets or quotes)."""
    return bool(iri) and not _UNSAFE.search(iri)
