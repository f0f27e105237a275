"""Fair share of the query workers: client identity, admission (in flight, query time per minute),
the pool's fair hand-out of workers, and the memory budget — in-process and on one pool.

The real-server tests (``hcn serve --production`` under abuse, the memory bomb measured from /proc,
the soak) are in ``tests/test_fair_share_server.py``.
"""

from __future__ import annotations

import asyncio
import doctest
import gc
import ipaddress
import itertools
import os
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import uvloop
from asgi_support import run_apart
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.config import MIN_MEMORY_MB, Settings, machine_memory_mb
from server.errors import Busy, ConfigError, MemoryBudgetExceeded, QueryTimeout, TooManyRequests
from server.operations import admission
from server.operations.admission import Admission, client_address, client_of
from server.store import open_store
from server.store.execute import Job
from server.store import hand_off
from server.store import pool as pool_module
from server.store.pool import QueryPool

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: The issue's memory bomb: sorting a three-way cartesian product grows without bound.
BOMB = "SELECT ?a ?c ?o ?e WHERE { ?a ?b ?o . ?c ?d ?e . ?f ?g ?h } ORDER BY ?o ?e ?h LIMIT 1"
CHOICES = {"results": "json"}
PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8:ffff::/48"))


def test_doctests() -> None:
    assert doctest.testmod(admission).failed == 0


# --- who the client is ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"REMOTE_ADDR": "198.51.100.7"}, "198.51.100.7"),
        # an untrusted peer's X-Forwarded-For is the client's own claim: ignored
        ({"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "203.0.113.1"}, "198.51.100.7"),
        # a trusted proxy: the address it saw
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "203.0.113.1"}, "203.0.113.1"),
        # a chain: the rightmost entry that is not a trusted proxy; what the client wrote is ignored
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.1, 10.9.9.9"}, "203.0.113.1"),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "203.0.113.1:4711"}, "203.0.113.1"),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "[2001:db8::5]:443"}, "2001:db8::5"),
        # garbage where the proxy should have written an address: the last address believed
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "203.0.113.1, not-an-address"}, "10.1.2.3"),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": ""}, "10.1.2.3"),
        ({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "10.4.4.4, 10.5.5.5"}, "10.4.4.4"),
        ({"REMOTE_ADDR": "::ffff:198.51.100.7"}, "198.51.100.7"),
        ({"REMOTE_ADDR": "2001:db8:ffff::1", "HTTP_X_FORWARDED_FOR": "2001:db8:1:2::9"}, "2001:db8:1:2::9"),
        ({}, "None"),
        ({"REMOTE_ADDR": "unix:/run/hcn.sock"}, "None"),
    ],
)
def test_the_client_is_the_peer_or_what_a_trusted_proxy_saw(environ: dict[str, str], expected: str) -> None:
    assert str(client_address(environ, PROXIES)) == expected


def test_ipv6_clients_are_their_64_and_ipv4_clients_their_address() -> None:
    one, other = client_of(ipaddress.ip_address("2001:db8:1:2::1")), client_of(ipaddress.ip_address("2001:db8:1:2:ff::9"))
    assert one == other and one.label == "2001:db8:1:2::/64"
    assert client_of(ipaddress.ip_address("2001:db8:1:3::1")) != one
    assert client_of(ipaddress.ip_address("192.0.2.1")) != client_of(ipaddress.ip_address("192.0.2.2"))
    assert client_of(None).label == "unknown"


# --- settings ---------------------------------------------------------------------------------


def test_defaults_two_in_flight_one_deadline_a_minute_and_a_share_of_the_machine() -> None:
    settings = Settings(query_timeout_s=7)
    assert settings.client_max_in_flight == 2 and settings.client_budget_s == 7
    expected = max(MIN_MEMORY_MB, int(machine_memory_mb() / 4 / settings.pool_size))
    assert settings.memory_budget_mb() == expected
    assert settings.memory_budget_mb(web_processes=2) == max(MIN_MEMORY_MB, int(machine_memory_mb() / 4 / 4))
    assert Settings(query_memory_mb=300).memory_budget_mb(web_processes=8) == 300
    assert Settings(query_memory_mb=0).memory_budget_mb() == 0


