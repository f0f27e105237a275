"""The production front: the hot routes answered without the WSGI bridge, all else to Flask.

``hcn serve --production`` runs gunicorn with uvicorn workers (HTTP parsed in C by httptools, an
uvloop event loop). Three kinds of request skip Flask and a2wsgi:

- one the result cache can answer (:mod:`server.endpoint.result_cache`): right on the event loop;
- a ``GET``/``POST`` to ``/sparql``, a ``GET`` of ``/doc/...``, ``/id/...`` or ``/api/NAME`` from a
  client that does not prefer HTML (browsers get Flask's pages): the same plain function the Flask
  view calls (:data:`DIRECT`) runs on a werkzeug request over the environ built here. ``/sparql`` and
  the API run on the event loop (:mod:`server.store.hand_off`: where the query pool would block,
  waiting for a worker or for its answer, the request suspends and the loop serves others; no thread
  hop); documents, built in this process, and anything on a store without a query pool (a remote
  one) run in a thread of our own. The werkzeug response goes out as the WSGI server would send
  it. The front does what Flask's hooks do for those routes: the blueprint's headers, error
  answers, the request id, the access-log line and the count in ``/metrics``; a ``/sparql`` answer
  is kept by the result cache as the cache middleware would keep it. An answer that turns out to be
  an HTML page (``format=html``) is left to Flask.
- Everything else goes to the Flask app unchanged through a2wsgi's thread pool.

Routes are matched by the Flask app's own URL map, so both paths agree on what a path means.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from a2wsgi.wsgi import WSGIMiddleware, unicode_to_wsgi
from flask import Flask, Response
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import MapAdapter, Rule
from werkzeug.wrappers import Request

from .. import caching
from ..api.views import answer_call, api_headers
from ..app import plain_error
from ..endpoint.result_cache import MISSED, ResultCache
from ..endpoint.sparql import answer_query, body_limit, protocol_headers
from ..errors import HcnError
from ..linkeddata.resources import cors, describe, see_document
from ..negotiation import prefers_html
from ..operations import request_log
from ..operations.metrics import Metrics
from ..store import hand_off

Scope = dict[str, Any]
Message = dict[str, Any]
Handler = Callable[..., Response | Any]
Decorate = Callable[[Response, Request], Response]
#: Headers whose environ names have no ``HTTP_`` prefix (PEP 3333).
UNPREFIXED = {"content-length": "CONTENT_LENGTH", "content-type": "CONTENT_TYPE"}
#: Flask endpoint -> (plain function, the blueprint's header hook, methods answered here, whether on
#: the event loop). /sparql and the API wait for a query worker: on the loop. A document is built in
#: this process (pyoxigraph lookups that let go of the GIL): in a thread, measured 2x the throughput.
DIRECT: dict[str, tuple[Handler, Decorate, frozenset[str], bool]] = {
    "sparql.sparql": (answer_query, protocol_headers, frozenset(("GET", "POST")), True),
    "resources.document": (describe, lambda response, _: cors(response), frozenset(("GET",)), False),
    "resources.thing": (see_document, lambda response, _: cors(response), frozenset(("GET",)), False),
    "api.run": (answer_call, api_headers, frozenset(("GET",)), True),
}
log = logging.getLogger(__name__)
_DEFER = object()


class Front:
    """ASGI app: cache hits and /sparql and the API on the event loop, documents (and /sparql and the API
    when the store has no query pool) in ``threads`` threads of our own, everything else to ``flask``
    in ``threads`` threads of a2wsgi's."""

    def __init__(self, flask: Flask, threads: int) -> None:
        self.flask = flask
        self.cache: ResultCache | None = flask.extensions.get("hcn_result_cache")
        self.metrics: Metrics = flask.extensions["hcn_metrics"]
        self.wsgi = WSGIMiddleware(_input_terminated(flask), workers=threads)
        #: Only the query pool's waits can suspend; a remote store's HTTP calls (or queries in this
        #: process, without a pool) would stall the loop: those go to threads of our own.
        self.on_loop = bool(flask.extensions["hcn_store"].describe_backend().get("pool"))
        self.threads = ThreadPoolExecutor(threads, thread_name_prefix="hcn-direct")
        self.max_body = body_limit(flask.extensions["hcn_settings"].max_query_bytes) + 1
        self._adapters: dict[str, MapAdapter] = {}
        self._match = functools.lru_cache(maxsize=4096)(self._match_path)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.wsgi(scope, receive, send)
            return
        if not scope["query_string"].isascii():
            scope = {**scope, "query_string": _escape(scope["query_string"])}
        started = time.perf_counter()
        environ = cache_environ(scope)
        route = self._route(environ)
        consumed: list[Message] = []
        body: bytes | None = b""
        key = None
        keep = False
        if self.cache is not None:
            length = self.cache.wants_body(environ)
            body = b"" if length == 0 else None
            if length:
                consumed, body = await _read(receive, length)
            key = self.cache.key(environ, body)
            answer = self.cache.lookup(key) if key is not None else None
            keep = key is not None and answer is None and self.cache.seen_before(key)
            if answer is not None:
                rid = self.cache.served(answer, environ, started)
                headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in answer.headers]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                await send({"type": "http.response.start", "status": int(answer.status[:3]), "headers": headers})
                await send({"type": "http.response.body", "body": answer.body})
                return
        if route is not None:
            if environ["REQUEST_METHOD"] == "POST":
                if not consumed:
                    consumed, _ = await _read(receive, self.max_body, exact=False)
                body = b"".join(m.get("body", b"") for m in consumed)
            environ["wsgi.input"] = io.BytesIO(body or b"")
            if await self._direct(route, environ, key if keep else None, started, send):
                return
        if key is not None:
            scope = {**scope, MISSED: keep}
        await self.wsgi(scope, _replay(consumed, receive) if consumed else receive, send)

    def _route(self, environ: dict[str, Any]) -> tuple[str, Rule, dict[str, Any]] | None:
        """The Flask endpoint, rule and arguments of a request this front answers itself, or None."""
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "POST") or _prefers_html(environ.get("HTTP_ACCEPT")):
            return None
        return self._match(environ["SCRIPT_NAME"], environ["PATH_INFO"], method)

    def _match_path(self, script_name: str, path: str, method: str) -> tuple[str, Rule, dict[str, Any]] | None:
        """``_route`` for one path (memoized as ``_match``: the URL map does not change while serving,
        and matching it was a tenth of a lookup's time in this process)."""
        adapter = self._adapters.get(script_name)
        if adapter is None:
            adapter = self._adapters[script_name] = self.flask.url_map.bind("", script_name=script_name or None)
        try:
            rule, args = adapter.match(path, method, return_rule=True)
        except HTTPException:  # no route, wrong method, a redirect (strict slashes): Flask answers
            return None
        endpoint = rule.endpoint
        direct = DIRECT.get(endpoint)  # type: ignore[arg-type]
        return (endpoint, rule, args) if direct is not None and method in direct[2] else None  # type: ignore[return-value]

    async def _direct(self, route: tuple[str, Rule, dict[str, Any]], environ: dict[str, Any], key: Any,
                      started: float, send: Any) -> bool:
        """Answer one request with its plain function; False when it is left to Flask."""
        on_loop = self.on_loop and DIRECT[route[0]][3]
        answered = await self._call(on_loop, self._answer, route, environ, key, started)
        if answered is _DEFER:
            return False
        status, headers, body, chunks = answered
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if chunks is None:
            await send({"type": "http.response.body", "body": body})
            return True
        try:
            while (chunk := await self._call(on_loop, next, chunks, None)) is not None:
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await self._call(on_loop, _close, chunks)
        return True

    async def _call(self, on_loop: bool, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` on the event loop (``hand_off``), or in a thread of ours."""
        if on_loop:
            return await hand_off.call(function, *args)
        return await asyncio.get_running_loop().run_in_executor(self.threads, function, *args)

    def _answer(self, route: tuple[str, Rule, dict[str, Any]], environ: dict[str, Any], key: Any,
                started: float) -> Any:
        """On the loop or in a thread (``_call``): (status, ASGI headers, body, None) or (status, headers, b"", chunk iterator)."""
        endpoint, rule, args = route
        handler, decorate, _, _ = DIRECT[endpoint]
        request = Request(environ)
        try:
            response = handler(request, self.flask, **args)
            if not isinstance(response, Response):  # an HTML page, the service description: Flask's
                return _DEFER
        except HcnError as error:
            response = plain_error(error.status, str(error), getattr(error, "retry_after", None))
        except Exception:  # as Flask: logged, and a 500 like its own
            log.exception("exception on %s [%s]", environ["PATH_INFO"], environ["REQUEST_METHOD"])
            response = plain_error(500, InternalServerError.description)
        response = caching.finish(decorate(response, request), endpoint)
        rid = request_log.request_id(environ.get("HTTP_X_REQUEST_ID"))
        response.headers[request_log.HEADER] = rid
        seconds = time.perf_counter() - started
        length = response.calculate_content_length() if response.is_sequence else None
        request_log.log_request(rid, environ, response.status_code, length, seconds)
        self.metrics.count(rule.rule, environ["REQUEST_METHOD"], response.status_code, seconds)
        head: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            head[:] = [int(status[:3]), [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]]

        app: Any
        if key is not None and self.cache is not None:
            app = self.cache.fill(key, environ, start_response, response)
        else:
            app = response(environ, start_response)
        if response.is_sequence or response.status_code == 304:
            try:
                return head[0], head[1], b"".join(app), None
            finally:
                _close(app)
        return head[0], head[1], b"", iter(app)


@functools.lru_cache(maxsize=256)
def _prefers_html(accept: str | None) -> bool:
    return prefers_html(accept)


def _close(body: Any) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


def cache_environ(scope: Scope) -> dict[str, Any]:
    """The WSGI environ of a request, built as a2wsgi builds it (the body stream is set later)."""
    script_name = scope.get("root_path", "").encode("utf8").decode("latin1")
    path_info = scope["path"].encode("utf8").decode("latin1")
    if path_info.startswith(script_name):
        path_info = path_info[len(script_name):]
    if os.environ.get("SCRIPT_NAME", ""):
        script_name = unicode_to_wsgi(os.environ["SCRIPT_NAME"])
    server_addr, server_port = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "asgi.scope": scope, "REQUEST_METHOD": scope["method"], "SCRIPT_NAME": script_name, "PATH_INFO": path_info,
        "QUERY_STRING": scope["query_string"].decode("ascii"), "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0), "wsgi.url_scheme": scope.get("scheme", "http"), "wsgi.errors": sys.stdout,
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "wsgi.input_terminated": True, "SERVER_NAME": server_addr, "SERVER_PORT": str(server_port or 0),
    }
    client = scope.get("client")
    if client is not None:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin1")
        key = UNPREFIXED.get(name) or f"HTTP_{name}".upper().replace("-", "_")
        value = raw_value.decode("latin1")
        environ[key] = environ[key] + "," + value if key in environ else value
    return environ


def _input_terminated(app: Any) -> Any:
    """The WSGI app told that ``wsgi.input`` ends with the body (a2wsgi's does), so a chunked
    request body — no Content-Length — is read, as under gunicorn's own workers."""
    def call(environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.input_terminated"] = True
        return app(environ, start_response)

    return call


async def _read(receive: Any, length: int, exact: bool = True) -> tuple[list[Message], bytes | None]:
    """The messages read for the body, and the body when it is exactly ``length`` bytes long (not
    ``exact``: whatever came, reading stops past ``length`` bytes)."""
    messages: list[Message] = []
    size = 0
    while size <= length:
        message: Message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None if exact else b"".join(m.get("body", b"") for m in messages)
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(m.get("body", b"") for m in messages)
    return messages, body if len(body) == length or not exact else None


def _replay(messages: list[Message], receive: Any) -> Any:
    """A ``receive`` that hands over the messages already read first, then defers to the real one."""
    pending = list(reversed(messages))

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def _escape(query: bytes) -> bytes:
    """Raw non-ASCII bytes in a query string percent-encoded (WSGI wants ASCII; the meaning is kept,
    so a query that is not UTF-8 still gets the app's 400, not a 500 from the bridge)."""
    return b"".join(b"%%%02X" % byte if byte > 0x7F else bytes((byte,)) for byte in query)
