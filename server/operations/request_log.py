"""Request ids and access logs: one ``hcn.access`` line per request with its id and duration.

A client's ``X-Request-Id`` is kept when it looks like an id (letters, digits, ``._-``, at most 128
characters), else a fresh one is made; either way it is echoed in the response, so a client, a
proxy and these logs name the same request. A fresh id is 32 hex digits: 16 random ones drawn once
per process (again in every forked child) and a 16-digit counter, unique without asking the OS for
randomness on every request (``uuid4`` did: 3 us, ten times the counter).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from typing import Any

from flask import Flask, Response, g, request

log = logging.getLogger("hcn.access")

HEADER = "X-Request-Id"
_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def _new_process() -> None:
    """A fresh random prefix and counter (at import, and in every child after a fork)."""
    global _prefix, _counter
    _prefix = os.urandom(8).hex()
    _counter = itertools.count(1)


_prefix = ""
_counter = itertools.count(1)
_new_process()
os.register_at_fork(after_in_child=_new_process)


def request_id(header: str | None) -> str:
    """The client's id when it is safe to log and echo, else a new one, unique to this process.

    >>> request_id("abc-123")
    'abc-123'
    >>> fresh = request_id("bad id\\nwith newline")
    >>> len(fresh), fresh[:16] == request_id(None)[:16], fresh != request_id(None)
    (32, True, True)
    """
    if header and _ID.fullmatch(header):
        return header
    return f"{_prefix}{next(_counter):016x}"


def elapsed() -> float:
    """Seconds since this request started (0 outside a request that passed ``start``)."""
    started = g.get("hcn_started")
    return time.perf_counter() - started if started is not None else 0.0


def _start() -> None:
    g.hcn_started = time.perf_counter()
    g.hcn_request_id = request_id(request.headers.get(HEADER))


def logged_target(environ: dict[str, Any]) -> str:
    """The request target as received: the raw query string is logged undecoded, since it may hold
    bytes that are not UTF-8 (werkzeug's ``full_path`` would raise on them)."""
    path, query = environ.get("PATH_INFO", "") or "/", environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def log_request(rid: str, environ: dict[str, Any], status: int, length: int | None, seconds: float) -> None:
    """The access-log line of one request."""
    log.info('%s %s "%s %s" %s %s %.1fms', rid, environ.get("REMOTE_ADDR") or "-", environ.get("REQUEST_METHOD"),
             logged_target(environ), status, "-" if length is None else length, seconds * 1000)


def _finish(response: Response) -> Response:
    rid = g.get("hcn_request_id") or request_id(None)
    response.headers[HEADER] = rid
    length = response.calculate_content_length() if response.is_sequence else None  # never buffer a stream
    log_request(rid, request.environ, response.status_code, length, elapsed())
    return response


class Formatter(logging.Formatter):
    """A ``logging.Formatter`` that formats ``%(asctime)s`` once per second, not once per line.

    ``time.strftime`` was a third of an access-log line's cost; the milliseconds are added per line,
    exactly as ``logging.Formatter`` writes them (its default date format only).
    """

    _stamp: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt or self.converter is not time.localtime or not self.default_msec_format:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        stamp = self._stamp  # one tuple: threads read a consistent pair
        if stamp[0] != second:
            stamp = self._stamp = (second, time.strftime(self.default_time_format, time.localtime(second)))
        return self.default_msec_format % (stamp[1], record.msecs)


def init_app(app: Flask) -> None:
    """Give every request an id and log it when the response starts (streamed bodies may still run)."""
    app.before_request(_start)
    app.after_request(_finish)
