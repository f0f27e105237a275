"""The production front: kept ``/sparql`` answers straight from the event loop, all else to Flask.

``hcn serve --production`` runs gunicorn with uvicorn workers (HTTP parsed in C by httptools, an
uvloop event loop). A request the result cache can answer (:mod:`server.endpoint.result_cache`) is
answered right on the event loop: no thread hand-off, no Flask. Every other request goes to the
Flask app unchanged through a2wsgi's thread pool, and a ``/sparql`` answer it gives is kept for
the next time by the cache middleware inside the app. The WSGI environ is built once, by a2wsgi's
own :func:`build_environ` for the app; the front builds only the few entries the cache reads, the
same way (:func:`cache_environ`, checked against a2wsgi's by a test), so it computes exactly the key
the middleware stored.
"""

from __future__ import annotations

import os
import time
from typing import Any

from a2wsgi.wsgi import WSGIMiddleware, unicode_to_wsgi
from flask import Flask

from ..endpoint.result_cache import MISSED, PASS_HEADERS, ResultCache

Scope = dict[str, Any]
Message = dict[str, Any]
#: Headers whose environ names have no ``HTTP_`` prefix (PEP 3333).
UNPREFIXED = {"content-length": "CONTENT_LENGTH", "content-type": "CONTENT_TYPE"}
#: The environ entries for request headers that the cache reads.
CACHE_HEADERS = frozenset((*PASS_HEADERS, "HTTP_ACCEPT", "HTTP_X_REQUEST_ID", "HTTP_HOST", "HTTP_CACHE_CONTROL",
                           "CONTENT_TYPE", "CONTENT_LENGTH"))


class Front:
    """ASGI app: cache hits on the event loop, everything else to ``flask`` in ``threads`` threads."""

    def __init__(self, flask: Flask, threads: int) -> None:
        self.flask = flask
        self.cache: ResultCache | None = flask.extensions.get("hcn_result_cache")
        self.wsgi = WSGIMiddleware(_input_terminated(flask), workers=threads)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not scope["query_string"].isascii():
            scope = {**scope, "query_string": _escape(scope["query_string"])}
        if scope["type"] != "http" or self.cache is None:
            await self.wsgi(scope, receive, send)
            return
        started = time.perf_counter()
        environ = cache_environ(scope)
        length = self.cache.wants_body(environ)
        consumed: list[Message] = []
        body: bytes | None = b"" if length == 0 else None
        if length:
            consumed, body = await _read(receive, length)
        key = self.cache.key(environ, body)
        answer = self.cache.lookup(key) if key is not None else None
        if answer is None:
            scope = {**scope, MISSED: True} if key is not None else scope
            await self.wsgi(scope, _replay(consumed, receive) if consumed else receive, send)
            return
        rid = self.cache.served(answer, environ, started)
        headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in answer.headers]
        headers.append((b"x-request-id", rid.encode("latin-1")))
        await send({"type": "http.response.start", "status": int(answer.status[:3]), "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


def cache_environ(scope: Scope) -> dict[str, Any]:
    """The WSGI environ entries the result cache reads, built as a2wsgi builds them."""
    script_name = scope.get("root_path", "").encode("utf8").decode("latin1")
    path_info = scope["path"].encode("utf8").decode("latin1")
    if path_info.startswith(script_name):
        path_info = path_info[len(script_name):]
    if os.environ.get("SCRIPT_NAME", ""):
        script_name = unicode_to_wsgi(os.environ["SCRIPT_NAME"])
    client = scope.get("client")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"], "SCRIPT_NAME": script_name, "PATH_INFO": path_info,
        "QUERY_STRING": scope["query_string"].decode("ascii"), "wsgi.url_scheme": scope.get("scheme", "http"),
        "REMOTE_ADDR": client[0] if client else None,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin1")
        key = UNPREFIXED.get(name) or f"HTTP_{name}".upper().replace("-", "_")
        if key in CACHE_HEADERS:
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


async def _read(receive: Any, length: int) -> tuple[list[Message], bytes | None]:
    """The messages read for the body, and the body when it is exactly ``length`` bytes long."""
    messages: list[Message] = []
    size = 0
    while size <= length:
        message: Message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(m.get("body", b"") for m in messages)
    return messages, body if len(body) == length else None


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
