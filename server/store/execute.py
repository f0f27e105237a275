"""Run one protocol job against an embedded store and write negotiated bytes to a sink.

The same code runs inside a pool worker (sink = the pipe to the web process) and in-process
(sink = a list), so both paths negotiate, cap and serialize identically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

from pyoxigraph import QueryBoolean, QuerySolutions
from pyoxigraph import serialize as serialize_rdf

from .. import formats
from ..errors import BackendError, HcnError
from ..formats import QueryResult
from .results import WRITERS


@dataclass(frozen=True)
class Job:
    """A query plus everything needed to answer it without the HTTP request.

    ``choices`` maps each result kind to the negotiated format name, or to the error to raise
    when the query turns out to be of that kind (406, or 400 for a ``format=`` the kind lacks).
    ``substitutions`` maps variable names to pyoxigraph terms bound by the engine (named query
    parameters); terms pickle, so they cross the pipe to the worker as terms, never as text.
    """

    sparql: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    choices: Mapping[str, str | HcnError] = field(default_factory=dict)
    max_rows: int = 0
    substitutions: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Head:
    """What the response headers need: the format chosen and whether rows were cut at the cap."""

    format_name: str
    kind: str
    truncated: bool = False


class Sink(Protocol):
    """Receives the head once, then the body bytes."""

    def head(self, head: Head) -> None: ...

    def write(self, data: bytes) -> int: ...


Query = Callable[..., QueryResult]


def execute(query: Query, job: Job, sink: Sink) -> None:
    """Evaluate ``job`` with ``query``; HcnError before ``sink.head`` means no bytes were written."""
    extra = {"substitutions": job.substitutions} if job.substitutions else {}
    result = query(job.sparql, default_graphs=job.default_graphs, named_graphs=job.named_graphs, **extra)
    kind = formats.kind_of(result)
    choice = job.choices.get(kind)
    if not isinstance(choice, str):
        raise choice or BackendError(f"no format negotiated for {kind}")
    if not (isinstance(result, QuerySolutions) and choice in WRITERS):  # writers also know "records"
        fmt = formats.by_name(kind, choice)
    elif job.max_rows <= 0 and choice != "records":  # no cap to count rows for: pyoxigraph writes them
        fmt = formats.by_name(kind, choice)
        try:
            sink.head(Head(choice, kind))
            result.serialize(output=sink, format=fmt.oxi)  # type: ignore[arg-type]
        except OSError as exc:
            raise BackendError(f"query failed: {exc}") from None
        return
    try:
        if isinstance(result, QueryBoolean):
            sink.head(Head(choice, kind))
            sink.write(result.serialize(format=fmt.oxi) or b"")  # type: ignore[arg-type]
            return
        rows, truncated = _capped(result, job.max_rows)
        sink.head(Head(choice, kind, truncated))
        if isinstance(result, QuerySolutions):
            variables = [v.value for v in result.variables]
            for piece in WRITERS[choice](variables, rows):
                sink.write(piece.encode("utf-8"))
        else:
            serialize_rdf(rows, output=sink, format=fmt.oxi)  # type: ignore[arg-type]
    except OSError as exc:  # pyoxigraph evaluates lazily: evaluation errors surface while iterating
        raise BackendError(f"query failed: {exc}") from None


def _capped(result: Iterable[Any], max_rows: int) -> tuple[Iterable[Any], bool]:
    """At most ``max_rows`` items (all, lazily, when 0) and whether more existed.

    Knowing about truncation before the first byte means holding up to ``max_rows`` items.
    """
    if max_rows <= 0:
        return result, False
    items = list(islice(result, max_rows + 1))
    return items[:max_rows], len(items) > max_rows


class ListSink:
    """In-process sink: collects the head and chunks (used when the pool is disabled)."""

    def __init__(self) -> None:
        self.meta: Head | None = None
        self.chunks: list[bytes] = []

    def head(self, head: Head) -> None:
        self.meta = head

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """pyoxigraph flushes its output when serializing graphs; nothing is buffered here."""

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)
