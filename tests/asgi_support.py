"""Drive an ASGI application in-process: one request in, its status, headers and body out."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import quote

App = Callable[..., Awaitable[None]]


def run_apart(main: Coroutine[Any, Any, Any], loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
              ) -> Any:
    """Run ``main`` on a new event loop in a thread of its own and return its result: the session's
    browser client (pytest-playwright) keeps an event loop running in the main thread."""

    def run() -> Any:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(main)

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(run).result()


def drive(app: App, method: str, path: str, query_string: bytes = b"", body: bytes = b"",
          headers: list[tuple[bytes, bytes]] | None = None, chunks: int = 1,
          ) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request (its body sent in ``chunks`` messages): status, headers (lower-case names), body."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": quote(path).encode(), "root_path": "", "query_string": query_string,
             "headers": [(b"host", b"localhost"), *(headers or [])], "client": ("127.0.0.1", 5000),
             "server": ("127.0.0.1", 8000)}
    size = -(-len(body) // chunks) if body else 1
    parts = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
    messages = [{"type": "http.request", "body": part, "more_body": n < len(parts) - 1} for n, part in enumerate(parts)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run_apart(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    names = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in start["headers"]]
    return start["status"], names, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
