"""The caching policy (docs/caching.md): Cache-Control per response kind, validators from the data
release, 304s, one Date header; release identity independent of file times; literals as written."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.compare import isomorphic
from werkzeug.http import http_date

from server.app import create_app
from server.caching import Kind

ROOT = Path(__file__).resolve().parents[1]
LITERALS = Path(__file__).parent / "fixtures" / "literals"
DCAT, DCT = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://purl.org/dc/terms/")
#: The release record, read apart from the server: (dcterms:modified, dcat:version).
RELEASE = rdflib.Graph().parse(ROOT / "data" / "release.ttl")
MODIFIED, VERSION = (str(next(RELEASE.objects(None, term))) for term in (DCT.modified, DCAT.version))
#: path -> expected Cache-Control, and whether the release fixes the bytes (validators expected).
KINDS = {
    "/": (Kind.DOCUMENT, True),
    "/doc/organisation/ostfold-fylkeskommune": (Kind.DOCUMENT, True),
    "/doc/organisation/ostfold-fylkeskommune.ttl": (Kind.DOCUMENT, True),
    "/id/organisation/": (Kind.DOCUMENT, True),
    "/ontology": (Kind.DOCUMENT, True),
    "/shapes.ttl": (Kind.DOCUMENT, True),
    "/dumps/healthy-cities.ttl": (Kind.DUMP, True),
    "/dumps/healthy-cities.nt.gz": (Kind.DUMP, True),
    "/.well-known/void": (Kind.DESCRIPTION, True),
    "/sitemap.xml": (Kind.DESCRIPTION, True),
    "/robots.txt": (Kind.DESCRIPTION, True),
    "/context/v1.jsonld": (Kind.CONTEXT, True),
    "/sparql": (Kind.DESCRIPTION, True),
    "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D": (Kind.QUERY, True),
    "/sparql?query=SELECT%20(NOW()%20AS%20%3Fn)%7B%7D": (Kind.VOLATILE, False),
    "/api/six-ps": (Kind.QUERY, True),
    "/api/openapi.json": (Kind.DESCRIPTION, True),
    "/static/style.css": (Kind.STATIC, False),
    "/id/organisation/ostfold-fylkeskommune": (Kind.REDIRECT, False),
    "/doc/organisation/nowhere": (Kind.MISSING, False),
    "/sparql?query=SELEC": (Kind.ERROR, False),
    "/health/live": (Kind.LIVE, False),
}


@pytest.mark.parametrize("path", list(KINDS))
def test_every_response_kind_has_its_policy(client: FlaskClient, path: str) -> None:
    kind, fixed = KINDS[path]
    response = client.get(path, headers={"Accept": "text/turtle, application/sparql-results+json;q=0.9, */*;q=0.1"})
    assert response.headers["Cache-Control"] == kind.cache_control, path
    assert "Date" not in response.headers  # the HTTP server in front sends the one Date
    if fixed:
        etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong
        assert modified == http_date(date.fromisoformat(MODIFIED))  # data/release.ttl's dcterms:modified
        again = client.get(path, headers={"If-None-Match": etag, "Accept": response.request.headers.get("Accept")})
        assert again.status_code == 304 and not again.data
        assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == kind.cache_control
        since = client.get(path, headers={"If-Modified-Since": modified, "Accept": response.request.headers["Accept"]})
        assert since.status_code == 304
        # RFC 9110 13.2.2: If-None-Match wins over If-Modified-Since
        other = client.get(path, headers={"If-None-Match": '"other"', "If-Modified-Since": modified,
                                          "Accept": response.request.headers["Accept"]})
        assert other.status_code == 200
    elif kind is not Kind.STATIC:
        assert "Last-Modified" not in response.headers


def test_static_files_validated_by_content(client: FlaskClient) -> None:
    response = client.get("/static/style.css")
    assert response.headers["ETag"].strip('"') == __import__("hashlib").sha256(
        (ROOT / "server/static/style.css").read_bytes()).hexdigest()[:32]
    assert client.get("/static/style.css", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/static/../app.py").status_code == 404


def test_post_answers_are_not_stored(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def _copy(target: Path, mtime: float) -> Path:
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / folder, target / folder)
    for path in target.rglob("*"):
        os.utime(path, (mtime, mtime))
    return target


def test_release_identity_does_not_depend_on_file_times(tmp_path: Path) -> None:
    """Two copies of the same data with different modification times: same validators and dates."""
    apps = [create_app({"root": _copy(tmp_path / name, mtime), "pool_size": 0, "TESTING": True}, fork_workers=False)
            for name, mtime in (("old", 1_000_000_000), ("new", 1_900_000_000))]
    paths = ["/doc/organisation/ostfold-fylkeskommune", "/dumps/healthy-cities.ttl", "/.well-known/void.ttl",
             "/sitemap.xml", "/", "/api/six-ps"]
    seen = []
    for app in apps:
        client = app.test_client()
        seen.append({p: (client.get(p).headers.get("ETag"), client.get(p).headers.get("Last-Modified"),
                         client.get(p).data) for p in paths})
    assert seen[0] == seen[1]
    void = rdflib.Graph().parse(data=seen[0]["/.well-known/void.ttl"][2], format="turtle")
    assert {str(o) for o in void.objects(None, DCT.modified)} == {MODIFIED}
    assert {str(o) for o in void.objects(None, DCAT.version)} == {VERSION}
    assert set(re.findall(rb"<lastmod>([^<]+)</lastmod>", seen[0]["/sitemap.xml"][2])) == {MODIFIED.encode()}


def test_counts_agree(app: Flask, client: FlaskClient) -> None:
    void = rdflib.Graph().parse(data=client.get("/.well-known/void.ttl").data, format="turtle")
    triples = int(next(void.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#triples"))))
    dump = rdflib.Graph().parse(data=client.get("/dumps/healthy-cities.ttl").data, format="turtle")
    page = client.get("/").get_data(as_text=True)
    shapes = app.extensions["hcn_store"].graph_sizes()[app.extensions["hcn_settings"].graph_iri("shapes")]
    assert len(dump) == triples
    assert f'<strong id="triple-count">{triples}</strong>' in page
    assert f'<span id="shapes-count">{shapes}</span>' in page and f'id="total-triples">{triples}<' in page


def test_jsonld_is_compacted_with_the_published_context(client: FlaskClient) -> None:
    doc = json.loads(client.get("/doc/organisation/ostfold-fylkeskommune.jsonld").data)
    assert doc["@context"] == "http://localhost/context/v1.jsonld"
    assert any(key.startswith("rdfs:") for node in doc["@graph"] for key in node)
    context = json.loads(client.get("/context/v1.jsonld").data)
    inline = json.dumps({**doc, "@context": context["@context"]})
    turtle = client.get("/doc/organisation/ostfold-fylkeskommune.ttl").data
    assert isomorphic(rdflib.Graph().parse(data=inline, format="json-ld"), rdflib.Graph().parse(data=turtle, format="turtle"))
    dump = json.loads(client.get("/dumps/healthy-cities.jsonld").data)
    assert dump["@context"] == context["@context"]  # a dump stands alone: its context inline


def test_turtle_declares_only_the_prefixes_it_uses(client: FlaskClient) -> None:
    text = client.get("/doc/organisation/ostfold-fylkeskommune.ttl").get_data(as_text=True)
    declared = re.findall(r"^@prefix (\w+):", text, re.M)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    assert declared and all(re.search(rf"(?<![\w/#]){name}:", body) for name in declared), declared
    assert "void" not in declared and "sh" not in declared


def test_robots_names_the_sitemap(client: FlaskClient) -> None:
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "User-agent: *" in text and "Sitemap: http://localhost/sitemap.xml" in text


def _graph(folders: list[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for folder in folders:
        for path in sorted(folder.rglob("*.ttl")):
            graph.parse(path, format="turtle")
    return graph


def test_dumps_and_documents_carry_literals_as_written() -> None:
    app = create_app({"root": LITERALS, "base_iri": "https://example.org/lit/", "pool_size": 0, "TESTING": True},
                     fork_workers=False)
    client = app.test_client()
    sources = _graph([LITERALS / "ontology", LITERALS / "data"])
    for name, fmt in (("healthy-cities.ttl", "turtle"), ("healthy-cities.nt.gz", "nt"), ("healthy-cities.jsonld", "json-ld")):
        data = client.get(f"/dumps/{name}").data
        data = gzip.decompress(data) if name.endswith(".gz") else data
        assert isomorphic(rdflib.Graph().parse(data=data, format=fmt), sources), name
    doc = client.get("/doc/thing/a.nt").get_data(as_text=True)
    for written in ('"5"^^<http://www.w3.org/2001/XMLSchema#int>', '"1.50"^^', '"P1Y12M"^^', '"1"^^<http://www.w3.org/2001/XMLSchema#boolean>'):
        assert written in doc
    b = client.get("/doc/thing/b.nt").get_data(as_text=True)
    assert '"1.50"^^' in b and '"1.500"^^' in b and '"007"^^' in b
    # SPARQL answers carry the store's values (docs/sparql.md)
    answer = json.loads(client.get("/sparql?query=SELECT%20%3Fo%7B%3Fs%20%3Chttps%3A%2F%2Fexample.org%2Flit%2Fontology%23duration%3E%20%3Fo%7D",
                                   headers={"Accept": "application/sparql-results+json"}).data)
    assert answer["results"]["bindings"][0]["o"]["value"] == "P2Y"


def _raw_headers(base: str, path: str) -> list[tuple[str, str]]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.getheaders()
    finally:
        connection.close()


def test_one_date_header_over_http(live_server: str) -> None:
    for path in ("/", "/doc/organisation/ostfold-fylkeskommune", "/dumps/healthy-cities.ttl", "/sitemap.xml",
                 "/.well-known/void", "/id/organisation/sandnes-kommune", "/nowhere", "/static/style.css"):
        headers = _raw_headers(live_server, path)
        assert [name for name, _ in headers].count("Date") == 1, (path, headers)
        assert [name for name, _ in headers].count("Cache-Control") == 1, path


def test_bytes_that_name_the_server_have_an_etag_per_address(client: FlaskClient) -> None:
    """A compacted JSON-LD document names this server's context URL: other bytes, another ETag."""
    path = "/doc/organisation/ostfold-fylkeskommune.jsonld"
    one, other = (client.get(path, base_url=f"http://{host}/") for host in ("a.example", "b.example"))
    assert one.data != other.data and one.headers["ETag"] != other.headers["ETag"]
    assert client.get(path, base_url="http://a.example/").headers["ETag"] == one.headers["ETag"]


def test_a_new_software_version_gives_new_etags(monkeypatch: pytest.MonkeyPatch) -> None:
    """The code shapes a representation's bytes as much as the data: its files are part of every ETag."""
    from server import caching

    version = caching.DataVersion("ab" * 32)
    before = version.etag("ttl", "/doc/x")
    assert caching.software_digest() == caching.software_digest()  # read once, from the code that runs
    monkeypatch.setattr(caching, "software_digest", lambda: "another version")
    assert version.etag("ttl", "/doc/x") != before
