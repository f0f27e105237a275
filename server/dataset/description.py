"""The dataset description: VoID statistics and partitions plus DCAT distributions of the dumps."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ..caching import DataVersion
from ..store import Store

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
FOAF = "http://xmlns.com/foaf/0.1/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
IANA = "https://www.iana.org/assignments/media-types/"
SD_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
ATOM = "https://www.rfc-editor.org/rfc/rfc4287"
RDF_PATCH = "https://afs.github.io/rdf-patch/"
#: dct:format values (EU Publications Office file-type authority table) for the dump media types.
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
FILE_TYPES = {
    "text/turtle": "RDF_TURTLE",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}
DESCRIPTION = (
    "An RDF knowledge graph of the WHO European Healthy Cities Network and its Norwegian part: "
    "organisations, aims and commitments, criteria, documents and events, with its ontology."
)

_COUNTS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }"""
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }}"
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY ?c"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
_EXAMPLES = """SELECT ?s (MIN(STR(?x)) AS ?first) WHERE {{
  ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix}))
  BIND(REPLACE(STR(?s), "/[^/]*$", "") AS ?x)
}} GROUP BY ?s ORDER BY ?s"""


@dataclass(frozen=True)
class Dump:
    """One published dump: file name, bytes, media type and optional compression."""

    name: str
    data: bytes
    media_type: str
    compress_format: str | None = None

    @property
    def sha256(self) -> str:
        """Hex sha256 of the bytes as served."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Links:
    """Where things are: the dataset IRI (under the base), and absolute URLs of this server."""

    dataset: str
    base_iri: str
    sparql: str
    dumps: dict[str, str]
    homepage: str
    changes: str


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


def _int(value: int, datatype: str = XSD + "integer") -> Literal:
    return Literal(str(value), datatype=_n(datatype))


def _string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rows(store: Store, query: str) -> list[tuple[str, int]]:
    return [(row[0].value, int(row[1].value)) for row in store.query(query)]  # type: ignore[union-attr,index]


def namespace(iri: str) -> str:
    """The vocabulary namespace of a term: up to the last ``#`` or ``/``.

    >>> namespace("http://www.w3.org/ns/org#member")
    'http://www.w3.org/ns/org#'
    """
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def describe_dataset(store: Store, links: Links, dumps: list[Dump], release: DataVersion, title: str) -> list[Triple]:
    """VoID + DCAT triples describing the default graph (ontology + data) and its dumps, dated and
    versioned by the release the data declares (no date when it declares none)."""
    ds = _n(links.dataset)
    out: list[Triple] = []

    def add(s: NamedNode | BlankNode, p: str, o: NamedNode | BlankNode | Literal) -> None:
        out.append(Triple(s, _n(p), o))

    row = next(iter(store.query(_COUNTS)))  # type: ignore[call-overload]
    prefix = _string(links.base_iri + "id/")
    add(ds, RDF + "type", _n(VOID + "Dataset"))
    add(ds, RDF + "type", _n(DCAT + "Dataset"))
    add(ds, DCT + "title", Literal(title, language="en"))
    add(ds, DCT + "description", Literal(DESCRIPTION, language="en"))
    add(ds, DCT + "license", _n(CC_BY))
    modified = None if release.modified is None else Literal(release.modified.date().isoformat(), datatype=_n(XSD + "date"))
    if modified is not None:
        add(ds, DCT + "modified", modified)
    if release.label is not None:
        add(ds, DCAT + "version", Literal(release.label))
    add(ds, FOAF + "homepage", _n(links.homepage))
    add(ds, DCAT + "landingPage", _n(links.homepage))
    add(ds, VOID + "triples", _int(int(row["triples"].value)))
    add(ds, VOID + "distinctSubjects", _int(int(row["subjects"].value)))
    add(ds, VOID + "distinctObjects", _int(int(row["objects"].value)))
    entities = next(iter(store.query(_ENTITIES.format(prefix=prefix))))  # type: ignore[call-overload]
    add(ds, VOID + "entities", _int(int(entities["n"].value)))
    add(ds, VOID + "uriSpace", Literal(links.base_iri + "id/"))
    add(ds, VOID + "sparqlEndpoint", _n(links.sparql))
    for iri in _examples(store, prefix):
        add(ds, VOID + "exampleResource", _n(iri))
    vocabularies: set[str] = set()
    classes, properties = _rows(store, _CLASSES), _rows(store, _PROPERTIES)
    add(ds, VOID + "classes", _int(len(classes)))
    add(ds, VOID + "properties", _int(len(properties)))
    partitions = ((classes, "classPartition", "class", "entities"), (properties, "propertyPartition", "property", "triples"))
    for rows, partition, key, measure in partitions:
        for i, (term, count) in enumerate(rows):
            part = BlankNode(f"{key}{i}")  # fixed labels: same bytes for the same data (strong ETag)
            add(ds, VOID + partition, part)
            add(part, VOID + key, _n(term))
            add(part, VOID + measure, _int(count))
            vocabularies.add(namespace(term))
    for vocabulary in sorted(vocabularies):
        add(ds, VOID + "vocabulary", _n(vocabulary))
    service = _n(links.dataset.split("#")[0] + "#sparql")
    add(service, RDF + "type", _n(DCAT + "DataService"))
    add(service, DCT + "title", Literal(title + " SPARQL endpoint", language="en"))
    add(service, DCAT + "endpointURL", _n(links.sparql))
    add(service, DCAT + "endpointDescription", _n(links.sparql))
    add(service, DCT + "conformsTo", _n(SD_PROTOCOL))
    add(service, DCAT + "servesDataset", ds)
    add(service, DCT + "license", _n(CC_BY))
    feed = _n(links.dataset.split("#")[0] + "#changes")  # the change feed: releases and their RDF Patches
    add(feed, RDF + "type", _n(DCAT + "DataService"))
    add(feed, DCT + "title", Literal(title + " releases and change sets", language="en"))
    add(feed, DCAT + "endpointURL", _n(links.changes))
    add(feed, DCT + "conformsTo", _n(ATOM))
    add(feed, DCT + "conformsTo", _n(RDF_PATCH))
    add(feed, DCAT + "servesDataset", ds)
    add(feed, DCT + "license", _n(CC_BY))
    for dump in dumps:
        url = _n(links.dumps[dump.name])
        add(ds, VOID + "dataDump", url)
        dist = _n(links.dataset.split("#")[0] + "#dump-" + dump.name.replace(".", "-"))
        checksum = BlankNode("checksum-" + dump.name.replace(".", "-"))
        add(ds, DCAT + "distribution", dist)
        add(dist, RDF + "type", _n(DCAT + "Distribution"))
        add(dist, DCT + "title", Literal(dump.name))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", url)
        add(dist, DCAT + "mediaType", _n(IANA + dump.media_type))
        if dump.compress_format:
            add(dist, DCAT + "compressFormat", _n(IANA + dump.compress_format))
        if dump.media_type in FILE_TYPES:
            add(dist, DCT + "format", _n(FILE_TYPE + FILE_TYPES[dump.media_type]))
        add(dist, DCAT + "accessService", service)
        add(dist, DCAT + "byteSize", _int(len(dump.data), XSD + "nonNegativeInteger"))
        add(dist, DCT + "license", _n(CC_BY))
        if modified is not None:
            add(dist, DCT + "modified", modified)
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", _n(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", Literal(dump.sha256, datatype=_n(XSD + "hexBinary")))
    return out


def _examples(store: Store, prefix: str) -> list[str]:
    """The first resource of each kind (``id/{kind}/``), a handful at most."""
    seen: dict[str, str] = {}
    for row in store.query(_EXAMPLES.format(prefix=prefix)):
        seen.setdefault(row["first"].value, row["s"].value)  # type: ignore[index]
    return list(seen.values())[:5]
