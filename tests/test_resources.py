"""Dereferencing every subject IRI, headers, conditional requests, and hostile paths."""

from __future__ import annotations

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient

BASE = "https://w3id.org/healthy-cities/"
FORMATS = {
    "text/html": None,
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


def subjects(app: Flask) -> list[str]:
    """Every IRI subject of the default graph under the base IRI, from the store itself."""
    query = f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }} ORDER BY ?s'
    return [row["s"].value for row in app.extensions["hcn_store"].query(query)]


def local_path(iri: str) -> str:
    return "/" + iri[len(BASE):].split("#")[0]


def test_every_subject_dereferences_in_every_format(app: Flask, client: FlaskClient) -> None:
    iris = subjects(app)
    assert len(iris) > 150
    by_path: dict[str, list[str]] = {}
    for iri in iris:  # ontology terms (hash IRIs) share one document, /ontology
        by_path.setdefault(local_path(iri), []).append(iri)
    for path, in_doc in by_path.items():
        for media_type, rdflib_format in FORMATS.items():
            response = client.get(path, headers={"Accept": media_type})
            if path.startswith("/id/"):
                assert response.status_code == 303, (path, response.status_code)
                assert response.location.endswith("/doc/" + path[4:])
                response = client.get(response.location, headers={"Accept": media_type})
            assert response.status_code == 200, (path, media_type)
            assert response.mimetype == media_type
            assert response.mimetype_params["charset"] == "utf-8"
            assert {"Accept", "Accept-Language"} <= set(response.vary)
            etag = response.headers["ETag"]
            assert response.headers["Last-Modified"]
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            assert response.headers["Content-Location"]
            again = client.get(response.request.path, headers={"Accept": media_type, "If-None-Match": etag})
            assert again.status_code == 304 and not again.data
            if rdflib_format is None:
                continue
            graph = rdflib.Graph().parse(data=response.data, format=rdflib_format)
            for iri in in_doc:
                assert (rdflib.URIRef(iri), None, None) in graph, (iri, media_type)


