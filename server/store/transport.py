"""HTTP exchanges with a SPARQL server: URLs without credentials, and failures mapped to our errors.

Shared by the remote backend (queries) and the loader (Graph Store Protocol writes).
"""

from __future__ import annotations

import http.client
import urllib.error
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from ..errors import BackendError, BadGateway, BadRequest, HcnError, QueryTimeout


def public_url(url: str) -> str:
    """``url`` without user and password, for messages and ``/health``.

    >>> public_url("http://me:secret@db:7878/query")
    'http://db:7878/query'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def transport_error(exc: BaseException, url: str) -> HcnError:
    """The one mapping from a failed HTTP exchange with a SPARQL server to our error types."""
    where = public_url(url)
    if isinstance(exc, QueryBadFormed):
        return BadRequest(f"the SPARQL backend refused the query: {_detail(exc)}")
    if isinstance(exc, SPARQLWrapperException):
        return BadGateway(f"SPARQL backend error at {where}: {_detail(exc)}")
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code == 503:
            return BackendError(f"SPARQL backend unavailable: {where} answered HTTP 503; retry later")
        return BadGateway(f"SPARQL backend error at {where}: HTTP {exc.code} {exc.reason}")
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc.reason, OSError | str):
        exc = OSError(str(exc.reason))
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return QueryTimeout(f"query timed out: the SPARQL backend at {where} did not answer within the deadline")
    if isinstance(reason, http.client.HTTPException):
        return BadGateway(f"SPARQL backend at {where} broke off the answer: {reason.__class__.__name__}")
    return BackendError(f"SPARQL backend unavailable: cannot reach {where} ({_reason(reason)}); retry later")


def _detail(exc: SPARQLWrapperException) -> str:
    """SPARQLWrapper's message without its generic prefix, one line, bounded."""
    text = str(exc).split("Response:", 1)[-1].strip()
    text = text.removeprefix("b'").removeprefix('b"').rstrip("'\"")
    return " ".join(text.replace("\\n", " ").split())[:500] or exc.__class__.__name__


def _reason(reason: Any) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or reason.__class__.__name__
