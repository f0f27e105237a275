"""``hcn serve --production``: gunicorn with a preloaded store, one query pool per worker, and a load test.

The load test is the suite's one slow test (20 s, as the issue asks): 50 concurrent keep-alive
clients on loopback against 2 gunicorn workers; no request may fail, and ``/metrics`` (summed over
the workers by prometheus_client's multiprocess mode) must count every request the clients made.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from oxigraph_support import free_port, wait_for
from prometheus_client.parser import text_string_to_metric_families

HCN = str(Path(sys.executable).with_name("hcn"))
CLIENTS = 50
LOAD_SECONDS = 20.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: (route label in /metrics, request path) the load test cycles through.
MIX = [
    ("/sparql", "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?s ?o WHERE { ?s a ?o } LIMIT 20"})),
    ("/doc/<path:rest>", "/doc/organisation/ostfold-fylkeskommune"),
    ("/api/<name>", "/api/six-ps"),
    ("/id/<path:rest>", "/id/organisation/sandnes-kommune"),
    ("/sparql", "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }", "format": "xml"})),
]


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def production() -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """``hcn serve --production`` on a free port: (base URL, gunicorn master process, seconds to ready)."""
    port = free_port()
    # no query-time budget: each load-test client keeps a worker busy far beyond 2 s a minute
    env = {**os.environ, "HCN_QUERY_TIMEOUT": "2", "HCN_CLIENT_BUDGET_S": "0"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    started = time.monotonic()
    process = subprocess.Popen(
        [HCN, "serve", "--production", "--port", str(port), "--workers", "2", "--threads", "8"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/health/ready", timeout_s=20)
        yield base, process, time.monotonic() - started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_each_gunicorn_worker_has_its_own_query_pool(production: tuple[str, subprocess.Popen[bytes], float]) -> None:
    _, master, seconds = production
    print(f"hcn serve --production ready in {seconds:.2f} s")
    deadline = time.monotonic() + 10  # ready = one worker answers; the other may still be booting
    while len(workers := children(master.pid)) < 2 or not all(
        [len(children(z)) for z in children(w)] == [2] for w in workers
    ):
        assert time.monotonic() < deadline, "gunicorn workers and their pools did not come up"
        time.sleep(0.05)
    assert len(workers) == 2
    for worker in workers:
        zygotes = children(worker)
        assert len(zygotes) == 1, "one pool (zygote) per gunicorn worker, started after the fork"
        assert len(children(zygotes[0])) == 2, "the default pool size"
    assert not [pid for pid in children(master.pid) if pid not in workers], "no pool in the master"


def test_runaway_query_hits_the_deadline_while_others_are_answered(
    production: tuple[str, subprocess.Popen[bytes], float],
) -> None:
    base, _, _ = production
    host, port = base.removeprefix("http://").split(":")
    results: dict[str, int] = {}

    def fetch(name: str, path: str, source: str) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=15, source_address=(source, 0))
        connection.request("GET", path)
        results[name] = connection.getresponse().status
        connection.close()

    runaway = threading.Thread(target=fetch, args=("runaway", "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}),
                                                   "127.0.0.1"))
    runaway.start()
    time.sleep(0.2)
    fetch("other", MIX[0][1], "127.0.0.2")  # another client (one client's queries wait for its own)
    runaway.join(15)
    assert results == {"other": 200, "runaway": 504}


def test_repeated_queries_come_from_the_front_byte_for_byte(
    production: tuple[str, subprocess.Popen[bytes], float],
) -> None:
    base, _, _ = production
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)  # one connection: one worker
    answers = []
    for _ in range(3):
        connection.request("POST", "/sparql", body="SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 5",
                           headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
        response = connection.getresponse()
        answers.append((response.status, response.getheader("Content-Type"), response.read(),
                        response.getheader("X-Request-Id")))
    connection.close()
    assert {a[:3] for a in answers} == {(200, "text/csv; charset=utf-8", answers[0][2])}
    assert answers[0][2].startswith(b"a\r\n") and len({a[3] for a in answers}) == 3


def test_raw_bytes_that_are_not_utf8_get_400_not_500(production: tuple[str, subprocess.Popen[bytes], float]) -> None:
    import socket

    base, _, _ = production
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(b"GET /sparql?query=\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := raw.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 400")


def route_counts(base: str) -> Counter[str]:
    """``hcn_http_requests_total`` from /metrics, summed per route (all workers, all statuses)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    counts: Counter[str] = Counter()
    for family in text_string_to_metric_families(text):
        if family.name == "hcn_http_requests":
            for sample in family.samples:
                if sample.name == "hcn_http_requests_total":
                    counts[sample.labels["route"]] += int(sample.value)
    return counts


def test_load_50_clients_for_20_seconds_without_errors_and_metrics_count_them(
    production: tuple[str, subprocess.Popen[bytes], float],
) -> None:
    base, _, _ = production
    host, port = base.removeprefix("http://").split(":")
    before = route_counts(base)
    done: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def client(offset: int) -> None:
        source = (f"127.0.1.{offset + 1}", 0)  # each client its own address, as the per-client limits see them
        connection = http.client.HTTPConnection(host, int(port), timeout=30, source_address=source)
        mine: Counter[str] = Counter()
        i = offset
        while time.monotonic() < deadline:
            route, path = MIX[i % len(MIX)]
            i += 1
            try:
                connection.request("GET", path, headers={"Accept": "text/turtle" if "doc" in path else "*/*"})
                response = connection.getresponse()
                response.read()
                if response.status not in (200, 303):
                    with lock:
                        errors.append(f"{path}: {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{path}: {exc!r}")
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=30, source_address=source)
                continue
            mine[route] += 1
        connection.close()
        with lock:
            done.update(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(LOAD_SECONDS + 30)
    total = sum(done.values())
    print(f"load: {total} requests in {LOAD_SECONDS:.0f} s from {CLIENTS} clients = {total / LOAD_SECONDS:.0f}/s, "
          f"{len(errors)} errors")
    assert not errors, errors[:10]
    assert total > CLIENTS
    after = route_counts(base)
    for route, count in done.items():
        assert after[route] - before[route] == count, route


def test_one_date_header_and_the_caching_policy_under_production(
    production: tuple[str, subprocess.Popen[bytes], float],
) -> None:
    """uvicorn sends its own Date: the app's must not come along (docs/caching.md)."""
    import http.client

    base, _, _ = production
    host, port = base.removeprefix("http://").split(":")
    query = "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    for path in ("/", "/doc/organisation/ostfold-fylkeskommune", "/dumps/healthy-cities.ttl", "/sitemap.xml",
                 "/.well-known/void", "/id/organisation/sandnes-kommune", "/nowhere", query, query):  # twice: a cache hit
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        names = [name.lower() for name, _ in response.getheaders()]
        connection.close()
        assert names.count("date") == 1, (path, response.getheaders())
        assert names.count("cache-control") == 1, path
