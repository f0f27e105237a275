"""Per-client admission for queries: queries in flight and query-worker seconds per minute.

Every ``/sparql`` query and named-query call is admitted here before it may wait for a query
worker. A client — the peer address, or the ``X-Forwarded-For`` client when the peer is a trusted
proxy; IPv6 clients by their /64 — may have ``client_max_in_flight`` queries admitted at once
(waiting or running) and spend ``client_budget_s`` seconds of query-worker time per minute (a
token bucket: the budget refills evenly over a minute, a query is admitted while the balance is
positive and its worker time is charged when its worker comes back, so one long query may overdraw
it). Beyond either: 429 with ``Retry-After`` and a message naming the limit.

The table is shared by every web process of the server: under ``hcn serve --production`` a
client's connections land on different gunicorn workers (SO_REUSEPORT), so a per-process count
would multiply the limits. It is a fixed-size array of ctypes records in an anonymous shared
mapping made in ``create_app`` — in the gunicorn master, before the fork (``--preload``) — so every
worker maps the same pages; under ``hcn serve`` it is simply this process's memory. Updates hold a
thread lock (threads of one process) and a POSIX record lock (``lockf``) on an unlinked temporary
file (processes): the kernel drops a record lock with its holder, so a web worker killed mid-update
never wedges the others. Clients are found by a keyed hash (a secret salt: nobody can aim
collisions) with a short linear probe; an idle record is reused when a new client needs room.
Each admitted query also takes a lease (pid, record, start), so the slots held by a web process
that died, or held past any possible query, are taken back when its client next hits the limit.
"""

from __future__ import annotations

import ctypes
import fcntl
import functools
import hashlib
import ipaddress
import math
import mmap
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app, request

from ..config import Settings
from ..errors import Busy, TooManyRequests

if TYPE_CHECKING:
    from ..store import Store
    from ..store.execute import Job
    from ..store.pool import Answer
    from .metrics import Metrics

#: Client records in the shared table, and how far a lookup probes from a client's hash.
ROWS = 4096
PROBE = 16
#: Queries admitted at once across all web processes (leases); far above workers × threads.
LEASES = 1024
#: The window of the query-time budget.
WINDOW_S = 60.0
#: Address = an IP address, or ``None`` for a peer without one (a Unix socket).
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
REASONS = ("in_flight", "budget")


class _Row(ctypes.Structure):
    _fields_ = [("hi", ctypes.c_uint64), ("lo", ctypes.c_uint64), ("used", ctypes.c_int32),
                ("in_flight", ctypes.c_int32), ("tokens", ctypes.c_double), ("refilled", ctypes.c_double),
                ("seen", ctypes.c_double)]


class _Lease(ctypes.Structure):
    _fields_ = [("pid", ctypes.c_int32), ("row", ctypes.c_int32), ("started", ctypes.c_double)]


class _Table(ctypes.Structure):
    _fields_ = [("rows", _Row * ROWS), ("leases", _Lease * LEASES)]


@dataclass(frozen=True)
class Client:
    """Who is asking: a 16-byte key (IPv4 as IPv4-mapped IPv6, IPv6 cut to its /64) and a label."""

    key: bytes
    label: str


def client_address(environ: Mapping[str, Any], proxies: tuple[Network, ...]) -> Address | None:
    """The client's address: the peer's, or — when the peer is a trusted proxy — the rightmost
    ``X-Forwarded-For`` entry that is not itself a trusted proxy (each proxy appends the address it
    saw, so entries left of the first untrusted one are the client's own claims and are ignored).

    >>> nets = (ipaddress.ip_network("10.0.0.0/8"),)
    >>> str(client_address({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.9, 10.0.0.7"}, nets))
    '203.0.113.9'
    >>> str(client_address({"REMOTE_ADDR": "198.51.100.1", "HTTP_X_FORWARDED_FOR": "1.1.1.1"}, nets))
    '198.51.100.1'
    """
    peer = parse_address(environ.get("REMOTE_ADDR"))
    if peer is None or not _trusted(peer, proxies):
        return peer
    client = peer
    for entry in reversed(str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",")):
        hop = parse_address(entry)
        if hop is None:  # not an address: nothing further left can be believed
            break
        client = hop
        if not _trusted(hop, proxies):
            break
    return client


