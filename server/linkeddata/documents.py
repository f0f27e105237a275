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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pyoxigraph import BlankNode, NamedNode, QueryTriples, Triple

from ..display import LABEL_PROPERTIES
from ..errors import NotFound
from ..store import Store

_LABEL_NODES = tuple(NamedNode(p) for p in LABEL_PROPERTIES)
#: Levels of blank nodes whose triples a document holds (rule 1).
BLANK_LEVELS = 3

#: Characters that NamedNode accepts in some versions but that must never reach a query.
_UNSAFE = re.compile(r"[\x00-\x20<>\"{}|\\^`]")

_BLANK_CLOSURE = """
  UNION {{ {s} ?a ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ {s} ?a ?b . FILTER(isBlank(?b)) ?b ?c ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ {s} ?a ?b . FILTER(isBlank(?b)) ?b ?c ?d . FILTER(isBlank(?d)) ?d ?e ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ {s} ?a ?s . FILTER(isIRI(?s)) ?s ?p ?o FILTER(?p IN ({label_list})) }}"""
# Labels of linked IRIs: FILTER(?p IN ...), not ``VALUES ?p {...} ?s ?p ?o``, which Oxigraph 0.5 joins
# from the VALUES side (every label in the graph first): 29 ms instead of 0.05 ms per document at 100k.

#: Not an IRI of any data: the subject of the one triple that carries the incoming-link count.
COUNT_MARKER = NamedNode("urn:x-hcn:document")

# A whole page in one query: (1) and (2) on page 1 (_PAGE_OWN), the slice of incoming links with their
# labels, and their total as one marker triple (taken out before anyone sees the triples). Oxigraph
# picks the order of UNION branches itself, as it did for the separate queries: the triples of a
# document come in an order of its choosing (which varies between processes), never sorted here.
_PAGE = """CONSTRUCT {{ ?s ?p ?o . ?x ?ip {s} . ?x ?lp ?l . <urn:x-hcn:document> <urn:x-hcn:incoming> ?n }} WHERE {{
  {own}{{ {{ SELECT ?x ?ip WHERE {{ ?x ?ip {s} }} ORDER BY ?x ?ip LIMIT {limit} OFFSET {offset} }}
    OPTIONAL {{ VALUES ?lp {{ {labels} }} ?x ?lp ?l }} }}
  UNION {{ SELECT (COUNT(*) AS ?n) WHERE {{ ?cx ?cp {s} }} }}
}}"""
_PAGE_OWN = "{{ BIND({s} AS ?s) ?s ?p ?o }}" + _BLANK_CLOSURE + "\n  UNION "

_EXISTS = "ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?p {s} }} }}"


def sparql_iri(iri: str) -> str:
    """``<iri>`` for a query, after checking it parses as an IRI; ``NotFound`` otherwise.

    >>> sparql_iri("https://w3id.org/healthy-cities/id/network/x")
    '<https://w3id.org/healthy-cities/id/network/x>'
    """
    return str(_node(iri))


def _node(iri: str) -> NamedNode:
    """``iri`` as a term, after the same checks as ``sparql_iri``."""
    if _UNSAFE.search(iri):
        raise NotFound(f"not a valid IRI: {iri!r}")
    try:
        return NamedNode(iri)
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


Match = Callable[[Any, Any, Any], Iterator[Triple]]


def _patterns(store: Store) -> Match | None:
    """The store's own triple-pattern lookup (``TriplePatterns``), when it has one."""
    return getattr(store, "triples", None)


def exists(store: Store, iri: str) -> bool:
    """True when ``iri`` is a subject or an object in the default graph."""
    node = _node(iri)
    match = _patterns(store)
    if match is not None:
        return any(True for _ in match(node, None, None)) or any(True for _ in match(None, None, node))
    return bool(store.query(_EXISTS.format(s=str(node))))


