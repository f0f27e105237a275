"""The performance fixes that benchmarks/run.py pointed to (issue #8) keep their answers unchanged."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

from server.store import pool as pool_module
from server.store.execute import Job
from server.store.pool import QueryPool
from server.store.results import _json_term, write_json

CHOICES = {"results": "json", "graph": "ttl"}


@pytest.fixture()
def store() -> Store:
    store = Store()
    store.extend([Quad(NamedNode(f"http://e/{i}"), NamedNode("http://e/p"), Literal(str(i))) for i in range(3000)])
    return store


def test_fast_json_writer_writes_what_json_dumps_wrote(store: Store) -> None:
    rows = list(store.query("SELECT ?s ?p ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s <http://e/q> ?none } }"))
    odd = [{"x": Literal('a"b\\\n\u00e6\x01', language="nb"), "y": BlankNode("b1")},
           {"x": Literal("1", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")), "y": None}]
    for variables, data in ((["s", "p", "o", "none"], rows), (["x", "y"], odd)):
        expected = [json.dumps({v: _json_term(t) for v in variables if (t := row[v]) is not None}, ensure_ascii=False)
                    for row in data]
        text = "".join(write_json(variables, data))
        assert text.split('"bindings":[', 1)[1] == ",".join(expected) + "]}}\n"
        assert len(json.loads(text)["results"]["bindings"]) == len(data)


def test_small_answers_come_in_one_message_and_large_ones_stream(store: Store) -> None:
    pool = QueryPool(lambda sparql, **_: store.query(sparql), 1)
    try:
        small = pool.run(Job("SELECT ?o WHERE { <http://e/1> ?p ?o }", choices=CHOICES), 5)
        assert isinstance(small.body, list) and b'"1"' in b"".join(small.body)
        large = pool.run(Job("SELECT * WHERE { ?s ?p ?o }", choices=CHOICES), 5)
        assert len(json.loads(b"".join(large.body))["results"]["bindings"]) == 3000
        assert pool.run(Job("ASK {}", choices=CHOICES), 5).head.kind == "results"
    finally:
        pool.close()


def test_worker_past_its_memory_budget_retires_and_the_pool_keeps_answering(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "MAX_PRIVATE_MB", -1)  # every check says: too big
    monkeypatch.setattr(pool_module, "CHECK_EVERY", 1)
    pool = QueryPool(lambda sparql, **_: store.query(sparql), 1)
    try:
        pids = set()
        for query in ("SELECT ?o WHERE { <http://e/1> ?p ?o }", "SELECT * WHERE { ?s ?p ?o }") * 2:
            answer = pool.run(Job(query, choices=CHOICES), 5)
            assert json.loads(b"".join(answer.body))["results"]["bindings"]
            pids.add(pool._idle[0].pid)  # the one idle worker
        assert len(pids) == 4  # a fresh worker after every answer, small or streamed
    finally:
        pool.close()


def test_negotiation_is_memoized_but_errors_are_fresh(client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"})
        assert response.status_code == 406
        ok = client.get("/sparql", query_string={"query": "ASK {}"},
                        headers={"Accept": "application/sparql-results+json"})
        assert ok.status_code == 200 and ok.get_json() == {"head": {}, "boolean": True}
