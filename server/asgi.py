"""The production front: kept ``/sparql`` answers straight from the event loop, all else to Flask.

``hcn serve --production`` runs gunicorn with uvicorn workers (HTTP parsed in C by httptools, an
uvloop event loop). A request the result cache can answer (:mod:`server.result_cache`) is
answered right on the event loop: no thread hand-off, no Flask. Every other request goes to the
Flask app unchanged through a2wsgi's thread pool, and a ``/sparql`` answer it gives is kept for
the next time by the cache middleware inside the app. The WSGI environ is built once, by a2wsgi's
own :func:`build_environ` for the app; the front builds only the few entries the cache reads, the
same way (:func:`cache_environ`, checked against a2wsgi's by a test), so it computes exactly the key
the middleware stored.
"""

from __future__ import annotations

import time
from typing import Any

from a2wsgi.wsgi import WSGIMiddleware
from flask import Flask

from .result_cache import PASS_HEADERS, ResultCache

Scope = dict[str, Any]
Message = dict[str, Any]
#: Request headers the cache reads, by their WSGI environ names.
CACHE_HEADERS = {
    name[5:].lower().replace("_", "-").encode("latin-1"): name
    for name in (*PASS_HEADERS, "HTTP_ACCEPT", "HTTP_X_REQUEST_ID", "HTTP_HOST")
} | {b"content-type": "CONTENT_TYPE", b"content-length": "CONTENT_LENGTH"}


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
            await self.wsgi(scope, _replay(consumed, receive) if consumed else receive, send)
            return
        rid = self.cache.served(answer, environ, started)
        headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in answer.headers]
        headers.append((b"x-request-id", rid.encode("latin-1")))
        await send({"type": "http.response.start", "status": int(answer.status[:3]), "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


def cache_environ(scope: Scope) -> dict[str, Any]:
    """The WSGI environ entries the result cache reads, built as a2wsgi builds them."""
    root, path = scope.get("root_path", ""), scope["path"]
    client = scope.get("client")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "PATH_INFO": (path[len(root):] if path.startswith(root) else path).encode("utf8").decode("latin1"),
        "QUERY_STRING": scope["query_string"].decode("ascii"),
        "REMOTE_ADDR": client[0] if client else None,
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "SCRIPT_NAME": root.encode("utf8").decode("latin1"),
    }
    for name, value in scope["headers"]:
        key = CACHE_HEADERS.get(name.lower())
        if key is not None:
            text = value.decode("latin1")
            environ[key] = environ[key] + "," + text if key in environ else text
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