def test_settings_from_the_environment_and_their_errors() -> None:
    env = {"HCN_CLIENT_MAX_IN_FLIGHT": "0", "HCN_CLIENT_BUDGET_S": "auto", "HCN_QUERY_MEMORY_MB": "512",
           "HCN_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    settings = Settings.load(environ=env)
    assert (settings.client_max_in_flight, settings.client_budget_s, settings.query_memory_mb) == (0, 10, 512)
    assert len(settings.proxy_networks()) == 2
    for bad in ({"HCN_TRUSTED_PROXIES": "proxy.example"}, {"HCN_CLIENT_MAX_IN_FLIGHT": "-1"},
                {"HCN_QUERY_MEMORY_MB": "-5"}, {"HCN_CLIENT_BUDGET_S": "lots"}):
        with pytest.raises(ConfigError):
            Settings.load(environ=bad)


def test_the_command_line_sets_the_limits() -> None:
    from server.cli import build_parser, settings_overrides

    args = build_parser().parse_args(["serve", "--root", ".", "--max-in-flight", "3", "--query-budget", "20",
                                      "--query-memory", "256", "--trusted-proxy", "10.0.0.1",
                                      "--trusted-proxy", "fd00::/8"])
    values = settings_overrides(args)
    assert values["client_max_in_flight"] == 3 and values["client_budget_s"] == 20
    assert values["query_memory_mb"] == 256 and values["trusted_proxies"] == "10.0.0.1,fd00::/8"


# --- admission on its own ---------------------------------------------------------------------


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(admission.time, "monotonic", fake)
    return fake


def client(address: str) -> admission.Client:
    return client_of(ipaddress.ip_address(address))


def test_in_flight_limit_then_free_again(clock: Clock) -> None:
    gate = Admission(Settings(client_max_in_flight=2, client_budget_s=0))
    first, second = gate.admit(client("192.0.2.1")), gate.admit(client("192.0.2.1"))
    with pytest.raises(TooManyRequests) as refused:
        gate.admit(client("192.0.2.1"))
    assert refused.value.reason == "in_flight" and refused.value.retry_after == 1 and refused.value.status == 429
    assert "192.0.2.1 already has 2 queries running or waiting, the limit is 2" in str(refused.value)
    assert gate.admit(client("192.0.2.2")) is not None  # someone else is not affected
    assert first is not None and second is not None
    first.release(0.1)
    first.release(0.1)  # twice is once
    assert gate.snapshot(client("192.0.2.1"))["in_flight"] == 1
    assert gate.admit(client("192.0.2.1")) is not None


def test_query_time_budget_refills_over_a_minute(clock: Clock) -> None:
    gate = Admission(Settings(client_max_in_flight=0, client_budget_s=6))  # 6 s a minute: 0.1 s per second
    ticket = gate.admit(client("192.0.2.1"))
    assert ticket is not None
    ticket.release(9.0)  # one long query may overdraw the budget: 6 - 9 = -3
    assert gate.snapshot(client("192.0.2.1"))["budget_s"] == pytest.approx(-3)
    with pytest.raises(TooManyRequests) as refused:
        gate.admit(client("192.0.2.1"))
    assert refused.value.reason == "budget" and refused.value.retry_after == 30  # 3 s at 0.1 s per second
    assert "used its 6 s of query time per minute; retry in 30 s" in str(refused.value)
    clock.now += 29
    with pytest.raises(TooManyRequests):
        gate.admit(client("192.0.2.1"))
    clock.now += 1.5
    assert gate.admit(client("192.0.2.1")) is not None
    clock.now += 600
    assert gate.snapshot(client("192.0.2.1"))["budget_s"] == 6  # never above the budget


def test_limits_off_admit_everything_without_a_table() -> None:
    gate = Admission(Settings(client_max_in_flight=0, client_budget_s=0))
    assert not gate.enabled and gate.shared is None and gate.admit(client("192.0.2.1")) is None


def test_a_full_neighbourhood_reuses_the_longest_idle_record(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Admission(Settings(client_max_in_flight=1, client_budget_s=0))
    assert gate.shared is not None
    monkeypatch.setattr(gate.shared, "home", lambda key: 7)  # every client hashes to the same record
    held = [gate.admit(client(f"192.0.2.{n}")) for n in range(1, admission.PROBE + 1)]
    with pytest.raises(Busy):  # every nearby record has a query in flight
        gate.admit(client("192.0.2.200"))
    held[3].release()  # type: ignore[union-attr]
    assert gate.admit(client("192.0.2.200")) is not None  # takes the idle record
    with pytest.raises(TooManyRequests):  # ... and is counted there
        gate.admit(client("192.0.2.200"))


def test_the_table_is_shared_with_forked_processes_and_a_dead_ones_slots_come_back() -> None:
    gate = Admission(Settings(client_max_in_flight=2, client_budget_s=0))
    pid = os.fork()
    if pid == 0:  # a web process that admits two queries and dies without releasing them
        gate.admit(client("192.0.2.9"))
        gate.admit(client("192.0.2.9"))
        os._exit(0)
    os.waitpid(pid, 0)
    assert gate.snapshot(client("192.0.2.9"))["in_flight"] == 2  # seen here: the same memory
    assert gate.admit(client("192.0.2.9")) is not None  # the dead process's leases were taken back
    assert gate.snapshot(client("192.0.2.9"))["in_flight"] == 1


def test_admission_is_safe_from_many_threads() -> None:
    gate = Admission(Settings(client_max_in_flight=3, client_budget_s=0))
    admitted: list[Any] = []
    refused: list[TooManyRequests] = []
    start = threading.Barrier(12)

    def one() -> None:
        start.wait()
        try:
            admitted.append(gate.admit(client("192.0.2.5")))
        except TooManyRequests as exc:
            refused.append(exc)

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 3 and len(refused) == 9


# --- the pool: fair hand-out, worker time, memory budget --------------------------------------


class Claimed:
    """A claim as the pool sees it, recording what it was charged."""

    def __init__(self, client: str) -> None:
        self.client = client
        self.charged: list[float] = []

    def release(self, worker_seconds: float = 0.0) -> None:
        self.charged.append(worker_seconds)


@pytest.fixture(scope="module")
def query() -> Any:
    return open_store(Settings(pool_size=0)).query


def run_in_thread(pool: QueryPool, job: Job, timeout_s: float, claim: Claimed, out: dict[str, Any], name: str) -> threading.Thread:
    def target() -> None:
        started = time.monotonic()
        try:
            answer = pool.run(job, timeout_s, claim)
            b"".join(answer.body)
            out[name] = ("ok", time.monotonic() - started)
        except Exception as exc:  # noqa: BLE001 - the test compares outcomes
            out[name] = (type(exc).__name__, time.monotonic() - started)
        out.setdefault("order", []).append(name)

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_a_client_with_a_running_query_leaves_the_last_worker_to_others(query: Any) -> None:
    pool = QueryPool(query, 2)
    try:
        pool.start()
        out: dict[str, Any] = {}
        a = Claimed("a")
        runaway = run_in_thread(pool, Job(RUNAWAY, choices=CHOICES), 1.5, a, out, "a-runaway")
        time.sleep(0.3)
        a_again = run_in_thread(pool, Job("ASK { ?s ?p 1 }", choices=CHOICES), 5, a, out, "a-simple")
        time.sleep(0.2)
        b = run_in_thread(pool, Job("ASK { ?s ?p 2 }", choices=CHOICES), 5, Claimed("b"), out, "b-simple")
        b.join(5)
        assert out["b-simple"][0] == "ok" and out["b-simple"][1] < 1.0
        assert "a-simple" not in out  # waits for its own runaway query
        for thread in (runaway, a_again):
            thread.join(10)
        assert out["a-runaway"][0] == "QueryTimeout" and out["a-simple"][0] == "ok"
        assert out["order"] == ["b-simple", "a-runaway", "a-simple"]
        # the worker time: the deadline for the runaway query, a little for the simple one
        assert 1.5 <= a.charged[0] < 2.5 and a.charged[1] < 0.5
    finally:
        pool.close()


def test_a_newcomer_goes_before_a_backlog(query: Any) -> None:
    pool = QueryPool(query, 1)
    try:
        pool.start()
        out: dict[str, Any] = {}
        a = Claimed("a")
        threads = [run_in_thread(pool, Job(RUNAWAY, choices=CHOICES), 1.0, a, out, "a-1")]
        time.sleep(0.2)
        threads.append(run_in_thread(pool, Job(RUNAWAY + " LIMIT 2", choices=CHOICES), 1.0, a, out, "a-2"))
        time.sleep(0.2)
        threads.append(run_in_thread(pool, Job("ASK { ?s ?p 3 }", choices=CHOICES), 5, Claimed("n"), out, "newcomer"))
        for thread in threads:
            thread.join(10)
        # the newcomer waited for one running query, not for the client's backlog
        assert out["order"] == ["a-1", "newcomer", "a-2"]
        assert out["newcomer"][0] == "ok" and out["newcomer"][1] < 1.5  # ~0.6 s; behind the backlog: 1.6 s
    finally:
        pool.close()


async def run_on_loop(pool: QueryPool, job: Job, timeout_s: float, claim: Claimed, out: dict[str, Any],
                      name: str) -> None:
    """``run_in_thread``'s twin on the event loop, as the production front calls the pool (``hand_off``)."""
    started = time.monotonic()
    loop_thread = threading.get_ident()

    def answer() -> bytes:
        assert threading.get_ident() == loop_thread  # no thread hop
        return b"".join(pool.run(job, timeout_s, claim).body)

    try:
        out[name + "-bytes"] = await hand_off.call(answer)
        out[name] = ("ok", time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - the test compares outcomes
        out[name] = (type(exc).__name__, time.monotonic() - started)
    out.setdefault("order", []).append(name)


#: The production front's loop (uvloop: its readers make a socket non-blocking) and asyncio's own.
LOOPS = pytest.mark.parametrize("loop_factory", [asyncio.new_event_loop, uvloop.new_event_loop], ids=["asyncio", "uvloop"])


@LOOPS
def test_on_the_event_loop_a_newcomer_goes_before_a_backlog_and_the_loop_stays_free(query: Any, loop_factory: Any) -> None:
    pool = QueryPool(query, 1)
    out: dict[str, Any] = {}

    async def scenario() -> int:
        a = Claimed("a")
        tasks = [asyncio.create_task(run_on_loop(pool, Job(RUNAWAY, choices=CHOICES), 1.0, a, out, "a-1"))]
        await asyncio.sleep(0.2)
        tasks.append(asyncio.create_task(run_on_loop(pool, Job(RUNAWAY + " LIMIT 2", choices=CHOICES), 1.0, a, out, "a-2")))
        await asyncio.sleep(0.2)
        tasks.append(asyncio.create_task(run_on_loop(pool, Job("ASK { ?s ?p 3 }", choices=CHOICES), 5, Claimed("n"),
                                                     out, "newcomer")))
        ticks = 0
        while not all(task.done() for task in tasks):  # the loop answers others while queries wait
            await asyncio.sleep(0.01)
            ticks += 1
        return ticks

    try:
        pool.start()
        ticks = run_apart(scenario(), loop_factory)
        assert out["order"] == ["a-1", "newcomer", "a-2"]
        assert out["a-1"][0] == "QueryTimeout" and out["a-2"][0] == "QueryTimeout"  # killed at the deadline
        assert out["newcomer"][0] == "ok" and out["newcomer"][1] < 1.5
        assert ticks > 50  # ~1.6 s of waiting, the loop ticking every 10 ms throughout
        assert pool.run(Job("ASK {}", choices=CHOICES), 5).head.kind == "results"  # workers replaced
    finally:
        pool.close()


@LOOPS
def test_threads_and_the_event_loop_share_one_pool_and_stream_the_same_bytes(query: Any, loop_factory: Any) -> None:
    pool = QueryPool(query, 1)
    big = Job("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", choices=CHOICES, max_rows=0)  # streamed
    out: dict[str, Any] = {}
    try:
        pool.start()
        expected = b"".join(pool.run(big, 5).body)
        assert len(expected) > 2 * pool_module.CHUNK_BYTES
        holder = run_in_thread(pool, Job(RUNAWAY, choices=CHOICES), 0.5, Claimed("t"), out, "thread")
        time.sleep(0.1)
        run_apart(run_on_loop(pool, big, 5, Claimed("l"), out, "loop"), loop_factory)  # woken by the thread's release
        holder.join(5)
        assert out["thread"][0] == "QueryTimeout" and out["loop"][0] == "ok"
        assert out["loop-bytes"] == expected
        assert b"".join(pool.run(big, 5).body) == expected  # and a thread reads that worker's socket as before
    finally:
        pool.close()


@LOOPS
def test_a_request_cancelled_on_the_event_loop_gives_its_worker_back(query: Any, loop_factory: Any) -> None:
    pool = QueryPool(query, 1)
    claim = Claimed("c")

    async def scenario() -> None:
        task = asyncio.create_task(hand_off.call(pool.run, Job(RUNAWAY, choices=CHOICES), 30, claim))
        await asyncio.sleep(0.3)
        task.cancel()  # e.g. the server shutting down
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        pool.start()
        run_apart(scenario(), loop_factory)
        assert len(claim.charged) == 1 and claim.charged[0] < 5  # released once, long before the deadline
        assert pool.run(Job("ASK {}", choices=CHOICES), 5).head.kind == "results"  # a fresh worker took its place
    finally:
        pool.close()


def test_every_claim_is_released_once_whatever_the_outcome(query: Any) -> None:
    from server.errors import BadRequest

    pool = QueryPool(query, 1)
    try:
        for job, timeout_s, error in [
            (Job("ASK {}", choices=CHOICES), 5, None),
            (Job("SELECT ?s WHERE { ?s ?p ?o }", choices=CHOICES, max_rows=0), 5, None),  # streamed
            (Job("SELECT ?s {", choices=CHOICES), 5, BadRequest),
            (Job(RUNAWAY, choices=CHOICES), 0.3, QueryTimeout),
        ]:
            claim = Claimed("c")
            if error is None:
                answer = pool.run(job, timeout_s, claim)
                b"".join(answer.body)
            else:
                with pytest.raises(error):
                    pool.run(job, timeout_s, claim)
            assert len(claim.charged) == 1, job.sparql
        claim = Claimed("d")
        answer = pool.run(Job("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", choices=CHOICES, max_rows=0), 5, claim)
        next(iter(answer.body))
        del answer  # a response dropped half way frees (replaces) its worker
        gc.collect()
        assert len(claim.charged) == 1
        assert pool.run(Job("ASK {}", choices=CHOICES), 5).head.kind == "results"
    finally:
        pool.close()


def test_waiting_counts_apart_from_the_deadline(query: Any) -> None:
    pool = QueryPool(query, 1)
    try:
        pool.start()
        out: dict[str, Any] = {}
        first = run_in_thread(pool, Job(RUNAWAY, choices=CHOICES), 1.0, Claimed("a"), out, "first")
        time.sleep(0.5)
        # waits 0.5 s for the worker, then has its own full second: a quick query is answered
        second = run_in_thread(pool, Job("ASK { ?s ?p 4 }", choices=CHOICES), 1.0, Claimed("b"), out, "second")
        first.join(5)
        second.join(5)
        assert out["second"][0] == "ok"
        blocker = run_in_thread(pool, Job(RUNAWAY, choices=CHOICES), 2.0, Claimed("c"), out, "blocker")
        time.sleep(0.2)
        with pytest.raises(Busy):  # nobody frees the worker within the deadline: 503
            pool.run(Job("ASK {}", choices=CHOICES), 0.5, Claimed("d"))
        blocker.join(5)
    finally:
        pool.close()


def test_a_query_past_the_memory_budget_is_stopped_and_its_worker_replaced(query: Any) -> None:
    pool = QueryPool(query, 2, memory_mb=200)
    try:
        pool.start()
        claim = Claimed("bomb")
        started = time.monotonic()
        with pytest.raises(MemoryBudgetExceeded) as stopped:
            pool.run(Job(BOMB, choices=CHOICES), 30, claim)
        assert stopped.value.status == 507 and "200 MiB" in str(stopped.value)
        assert time.monotonic() - started < 30 and len(claim.charged) == 1
        for n in range(3):  # both workers answer, the replacement included
            answer = pool.run(Job(f"ASK {{ ?s ?p {n} }}", choices=CHOICES), 5)
            assert b"boolean" in b"".join(answer.body)
    finally:
        pool.close()


# --- the HTTP side: 429s, their headers and metrics, the rules shown --------------------------


@pytest.fixture(scope="module")
def limited() -> Iterator[Flask]:
    """An app with the default limits, a 5 s budget and a trusted proxy at 10.0.0.1."""
    app = create_app({"TESTING": True, "client_budget_s": 5, "trusted_proxies": "10.0.0.1", "query_memory_mb": 300})
    yield app
    app.extensions["hcn_store"]._pool.close()


def get(client_: FlaskClient, path: str, address: str, **headers: str) -> Any:
    return client_.get(path, environ_base={"REMOTE_ADDR": address}, headers=headers)


_fresh = itertools.count()


def fresh() -> str:
    """A /sparql request no one asked before (a repeated one is answered from the result cache)."""
    return "/sparql?" + urllib.parse.urlencode({"query": f"ASK {{ ?s ?p {next(_fresh)} }}"})


def rejections(client_: FlaskClient) -> dict[str, float]:
    text = client_.get("/metrics").get_data(as_text=True)
    return {s.labels["reason"]: s.value for f in text_string_to_metric_families(text) for s in f.samples
            if s.name == "hcn_admission_rejections_total"}


def test_past_its_limit_a_client_gets_429_with_retry_after_and_others_are_answered(limited: Flask) -> None:
    gate: Admission = limited.extensions["hcn_admission"]
    web = limited.test_client()
    before = rejections(web).get("in_flight", 0)
    held = [gate.admit(client("192.0.2.50")) for _ in range(2)]  # two queries in flight already
    for path in (fresh(), "/api/six-ps"):
        refused = get(web, path, "192.0.2.50")
        assert refused.status_code == 429, path
        assert refused.headers["Retry-After"] == "1" and refused.mimetype == "text/plain"
        assert "the limit is 2" in refused.get_data(as_text=True)
        assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]
        assert get(web, path, "192.0.2.51").status_code == 200
    page = get(web, "/sparql?query=ASK%7B%7D", "192.0.2.50", Accept="text/html")  # the query UI runs nothing
    assert page.status_code == 200
    browser = get(web, fresh() + "&format=csv", "192.0.2.50", Accept="text/html;q=1, text/plain;q=0.5")
    assert browser.status_code == 429 and "the limit is 2" in browser.get_data(as_text=True)  # the error page
    for ticket in held:
        ticket.release()  # type: ignore[union-attr]
    assert get(web, fresh(), "192.0.2.50").status_code == 200
    assert rejections(web)["in_flight"] == before + 3
    assert gate.snapshot(client("192.0.2.50"))["in_flight"] == 0  # every answered query gave its slot back


def test_a_client_over_its_query_time_gets_429_naming_the_budget(limited: Flask) -> None:
    gate: Admission = limited.extensions["hcn_admission"]
    web = limited.test_client()
    ticket = gate.admit(client("192.0.2.60"))
    ticket.release(7.0)  # type: ignore[union-attr]  # 5 - 7 = -2 s: 24 s to get back above zero
    refused = get(web, "/api/six-ps", "192.0.2.60")
    assert refused.status_code == 429 and 23 <= int(refused.headers["Retry-After"]) <= 25
    assert "used its 5 s of query time per minute" in refused.get_data(as_text=True)
    assert rejections(web)["budget"] >= 1


def test_a_trusted_proxy_forwards_the_client_and_others_cannot(limited: Flask) -> None:
    gate: Admission = limited.extensions["hcn_admission"]
    web = limited.test_client()
    held = [gate.admit(client("203.0.113.70")) for _ in range(2)]
    assert get(web, fresh(), "10.0.0.1", **{"X-Forwarded-For": "203.0.113.70"}).status_code == 429
    assert get(web, fresh(), "10.0.0.1", **{"X-Forwarded-For": "203.0.113.71"}).status_code == 200
    # spoofing from outside: the header is ignored, the peer is the client
    assert get(web, fresh(), "198.51.100.70", **{"X-Forwarded-For": "203.0.113.71"}).status_code == 200
    assert get(web, fresh(), "203.0.113.70", **{"X-Forwarded-For": "203.0.113.71"}).status_code == 429
    for ticket in held:
        ticket.release()  # type: ignore[union-attr]


@pytest.mark.parametrize("forwarded", ["", ",,,", "x" * 8000, "\u00e9, 1.2.3.4.5", "[::1", "1.2.3.4:99999:1", "%00"])
def test_odd_forwarded_headers_never_give_a_500(limited: Flask, forwarded: str) -> None:
    response = get(limited.test_client(), fresh(), "10.0.0.1", **{"X-Forwarded-For": forwarded})
    assert response.status_code == 200


def test_answers_the_result_cache_holds_cost_no_share(limited: Flask) -> None:
    gate: Admission = limited.extensions["hcn_admission"]
    web = limited.test_client()
    path = fresh()
    for _ in range(2):  # asked twice: kept
        assert get(web, path, "192.0.2.90").status_code == 200
    held = [gate.admit(client("192.0.2.91")) for _ in range(2)]
    assert get(web, path, "192.0.2.91").status_code == 200  # kept answer: no query worker, no admission
    assert get(web, fresh(), "192.0.2.91").status_code == 429
    for ticket in held:
        ticket.release()  # type: ignore[union-attr]


def test_the_rules_are_in_metrics_on_the_query_page_and_in_the_service_description(limited: Flask) -> None:
    web = limited.test_client()
    text = web.get("/metrics").get_data(as_text=True)
    samples = {(s.name, tuple(s.labels.values())): s.value for f in text_string_to_metric_families(text)
               for s in f.samples}
    assert samples[("hcn_admission_limit", ("in_flight",))] == 2
    assert samples[("hcn_admission_limit", ("budget_seconds_per_minute",))] == 5
    assert samples[("hcn_query_memory_budget_bytes", ())] == 300 * 1024 * 1024
    page = web.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "at most 2 queries at once per client address" in page and "300 MiB of memory per query" in page
    description = web.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "at most 2 queries at once per client address" in description and "429" in description


def test_limits_off_leave_every_client_alone() -> None:
    app = create_app({"TESTING": True, "pool_size": 0, "client_max_in_flight": 0, "client_budget_s": 0,
                      "result_cache_mb": 0})
    web = app.test_client()
    assert not app.extensions["hcn_admission"].enabled
    statuses = {get(web, fresh(), "192.0.2.80").status_code for n in range(5)}
    assert statuses == {200}
    assert "per client address" not in web.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