def describe(store: Store, iri: str, page: int = 1, page_size: int = 200) -> Document:
    """The document about ``iri`` (see module docstring); ``NotFound`` when the IRI is unknown.

    A store that matches triple patterns itself (the embedded one) builds a first page with no more
    incoming links than fit on it from pattern lookups (``_by_patterns``); every other page is one
    CONSTRUCT (``_PAGE``): the resource exists when page 1 holds anything (its own triples or
    incoming links), and the count of incoming links says whether more pages follow. A store that
    only answers SPARQL (a remote one) is asked whether the resource exists first, as it always was,
    so an unknown IRI costs one small query and a failing store fails on that one, as before.
    """
    node = _node(iri)
    match = _patterns(store)
    if match is None:
        if not exists(store, iri):
            raise NotFound(f"no resource {iri}")
    elif page == 1:
        doc = _by_patterns(match, node, page_size)
        if doc is not None:
            return doc
    s = str(node)
    own = _PAGE_OWN.format(s=s, label_list=_label_list()) if page == 1 else ""
    query = _PAGE.format(s=s, own=own, labels=_labels(), limit=page_size, offset=(page - 1) * page_size)
    triples: list[Triple] = []
    total = 0
    for triple in _construct(store, query):
        if triple.subject == COUNT_MARKER:
            total = int(triple.object.value)
        else:
            triples.append(triple)
    if page == 1 and not triples:
        raise NotFound(f"no resource {iri}")
    if page > 1 and (page - 1) * page_size >= total:
        if match is not None and not exists(store, iri):
            raise NotFound(f"no resource {iri}")
        raise NotFound(f"page {page} of {iri} is empty")
    return Document(iri, unique(triples), page, page * page_size < total, total)


def _by_patterns(match: Match, node: NamedNode, page_size: int) -> Document | None:
    """Page 1 of the document about ``node`` from triple patterns: the rule step by step, a few
    microseconds per lookup where a SPARQL query costs hundreds; None when it has more incoming
    links than one page holds (which ones come first is the CONSTRUCT's ORDER BY)."""
    incoming = list(islice(match(None, None, node), page_size + 1))
    if len(incoming) > page_size:
        return None
    own = list(match(node, None, None))
    if not own and not incoming:
        raise NotFound(f"no resource {node.value}")
    triples = own.copy()
    blanks = [t.object for t in own if type(t.object) is BlankNode]
    for _ in range(BLANK_LEVELS):  # (1) blank nodes reachable through blank nodes only
        found = [t for b in dict.fromkeys(blanks) for t in match(b, None, None)]
        triples += found
        blanks = [t.object for t in found if type(t.object) is BlankNode]
    linked = dict.fromkeys(t.object for t in own if type(t.object) is NamedNode)
    triples += [t for o in linked for p in _LABEL_NODES for t in match(o, p, None)]  # (2)
    triples += incoming  # (3), all of them: they fit on this page
    triples += [t for x in dict.fromkeys(t.subject for t in incoming) for p in _LABEL_NODES for t in match(x, p, None)]
    return Document(node.value, unique(triples), 1, False, len(incoming))


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


def members(store: Store, prefix: str, page: int, page_size: int, order: str | None = None) -> tuple[list[str], bool]:
    """IRIs of subjects under ``prefix`` (one page) and whether more follow; sorted by the ``order``
    property where they have one (the source's order, e.g. hc:order), then by IRI."""
    position = "" if order is None else " OPTIONAL { ?s " + sparql_iri(order) + " ?n }"
    query = (
        # The grouping is a sub-select so that the ordering sees ?at as a plain variable (Virtuoso
        # rejects an aggregate's alias in ORDER BY of the same query).
        "SELECT ?s ?at WHERE { { SELECT ?s (MIN(?n) AS ?at) WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
        + _string_literal(prefix) + "))" + position + " } GROUP BY ?s } } ORDER BY (!BOUND(?at)) ?at ?s LIMIT "
        + str(page_size + 1)
        + " OFFSET " + str((page - 1) * page_size)
    )
    found = [row["s"].value for row in store.query(query)]  # type: ignore[union-attr,index]
    return found[:page_size], len(found) > page_size


def classifications(store: Store, iris: list[str]) -> list[Triple]:
    """The members' values of properties whose range is a kind of ``skos:Concept`` (a criterion's
    stage, a membership's role), to show beside them in listings."""
    if not iris:
        return []
    values = " ".join(sparql_iri(i) for i in iris)
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { " + values + " } ?s ?p ?o FILTER(isIRI(?o)) ?p <http://www.w3.org/"
        "2000/01/rdf-schema#range> ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
        "<http://www.w3.org/2004/02/skos/core#Concept> }"
    )
    return unique(_construct(store, query))


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
