"""Repeated /sparql requests are answered from memory, byte for byte as the app answered them.

An answer is kept the second time its request comes (one asked for once is never copied), so the
third request is the first one answered from memory."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.app import create_app
from server.endpoint import result_cache
from server.endpoint.result_cache import COMPLETE, ResultCache

QUERY = "SELECT ?label WHERE { <https://w3id.org/healthy-cities/id/organisation/sandnes-kommune> " \
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
SPARQL_QUERY = "application/sparql-query"


def cache_of(app: Flask) -> ResultCache:
    cache = app.extensions["hcn_result_cache"]
    assert isinstance(cache, ResultCache)
    return cache


def query_calls(app: Flask) -> float:
    """How many store queries the app has timed (hits never reach the store)."""
    registry = app.extensions["hcn_metrics"].registry
    return sum(s.value for m in registry.collect() if m.name == "hcn_query_duration_seconds"
               for s in m.samples if s.name.endswith("_count"))


@pytest.fixture
def fresh(app: Flask) -> ResultCache:
    cache = cache_of(app)
    cache.clear()
    return cache


def test_an_answer_asked_for_once_is_not_kept_and_the_second_is(client: FlaskClient, fresh: ResultCache) -> None:
    hits = fresh.hits
    assert client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY).status_code == 200
    assert not fresh.entries
    assert client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY).status_code == 200
    assert len(fresh.entries) == 1 and fresh.hits == hits


def test_a_repeated_query_is_served_from_memory_with_the_same_bytes(app: Flask, client: FlaskClient,
                                                                    fresh: ResultCache) -> None:
    client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY)
    first = client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY)  # kept now
    calls = query_calls(app)
    hits = fresh.hits
    second = client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY)
    assert first.status_code == second.status_code == 200
    assert second.data == first.data and b"Sandnes" in second.data
    assert fresh.hits == hits + 1 and query_calls(app) == calls
    strip = {"X-Request-Id", "Date"}
    assert [(k, v) for k, v in second.headers if k not in strip] == [(k, v) for k, v in first.headers if k not in strip]


def test_each_hit_gets_its_own_request_id_and_echoes_the_clients(client: FlaskClient, fresh: ResultCache) -> None:
    ids = {client.get("/sparql", query_string={"query": QUERY}).headers["X-Request-Id"] for _ in range(4)}
    assert len(ids) == 4
    echoed = client.get("/sparql", query_string={"query": QUERY}, headers={"X-Request-Id": "mine-1"})
    assert echoed.headers["X-Request-Id"] == "mine-1" and fresh.hits >= 3


def test_the_accept_header_is_part_of_the_key(client: FlaskClient, fresh: ResultCache) -> None:
    json, csv = ([client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": accept}) for _ in range(2)][-1]
                 for accept in ("application/sparql-results+json", "text/csv"))
    again = client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "text/csv"})
    assert json.mimetype == "application/sparql-results+json" and csv.mimetype == again.mimetype == "text/csv"
    assert again.data == csv.data != json.data and len(fresh.entries) == 2


def test_errors_conditional_requests_and_the_ui_are_not_kept(client: FlaskClient, fresh: ResultCache) -> None:
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": "SELECT * WHERE {"}).status_code == 400
    assert client.get("/sparql", headers={"Accept": "text/html"}).status_code == 200
    conditional = client.get("/sparql", query_string={"query": QUERY}, headers={"If-None-Match": '"x"'})
    assert conditional.status_code == 200
    assert not fresh.entries


def test_the_oldest_answers_leave_first_when_the_budget_is_spent(app: Flask, client: FlaskClient,
                                                                  fresh: ResultCache,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fresh, "budget", 4000)
    for limit in range(1, 8):
        for _ in range(2):
            assert client.get("/sparql", query_string={"query": f"{QUERY} LIMIT {limit}"}).status_code == 200
    assert 0 < fresh.size <= 4000 and 0 < len(fresh.entries) < 7
    kept = [key[1] for key in fresh.entries]
    assert kept[-1].endswith("7") and not any(k.endswith("1") for k in kept)


def test_hits_are_logged_and_counted(app: Flask, client: FlaskClient, fresh: ResultCache,
                                     caplog: pytest.LogCaptureFixture) -> None:
    for _ in range(2):
        client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY)
    hits = fresh.hits
    registry = app.extensions["hcn_metrics"].registry
    before = registry.get_sample_value("hcn_http_requests_total", {"route": "/sparql", "method": "POST", "status": "200"})
    with caplog.at_level(logging.INFO, logger="hcn.access"):
        hit = client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY)
    after = registry.get_sample_value("hcn_http_requests_total", {"route": "/sparql", "method": "POST", "status": "200"})
    assert after == before + 1 and fresh.hits == hits + 1
    assert any(hit.headers["X-Request-Id"] in r.getMessage() and '"POST /sparql" 200' in r.getMessage()
               for r in caplog.records)


def test_off_when_configured_to_zero() -> None:
    app = create_app({"TESTING": True, "result_cache_mb": 0, "pool_size": 0})
    assert "hcn_result_cache" not in app.extensions


def test_a_streamed_answer_is_kept_once_it_has_gone_out_whole(app: Flask, client: FlaskClient,
                                                               fresh: ResultCache) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3000"  # > 64 KB: streamed
    client.get("/sparql", query_string={"query": query})
    first = client.get("/sparql", query_string={"query": query})
    assert "Content-Length" not in first.headers  # streamed
    assert len(first.data) > 64 * 1024 and len(fresh.entries) == 1
    calls = query_calls(app)
    second = client.get("/sparql", query_string={"query": query})
    assert second.data == first.data and query_calls(app) == calls
    assert second.headers["Content-Length"] == str(len(first.data))
    assert second.headers["Content-Type"] == first.headers["Content-Type"] and len(fresh.entries) == 1


def middleware(chunks: list[bytes], whole: bool, budget: int = 1 << 20) -> tuple[ResultCache, list[bytes]]:
    """A cache in front of a WSGI app that streams ``chunks`` and says whether they were all there."""
    def streaming(environ: dict, start_response: Any) -> Any:
        environ[COMPLETE] = lambda: whole
        start_response("200 OK", [("Content-Type", "text/csv")])
        return iter(chunks)

    metrics = create_app({"TESTING": True, "pool_size": 0}).extensions["hcn_metrics"]
    cache = ResultCache(streaming, metrics, budget, 1024)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "QUERY_STRING": "query=x", "REMOTE_ADDR": "::1",
               "HTTP_HOST": "localhost"}
    list(cache(dict(environ), lambda status, headers, exc_info=None: None))  # seen once: not kept
    assert not cache.entries
    sent = list(cache(dict(environ), lambda status, headers, exc_info=None: None))
    return cache, sent


def test_a_stream_cut_short_is_delivered_but_not_kept() -> None:
    cache, sent = middleware([b"a,b\r\n", b"1,2\r\n"], whole=False)
    assert sent == [b"a,b\r\n", b"1,2\r\n"] and not cache.entries
    cache, _ = middleware([b"a,b\r\n", b"1,2\r\n"], whole=True)
    assert [a.body for a in cache.entries.values()] == [b"a,b\r\n1,2\r\n"]


def test_a_stream_longer_than_the_limit_is_delivered_but_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_cache, "MAX_ANSWER_BYTES", 8)
    cache, sent = middleware([b"12345", b"67890", b"x"], whole=True)
    assert b"".join(sent) == b"1234567890x" and not cache.entries


def test_the_service_description_is_kept_per_host(client: FlaskClient, fresh: ResultCache) -> None:
    ask = {"format": "turtle"}  # no query: the description, which names the endpoint's own URL
    one, two = ([client.get("/sparql", query_string=ask, headers={"Host": host}) for _ in range(2)][-1]
                for host in ("one.example", "two.example"))
    again = client.get("/sparql", query_string=ask, headers={"Host": "one.example"})
    assert b"http://one.example/sparql" in one.data and b"http://two.example/sparql" in two.data
    assert again.data == one.data and len(fresh.entries) == 2


@pytest.mark.parametrize("query", ["SELECT (NOW() AS ?t) {}", "SELECT (rand () AS ?r) {}", "SELECT (STRUUID() AS ?u) {}",
                                   "SELECT (UUID() AS ?u) {}", "SELECT (BNODE() AS ?b) {}"])
def test_answers_that_depend_on_time_or_chance_are_not_kept(client: FlaskClient, fresh: ResultCache,
                                                             query: str) -> None:
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": query}).status_code == 200
    assert not fresh.entries


def test_no_cache_requests_and_odd_lengths_go_to_the_app(client: FlaskClient, fresh: ResultCache) -> None:
    client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY)
    hits = fresh.hits
    fresh_answer = client.post("/sparql", data=QUERY, content_type=SPARQL_QUERY, headers={"Cache-Control": "no-cache"})
    assert fresh_answer.status_code == 200 and fresh.hits == hits
    odd = client.post("/sparql", data=QUERY, headers={"Content-Type": SPARQL_QUERY, "Content-Length": "\u00b2"})
    assert odd.status_code != 500


def test_every_byte_of_the_key_counts_against_the_budget(client: FlaskClient, fresh: ResultCache) -> None:
    accept = "application/sparql-results+json, " + "x/y;q=0.1, " * 2000
    for _ in range(2):
        client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": accept})
    assert fresh.size > len(accept)
