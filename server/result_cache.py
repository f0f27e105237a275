"""Finished ``/sparql`` answers kept for repeated requests, in front of the Flask app.

The embedded store does not change while a process serves it (a new release means a restart), so
the same request — same method, query string, body, Content-Type and Accept — gets the same bytes.
Researchers re-running a query, dashboards polling one, harvesters fetching the same pages: each
web worker keeps the answers it gave (status 200, a Content-Length of at most ``MAX_ANSWER_BYTES``,
not HTML) up to ``result_cache_mb``, least recently used out first. A hit skips Flask and the query
pool; it still gets its own ``X-Request-Id``, an access-log line and its count in ``/metrics``.
Conditional and range requests, HEAD, OPTIONS and bodies without a valid Content-Length pass
through untouched, and so does everything with a remote backend (its data can change under us).
"""

from __future__ import annotations

import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import request_log
from .metrics import Metrics

MAX_ANSWER_BYTES = 1024 * 1024
ROUTE = "/sparql"
PASS_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
                "HTTP_IF_RANGE", "HTTP_RANGE")
Key = tuple[str, str, str, bytes, str]
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
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        started = time.perf_counter()
        with self._lock:
            answer = self.entries.get(key)
            if answer is not None:
                self.entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
        if answer is not None:
            return self._replay(answer, environ, start_response, started)
        return self._fill(key, environ, start_response)

    def _key(self, environ: dict[str, Any]) -> Key | None:
        """The cache key, or None when this request must go to the app as it is."""
        method = environ.get("REQUEST_METHOD", "")
        if environ.get("PATH_INFO") != ROUTE or method not in ("GET", "POST") \
                or any(h in environ for h in PASS_HEADERS):
            return None
        body = b""
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or "")
            except ValueError:
                return None
            if not 0 <= length <= self.max_query_bytes:
                return None
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        elif not environ.get("QUERY_STRING"):
            return None  # the query UI or the service description
        return (method, environ.get("QUERY_STRING", ""), environ.get("CONTENT_TYPE", ""), body,
                environ.get("HTTP_ACCEPT", ""))

    def _replay(self, answer: Answer, environ: dict[str, Any], start_response: StartResponse,
                started: float) -> Iterable[bytes]:
        rid = request_log.request_id(environ.get("HTTP_X_REQUEST_ID"))
        start_response(answer.status, [*answer.headers, (request_log.HEADER, rid)])
        seconds = time.perf_counter() - started
        request_log.log_request(rid, environ, 200, len(answer.body), seconds)
        self.metrics.count(ROUTE, environ["REQUEST_METHOD"], 200, seconds)
        return [answer.body]

    def _fill(self, key: Key, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started: list[tuple[str, list[tuple[str, str]], Any]] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            started.append((status, headers, exc_info))
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        if not started or not self._keepable(*started[-1][:2]):
            return body
        status, headers, _ = started[-1]
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        kept = tuple((name, value) for name, value in headers if name.lower() != request_log.HEADER.lower())
        self._store(key, Answer(status, kept, data))
        return [data]

    @staticmethod
    def _keepable(status: str, headers: list[tuple[str, str]]) -> bool:
        fields = {name.lower(): value for name, value in headers}
        length = fields.get("content-length", "")
        return status.startswith("200 ") and length.isdigit() and int(length) <= MAX_ANSWER_BYTES \
            and not fields.get("content-type", "").startswith("text/html")

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


def _cost(key: Key, answer: Answer) -> int:
    """Bytes an entry is counted as: body, query text and a fixed allowance for the rest."""
    return len(answer.body) + len(key[1]) + len(key[3]) + 512


def install(app: Any) -> None:
    """Put a result cache in front of ``app`` when its settings ask for one and the store is embedded."""
    settings = app.extensions["hcn_settings"]
    if settings.result_cache_mb <= 0 or settings.sparql_endpoint:
        return
    app.wsgi_app = ResultCache(app.wsgi_app, app.extensions["hcn_metrics"], settings.result_cache_mb * 1024 * 1024,
                               settings.max_query_bytes)
    app.extensions["hcn_result_cache"] = app.wsgi_app