def test_document_headers(client: FlaskClient) -> None:
    r = client.get("/doc/organisation/ostfold-fylkeskommune")
    assert r.mimetype == "text/turtle"
    assert r.headers["Content-Location"] == "/doc/organisation/ostfold-fylkeskommune.ttl"
    links = r.headers["Link"]
    for suffix, media in [("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
                          ("rdf", "application/rdf+xml"), ("html", "text/html")]:
        assert f'</doc/organisation/ostfold-fylkeskommune.{suffix}>; rel="alternate"; type="{media}"' in links
    assert 'type="text/turtle"' not in links
    assert r.headers["ETag"].startswith('"') and not r.headers["ETag"].startswith("W/")


def test_etags_differ_per_representation_and_not_per_request(client: FlaskClient) -> None:
    tags = {client.get(f"/doc/network/sunne-kommuner.{s}").headers["ETag"] for s in ("ttl", "nt", "jsonld", "rdf", "html")}
    assert len(tags) == 5
    assert client.get("/doc/network/sunne-kommuner.ttl").headers["ETag"] in tags


def test_if_modified_since_and_head(client: FlaskClient) -> None:
    r = client.get("/doc/network/sunne-kommuner")
    assert client.get("/doc/network/sunne-kommuner", headers={"If-Modified-Since": r.headers["Last-Modified"]}).status_code == 304
    head = client.head("/doc/network/sunne-kommuner")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == r.headers["ETag"]
    assert client.head("/id/network/sunne-kommuner").status_code == 303


def test_suffix_and_format_override_accept(client: FlaskClient) -> None:
    html = {"Accept": "text/html"}
    assert client.get("/doc/network/sunne-kommuner.ttl", headers=html).mimetype == "text/turtle"
    assert client.get("/doc/network/sunne-kommuner?format=nt", headers=html).mimetype == "application/n-triples"
    assert client.get("/doc/network/sunne-kommuner.rdf?format=nt").mimetype == "application/rdf+xml"
    assert client.get("/doc/network/sunne-kommuner?format=bogus").status_code == 400


def test_browser_gets_html_curl_gets_turtle(client: FlaskClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/doc/network/sunne-kommuner", headers={"Accept": browser}).mimetype == "text/html"
    assert client.get("/doc/network/sunne-kommuner", headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_406_lists_offered_types(client: FlaskClient) -> None:
    r = client.get("/doc/network/sunne-kommuner", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert b"text/turtle" in r.data and b"text/html" in r.data


def test_blank_node_objects_are_in_the_document(client: FlaskClient) -> None:
    g = rdflib.Graph().parse(data=client.get("/doc/interval/from-2006.ttl").data, format="turtle")
    years = list(g.objects(None, rdflib.URIRef("http://www.w3.org/2006/time#inXSDgYear")))
    assert [str(y) for y in years] == ["2006"]


def test_labels_of_linked_things_and_incoming_links(client: FlaskClient) -> None:
    g = rdflib.Graph().parse(data=client.get("/doc/organisation/ostfold-fylkeskommune.ttl").data, format="turtle")
    me = rdflib.URIRef(BASE + "id/organisation/ostfold-fylkeskommune")
    assert (None, rdflib.URIRef("http://www.w3.org/ns/org#member"), me) in g  # incoming from memberships
    for membership in g.subjects(rdflib.URIRef("http://www.w3.org/ns/org#member"), me):
        assert (membership, rdflib.RDFS.label, None) in g


def test_html_page_language_and_content(client: FlaskClient) -> None:
    en = client.get("/doc/organisation/ostfold-fylkeskommune.html", headers={"Accept-Language": "en"}).get_data(as_text=True)
    nb = client.get("/doc/organisation/ostfold-fylkeskommune.html", headers={"Accept-Language": "nb-NO,nb;q=0.9"}).get_data(as_text=True)
    forced = client.get("/doc/organisation/ostfold-fylkeskommune.html?lang=nb").get_data(as_text=True)
    assert "<h1>Østfold County Council</h1>" in en or "County" in en.split("<h1>")[1].split("</h1>")[0]
    assert "fylkeskommune" in nb.split("<h1>")[1].split("</h1>")[0]
    assert forced.split("<h1>")[1].split("</h1>")[0] == nb.split("<h1>")[1].split("</h1>")[0]
    assert '<html lang="nb">' in nb
    assert 'type="application/ld+json"' in en
    assert 'href="/doc/' in en and 'href="/ontology#' in en
    assert "?lang=nb" in en


def test_listing_pages(client: FlaskClient) -> None:
    r = client.get("/id/organisation/", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "/doc/organisation/ostfold-fylkeskommune" in r.get_data(as_text=True)
    g = rdflib.Graph().parse(data=client.get("/id/organisation/index.ttl").data, format="turtle")
    assert len(set(g.objects(None, rdflib.URIRef("http://www.w3.org/ns/hydra/core#member")))) >= 20
    assert client.get("/id/nothing-here/").status_code == 404


def test_paging_with_small_pages() -> None:
    from server.app import create_app

    client = create_app({"TESTING": True, "page_size": 3}).test_client()
    first = client.get("/doc/network/who-european-healthy-cities-network.ttl")
    assert 'rel="next"' in first.headers["Link"]
    second = client.get("/doc/network/who-european-healthy-cities-network?page=2&format=ttl")
    assert second.status_code == 200 and second.data != first.data
    assert client.get("/doc/network/who-european-healthy-cities-network?page=999").status_code == 404
    assert client.get("/doc/network/who-european-healthy-cities-network?page=0").status_code == 400
    html = client.get("/doc/network/who-european-healthy-cities-network.html").get_data(as_text=True)
    assert 'rel="next"' in html


def test_ontology_and_shapes(client: FlaskClient) -> None:
    html = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="Network"' in html and "usage" in html
    for suffix, fmt in [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")]:
        g = rdflib.Graph().parse(data=client.get(f"/ontology.{suffix}").data, format=fmt)
        assert (rdflib.URIRef(BASE + "ontology#Network"), None, None) in g
    assert client.get("/shapes", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/shapes.ttl").mimetype == "text/turtle"


@pytest.mark.parametrize(
    "path",
    [
        "/id/organisation/does-not-exist",
        "/doc/organisation/does-not-exist",
        "/doc/organisation/does-not-exist.ttl",
        "/id/../server/app.py",
        "/doc/../../etc/passwd",
        "/doc/organisation/..%2F..%2Fetc%2Fpasswd",
        "/doc/organisation%2Fostfold-fylkeskommune%2F..%2F..",
        "/id/organisation/%00",
        "/doc/organisation/x%00.ttl",
        "/doc/" + "a" * 5000,
        "/id/" + "a/" * 2000,
        "/doc/organisation/ostfold-fylkeskommune.exe",
        "/doc/organisation/<script>",
        "/doc/organisation/a%20b",
        "/doc/organisation/a>b{c}",
        "/ontology.exe",
        "/shapes.php",
        "/dumps/../../etc/passwd",
        "/dumps/..%2Fserver%2Fapp.py",
        "/dumps/healthy-cities.ttl%00",
        "/.well-known/void.exe",
        "/static/../server/app.py",
        "/id/",
        "/doc/",
    ],
)
def test_hostile_paths_are_4xx(client: FlaskClient, path: str) -> None:
    for accept in ("text/html", "*/*", "image/png", "text/turtle;q=0, */*;q=0"):
        r = client.get(path, headers={"Accept": accept})
        assert 400 <= r.status_code < 500, (path, accept, r.status_code)
        assert b"Traceback" not in r.data and b"import " not in r.data


@pytest.mark.parametrize("accept", ["", "*/*;q=abc", "text/html;q=2", ";;;", "\x7f", "a" * 10000, "text/turtle;q=-1"])
def test_bad_accept_headers_never_500(client: FlaskClient, accept: str) -> None:
    r = client.get("/doc/network/sunne-kommuner", headers={"Accept": accept})
    assert r.status_code in (200, 406)


def test_404_is_html_for_browsers_text_otherwise(client: FlaskClient) -> None:
    assert client.get("/id/organisation/nope", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/id/organisation/nope").mimetype == "text/plain"
