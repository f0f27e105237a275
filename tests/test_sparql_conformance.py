"""The W3C SPARQL 1.1 Protocol tests (rdf-tests sparql/sparql11/protocol/manifest.ttl, query side) and
RFC 9110 details of /sparql, as tables over the Flask test client; raw HTTP only where the test client
cannot say it. The endpoint is read-only, so every update test expects a 4xx.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

RESULTS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values")
GRAPHS = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
SHAPE = "ASK { ?shape a <http://www.w3.org/ns/shacl#NodeShape> }"
BOTH = "ASK { ?shape a <http://www.w3.org/ns/shacl#NodeShape> . ?onto a <http://www.w3.org/2002/07/owl#Class> }"
NAMED = (
    "ASK { GRAPH ?g1 { ?shape a <http://www.w3.org/ns/shacl#NodeShape> }"
    " GRAPH ?g2 { ?onto a <http://www.w3.org/2002/07/owl#Class> } }"
)


def q(text: str) -> str:
    """Percent-encode a query the way the W3C manifest does (spaces as %20, nothing left raw)."""
    return urllib.parse.quote(text, safe="")


def fill(text: str, fields: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders (str.format would choke on SPARQL's braces)."""
    for name, value in fields.items():
        text = text.replace("{" + name + "}", value)
    return text


def boolean(response: Any) -> bool:
    """The boolean of an ASK answer in SPARQL JSON or XML."""
    ctype = response.mimetype
    if ctype == "application/sparql-results+json":
        return bool(response.get_json()["boolean"])
    assert ctype == "application/sparql-results+xml", ctype
    body = response.get_data(as_text=True)
    assert ("<boolean>true</boolean>" in body) != ("<boolean>false</boolean>" in body)
    return "<boolean>true</boolean>" in body


@pytest.fixture(scope="module")
def g(app: Flask) -> dict[str, str]:
    """Percent-encoded graph IRIs of the shipped store: data, shapes, ontology."""
    settings = app.extensions["hcn_settings"]
    return {name: q(settings.graph_iri(name)) for name in ("data", "shapes", "ontology")}


# --- positive protocol tests: (method, path, body, content type) -> expected ASK answer ----------

POSITIVE = [
    # query_get / query_post_form / query_post_direct
    ("query_get", "GET", "/sparql?query=ASK%20%7B%7D", None, None, True),
    ("query_post_form", "POST", "/sparql?default-graph-uri={data}", "query=ASK%20%7B%7D", FORM, True),
    ("query_post_direct", "POST", "/sparql", "ASK {}", DIRECT, True),
    # form POST with a charset parameter, direct POST with charset=UTF-8 (case-insensitive)
    ("form_charset", "POST", "/sparql", "query=ASK%20%7B%7D", FORM + "; charset=UTF-8", True),
    ("direct_charset", "POST", "/sparql", "ASK {}", DIRECT + "; charset=UTF-8", True),
    ("direct_charset_lower", "POST", "/sparql", "ASK {}", DIRECT + ";charset=utf-8", True),
    ("direct_media_type_case", "POST", "/sparql", "ASK {}", "Application/SPARQL-Query", True),
    # query_dataset_default_graph(s)_get/post: the protocol's default graph is the merge
    ("default_graphs_get", "GET", "/sparql?query=" + q(BOTH) + "&default-graph-uri={shapes}&default-graph-uri={ontology}", None, None, True),
    ("default_graphs_post", "POST", "/sparql?default-graph-uri={shapes}&default-graph-uri={ontology}", BOTH, DIRECT, True),
    ("default_graph_one", "GET", "/sparql?query=" + q(BOTH) + "&default-graph-uri={shapes}", None, None, False),
    ("default_graph_form_body", "POST", "/sparql", "query=" + q(SHAPE) + "&default-graph-uri={shapes}", FORM, True),
    ("default_graph_form_body_other", "POST", "/sparql", "query=" + q(SHAPE) + "&default-graph-uri={data}", FORM, False),
    # query_dataset_named_graphs_get/post
    ("named_graphs_get", "GET", "/sparql?query=" + q(NAMED) + "&named-graph-uri={shapes}&named-graph-uri={ontology}", None, None, True),
    ("named_graphs_post", "POST", "/sparql?named-graph-uri={shapes}&named-graph-uri={ontology}", NAMED, DIRECT, True),
    ("named_graphs_one", "POST", "/sparql?named-graph-uri={shapes}", NAMED, DIRECT, False),
    # query_dataset_full: default graph and named graphs together
    ("dataset_full", "POST", "/sparql?default-graph-uri={shapes}&named-graph-uri={shapes}&named-graph-uri={ontology}",
     "ASK { ?shape a <http://www.w3.org/ns/shacl#NodeShape> " + NAMED[6:], DIRECT, True),
    # query_multiple_dataset: protocol dataset overrides FROM in the query
    ("multiple_dataset", "GET", "/sparql?query=" + q("ASK FROM <urn:nothing> { ?shape a <http://www.w3.org/ns/shacl#NodeShape> }") + "&default-graph-uri={shapes}", None, None, True),
    ("multiple_dataset_post", "POST", "/sparql?default-graph-uri={data}", "ASK FROM {shapes_iri} " + SHAPE[4:], DIRECT, False),
]


