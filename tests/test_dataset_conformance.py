"""Conformance as an outside suite would check it: VoID, DCAT, sitemaps.org and RFC 9110 conditional requests."""

from __future__ import annotations

import hashlib
import re
from xml.etree import ElementTree

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib import XSD, Literal, URIRef

import server.dataset.views as dataset_views

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
IANA = "https://www.iana.org/assignments/media-types/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DOC = "/doc/identifier-scheme/organisasjonsnummer"


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture(scope="module")
def void(client: FlaskClient) -> rdflib.Graph:
    return rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")


@pytest.fixture(scope="module")
def dataset(void: rdflib.Graph) -> URIRef:
    found = list(void.subjects(rdflib.RDF.type, VOID.Dataset))
    assert len(found) == 1 and isinstance(found[0], URIRef)
    return found[0]


def one(graph: rdflib.Graph, s: rdflib.term.Node, p: URIRef) -> rdflib.term.Node:
    values = list(graph.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return values[0]


def integer(graph: rdflib.Graph, s: rdflib.term.Node, p: URIRef) -> int:
    value = one(graph, s, p)
    assert isinstance(value, Literal) and value.datatype == XSD.integer, (p, value)
    return int(value)


def scalar(app: Flask, query: str) -> int:
    return int(next(iter(app.extensions["hcn_store"].query(query)))[0].value)


def pairs(app: Flask, query: str) -> dict[str, int]:
    return {row[0].value: int(row[1].value) for row in app.extensions["hcn_store"].query(query)}


# --- VoID -------------------------------------------------------------------------------------------


def test_void_is_reachable_and_negotiable(client: FlaskClient) -> None:
    for accept, media_type in [(None, "text/turtle"), ("*/*", "text/turtle"), ("application/n-triples", "application/n-triples"),
                               ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml")]:
        response = client.get("/.well-known/void", headers={"Accept": accept} if accept else {})
        assert response.status_code == 200 and response.mimetype == media_type, accept
        assert "Accept" in response.vary and response.headers["Content-Location"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_void_statistics_equal_sparql(app: Flask, void: rdflib.Graph, dataset: URIRef) -> None:
    base = app.extensions["hcn_settings"].base_iri + "id/"
    assert integer(void, dataset, VOID.triples) == scalar(app, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert integer(void, dataset, VOID.distinctSubjects) == scalar(app, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    assert integer(void, dataset, VOID.distinctObjects) == scalar(app, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    entities = f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}")) }}'
    assert integer(void, dataset, VOID.entities) == scalar(app, entities)
    classes = pairs(app, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c")
    properties = pairs(app, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    assert integer(void, dataset, VOID.classes) == len(classes)
    assert integer(void, dataset, VOID.properties) == len(properties)
    seen_classes = {}
    for part in void.objects(dataset, VOID.classPartition):
        cls = one(void, part, VOID["class"])
        assert isinstance(cls, URIRef)
        seen_classes[str(cls)] = integer(void, part, VOID.entities)
    assert seen_classes == classes
    seen_properties = {}
    for part in void.objects(dataset, VOID.propertyPartition):
        prop = one(void, part, VOID.property)
        assert isinstance(prop, URIRef)
        seen_properties[str(prop)] = integer(void, part, VOID.triples)
    assert seen_properties == properties
    assert sum(seen_properties.values()) == integer(void, dataset, VOID.triples)


def test_void_links_and_terms(client: FlaskClient, void: rdflib.Graph, dataset: URIRef) -> None:
    space = one(void, dataset, VOID.uriSpace)
    assert isinstance(space, Literal) and space.datatype in (None, XSD.string) and str(space).endswith("/id/")
    endpoint = one(void, dataset, VOID.sparqlEndpoint)
    assert isinstance(endpoint, URIRef)
    assert client.get(path_of(str(endpoint)), query_string={"query": "ASK {}"},
                      headers={"Accept": "application/sparql-results+json"}).json["boolean"] is True
    dumps = list(void.objects(dataset, VOID.dataDump))
    assert dumps and all(isinstance(d, URIRef) for d in dumps)
    examples = list(void.objects(dataset, VOID.exampleResource))
    assert examples
    for example in examples:
        assert isinstance(example, URIRef) and str(example).startswith(str(space))
        local = "/id/" + str(example)[len(str(space)):]
        assert client.get(local, headers={"Accept": "text/turtle"}).status_code == 303
    vocabularies = set(void.objects(dataset, VOID.vocabulary))
    assert vocabularies and all(isinstance(v, URIRef) for v in vocabularies)
    for part in void.objects(dataset, VOID.propertyPartition):
        prop = str(one(void, part, VOID.property))
        assert any(prop.startswith(str(v)) for v in vocabularies), prop


# --- DCAT -------------------------------------------------------------------------------------------


def test_dcat_dataset(void: rdflib.Graph, dataset: URIRef) -> None:
    assert (dataset, rdflib.RDF.type, DCAT.Dataset) in void
    for prop in (DCT.title, DCT.description):
        value = one(void, dataset, prop)
        assert isinstance(value, Literal) and str(value).strip() and value.language == "en", prop
    assert one(void, dataset, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    modified = one(void, dataset, DCT.modified)
    assert isinstance(modified, Literal) and modified.datatype in (XSD.date, XSD.dateTime)
    assert modified.value is not None and not isinstance(modified.value, str)  # a valid lexical form
    assert isinstance(one(void, dataset, DCAT.landingPage), URIRef)


def test_dcat_distributions_match_served_bytes(client: FlaskClient, void: rdflib.Graph, dataset: URIRef) -> None:
    distributions = list(void.objects(dataset, DCAT.distribution))
    assert len(distributions) == len(dataset_views.DUMPS)
    for dist in distributions:
        assert (dist, rdflib.RDF.type, DCAT.Distribution) in void
        download, access = one(void, dist, DCAT.downloadURL), one(void, dist, DCAT.accessURL)
        assert isinstance(download, URIRef) and isinstance(access, URIRef)
        assert download in set(void.objects(dataset, VOID.dataDump))
        media_type = one(void, dist, DCAT.mediaType)
        assert isinstance(media_type, URIRef) and re.fullmatch(re.escape(IANA) + r"[a-z]+/[a-z0-9.+-]+", str(media_type))
        assert isinstance(one(void, dist, DCT["format"]), URIRef)
        size = one(void, dist, DCAT.byteSize)
        assert isinstance(size, Literal) and size.datatype in (XSD.nonNegativeInteger, XSD.decimal)
        checksum = one(void, dist, SPDX.checksum)
        assert (checksum, rdflib.RDF.type, SPDX.Checksum) in void
        assert one(void, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = one(void, checksum, SPDX.checksumValue)
        assert isinstance(value, Literal) and value.datatype == XSD.hexBinary and re.fullmatch("[0-9a-f]{64}", str(value))

        response = client.get(path_of(str(download)))
        assert response.status_code == 200
        assert int(size) == len(response.data) == int(response.headers["Content-Length"])
        assert str(value) == hashlib.sha256(response.data).hexdigest()
        served_type = response.mimetype
        if str(download).endswith(".gz"):
            assert one(void, dist, DCAT.compressFormat) == URIRef(IANA + "application/gzip")
            assert served_type == "application/gzip" and response.data[:2] == b"\x1f\x8b"
        else:
            assert not list(void.objects(dist, DCAT.compressFormat))
            assert URIRef(IANA + served_type) == media_type
        head = client.head(path_of(str(download)))
        assert head.status_code == 200 and not head.data and head.headers["ETag"] == response.headers["ETag"]


def test_dcat_data_services(client: FlaskClient, void: rdflib.Graph, dataset: URIRef) -> None:
    """Two services serve the dataset: the SPARQL endpoint (every dump's access service) and the change feed."""
    services = {one(void, s, DCAT.endpointURL): s for s in void.subjects(rdflib.RDF.type, DCAT.DataService)}
    sparql = one(void, dataset, VOID.sparqlEndpoint)
    feed = next(url for url in services if str(url).endswith("/changes"))
    assert set(services) == {sparql, feed} and all(isinstance(url, URIRef) for url in services)
    for service in services.values():
        assert one(void, service, DCAT.servesDataset) == dataset
        assert isinstance(one(void, service, DCT.title), Literal)
    for dist in void.objects(dataset, DCAT.distribution):
        assert one(void, dist, DCAT.accessService) == services[sparql]
    assert client.get(path_of(str(sparql)), query_string={"query": "ASK {}"}).status_code == 200
    assert client.get(path_of(str(feed))).status_code == 200


# --- Sitemap ----------------------------------------------------------------------------------------

W3C_DATETIME = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?")


def check_sitemap(data: bytes, tag: str) -> list[str]:
    root = ElementTree.fromstring(data)
    assert root.tag == SITEMAP + tag
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    entries = list(root)
    assert 0 < len(entries) <= 50_000
    locs = []
    for entry in entries:
        assert entry.tag == SITEMAP + ("url" if tag == "urlset" else "sitemap")
        loc = entry.find(SITEMAP + "loc")
        assert loc is not None and loc.text and re.match(r"https?://[^/]+/", loc.text) and len(loc.text) < 2048
        lastmod = entry.find(SITEMAP + "lastmod")
        if lastmod is not None:
            assert lastmod.text and W3C_DATETIME.fullmatch(lastmod.text)
        locs.append(loc.text)
    return locs


def test_sitemap_protocol(client: FlaskClient) -> None:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    locs = check_sitemap(response.data, "urlset")
    assert len(locs) == len(set(locs))
    for loc in locs[:5]:
        assert client.get(path_of(loc)).status_code == 200


def test_sitemap_index_beyond_limit(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    every = check_sitemap(client.get("/sitemap.xml").data, "urlset")
    monkeypatch.setattr(dataset_views, "MAX_SITEMAP_URLS", 50)
    pages = check_sitemap(client.get("/sitemap.xml").data, "sitemapindex")
    assert len(pages) == -(-len(every) // 50)
    joined = []
    for page in pages:
        response = client.get(path_of(page))
        assert response.status_code == 200
        chunk = check_sitemap(response.data, "urlset")
        assert len(chunk) <= 50
        joined += chunk
    assert joined == every
    assert client.get("/sitemap.xml?page=999").status_code == 404


# --- Conditional requests and negotiation on documents (RFC 9110) -----------------------------------

STRONG_ETAG = re.compile(r'"[\x21\x23-\x7e]*"')


@pytest.fixture(scope="module")
def current(client: FlaskClient) -> dict[str, str]:
    response = client.get(DOC, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return {"etag": response.headers["ETag"], "modified": response.headers["Last-Modified"]}


def conditional_rows() -> list[tuple[str, dict[str, str], int]]:
    """(name, headers with {etag}/{modified} placeholders, expected status)."""
    return [
        ("exact", {"If-None-Match": "{etag}"}, 304),
        ("weak form matches (weak comparison)", {"If-None-Match": "W/{etag}"}, 304),
        ("list containing it", {"If-None-Match": '"nope", {etag}, "other"'}, 304),
        ("list without it", {"If-None-Match": '"nope", W/"other"'}, 200),
        ("star", {"If-None-Match": "*"}, 304),
        ("other etag", {"If-None-Match": '"nope"'}, 200),
        ("INM wins over matching IMS", {"If-None-Match": '"nope"', "If-Modified-Since": "{modified}"}, 200),
        ("INM match, old IMS ignored", {"If-None-Match": "{etag}", "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}, 304),
        ("IMS current", {"If-Modified-Since": "{modified}"}, 304),
        ("IMS old", {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}, 200),
        ("IMS malformed ignored", {"If-Modified-Since": "yesterday"}, 200),
    ]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(("name", "headers", "status"), conditional_rows(), ids=[r[0] for r in conditional_rows()])
def test_conditional_requests(client: FlaskClient, current: dict[str, str], method: str, name: str,
                              headers: dict[str, str], status: int) -> None:
    sent = {"Accept": "text/turtle", **{k: v.format(**current) for k, v in headers.items()}}
    response = client.open(DOC, method=method, headers=sent)
    assert response.status_code == status, name
    assert STRONG_ETAG.fullmatch(response.headers["ETag"]) and response.headers["ETag"] == current["etag"]
    assert {"Accept", "Accept-Language"} <= set(response.vary)
    assert response.headers["Content-Location"] == DOC + ".ttl"
    if status == 304 or method == "HEAD":
        assert response.data == b""
    else:
        assert response.data and response.mimetype == "text/turtle"


@pytest.mark.parametrize("path", ["/.well-known/void", "/.well-known/void.nt", "/.well-known/void.jsonld", "/sitemap.xml"])
def test_strong_etag_means_identical_bytes(client: FlaskClient, path: str) -> None:
    first, second = client.get(path), client.get(path)
    assert first.headers["ETag"] == second.headers["ETag"] and first.data == second.data


@pytest.mark.parametrize("path", [DOC, "/ontology", "/id/organisation/", "/.well-known/void", "/sitemap.xml"])
def test_head_has_the_headers_of_get(client: FlaskClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200 and head.data == b""
    ignore = {"Date", "X-Request-Id"}
    assert {k: v for k, v in head.headers if k not in ignore} == {k: v for k, v in get.headers if k not in ignore}


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("application/ld+json;profile=\"http://www.w3.org/ns/json-ld#compacted\"", "application/ld+json"),
    ("text/html;q=0.5, text/turtle", "text/turtle"),
    ("*/*;q=0.1, application/n-triples", "application/n-triples"),
    ("text/plain", "application/n-triples"),
    ("application/xml", "application/rdf+xml"),
    ("text/turtle;q=0", 406),  # only listed type refused: nothing acceptable
    ("text/turtle;q=0, */*;q=0.5", "application/n-triples"),
    ("text/turtle;q=0, */*;q=0", 406),
    ("image/png", 406),
])
def test_document_negotiation(client: FlaskClient, accept: str | None, expected: str | int) -> None:
    response = client.get(DOC, headers={"Accept": accept} if accept else {})
    assert "Accept" in response.vary
    if expected == 406:
        assert response.status_code == 406 and response.mimetype == "text/plain"
        for media_type in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "text/html"):
            assert media_type in response.get_data(as_text=True)
        return
    assert response.status_code == 200 and response.mimetype == expected
    assert response.mimetype_params["charset"] == "utf-8"
    location = response.headers["Content-Location"]
    assert location.startswith(DOC + ".")
    again = client.get(location)
    assert again.status_code == 200 and again.mimetype == expected
    links = response.headers["Link"]
    assert links.count('rel="alternate"') == 4 and f'type="{expected}"' not in links
