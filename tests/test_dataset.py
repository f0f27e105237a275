"""Harvesting as an aggregator would: VoID -> dumps -> checksums -> same triples as the SPARQL endpoint."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.compare import isomorphic

from server.dataset.views import DUMPS, write_dumps

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
PARSE = {"healthy-cities.ttl": "turtle", "healthy-cities.nt.gz": "nt", "healthy-cities.jsonld": "json-ld"}


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_harvest_from_void(client: FlaskClient) -> None:
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    dataset = next(void.subjects(rdflib.RDF.type, VOID.Dataset))
    assert (dataset, rdflib.RDF.type, DCAT.Dataset) in void
    assert void.value(dataset, DCT.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    endpoint = void.value(dataset, VOID.sparqlEndpoint)
    construct = client.get(path_of(str(endpoint)), query_string={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
                           headers={"Accept": "application/n-triples"})
    assert construct.status_code == 200
    expected = rdflib.Graph().parse(data=construct.data, format="nt")
    assert int(void.value(dataset, VOID.triples)) == len(expected)

    dumps = list(void.objects(dataset, VOID.dataDump))
    assert len(dumps) == 3
    for distribution in void.objects(dataset, DCAT.distribution):
        url = void.value(distribution, DCAT.downloadURL)
        assert url in dumps
        response = client.get(path_of(str(url)))
        assert response.status_code == 200
        checksum = void.value(distribution, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(response.data).hexdigest()
        assert int(void.value(distribution, DCAT.byteSize)) == len(response.data)
        assert void.value(distribution, DCAT.mediaType) is not None
        name = str(url).rsplit("/", 1)[1]
        data = gzip.decompress(response.data) if name.endswith(".gz") else response.data
        harvested = rdflib.Graph().parse(data=data, format=PARSE[name])
        assert isomorphic(harvested, expected), name
        assert client.get(path_of(str(url)), headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_void_statistics_and_partitions(client: FlaskClient) -> None:
    void = rdflib.Graph().parse(data=client.get("/.well-known/void.nt").data, format="nt")
    dataset = next(void.subjects(rdflib.RDF.type, VOID.Dataset))
    for prop in (VOID.entities, VOID.distinctSubjects, VOID.distinctObjects, VOID.uriSpace, VOID.exampleResource,
                 VOID.vocabulary, VOID.classPartition, VOID.propertyPartition, DCT.modified):
        assert void.value(dataset, prop) is not None, prop
    classes = {void.value(p, VOID["class"]) for p in void.objects(dataset, VOID.classPartition)}
    assert rdflib.URIRef("http://www.w3.org/ns/org#Membership") in classes
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(("accept", "suffix", "media_type"), [
    (None, "", "text/turtle"),  # curl
    (BROWSER, "", "text/html"),  # a browser gets the HTML view, no longer a file to download
    ("application/rdf+xml", "", "application/rdf+xml"),
    ("application/ld+json", "", "application/ld+json"),
    (BROWSER, ".ttl", "text/turtle"),  # the suffix wins
    (None, ".html", "text/html"),
])
def test_void_is_negotiated_with_an_html_view(client: FlaskClient, accept: str | None, suffix: str, media_type: str) -> None:
    response = client.get("/.well-known/void" + suffix, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media_type
    assert "Accept" in response.vary


def test_void_html_lists_dumps_and_partitions(client: FlaskClient) -> None:
    page = client.get("/.well-known/void", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "/dumps/healthy-cities.nt.gz" in page  # each dump, with its size and checksum
    assert 'title="http://www.w3.org/ns/org#Membership">membership</a>' in page  # classes by label
    assert '<section class="partition">' in page and 'href="/.well-known/void.ttl"' in page


def test_served_dumps_equal_cli_files(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    written = write_dumps(app.extensions["hcn_store"], tmp_path, app.extensions["hcn_settings"].base_iri)
    assert sorted(p.name for p in written) == sorted(DUMPS)
    for path in written:
        assert client.get(f"/dumps/{path.name}").data == path.read_bytes()


def test_sitemap_lists_every_document(app: Flask, client: FlaskClient) -> None:
    root = ElementTree.fromstring(client.get("/sitemap.xml").data)
    locs = {el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "http://localhost/doc/organisation/ostfold-fylkeskommune" in locs
    assert "http://localhost/ontology" in locs and "http://localhost/id/organisation/" in locs
    query = 'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://w3id.org/healthy-cities/id/")) }'
    n = int(next(iter(app.extensions["hcn_store"].query(query)))["n"].value)
    assert len([u for u in locs if "/doc/" in u]) == n


def test_landing_page_explains_harvesting(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    for needle in ("/.well-known/void", "/dumps/healthy-cities.ttl", "/sitemap.xml", "/ontology", "/id/organisation/"):
        assert needle in html, needle
