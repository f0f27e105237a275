"""SPARQL 1.1 Service Description of ``/sparql``, built as pyoxigraph triples (never as text)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from .. import formats

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
PREFIXES = {"sd": SD, "void": VOID, "formats": "http://www.w3.org/ns/formats/",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}

#: Media type -> W3C format IRI (https://www.w3.org/ns/formats/).
W3C_FORMATS: dict[str, str] = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
}

#: Only features that hold: oxigraph keeps empty named graphs; the default graph is NOT the union
#: of all named graphs (shapes are left out), so sd:UnionDefaultGraph is not claimed.
FEATURES = ("EmptyGraphs",)


def _sd(term: str) -> NamedNode:
    return NamedNode(SD + term)


def _count(n: int) -> Literal:
    return Literal(str(n), datatype=XSD_INTEGER)


def describe(endpoint: str, default_triples: int, named_graphs: Mapping[str, int], fair_use: str = "") -> Iterator[Triple]:
    """Triples of an ``sd:Service`` for ``endpoint``: language, formats, features and dataset, and the
    fair-use rules as an ``rdfs:comment`` (SPARQL Service Description has no terms for limits)."""
    service, dataset, default_graph = BlankNode(), BlankNode(), BlankNode()
    yield Triple(service, RDF_TYPE, _sd("Service"))
    yield Triple(service, _sd("endpoint"), NamedNode(endpoint))
    if fair_use:
        yield Triple(service, RDFS_COMMENT, Literal(fair_use, language="en"))
    yield Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query"))
    for fmt in formats.FORMATS:
        if fmt.media_type in W3C_FORMATS:
            yield Triple(service, _sd("resultFormat"), NamedNode(W3C_FORMATS[fmt.media_type]))
    for feature in FEATURES:
        yield Triple(service, _sd("feature"), _sd(feature))
    yield Triple(service, _sd("defaultDataset"), dataset)
    yield Triple(dataset, RDF_TYPE, _sd("Dataset"))
    yield Triple(dataset, _sd("defaultGraph"), default_graph)
    yield Triple(default_graph, RDF_TYPE, _sd("Graph"))
    yield Triple(default_graph, NamedNode(VOID + "triples"), _count(default_triples))
    for iri, size in named_graphs.items():
        named, graph = BlankNode(), BlankNode()
        yield Triple(dataset, _sd("namedGraph"), named)
        yield Triple(named, RDF_TYPE, _sd("NamedGraph"))
        yield Triple(named, _sd("name"), NamedNode(iri))
        yield Triple(named, _sd("graph"), graph)
        yield Triple(graph, RDF_TYPE, _sd("Graph"))
        yield Triple(graph, NamedNode(VOID + "triples"), _count(size))
