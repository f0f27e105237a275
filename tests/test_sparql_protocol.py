"""SPARQL 1.1 protocol over real HTTP: SPARQLWrapper for every format and method, raw HTTP for errors."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.Wrapper import GET, POSTDIRECTLY, URLENCODED

from http_support import opener_from

REPO = Path(__file__).resolve().parent.parent
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECT = RDFS + "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 40"
CONSTRUCT = RDFS + "CONSTRUCT { ?s rdfs:label ?label } WHERE { ?s rdfs:label ?label } ORDER BY ?s LIMIT 40"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SR = "{http://www.w3.org/2005/sparql-results#}"
METHODS = {"get": (GET, None), "post-form": (POST, URLENCODED), "post-direct": (POST, POSTDIRECTLY)}


def http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None,
         source: str | None = None):
    """(status, headers, body) with urllib, from the loopback address ``source`` if given (another
    client to the server); error statuses are returned, not raised."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    opener = opener_from(source) if source else urllib.request.build_opener()
    try:
        with opener.open(req, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def wrapper(endpoint: str, query: str, fmt: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    verb, request_method = METHODS[method]
    client.setMethod(verb)
    if request_method:
        client.setRequestMethod(request_method)
    return client


def rows_from(fmt: str, body: object) -> list[tuple[str, ...]]:
    """Lexical values of (s, label) per row, whatever the results format."""
    if fmt == JSON:
        assert isinstance(body, dict)
        return [(b["s"]["value"], b["label"]["value"]) for b in body["results"]["bindings"]]
    if fmt == XML:
        root = body.documentElement if hasattr(body, "documentElement") else ElementTree.fromstring(body)  # type: ignore[union-attr]
        root = ElementTree.fromstring(root.toxml()) if hasattr(root, "toxml") else root
        return [
            tuple(next(iter(b)).text or "" for b in result.iter(f"{SR}binding")) for result in root.iter(f"{SR}result")
        ]
    text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    if fmt == CSV:
        return [tuple(r) for r in list(csv.reader(io.StringIO(text)))[1:]]
    lines = text.splitlines()[1:]  # TSV: N-Triples terms
    parsed = []
    for line in lines:
        s, label = line.split("\t")
        parsed.append((s.strip("<>"), json.loads(label[: label.rindex('"') + 1])))
    return parsed


@pytest.fixture(scope="module")
def endpoint(live_server: str) -> str:
    return f"{live_server}/sparql"


@pytest.fixture(scope="module")
def expected_rows(endpoint: str) -> list[tuple[str, ...]]:
    rows = rows_from(JSON, wrapper(endpoint, SELECT, JSON, "get").queryAndConvert())
    assert len(rows) == 40
    return rows


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_same_rows_in_every_format_and_method(endpoint: str, expected_rows: list, fmt: str, method: str) -> None:
    result = wrapper(endpoint, SELECT, fmt, method).query()
    assert "Accept" in result.info()["vary"]
    body = result.response.read()
    assert rows_from(fmt, body if fmt != JSON else json.loads(body)) == expected_rows


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize(
    ("fmt", "accept", "media_type", "rdflib_format"),
    [
        (TURTLE, None, "text/turtle", "turtle"),
        (N3, "application/n-triples", "application/n-triples", "nt"),
        (JSONLD, None, "application/ld+json", "json-ld"),
        (RDFXML, None, "application/rdf+xml", "xml"),
    ],
)
def test_construct_same_graph_in_every_format_and_method(
    endpoint: str, fmt: str, accept: str | None, media_type: str, rdflib_format: str, method: str
) -> None:
    client = wrapper(endpoint, CONSTRUCT, fmt, method)
    if accept:
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", accept)
    result = client.query()
    assert result.info()["content-type"].startswith(media_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's JSON-LD parser uses ConjunctiveGraph
        graph = Graph().parse(data=result.response.read(), format=rdflib_format)
    reference = Graph().parse(data=http(f"{endpoint}?{urllib.parse.urlencode({'query': CONSTRUCT})}")[2], format="turtle")
    assert len(graph) == 40
    assert isomorphic(graph, reference)


def test_ask_in_json_and_xml(endpoint: str) -> None:
    assert wrapper(endpoint, "ASK { ?s ?p ?o }", JSON, "post-form").queryAndConvert() == {"head": {}, "boolean": True}
    status, _, body = http(f"{endpoint}?{urllib.parse.urlencode({'query': 'ASK {}', 'format': 'xml'})}")
    assert status == 200 and b"<boolean>true</boolean>" in body


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.91", "text/csv"),
        ("text/*", "text/csv"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_select_accept_negotiation(endpoint: str, accept: str | None, expected: str) -> None:
    status, headers, _ = http(f"{endpoint}?{urllib.parse.urlencode({'query': SELECT})}", headers={"Accept": accept} if accept else {})
    assert status == 200
    assert headers.get_content_type() == expected
    assert "Accept" in headers["Vary"]
    assert headers["X-Result-Truncated"] == "false" and headers["X-Row-Cap"]


def test_unknown_accept_is_406_listing_offers(endpoint: str) -> None:
    status, headers, body = http(f"{endpoint}?{urllib.parse.urlencode({'query': SELECT})}", headers={"Accept": "image/png"})
    assert status == 406 and headers.get_content_type() == "text/plain"
    assert b"application/sparql-results+json" in body and b"text/turtle" in body
    assert "Accept" in headers["Vary"]


def test_cors_preflight_and_simple_requests(endpoint: str) -> None:
    status, headers, _ = http(
        endpoint,
        method="OPTIONS",
        headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"]
    _, headers, _ = http(endpoint, data=urllib.parse.urlencode({"query": "ASK {}"}).encode(), headers={"Origin": "http://x"})
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Result-Truncated" in headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"data": b"query=" + b"%20" * (1024 * 1024)}, 413, b"too large"),
        ({"data": b"SELECT * {" + b"#" * (1024 * 1024) + b"}", "headers": {"Content-Type": "application/sparql-query"}}, 413, b"too large"),
        ({"data": ("SELECT * WHERE " + "{" * 5000 + "}" * 5000).encode(), "headers": {"Content-Type": "application/sparql-query"}}, 400, b"nested too deeply"),
        ({"data": b"SELECT * { ?s ?p \"\xff\xfe\" }", "headers": {"Content-Type": "application/sparql-query"}}, 400, b"UTF-8"),
        ({"data": b"query=SELECT%20*%20%7B%3Fs%20%3Fp%20%22%FF%22%7D"}, 400, b"UTF-8"),
        ({"query": "SELECT ?s WHERE { ?s ?p }"}, 400, b"engine: error at 1:"),
        ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 400, b"read-only"),
        ({"data": b"DELETE WHERE { ?s ?p ?o }", "headers": {"Content-Type": "application/sparql-update"}}, 400, b"read-only"),
        ({"query": SELECT, "format": "yaml"}, 400, b"unknown format"),
        ({"data": b"{}", "headers": {"Content-Type": "application/json"}}, 415, b"application/sparql-query"),
    ],
    ids=["1MB-form", "1MB-direct", "deep-nesting", "non-utf8-body", "non-utf8-form", "malformed", "update-get",
         "update-post", "unknown-format", "bad-content-type"],
)
def test_bad_requests_get_clear_4xx_plain_text(endpoint: str, kwargs: dict, status: int, message: bytes) -> None:
    kwargs = dict(kwargs)  # the parameter dicts are shared (tests/test_remote.py runs this test again)
    query = {k: kwargs.pop(k) for k in ("query", "format") if k in kwargs}
    url = f"{endpoint}?{urllib.parse.urlencode(query)}" if query else endpoint
    got, headers, body = http(url, **kwargs)
    assert got == status, body
    assert headers.get_content_type() == "text/plain"
    assert message in body
    assert b"Traceback" not in body


def test_graph_dataset_parameters_and_from_clauses(endpoint: str, app: Flask) -> None:
    settings = app.extensions["hcn_settings"]
    sizes = app.extensions["hcn_store"].graph_sizes()
    shapes = settings.graph_iri("shapes")
    count = "SELECT (COUNT(*) AS ?n) {query_from} WHERE {{ ?s ?p ?o }}"

    def n(query: str, **params: str) -> int:
        url = f"{endpoint}?{urllib.parse.urlencode({'query': query, **params})}"
        return int(json.loads(http(url)[2])["results"]["bindings"][0]["n"]["value"])

    assert n(count.format(query_from=""), **{"default-graph-uri": shapes}) == sizes[shapes]
    assert n(count.format(query_from=f"FROM <{shapes}>")) == sizes[shapes]
    named = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{shapes}> {{ ?s ?p ?o }} }}"
    assert n(named, **{"named-graph-uri": settings.graph_iri("data")}) == 0
    assert http(f"{endpoint}?{urllib.parse.urlencode({'query': named, 'named-graph-uri': 'not an iri'})}")[0] == 400


