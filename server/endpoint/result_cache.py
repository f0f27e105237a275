"""Finished ``/sparql`` answers kept for repeated requests, in front of the Flask app.

The embedded store does not change while a process serves it (a new release means a restart), so
the same request — same method, query string, body, Content-Type and Accept, addressed to the same
scheme, host and mount point — gets the same bytes, unless the query asks for the time or for
something random (``NOW()``, ``RAND()``, ``UUID()``, ``STRUUID()``, ``BNODE()``): the view marks
those answers as not to keep. Researchers re-running a query, dashboards polling one, harvesters
fetching the same pages: each web worker keeps the answers it gave the second time they were asked
for (an answer asked for once — a crawler fetching every resource, researchers asking different
questions — is never asked again, and copying it would be work for nothing; the keys seen once are
remembered as hashes, the last ``SEEN_KEYS`` of them) (status 200, at most
``MAX_ANSWER_BYTES``, not HTML; a streamed answer is copied as it goes out and kept only if it ended
whole) within ``result_cache_mb``, least recently used out first, every byte of the key counted. A
hit skips Flask and the query pool; it still gets its own ``X-Request-Id``, an access-log line and
its count in ``/metrics``. Conditional and range requests, ``Cache-Control: no-cache`` or
``no-store``, requests without a Host, HEAD, OPTIONS and bodies without a valid Content-Length pass
through untouched, and so does everything with a remote backend (its data can change under us).
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..operations import request_log
from ..operations.metrics import Metrics

MAX_ANSWER_BYTES = 8 * 1024 * 1024
#: environ key where the /sparql view leaves a callable saying whether the answer's body was whole.
COMPLETE = "hcn.answer_complete"
#: environ key the /sparql view sets to False for answers that must not be kept (time, randomness).
KEEP = "hcn.answer_keep"
#: ASGI scope key the production front sets when it already looked the request up and missed: True
#: when the answer is to be kept (its second sighting), False when not.
MISSED = "hcn.cache_missed"
#: How many requests seen once (not kept yet) are remembered, as hashes of their keys.
SEEN_KEYS = 100_000
ROUTE = "/sparql"
PASS_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
                "HTTP_IF_RANGE", "HTTP_RANGE")
NO_CACHE = re.compile(r"no-cache|no-store", re.I)
DIGITS = re.compile(r"[0-9]{1,12}")
Key = tuple[str, str, str, bytes, str, str, str, str]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Answer:
    """One kept answer: status line, headers (without the request id) and body."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ResultCache:
    """WSGI middleware answering repeated ``/sparql`` requests from memory."""

    def __init__(self, app: WsgiApp, metrics: Metrics, budget_bytes: int, max_query_bytes: int) -> None:
        self.app, self.metrics = app, metrics
        self.budget, self.max_query_bytes = budget_bytes, max_query_bytes
        self.entries: OrderedDict[Key, Answer] = OrderedDict()
        self.size = self.hits = self.misses = 0
        self._seen: dict[int, None] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every kept answer and every request seen."""
        with self._lock:
            self.entries.clear()
            self._seen.clear()
            self.size = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        key = self.key(environ, self._body(environ))
        if key is None:
            return self.app(environ, start_response)
        looked_up = environ.get("asgi.scope", {}).get(MISSED)
        answer = self.lookup(key) if looked_up is None else None
        if answer is None:
            keep = self.seen_before(key) if looked_up is None else looked_up
            return self.fill(key, environ, start_response) if keep else self.app(environ, start_response)
        rid = self.served(answer, environ, started)
        start_response(answer.status, [*answer.headers, (request_log.HEADER, rid)])
        return [answer.body]

    def wants_body(self, environ: dict[str, Any]) -> int | None:
        """How many body bytes to read for the key: 0 for GET, the Content-Length for a POST of at
        most ``max_query_bytes``; None when the request is not one for the cache."""
        method = environ.get("REQUEST_METHOD", "")
        if environ.get("PATH_INFO") != ROUTE or method not in ("GET", "POST") or not environ.get("HTTP_HOST") \
                or any(h in environ for h in PASS_HEADERS) or NO_CACHE.search(environ.get("HTTP_CACHE_CONTROL", "")):
            return None
        if method == "GET":
            return 0 if environ.get("QUERY_STRING") else None  # no query: the UI or the service description
        length = environ.get("CONTENT_LENGTH") or ""
        return int(length) if DIGITS.fullmatch(length) and int(length) <= self.max_query_bytes else None

    def key(self, environ: dict[str, Any], body: bytes | None) -> Key | None:
        """The cache key of a request whose body (``b""`` for GET) has been read; None passes it by."""
        if body is None:
            return None
        return (environ["REQUEST_METHOD"], environ.get("QUERY_STRING", ""), environ.get("CONTENT_TYPE", ""), body,
                environ.get("HTTP_ACCEPT", ""),
                # where the request was addressed: the service description names the endpoint's URL
                environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""), environ.get("SCRIPT_NAME", ""))

    def lookup(self, key: Key) -> Answer | None:
        """The kept answer for ``key`` (now the most recently used), or None."""
        with self._lock:
            answer = self.entries.get(key)
            if answer is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return answer

    def seen_before(self, key: Key) -> bool:
        """Whether ``key`` was asked for before (its answer is then worth keeping); remembers it if not.
        Only a hash is kept: a collision at worst keeps an answer one request early."""
        digest = hash(key)
        with self._lock:
            if self._seen.pop(digest, 0) is None:
                return True
            self._seen[digest] = None
            if len(self._seen) > SEEN_KEYS:
                del self._seen[next(iter(self._seen))]
            return False

    def served(self, answer: Answer, environ: dict[str, Any], started: float) -> str:
        """Log and count one request answered from the cache; returns its request id."""
        rid = request_log.request_id(environ.get("HTTP_X_REQUEST_ID"))
        seconds = time.perf_counter() - started
        request_log.log_request(rid, environ, 200, len(answer.body), seconds)
        self.metrics.count(ROUTE, environ["REQUEST_METHOD"], 200, seconds)
        return rid

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        length = self.wants_body(environ)
        if not length:
            return None if length is None else b""
        body: bytes = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body if len(body) == length else None  # a client that sent less: not a key

    def fill(self, key: Key, environ: dict[str, Any], start_response: StartResponse,
             app: WsgiApp | None = None) -> Iterable[bytes]:
        """Answer with ``app`` (default: the app behind this cache) and keep the answer if it may be."""
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            started.append((status, headers))
            return start_response(status, headers, exc_info)

        body = (app or self.app)(environ, capture)
        if not started or not _keepable(*started[-1]) or environ.get(KEEP) is False:
            return body
        status, headers = started[-1]
        kept = tuple((name, value) for name, value in headers
                     if name.lower() not in (request_log.HEADER.lower(), "content-length"))
        if any(name.lower() == "content-length" for name, _ in headers):
            data = _drain(body)  # whole already: keep it now
            self._keep(key, environ, Answer(status, kept, data))
            return [data]
        return _Tee(body, lambda data: self._keep(key, environ, Answer(status, kept, data)))

    def _keep(self, key: Key, environ: dict[str, Any], answer: Answer) -> None:
        """Store an answer whose body went out whole (the view says so for streamed ones)."""
        if environ.get(COMPLETE, _whole)():
            headers = (*answer.headers, ("Content-Length", str(len(answer.body))))
            self._store(key, Answer(answer.status, headers, answer.body))

    def _store(self, key: Key, answer: Answer) -> None:
        cost = _cost(key, answer)
        if cost > self.budget:
            return
        with self._lock:
            if key in self.entries:
                return
            self.entries[key] = answer
            self.size += cost
            while self.size > self.budget:
                self.size -= _cost(*self.entries.popitem(last=False))


def _keepable(status: str, headers: list[tuple[str, str]]) -> bool:
    """A 200 answer, not HTML, not declared longer than ``MAX_ANSWER_BYTES``."""
    fields = {name.lower(): value for name, value in headers}
    length = fields.get("content-length", "0")
    return status.startswith("200 ") and (not length.isdigit() or int(length) <= MAX_ANSWER_BYTES) \
        and not fields.get("content-type", "").startswith("text/html")


def _whole() -> bool:
    return True


def _close(body: Iterable[bytes]) -> None:
    """Call a WSGI body's ``close`` when it has one (PEP 3333)."""
    close = getattr(body, "close", None)
    if close is not None:
        close()


