"""/health, /metrics and access logs with request ids (in-process, embedded store)."""

from __future__ import annotations

import doctest
import logging
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.config import Settings
from server.operations import request_log, tally
from server.production import gunicorn as production

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def samples(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics keyed by (name, sorted labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def requests_total(client: FlaskClient, route: str, status: str = "200") -> float:
    labels = (("method", "GET"), ("route", route), ("status", status))
    return samples(client).get(("hcn_http_requests_total", labels), 0)


def test_liveness_and_readiness(client: FlaskClient) -> None:
    live = client.get("/health/live")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}
    for path in ("/health", "/health/ready"):
        ready = client.get(path)
        body = ready.get_json()
        assert ready.status_code == 200 and ready.headers["Cache-Control"] == "no-store"
        assert body["ready"] and body["backend"]["kind"] == "embedded" and body["backend"]["reachable"]


def test_metrics_count_requests_by_route_and_status(app: Flask, client: FlaskClient) -> None:
    before = requests_total(client, "/doc/<path:rest>")
    missing = requests_total(client, "/doc/<path:rest>", "404")
    client.get("/doc/organisation/ostfold-fylkeskommune")
    client.get("/doc/organisation/no-such-thing")
    assert requests_total(client, "/doc/<path:rest>") == before + 1
    assert requests_total(client, "/doc/<path:rest>", "404") == missing + 1
    found = samples(client)
    assert found[("hcn_store_quads", ())] == len(app.extensions["hcn_store"])
    assert any(name == "hcn_query_duration_seconds_count" for name, _ in found)


def test_deadline_hits_are_counted() -> None:
    client = create_app({"TESTING": True, "query_timeout_s": 0.3, "pool_size": 1}).test_client()
    assert samples(client)[("hcn_query_deadline_hits_total", ())] == 0
    assert client.get("/sparql", query_string={"query": RUNAWAY}).status_code == 504
    found = samples(client)
    assert found[("hcn_query_deadline_hits_total", ())] == 1
    assert found[("hcn_query_duration_seconds_count", (("call", "run"), ("outcome", "timeout")))] == 1
    client.application.extensions["hcn_store"]._pool.close()


def test_each_app_has_its_own_registry() -> None:
    first = create_app({"TESTING": True, "pool_size": 0}).test_client()
    second = create_app({"TESTING": True, "pool_size": 0}).test_client()
    first.get("/health/live")
    first.get("/health/live")
    assert requests_total(first, "/health/live") == 2
    assert requests_total(second, "/health/live") == 0


def exposed(collect: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """What a scrape shows of ``collect``'s families, parsed back from the Prometheus text format."""
    from prometheus_client import CollectorRegistry, generate_latest

    class Families:
        def collect(self) -> Any:
            return collect()

    registry = CollectorRegistry()
    registry.register(Families())
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(generate_latest(registry).decode()) for s in family.samples}


def test_counts_of_every_process_are_summed_at_scrape_time(tmp_path: Path) -> None:
    """Under gunicorn each worker counts in its own table (a file in the metrics directory); a scrape
    in any process sees every count made before it, as valid counters and cumulative histograms."""
    table = tally.Table(str(tmp_path))
    requests = tally.Counter(table, "hcn_x_requests", "requests", ["route"])
    seconds = tally.Histogram(table, "hcn_x_seconds", "seconds", ["route"], (0.01, 0.1))
    hits = tally.Counter(table, "hcn_x_hits", "hits")
    requests.inc("/a")
    seconds.observe(0.05, "/a")

    def child() -> None:  # a forked worker: counts into a table of its own
        requests.inc("/a")
        requests.inc("/b")
        seconds.observe(0.5, "/a")
        seconds.observe(0.01, "/b")

    worker = multiprocessing.get_context("fork").Process(target=child)
    worker.start()
    worker.join(10)
    assert worker.exitcode == 0 and len(list(tmp_path.glob("tally-*.keys"))) == 2
    found = exposed(lambda: [f.collect(tally.gather(table)) for f in (requests, seconds, hits)])
    assert found[("hcn_x_requests_total", (("route", "/a"),))] == 2
    assert found[("hcn_x_requests_total", (("route", "/b"),))] == 1
    assert found[("hcn_x_hits_total", ())] == 0  # an unlabelled counter shows from the start
    a, b = (("route", "/a"),), (("route", "/b"),)
    assert [found[("hcn_x_seconds_bucket", (("le", le), *a))] for le in ("0.01", "0.1", "+Inf")] == [0, 1, 2]
    assert found[("hcn_x_seconds_count", a)] == 2 and found[("hcn_x_seconds_sum", a)] == pytest.approx(0.55)
    assert found[("hcn_x_seconds_bucket", (("le", "0.01"), *b))] == 1  # a bound is "less than or equal"
    # in memory (one process, no directory): the same families, this table only
    alone = tally.Table(None)
    tally.Counter(alone, "hcn_x_requests", "requests", ["route"]).inc("/c", amount=3)
    assert exposed(lambda: [requests.collect(tally.gather(alone))]) == {
        ("hcn_x_requests_total", (("route", "/c"),)): 3}


def test_request_id_is_echoed_or_made_and_logged(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hcn.access"):
        given = client.get("/health/live", headers={"X-Request-Id": "trace-42.a_b"})
        bad = client.get("/health/live", headers={"X-Request-Id": "no spaces; or <html>"})
    assert given.headers["X-Request-Id"] == "trace-42.a_b"
    assert len(bad.headers["X-Request-Id"]) == 32 and " " not in bad.headers["X-Request-Id"]
    lines = [r.getMessage() for r in caplog.records if r.name == "hcn.access"]
    assert lines[0].startswith("trace-42.a_b ") and '"GET /health/live" 200' in lines[0] and lines[0].endswith("ms")
    assert lines[1].startswith(bad.headers["X-Request-Id"])


def test_made_request_ids_are_unique_across_forked_processes() -> None:
    import os

    ours = {request_log.request_id(None) for _ in range(1000)}
    assert len(ours) == 1000 and all(len(rid) == 32 and int(rid, 16) >= 0 for rid in ours)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a worker forked from a preloaded master
        os.write(write, request_log.request_id(None).encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.waitpid(pid, 0)
    os.close(read)
    assert len(child) == 32 and child[:16] not in {rid[:16] for rid in ours}


def test_log_times_are_formatted_as_logging_formats_them() -> None:
    import random

    plain = logging.Formatter("%(asctime)s %(name)s %(message)s")
    fast = request_log.Formatter("%(asctime)s %(name)s %(message)s")
    rnd = random.Random(7)
    record = logging.LogRecord("hcn.access", logging.INFO, "", 0, "GET %s", ("/",), None)
    for i in range(5000):  # new seconds, the same second again, far-apart times
        record.created = rnd.uniform(0, 2e9) if i % 3 == 0 else record.created + rnd.random() / 2
        record.msecs = (record.created - int(record.created)) * 1000
        assert fast.format(record) == plain.format(record)


def test_errors_carry_a_request_id_too(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC"})
    assert response.status_code == 400 and response.headers["X-Request-Id"]


def test_gunicorn_timeouts_exceed_the_query_deadline() -> None:
    options = production.gunicorn_options(Settings(query_timeout_s=30))
    assert options["timeout"] > 30 and options["graceful_timeout"] > 30
    assert options["preload_app"] and options["worker_class"] == "server.production.gunicorn.Worker" and options["workers"] >= 2
    assert options["control_socket_disable"]


@pytest.mark.parametrize("module", [production, request_log])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]