@pytest.mark.parametrize(("name", "method", "path", "body", "ctype", "expected"), POSITIVE, ids=[row[0] for row in POSITIVE])
def test_w3c_positive(client: FlaskClient, app: Flask, g: dict[str, str], name: str, method: str, path: str,
                      body: str | None, ctype: str | None, expected: bool) -> None:
    fields = {**g, "shapes_iri": "<" + app.extensions["hcn_settings"].graph_iri("shapes") + ">"}
    response = client.open(fill(path, fields), method=method, data=body and fill(body, fields), content_type=ctype)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype in RESULTS[:2]
    assert boolean(response) is expected


# --- query_content_type_*: the answer's media type fits the query form ---------------------------

@pytest.mark.parametrize(
    ("query", "accept", "allowed"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 1", None, RESULTS),
        ("ASK { ?s ?p ?o }", None, RESULTS[:2]),
        ("DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1", None, GRAPHS),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", None, GRAPHS),
        # the W3C runner sends one Accept for every test: results and RDF types together
        ("SELECT * { ?s ?p ?o } LIMIT 1", "application/sparql-results+xml, application/rdf+xml", ("application/sparql-results+xml",)),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+xml, application/rdf+xml", ("application/rdf+xml",)),
        ("DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+json, */*;q=0.1", ("text/turtle",)),
    ],
    ids=["select", "ask", "describe", "construct", "select-mixed-accept", "construct-mixed-accept", "describe-wildcard"],
)
@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_w3c_content_type(client: FlaskClient, query: str, accept: str | None, allowed: tuple[str, ...], method: str) -> None:
    headers = {"Accept": accept} if accept else {}
    if method == "get":
        response = client.get("/sparql?query=" + q(query), headers=headers)
    elif method == "form":
        response = client.post("/sparql", data="query=" + q(query), content_type=FORM, headers=headers)
    else:
        response = client.post("/sparql", data=query, content_type=DIRECT, headers=headers)
    assert response.status_code == 200
    assert response.mimetype in allowed
    assert response.headers["Content-Type"].endswith("charset=utf-8")
    assert "Accept" in response.vary


# --- negative protocol tests: every one is a 4xx with a plain-text reason -------------------------

