"""One table: media type <-> pyoxigraph format <-> ``format=`` names, per kind of result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat
from werkzeug.datastructures import MIMEAccept

from .errors import BackendError, BadRequest, NotAcceptable

Kind = Literal["results", "graph"]
#: What a query answers, whatever the backend: pyoxigraph's own result types.
QueryResult: TypeAlias = QuerySolutions | QueryBoolean | QueryTriples


@dataclass(frozen=True)
class Format:
    """A serialization we offer; ``names[0]`` is the canonical ``format=`` value."""

    kind: Kind
    media_type: str
    oxi: QueryResultsFormat | RdfFormat
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """Response Content-Type; every format offered here is UTF-8 text."""
        return f"{self.media_type}; charset=utf-8"


#: Server preference order within each kind: the first row of a kind is its default.
FORMATS: tuple[Format, ...] = (
    Format("results", "application/sparql-results+json", QueryResultsFormat.JSON, ("json",), ("application/json",)),
    Format("results", "application/sparql-results+xml", QueryResultsFormat.XML, ("xml",), ("application/xml", "text/xml")),
    Format("results", "text/csv", QueryResultsFormat.CSV, ("csv",)),
    Format("results", "text/tab-separated-values", QueryResultsFormat.TSV, ("tsv",)),
    Format("graph", "text/turtle", RdfFormat.TURTLE, ("ttl", "turtle", "n3"), ("text/n3",)),
    Format("graph", "application/n-triples", RdfFormat.N_TRIPLES, ("nt", "ntriples"), ("text/plain",)),
    Format("graph", "application/ld+json", RdfFormat.JSON_LD, ("jsonld", "json-ld", "json"), ("application/json",)),
    Format("graph", "application/rdf+xml", RdfFormat.RDF_XML, ("rdf", "rdf+xml", "xml"), ("application/xml", "text/xml")),
)


def kind_of(result: QueryResult) -> Kind:
    """``graph`` for CONSTRUCT/DESCRIBE results, ``results`` for SELECT/ASK."""
    return "graph" if isinstance(result, QueryTriples) else "results"


def offers(kind: Kind) -> list[Format]:
    """Formats of ``kind`` in server preference order."""
    return [f for f in FORMATS if f.kind == kind]


def by_name(kind: Kind, name: str) -> Format:
    """The format a ``format=`` value names for this kind; ``BadRequest`` naming the known values.

    >>> by_name("graph", "json").media_type
    'application/ld+json'
    """
    for fmt in offers(kind):
        if name.lower() in fmt.names:
            return fmt
    known = ", ".join(n for f in offers(kind) for n in f.names)
    raise BadRequest(f"unknown format {name!r} for {kind}; use one of: {known}")


def by_media_type(kind: Kind, chosen: str) -> Format:
    """The format whose media type or alias is ``chosen`` (a value from ``media_types``)."""
    return next(f for f in offers(kind) if chosen in (f.media_type, *f.aliases))


def media_types(kind: Kind) -> list[str]:
    """Media types to match Accept against: canonical types first, so ties go to them."""
    rows = offers(kind)
    return [f.media_type for f in rows] + [a for f in rows for a in f.aliases]


def plain_accept(accept: MIMEAccept) -> MIMEAccept:
    """Accept without media-type parameters, and without items that are not media ranges.

    werkzeug only matches ``text/turtle; charset=utf-8`` against an offer with the same parameters,
    so such a header got 406 although we send exactly that (RFC 9110 12.5.1); unparsable items
    (``Accept: garbage``) are ignored, as if absent.

    >>> list(plain_accept(MIMEAccept([("text/csv; header=present", 0.5), ("garbage", 1)])))
    [('text/csv', 0.5)]
    """
    return MIMEAccept([(value.split(";", 1)[0].strip(), q) for value, q in accept if "/" in value])


def choose(kind: Kind, accept: MIMEAccept, name: str | None = None) -> Format:
    """Pick a format: ``format=`` name > Accept > first offer; 406 when nothing is acceptable."""
    if name:
        return by_name(kind, name)
    accept = plain_accept(accept)
    if not accept:
        return offers(kind)[0]
    rows = offers(kind)
    q, _, _, fmt = max((*preference(accept, fmt), -i, fmt) for i, fmt in enumerate(rows))
    if q <= 0:
        raise NotAcceptable("not acceptable; offered types: " + ", ".join(f.media_type for f in rows))
    return fmt


def preference(accept: MIMEAccept, fmt: Format) -> tuple[float, int]:
    """(q, rank) of ``fmt``: q comes from the most specific matching range (RFC 9110 12.5.1), so
    ``text/*;q=0.5, text/turtle;q=0`` refuses Turtle, which werkzeug's ``best_match`` does not;
    rank (exact 7, alias 6, ``type/*`` 4, ``*/*`` 2) breaks ties in q before server order.

    >>> preference(MIMEAccept([("text/*", 0.5), ("text/turtle", 0)]), FORMATS[4])
    (0.0, 7)
    """
    best_rank, best_q = 0, 0.0
    for value, q in accept:
        ptype, _, psub = value.lower().partition("/")
        for i, media_type in enumerate((fmt.media_type, *fmt.aliases)):
            mtype, _, msub = media_type.partition("/")
            if (ptype, psub) == (mtype, msub):
                rank = 7 if i == 0 else 6
            elif i > 0:  # an alias counts only when named: text/* means text/csv, not text/xml
                continue
            elif ptype == mtype and psub == "*":
                rank = 4
            elif ptype == "*" and psub == "*":
                rank = 2
            else:
                continue
            if rank > best_rank:
                best_rank, best_q = rank, float(q)
    return best_q, best_rank


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """Serialize a result with pyoxigraph; evaluation is lazy, so store errors surface here."""
    try:
        data = result.serialize(format=fmt.oxi)  # type: ignore[arg-type]
    except OSError as exc:
        raise BackendError(f"query failed: {exc}") from None
    return data or b""
