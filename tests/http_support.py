"""Serving a Flask app over real HTTP inside the test process."""

from __future__ import annotations

import functools
import http.client
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a daemon thread; yields the base URL (no trailing slash)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


class _FromAddress(urllib.request.HTTPHandler):
    """urllib's HTTP handler with connections bound to one local address."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)


def opener_from(source: str) -> urllib.request.OpenerDirector:
    """A urllib opener whose requests come from ``source``: Linux loopback accepts any 127.0.0.0/8
    address, so each address is a different client to the server's per-client limits."""
    return urllib.request.build_opener(_FromAddress(source))