def parse_address(text: Any) -> Address | None:
    """An IP address from a peer or forwarded-for entry (``[v6]:port`` and ``v4:port`` allowed)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_of(address: Address | None) -> Client:
    """The client an address belongs to: itself for IPv4, its /64 for IPv6, one shared ``unknown``.

    >>> client_of(ipaddress.ip_address("2001:db8::1")).label, client_of(ipaddress.ip_address("192.0.2.1")).label
    ('2001:db8::/64', '192.0.2.1')
    """
    if address is None:
        return Client(bytes(16), "unknown")
    if isinstance(address, ipaddress.IPv4Address):
        return Client(ipaddress.IPv6Address(b"\0" * 10 + b"\xff\xff" + address.packed).packed, str(address))
    prefix = address.packed[:8] + bytes(8)
    return Client(prefix, f"{ipaddress.IPv6Address(prefix)}/64")


class SharedTable:
    """The client records and leases in memory shared with every process forked after it was made."""

    def __init__(self) -> None:
        self._memory = mmap.mmap(-1, ctypes.sizeof(_Table))  # MAP_SHARED | MAP_ANONYMOUS, zero-filled
        self.table = _Table.from_buffer(self._memory)
        self._file = tempfile.TemporaryFile(prefix="hcn-admission-")  # unlinked: only its lock is used
        self._threads = threading.Lock()
        self.salt = os.urandom(16)

    @contextmanager
    def locked(self) -> Iterator[_Table]:
        """The table, held against the other threads of this process and the other processes."""
        with self._threads:
            fcntl.lockf(self._file, fcntl.LOCK_EX)
            try:
                yield self.table
            finally:
                fcntl.lockf(self._file, fcntl.LOCK_UN)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - the table lives as long as the app
    def home(self, key: bytes) -> int:
        """The first record a client's lookup probes."""
        digest = hashlib.blake2b(key, digest_size=8, key=self.salt).digest()
        return int.from_bytes(digest, "big") % ROWS


class Ticket:
    """One admitted query: releasing it frees its slot and charges the worker time (once)."""

    def __init__(self, admission: Admission, client: Client, row: int, lease: int, started: float) -> None:
        self.client = client.key
        self.label = client.label
        self._admission, self._row, self._lease, self._started = admission, row, lease, started
        self._released = False
        self._lock = threading.Lock()

    def release(self, worker_seconds: float = 0.0) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
        self._admission._release(self, self._row, self._lease, self._started, worker_seconds)