def test_row_cap_truncates_and_says_so(tmp_path: Path) -> None:
    from server.app import create_app

    app = create_app({"TESTING": True, "max_rows": 5, "pool_size": 1})
    response = app.test_client().get("/sparql", query_string={"query": SELECT, "format": "csv"})
    assert response.headers["X-Result-Truncated"] == "true" and response.headers["X-Row-Cap"] == "5"
    assert len(response.get_data(as_text=True).splitlines()) == 6
    app.extensions["hcn_store"]._pool.close()


def test_service_description_in_rdf(endpoint: str, app: Flask) -> None:
    status, headers, body = http(endpoint, headers={"Accept": "text/turtle"})
    assert status == 200 and headers.get_content_type() == "text/turtle"
    graph = Graph().parse(data=body, format="turtle")
    answer = graph.query(
        """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        SELECT ?endpoint (COUNT(DISTINCT ?format) AS ?formats) (COUNT(DISTINCT ?name) AS ?graphs) WHERE {
          ?service a sd:Service ; sd:endpoint ?endpoint ; sd:supportedLanguage sd:SPARQL11Query ;
            sd:resultFormat ?format ; sd:feature ?feature ;
            sd:defaultDataset [ sd:defaultGraph [ a sd:Graph ] ; sd:namedGraph [ sd:name ?name ] ] .
        } GROUP BY ?endpoint"""
    )
    ((found, formats, graphs),) = list(answer)  # type: ignore[misc]
    assert str(found) == endpoint and int(formats) == 8 and int(graphs) == 3
    assert http(endpoint, headers={"Accept": "application/ld+json"})[1].get_content_type() == "application/ld+json"
    assert http(endpoint, headers={"Accept": "image/png"})[0] == 406


