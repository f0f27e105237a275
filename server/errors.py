"""One exception hierarchy; ``app.py`` maps it to HTTP responses, ``cli.py`` to exit codes."""

from __future__ import annotations


class HcnError(Exception):
    """Base error with an HTTP status; the message is safe to show to the client."""

    status: int = 500


class BadRequest(HcnError):
    """The client's request is malformed (bad query, missing parameter, unknown format)."""

    status = 400


class NotFound(HcnError):
    """No resource, document or file answers to this path."""

    status = 404


class NotAcceptable(HcnError):
    """No offered media type satisfies the client's Accept header."""

    status = 406


class UnsupportedMediaType(HcnError):
    """The request body has a content type the endpoint does not read."""

    status = 415


class BackendError(HcnError):
    """The store failed while answering (I/O or evaluation error)."""

    status = 503


class ConfigError(HcnError):
    """Settings are invalid (bad base IRI, missing root folder, wrong type)."""

    status = 500


class DataError(HcnError):
    """A source file could not be loaded; the message names the file and position."""

    status = 500


class PayloadTooLarge(HcnError):
    """The query text is longer than the configured maximum."""

    status = 413


class QueryTimeout(HcnError):
    """The query ran past its deadline and was stopped."""

    status = 504


class Busy(HcnError):
    """No query worker became free in time; the client may retry."""

    status = 503


class BadGateway(HcnError):
    """The remote SPARQL backend answered, but not with something usable (garbage, a server error)."""

    status = 502


class TooManyRequests(HcnError):
    """A client is over its share of the query workers (queries in flight, or query time per minute).

    ``retry_after`` (whole seconds) becomes the ``Retry-After`` header; ``reason`` names the limit
    (``in_flight`` or ``budget``) for ``/metrics``.
    """

    status = 429

    def __init__(self, message: str, *, retry_after: int, reason: str) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
        self.reason = reason


class MemoryBudgetExceeded(HcnError):
    """A query needed more memory than one query worker may take; the worker was stopped and replaced.

    507 (Insufficient Storage): the server could not hold what answering needs. Not 503, which
    invites a retry that would fail the same way, nor 4xx, since the same query fits a bigger budget.
    """

    status = 507
