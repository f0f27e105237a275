"""The production front's direct path (server/production/asgi.py) answers /sparql, /doc, /id and
/api/NAME exactly as the Flask app does: same status, headers (but Date) and bytes, request by request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask

from server.production.asgi import Front
from asgi_support import drive

RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECT = RDFS + "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 40"
CONSTRUCT = RDFS + "CONSTRUCT { ?s rdfs:label ?label } WHERE { ?s rdfs:label ?label } ORDER BY ?s LIMIT 40"
ID = "https://w3id.org/healthy-cities/id/"
DIRECT_QUERY = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DOC = "/doc/organisation/ostfold-fylkeskommune"
Case = tuple[str, str, str, bytes, dict[str, str]]  # method, path, query string, body, headers


def q(**params: str) -> str:
    return urlencode(params)


#: Requests from tests/test_sparql_protocol.py, test_resources.py and test_api.py.
CASES: list[Case] = [
    *[("GET", "/sparql", q(query=SELECT), b"", {"Accept": accept}) for accept in (
        "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
        "*/*", "text/csv;q=0.5, text/tab-separated-values", "text/*", "application/json", "text/csv;q=0, */*;q=0.1")],
    ("GET", "/sparql", q(query=SELECT, format="csv"), b"", {}),
    ("POST", "/sparql", "", q(query=SELECT).encode(), FORM),
    ("POST", "/sparql", "", SELECT.encode(), DIRECT_QUERY),
    *[("GET", "/sparql", q(query=CONSTRUCT), b"", {"Accept": accept}) for accept in (
        "text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")],
    ("GET", "/sparql", q(query="ASK { ?s ?p ?o }"), b"", {"Accept": "application/sparql-results+xml"}),
    ("GET", "/sparql", q(query=SELECT), b"", {"Accept": "image/png"}),
    ("GET", "/sparql", q(query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                         **{"default-graph-uri": "https://w3id.org/healthy-cities/graph/shapes"}), b"", {}),
    ("POST", "/sparql", "", b"query=" + b"%20" * (1024 * 1024), FORM),
    ("POST", "/sparql", "", b"SELECT * {" + b"#" * (1024 * 1024) + b"}", DIRECT_QUERY),
    ("POST", "/sparql", "", ("SELECT * WHERE " + "{" * 5000 + "}" * 5000).encode(), DIRECT_QUERY),
    ("POST", "/sparql", "", b"SELECT * { ?s ?p \"\xff\xfe\" }", DIRECT_QUERY),
    ("POST", "/sparql", "", b"query=SELECT%20*%20%7B%3Fs%20%3Fp%20%22%FF%22%7D", FORM),
    ("GET", "/sparql", q(query="SELECT ?s WHERE { ?s ?p }"), b"", {}),
    ("GET", "/sparql", q(query="INSERT DATA { <urn:a> <urn:b> <urn:c> }"), b"", {}),
    ("POST", "/sparql", "", b"DELETE WHERE { ?s ?p ?o }", {"Content-Type": "application/sparql-update"}),
    ("GET", "/sparql", q(query=SELECT, format="yaml"), b"", {}),
    ("POST", "/sparql", "", b"{}", {"Content-Type": "application/json"}),
    ("GET", DOC, "", b"", {}),
    *[("GET", f"{DOC}.{suffix}", "", b"", {}) for suffix in ("ttl", "nt", "jsonld", "rdf")],
    *[("GET", DOC, "", b"", {"Accept": accept}) for accept in (
        "*/*", "application/ld+json", "application/rdf+xml;q=0.5, text/turtle;q=0.4", "image/png", "text/html;q=0")],
    ("GET", "/doc/network/sunne-kommuner.rdf", q(format="nt"), b"", {}),
    ("GET", "/doc/network/sunne-kommuner", q(format="bogus"), b"", {}),
    ("GET", "/doc/network/sunne-kommuner", "", b"", {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}),
    ("GET", "/doc/network/who-european-healthy-cities-network", q(page="0"), b"", {}),
    ("GET", "/doc/network/who-european-healthy-cities-network", q(page="999"), b"", {}),
    ("GET", "/doc/interval/from-2006.ttl", "", b"", {}),
    ("GET", "/doc/organisation/nope", "", b"", {}),
    ("GET", "/doc/organisation/..%2f..%2fetc", "", b"", {}),
    ("GET", "/id/organisation/ostfold-fylkeskommune", "", b"", {"Accept": "text/turtle"}),
    ("GET", "/id/organisation/ostfold-fylkeskommune", q(lang="nb", format="nt"), b"", {}),
    ("GET", "/id/organisation/nope", "", b"", {}),
    ("GET", "/api/network-phases", q(phase="6"), b"", {}),
    ("GET", "/api/network-phases", q(phase="6"), b"", {"Accept": "text/csv"}),
    ("GET", "/api/national-identifiers", q(number="0101", format="records"), b"", {}),
    ("GET", "/api/memberships-and-roles", q(organisation=ID + "organisation/ostfold-fylkeskommune"), b"", {}),
    ("GET", "/api/no-such-query", "", b"", {}),
    ("GET", "/api/network-phases", q(phase="six"), b"", {}),
    ("GET", "/api/six-ps", q(format="xml"), b"", {}),
    ("GET", "/api/six-ps", "", b"", {"Accept": "image/png"}),
]
#: Requests the direct path leaves to Flask (pages for browsers, the service description).
DEFERRED: list[Case] = [
    ("GET", DOC, "", b"", {"Accept": "text/html"}),
    ("GET", DOC, q(format="html"), b"", {}),
    ("GET", "/doc/network/sunne-kommuner", q(format="nt"), b"", {"Accept": "text/html"}),
    ("GET", "/sparql", "", b"", {"Accept": "text/turtle"}),
    ("GET", "/sparql", q(query=SELECT, format="html"), b"", {}),
    ("GET", "/api/six-ps", q(format="html"), b"", {}),
    ("GET", "/id/organisation/nope", "", b"", {"Accept": "text/html"}),
]


def asgi(front: Front, case: Case) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request through the ASGI app: status, headers (lower-case names) and body."""
    method, path, query, body, headers = case
    raw = [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]
    if body:
        raw.append((b"content-length", str(len(body)).encode()))
    return drive(front, method, path, query.encode(), body, raw)