class Admission:
    """The per-client limits of one server (shared by its web processes)."""

    def __init__(self, settings: Settings, metrics: Metrics | None = None) -> None:
        self.max_in_flight = settings.client_max_in_flight
        self.budget_s = settings.client_budget_s
        self.proxies = settings.proxy_networks()
        #: A lease older than this belongs to no running query (waiting + running + streaming).
        self.stale_s = 3 * settings.query_timeout_s + 60
        self.metrics = metrics
        self.shared = SharedTable() if self.enabled else None

    @property
    def enabled(self) -> bool:
        return bool(self.max_in_flight or self.budget_s)

    @property
    def rate(self) -> float:
        """Budget seconds regained per second."""
        return self.budget_s / WINDOW_S

    def client(self, environ: Mapping[str, Any]) -> Client:
        """The client a request comes from."""
        return self._client(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR") if self.proxies else None)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one Admission per app, kept for the app's life
    def _client(self, peer: Any, forwarded: Any) -> Client:
        """``client`` memoized by the two strings it reads (parsing addresses costs more than a lookup)."""
        environ = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded or ""}
        return client_of(client_address(environ, self.proxies))

    def admit(self, client: Client) -> Ticket | None:
        """A ticket for one more query of ``client``; TooManyRequests past a limit (None: no limits)."""
        if self.shared is None:
            return None
        now = time.monotonic()
        with self.shared.locked() as table:
            index = self._find(table, client, now)
            row = table.rows[index]
            self._refill(row, now)
            row.seen = now
            if self.budget_s and row.tokens <= 0:
                wait = math.ceil(-row.tokens / self.rate) if self.rate else 1
                self._reject("budget", wait, f"too many queries: {client.label} has used its {self.budget_s:g} s "
                             f"of query time per minute; retry in {max(wait, 1)} s")
            if self.max_in_flight and row.in_flight >= self.max_in_flight:
                self._reclaim(table, now, index)
                if row.in_flight >= self.max_in_flight:
                    self._reject("in_flight", 1, f"too many queries at once: {client.label} already has "
                                 f"{row.in_flight} queries running or waiting, the limit is {self.max_in_flight}; "
                                 "wait for an answer, then retry")
            lease = self._free_lease(table, now)
            table.leases[lease].pid, table.leases[lease].row, table.leases[lease].started = _pid, index, now
            row.in_flight += 1
        return Ticket(self, client, index, lease, now)

    def _release(self, ticket: Ticket, index: int, lease: int, started: float, seconds: float) -> None:
        assert self.shared is not None
        now = time.monotonic()
        with self.shared.locked() as table:
            held = table.leases[lease]
            if held.pid != _pid or held.row != index or held.started != started:
                return  # taken back as stale; the record may belong to another client by now
            held.pid = 0
            row = table.rows[index]
            row.in_flight = max(0, row.in_flight - 1)
            if self.budget_s:
                self._refill(row, now)
                row.tokens -= max(0.0, seconds)

    def _reject(self, reason: str, retry_after: int, message: str) -> None:
        if self.metrics is not None:
            self.metrics.rejections.inc(reason)
        raise TooManyRequests(message, retry_after=retry_after, reason=reason)

    def _refill(self, row: _Row, now: float) -> None:
        if self.budget_s:
            row.tokens = min(self.budget_s, row.tokens + (now - row.refilled) * self.rate)
        row.refilled = now

    def _find(self, table: _Table, client: Client, now: float) -> int:
        """The record of ``client``; a new one in an empty or idle record near its hash if it has none."""
        assert self.shared is not None
        hi, lo = int.from_bytes(client.key[:8], "big"), int.from_bytes(client.key[8:], "big")
        home = self.shared.home(client.key)
        empty = idle = -1
        for step in range(PROBE):
            index = (home + step) % ROWS
            row = table.rows[index]
            if not row.used:
                empty = index if empty < 0 else empty
            elif row.hi == hi and row.lo == lo:
                return index
            elif row.in_flight == 0 and (idle < 0 or row.seen < table.rows[idle].seen):
                idle = index  # the longest-unseen client with nothing in flight gives up its record
        spare = empty if empty >= 0 else idle
        if spare < 0:  # every nearby record has queries in flight: very many clients at once
            raise Busy("too many clients are querying at once; retry later")
        row = table.rows[spare]
        row.hi, row.lo, row.used, row.in_flight = hi, lo, 1, 0
        row.tokens, row.refilled, row.seen = self.budget_s, now, now
        return spare

    def _free_lease(self, table: _Table, now: float) -> int:
        for _ in range(2):
            for index in range(LEASES):
                if table.leases[index].pid == 0:
                    return index
            self._reclaim(table, now)
        raise Busy("too many queries are waiting; retry later")

    def _reclaim(self, table: _Table, now: float, row: int | None = None) -> None:
        """Take back leases (of ``row``, or all) whose web process died or that outlived any query."""
        for lease in table.leases:
            if lease.pid and (row is None or lease.row == row) and (
                now - lease.started > self.stale_s or not _alive(lease.pid)
            ):
                owner = table.rows[lease.row]
                owner.in_flight = max(0, owner.in_flight - 1)
                lease.pid = 0

    def snapshot(self, client: Client) -> dict[str, float]:
        """``client``'s queries in flight and budget balance now (for tests and diagnostics)."""
        if self.shared is None:
            return {}
        now = time.monotonic()
        with self.shared.locked() as table:
            hi, lo = int.from_bytes(client.key[:8], "big"), int.from_bytes(client.key[8:], "big")
            home = self.shared.home(client.key)
            for step in range(PROBE):
                row = table.rows[(home + step) % ROWS]
                if row.used and row.hi == hi and row.lo == lo:
                    tokens = min(self.budget_s, row.tokens + (now - row.refilled) * self.rate)
                    return {"in_flight": row.in_flight, "budget_s": tokens}
        return {"in_flight": 0, "budget_s": self.budget_s}

    def fair_use(self, memory_mb: int = 0) -> str:
        """The rules in one paragraph for people (the query page, the service description); "" if none.

        >>> Admission(Settings(query_timeout_s=10)).fair_use(512)  # doctest: +NORMALIZE_WHITESPACE
        'Fair use: at most 2 queries at once per client address; 10 s of query time per client address
        per minute; 512 MiB of memory per query. Past a limit: 429 Too Many Requests with Retry-After
        (seconds) for the first two, 507 for memory.'
        """
        rules = []
        if self.max_in_flight:
            rules.append(f"at most {self.max_in_flight} queries at once per client address")
        if self.budget_s:
            rules.append(f"{self.budget_s:g} s of query time per client address per minute")
        if memory_mb:
            rules.append(f"{memory_mb} MiB of memory per query")
        if not rules:
            return ""
        if self.enabled and memory_mb:
            outcome = (f"429 Too Many Requests with Retry-After (seconds) for the "
                       f"{'first two' if len(rules) == 3 else 'first'}, 507 for memory")
        else:
            outcome = "429 Too Many Requests with Retry-After (seconds)" if self.enabled else "507"
        return f"Fair use: {'; '.join(rules)}. Past a limit: {outcome}."


_pid = os.getpid()


def _refresh_pid() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_refresh_pid)  # gunicorn workers are forks of the master


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def admit(admission: Admission | None = None, environ: Mapping[str, Any] | None = None) -> Ticket | None:
    """Admit a request's query (default: the current request, the current app's ``Admission``);
    raises TooManyRequests."""
    admission = admission or current_app.extensions["hcn_admission"]
    if not admission.enabled:
        return None
    return admission.admit(admission.client(request.environ if environ is None else environ))


def run(store: Store, job: Job, *, timeout_s: float, admission: Admission | None = None,
        environ: Mapping[str, Any] | None = None) -> Answer:
    """Admit a request (default: the current one), then run ``job`` in ``store`` as that client's query."""
    ticket = admit(admission, environ)
    try:
        return store.run(job, timeout_s=timeout_s, claim=ticket)
    except BaseException:
        if ticket is not None:
            ticket.release()
        raise


def init_app(app: Any, settings: Settings, metrics: Metrics) -> Admission:
    """The app's admission (its shared table made now, before any fork); limits shown in /metrics."""
    admission = Admission(settings, metrics)
    app.extensions["hcn_admission"] = admission
    for reason in REASONS:
        metrics.rejections.touch(reason)  # both reasons shown from the start, at 0
    metrics.limits.labels("in_flight").set(admission.max_in_flight)
    metrics.limits.labels("budget_seconds_per_minute").set(admission.budget_s)
    return admission