def test_browser_gets_the_query_ui(endpoint: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, headers, body = http(endpoint, headers={"Accept": browser})
    assert status == 200 and headers.get_content_type() == "text/html"
    assert b"yasgui.min.js" in body and b"Example queries" in body
    _, headers, body = http(f"{endpoint}?{urllib.parse.urlencode({'query': 'ASK {}'})}", headers={"Accept": browser})
    assert headers.get_content_type() == "text/html" and b"ASK {}" in body


# --- deadlines: a separate server process with a 2 s deadline ---------------------------------

DEADLINE_S = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def slow_server() -> Iterator[str]:
    """``hcn serve`` in its own process with a 2 s query deadline."""
    port = free_port()
    env = {**os.environ, "HCN_QUERY_TIMEOUT": str(DEADLINE_S), "HCN_PORT": str(port), "HCN_POOL_SIZE": "2"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from server.cli import main; main()", "serve"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    for _ in range(100):
        try:
            if http(f"{url}?query=ASK%7B%7D")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


def test_runaway_query_stops_at_deadline_while_others_are_answered(slow_server: str) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["status"], _, outcome["body"] = http(slow_server, data=urllib.parse.urlencode({"query": RUNAWAY}).encode())
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    latencies = []
    for _ in range(5):  # from another client: one client's own queries wait for its running one
        started = time.monotonic()
        status, _, _ = http(f"{slow_server}?{urllib.parse.urlencode({'query': SELECT})}", source="127.0.0.2")
        latencies.append(time.monotonic() - started)
        assert status == 200
        time.sleep(0.2)
    thread.join(DEADLINE_S + 5)
    print(f"runaway: {outcome.get('status')} after {outcome.get('seconds', 0):.2f} s; others: {max(latencies):.3f} s max")
    assert outcome["status"] in (503, 504)
    assert b"timed out" in outcome["body"]  # type: ignore[operator]
    assert outcome["seconds"] < DEADLINE_S + 2  # type: ignore[operator]
    assert max(latencies) < 0.5
    # the killed worker was replaced: the pool still answers two clients at once
    results = []
    pair = [threading.Thread(target=lambda s=source: results.append(http(f"{slow_server}?query=ASK%7B%7D", source=s)[0]))
            for source in ("127.0.0.3", "127.0.0.4")]
    for t in pair:
        t.start()
    for t in pair:
        t.join(5)
    assert results == [200, 200]