def flask(app: Flask, case: Case) -> tuple[int, list[tuple[str, str]], bytes]:
    method, path, query, body, headers = case
    response = app.test_client().open(path, method=method, query_string=query, data=body, headers=headers)
    return response.status_code, [(k.lower(), v) for k, v in response.headers.items()], response.get_data()


def comparable(answer: tuple[int, list[tuple[str, str]], bytes]) -> tuple[int, list[tuple[str, str]], bytes]:
    status, headers, body = answer
    return status, sorted(h for h in headers if h[0] != "date"), body


@pytest.fixture
def front(app: Flask) -> Front:
    cache = app.extensions["hcn_result_cache"]
    cache.clear()  # every request below is answered, not recalled
    return Front(app, threads=2)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[1]}?{c[2][:40]} {c[4]}")
def test_the_direct_path_answers_like_flask(app: Flask, front: Front, case: Case) -> None:
    async def no_bridge(*_: Any) -> None:
        raise AssertionError("left to Flask")

    front.wsgi = no_bridge  # type: ignore[assignment]
    method, path, query, body, headers = case
    case = (method, path, query, body, {**headers, "X-Request-Id": "same-id"})
    ours = comparable(asgi(front, case))
    front.cache.clear()  # type: ignore[union-attr]
    theirs = comparable(flask(app, case))
    assert ours == theirs
    assert ours[0] != 500


@pytest.mark.parametrize("case", DEFERRED, ids=lambda c: f"{c[1]}?{c[2][:40]} {c[4]}")
def test_pages_for_browsers_are_left_to_flask(app: Flask, front: Front, case: Case) -> None:
    method, path, query, body, headers = case
    case = (method, path, query, body, {**headers, "X-Request-Id": "same-id"})
    status, headers_, data = asgi(front, case)
    assert status == flask(app, case)[0] and status in (200, 404)
    assert ("x-request-id", "same-id") in headers_


def test_a_direct_answer_is_logged_counted_and_kept(app: Flask, front: Front, caplog: pytest.LogCaptureFixture) -> None:
    registry = app.extensions["hcn_metrics"].registry
    labels = {"route": "/sparql", "method": "GET", "status": "200"}
    before = registry.get_sample_value("hcn_http_requests_total", labels) or 0
    case: Case = ("GET", "/sparql", q(query=SELECT + " # logged"), b"", {"X-Request-Id": "logged-1"})
    with caplog.at_level("INFO", logger="hcn.access"):
        status, _, body = asgi(front, case)
    assert status == 200 and any("logged-1" in r.getMessage() and " 200 " in r.getMessage() for r in caplog.records)
    assert registry.get_sample_value("hcn_http_requests_total", labels) == before + 1
    assert asgi(front, case)[2] == body and front.cache.entries  # type: ignore[union-attr]  # asked again: kept
    hits = front.cache.hits  # type: ignore[union-attr]
    assert asgi(front, case)[2] == body and front.cache.hits == hits + 1  # type: ignore[union-attr]


def test_a_direct_answer_is_made_on_the_event_loop_thread(front: Front, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a query pool, no thread hop: the answer (and the wait for the worker) happen on the loop's thread."""
    import asyncio

    on_loop: list[bool] = []
    answer = front._answer

    def recorded(*args: Any) -> Any:
        try:
            asyncio.get_running_loop()  # raises on any thread but the loop's own
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return answer(*args)

    monkeypatch.setattr(front, "_answer", recorded)
    assert front.on_loop
    status, _, body = asgi(front, ("GET", "/sparql", q(query=SELECT), b"", {"Accept": "text/csv"}))
    assert status == 200 and body.startswith(b"s,label")
    assert on_loop == [True]