NEGATIVE = [
    # bad_query_method
    ("bad_query_method_put", "PUT", "/sparql?query=ASK%20%7B%7D&default-graph-uri={data}", "", FORM, 405, b"not allowed"),
    ("bad_query_method_delete", "DELETE", "/sparql?query=ASK%20%7B%7D", None, None, 405, b"not allowed"),
    ("bad_query_method_patch", "PATCH", "/sparql", "ASK {}", DIRECT, 405, b"not allowed"),
    # bad_multiple_queries, also across URL and body
    ("bad_multiple_queries", "GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", None, None, 400, b"exactly one"),
    ("bad_multiple_queries_form", "POST", "/sparql", "query=ASK%20%7B%7D&query=ASK%20%7B%7D", FORM, 400, b"exactly one"),
    ("bad_query_url_and_form", "POST", "/sparql?query=ASK%20%7B%7D", "query=ASK%20%7B%7D", FORM, 400, b"exactly one"),
    ("bad_query_url_and_direct", "POST", "/sparql?query=SELECT%20%2A%20%7B%7D", "ASK {}", DIRECT, 400, b"exactly one"),
    # bad_query_wrong_media_type / missing_form_type / missing_direct_type
    ("bad_query_wrong_media_type", "POST", "/sparql", "ASK {}", "text/plain", 415, b"application/sparql-query"),
    ("bad_query_missing_form_type", "POST", "/sparql", "query=ASK%20%7B%7D", None, 415, b"application/x-www-form-urlencoded"),
    ("bad_query_missing_direct_type", "POST", "/sparql", "ASK {}", None, 415, b"application/sparql-query"),
    ("bad_query_json_body", "POST", "/sparql", '{"query": "ASK {}"}', "application/json", 415, b"unsupported"),
    # bad_query_non_utf8: direct POST in UTF-16 (with BOM), declared or not; Latin-1 percent-escapes
    ("bad_query_non_utf8", "POST", "/sparql", "ASK {}".encode("utf-16"), DIRECT + "; charset=UTF-16", 415, b"UTF-8"),
    ("bad_query_non_utf8_undeclared", "POST", "/sparql", "ASK {}".encode("utf-16"), DIRECT, 400, b"UTF-8"),
    ("bad_query_latin1_declared", "POST", "/sparql", "ASK {}", DIRECT + "; charset=ISO-8859-1", 415, b"UTF-8"),
    ("bad_query_latin1_form", "POST", "/sparql", "query=ASK%20%7B%3Curn%3A%E9%3E%20%3Fp%20%3Fo%7D", FORM, 400, b"UTF-8"),
    ("bad_query_latin1_get", "GET", "/sparql?query=ASK%20%7B%3Curn%3A%E9%3E%20%3Fp%20%3Fo%7D", None, None, 400, b"UTF-8"),
    # bad_query_syntax; an empty query; a missing query on POST
    ("bad_query_syntax", "GET", "/sparql?query=ASK%20%7B", None, None, 400, b"malformed query"),
    ("bad_query_syntax_post", "POST", "/sparql", "SELECT * WHERE { ?s ?p }", DIRECT, 400, b"malformed query"),
    ("bad_query_empty", "GET", "/sparql?query=", None, None, 400, b"exactly one non-empty query"),
    ("bad_query_empty_direct", "POST", "/sparql", "", DIRECT, 400, b"exactly one non-empty query"),
    ("bad_query_missing_form", "POST", "/sparql", "default-graph-uri=urn%3Ag", FORM, 400, b"missing query"),
    # dataset IRIs must be absolute
    ("bad_default_graph_iri", "GET", "/sparql?query=ASK%20%7B%7D&default-graph-uri=", None, None, 400, b"graph IRI"),
    ("bad_named_graph_iri", "GET", "/sparql?query=ASK%20%7B%7D&named-graph-uri=not%20an%20iri", None, None, 400, b"graph IRI"),
    # bad_update_*: the query endpoint is read-only
    ("bad_update_get", "GET", "/sparql?update=CLEAR%20ALL", None, None, 400, b"read-only"),
    ("bad_update_post_form", "POST", "/sparql", "update=CLEAR+ALL", FORM, 400, b"read-only"),
    ("bad_update_post_direct", "POST", "/sparql", "CLEAR ALL", "application/sparql-update", 400, b"read-only"),
    ("bad_multiple_updates", "POST", "/sparql", "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM, 400, b"read-only"),
    ("bad_update_wrong_media_type", "POST", "/sparql", "CLEAR NAMED", "text/plain", 415, b"unsupported"),
    ("bad_update_missing_form_type", "POST", "/sparql", "update=CLEAR%20NAMED", None, 415, b"unsupported"),
    ("bad_update_non_utf8", "POST", "/sparql", "CLEAR NAMED".encode("utf-16"), "application/sparql-update; charset=UTF-16", 415, b"UTF-8"),
    ("bad_update_syntax", "POST", "/sparql", "update=CLEAR%20XYZ", FORM, 400, b"read-only"),
    ("bad_update_dataset_conflict", "POST", "/sparql?using-graph-uri=urn%3Ag", "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
     "application/sparql-update", 400, b"read-only"),
    ("bad_update_as_query", "POST", "/sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", DIRECT, 400, b"read-only"),
    ("bad_update_as_query_form", "POST", "/sparql", "query=" + q("DROP ALL"), FORM, 400, b"read-only"),
]


@pytest.mark.parametrize(("name", "method", "path", "body", "ctype", "status", "message"), NEGATIVE, ids=[row[0] for row in NEGATIVE])
def test_w3c_negative(client: FlaskClient, g: dict[str, str], name: str, method: str, path: str, body: str | bytes | None,
                      ctype: str | None, status: int, message: bytes) -> None:
    response = client.open(fill(path, g), method=method, data=body, content_type=ctype)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert message.lower() in response.data.lower()
    assert b"Traceback" not in response.data
    assert "Accept" in response.vary
    if status == 405:
        allow = {m.strip() for m in response.headers["Allow"].split(",")}
        assert {"GET", "HEAD", "POST", "OPTIONS"} <= allow and method not in allow


# --- percent-decoding: '+' is a space in a query string or form, '%2B' is a plus, decoded once ----

@pytest.mark.parametrize(
    ("method", "raw", "expected"),
    [
        ("get", "SELECT+(1%2B1+AS+%3Fx)+(%22a+b%22+AS+%3Fy)+%7B%7D", ("2", "a b")),
        ("form", "SELECT+(1%2B1+AS+%3Fx)+(%22a+b%22+AS+%3Fy)+%7B%7D", ("2", "a b")),
        ("get", q('SELECT ("100%" AS ?x) ("%2B" AS ?y) {}'), ("100%", "%2B")),
        ("form", q('SELECT ("100%" AS ?x) ("%2B" AS ?y) {}'), ("100%", "%2B")),
        ("get", q('SELECT ("100%25" AS ?x) ("ø" AS ?y) {}'), ("100%25", "ø")),
        ("direct", 'SELECT (1+1 AS ?x) ("100%25 a+b" AS ?y) {}', ("2", "100%25 a+b")),
    ],
    ids=["get-plus", "form-plus", "get-100%25", "form-100%25", "get-once-utf8", "direct-verbatim"],
)
def test_query_string_decoding(client: FlaskClient, method: str, raw: str, expected: tuple[str, str]) -> None:
    if method == "get":
        response = client.get("/sparql?query=" + raw)
    elif method == "form":
        response = client.post("/sparql", data="query=" + raw, content_type=FORM)
    else:
        response = client.post("/sparql", data=raw.encode("utf-8"), content_type=DIRECT)
    assert response.status_code == 200, response.get_data(as_text=True)
    (row,) = response.get_json()["results"]["bindings"]
    assert (row["x"]["value"], row["y"]["value"]) == expected


def test_raw_latin1_query_string_is_refused(client: FlaskClient) -> None:
    """A raw (not percent-encoded) 0xE9 in the query string, as a WSGI server passes it (latin-1)."""
    response = client.get("/sparql", environ_overrides={"QUERY_STRING": "query=ASK%20%7B%3Curn:\xe9%3E%20?p%20?o%7D"})
    assert response.status_code == 400 and b"UTF-8" in response.data


# --- RFC 9110: Accept with q-values, wildcards and parameters; Vary ------------------------------

@pytest.mark.parametrize(
    ("query", "accept", "status", "expected"),
    [
        ("ASK {}", "application/sparql-results+xml", 200, "application/sparql-results+xml"),
        ("ASK {}", "application/sparql-results+json;q=0.5, application/sparql-results+xml", 200, "application/sparql-results+xml"),
        ("ASK {}", "application/*", 200, "application/sparql-results+json"),
        ("ASK {}", "*/*;q=0.1", 200, "application/sparql-results+json"),
        ("ASK {}", "APPLICATION/SPARQL-RESULTS+XML", 200, "application/sparql-results+xml"),
        # parameters other than q do not stop a match (we send charset=utf-8 anyway)
        ("ASK {}", "application/sparql-results+json; charset=utf-8", 200, "application/sparql-results+json"),
        ("ASK {}", "application/sparql-results+xml; charset=UTF-8; q=0.9, application/sparql-results+json;q=0.1", 200,
         "application/sparql-results+xml"),
        ("SELECT * {}", "text/csv; header=present", 200, "text/csv"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/turtle; charset=utf-8", 200, "text/turtle"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/n-triples;q=0.4, text/turtle;q=0.3", 200, "application/n-triples"),
        # the most specific range sets q: text/csv;q=0 refuses CSV even though text/* allows it
        ("SELECT * {}", "text/*;q=0.5, text/csv;q=0", 200, "text/tab-separated-values"),
        ("SELECT * {}", "text/csv, */*", 200, "text/csv"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/*;q=0.5, text/turtle;q=0", 406, "text/plain"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/*;q=0.5, text/turtle;q=0, application/n-triples;q=0.1", 200,
         "application/n-triples"),
        # q=0 means "not acceptable"
        ("ASK {}", "application/sparql-results+json;q=0", 406, "text/plain"),
        ("ASK {}", "*/*;q=0", 406, "text/plain"),
        ("ASK {}", "text/turtle", 406, "text/plain"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+xml", 406, "text/plain"),
        # an empty or unparsable Accept is as good as none
        ("ASK {}", "", 200, "application/sparql-results+json"),
        ("ASK {}", "garbage", 200, "application/sparql-results+json"),
    ],
)
def test_accept_negotiation(client: FlaskClient, query: str, accept: str, status: int, expected: str) -> None:
    response = client.get("/sparql?query=" + q(query), headers={"Accept": accept})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == expected
    assert "Accept" in response.vary


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle; charset=utf-8", "text/turtle"),
        ("application/ld+json;q=0.9, text/turtle;q=0.1", "application/ld+json"),
        ("text/html;level=1", "text/html"),
        ("text/html;q=0.1, application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_service_description_negotiation(client: FlaskClient, accept: str, expected: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == expected
    assert "Accept" in response.vary


# --- RFC 9110: HEAD, OPTIONS (CORS preflight), 405 + Allow ----------------------------------------

@pytest.mark.parametrize("path", ["/sparql?query=ASK%20%7B%7D", "/sparql"])
def test_head_matches_get_without_body(client: FlaskClient, path: str) -> None:
    get, head = client.get(path, headers={"Accept": "text/turtle, application/sparql-results+json"}), client.head(
        path, headers={"Accept": "text/turtle, application/sparql-results+json"}
    )
    assert head.status_code == get.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert int(head.headers["Content-Length"]) > 0 and get.headers["Content-Length"] == str(len(get.data))
    if "query" in path:  # the service description's blank node labels vary in length between answers
        assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.vary == get.vary


def test_options_and_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "Content-Type, Accept"},
    )
    assert response.status_code in (200, 204)
    assert {"GET", "HEAD", "POST", "OPTIONS"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert response.data == b""


def test_cors_on_answers_and_errors(client: FlaskClient) -> None:
    for response in (client.get("/sparql?query=ASK%20%7B%7D", headers={"Origin": "http://x"}),
                     client.get("/sparql?query=ASK%20%7B", headers={"Origin": "http://x"})):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept" in response.vary


# --- over real HTTP: what the test client cannot send --------------------------------------------

def raw_request(live_server: str, method: str, target: bytes, body: bytes | None, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """One request with the target sent byte for byte (http.client would refuse non-ASCII)."""
    host, port = urllib.parse.urlsplit(live_server).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn._encode_request = lambda request: request.encode("latin-1")  # type: ignore[attr-defined]
    conn.putrequest(method, target.decode("latin-1"), skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


@pytest.mark.parametrize(
    ("method", "target", "body", "headers", "status"),
    [
        ("POST", b"/sparql", b"ASK {<urn:\xe9> ?p ?o}", {"Content-Type": DIRECT}, 400),
        ("POST", b"/sparql", b"query=ASK%20%7B%3Curn:\xe9%3E%20?p%20?o%7D", {"Content-Type": FORM}, 400),
        ("POST", b"/sparql", b"\xff\xfeA\x00S\x00K\x00 \x00{\x00}\x00", {"Content-Type": DIRECT + "; charset=UTF-16"}, 415),
        ("POST", b"/sparql", b"ASK {}", {}, 415),
        ("PUT", b"/sparql?query=ASK%20%7B%7D", b"", {"Content-Type": FORM}, 405),
        ("HEAD", b"/sparql?query=ASK%20%7B%7D", None, {}, 200),
        ("POST", b"/sparql", "ASK { FILTER(\"\u00f8\" = \"\u00f8\") }".encode(), {"Content-Type": DIRECT + "; charset=UTF-8"}, 200),
    ],
    ids=["latin1-direct", "latin1-raw-form", "utf16-bom", "no-content-type", "put", "head", "utf8-direct"],
)
def test_raw_http(live_server: str, method: str, target: bytes, body: bytes | None, headers: dict[str, str], status: int) -> None:
    got, response_headers, data = raw_request(live_server, method, target, body, headers)
    assert got == status, data
    if status == 405:
        assert "POST" in response_headers["allow"] and "PUT" not in response_headers["allow"]
    if method == "HEAD":
        assert data == b"" and int(response_headers["content-length"]) > 0
    elif status == 200:
        assert json.loads(data) == {"head": {}, "boolean": True}
    else:
        assert response_headers["content-type"].startswith("text/plain")