def _drain(body: Iterable[bytes]) -> bytes:
    """All of a WSGI body, closed afterwards."""
    try:
        return b"".join(body)
    finally:
        _close(body)


class _Tee:
    """A WSGI body passed on chunk by chunk; when it ends, ``done`` gets a copy if it stayed within
    ``MAX_ANSWER_BYTES``. ``close`` always reaches the inner body, iterated or not (PEP 3333)."""

    def __init__(self, body: Iterable[bytes], done: Callable[[bytes], None]) -> None:
        self._body, self._chunks, self._done = body, iter(body), done
        self._copy: list[bytes] | None = []
        self._size = 0

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            chunk = next(self._chunks)
        except StopIteration:
            if self._copy is not None:
                self._done(b"".join(self._copy))
                self._copy = None
            raise
        if self._copy is not None:
            self._size += len(chunk)
            if self._size <= MAX_ANSWER_BYTES:
                self._copy.append(chunk)
            else:
                self._copy = None
        return chunk

    def close(self) -> None:
        self._copy = None
        _close(self._body)


def _cost(key: Key, answer: Answer) -> int:
    """Bytes an entry is counted as: body, every field of the key and of the headers, and 512 more."""
    return len(answer.body) + sum(map(len, key)) + sum(len(n) + len(v) for n, v in answer.headers) + 512


def install(app: Any) -> None:
    """Put a result cache in front of ``app`` when its settings ask for one and the store is embedded."""
    settings = app.extensions["hcn_settings"]
    if settings.result_cache_mb <= 0 or settings.sparql_endpoint:
        return
    app.wsgi_app = ResultCache(app.wsgi_app, app.extensions["hcn_metrics"], settings.result_cache_mb * 1024 * 1024,
                               settings.max_query_bytes)
    app.extensions["hcn_result_cache"] = app.wsgi_app
