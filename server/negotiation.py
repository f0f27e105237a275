"""Pure content negotiation for documents: suffix > ``format=`` > Accept (see CONNEG.md).

No Flask here: callers pass the raw header and parameters, and get an ``Offer`` back or an error.

>>> choose(DOCUMENT_OFFERS, None).name
'ttl'
>>> choose(DOCUMENT_OFFERS, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").name
'html'
>>> choose(DOCUMENT_OFFERS, "text/html;q=0.5, text/turtle").name
'ttl'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .errors import BadRequest, HcnError, NotAcceptable, NotFound


@dataclass(frozen=True)
class Offer:
    """One representation a document can have; ``names[0]`` is its suffix and ``format=`` value."""

    media_type: str
    names: tuple[str, ...]
    label: str
    aliases: tuple[str, ...] = ()
    textual: bool = True

    @property
    def name(self) -> str:
        """Canonical suffix / ``format=`` value, e.g. ``ttl``."""
        return self.names[0]

    @property
    def content_type(self) -> str:
        """Content-Type header value, with charset for textual types."""
        return f"{self.media_type}; charset=utf-8" if self.textual else self.media_type


TURTLE = Offer("text/turtle", ("ttl", "turtle", "n3"), "Turtle", ("text/n3", "application/turtle", "application/x-turtle"))
NTRIPLES = Offer("application/n-triples", ("nt", "ntriples"), "N-Triples", ("text/plain",))
JSONLD = Offer("application/ld+json", ("jsonld", "json-ld", "json"), "JSON-LD", ("application/json",))
RDFXML = Offer("application/rdf+xml", ("rdf", "rdf+xml", "xml"), "RDF/XML", ("application/xml", "text/xml"))
HTML = Offer("text/html", ("html", "htm"), "HTML", ("application/xhtml+xml",))

#: Server preference order: Turtle first (``curl`` with no Accept gets Turtle), HTML last; a browser
#: gets HTML because it names ``text/html`` explicitly with the highest q.
RDF_OFFERS: tuple[Offer, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)
DOCUMENT_OFFERS: tuple[Offer, ...] = (*RDF_OFFERS, HTML)


def parse_accept(header: str | None) -> MIMEAccept:
    """Parse an Accept header with werkzeug; malformed items are dropped, never raised."""
    return parse_accept_header(header or "", MIMEAccept)


def _specificity(pattern: str, media_type: str) -> int:
    """3 exact, 2 ``type/*``, 1 ``*/*``, 0 no match (parameters are already stripped)."""
    ptype, _, psub = pattern.partition("/")
    mtype, _, msub = media_type.partition("/")
    if pattern == media_type:
        return 3
    if ptype == mtype and psub == "*":
        return 2
    if ptype == "*" and psub in ("*", ""):
        return 1
    return 0


def quality(accept: MIMEAccept, offer: Offer) -> float:
    """q of ``offer``: the most specific Accept range matching its type (aliases count as exact).

    >>> quality(parse_accept("text/*;q=0.3, text/turtle;q=0"), TURTLE)
    0.0
    """
    best_spec, best_q = 0, 0.0
    for raw, q in accept:
        pattern = raw.split(";", 1)[0].strip().lower()
        for i, media_type in enumerate((offer.media_type, *offer.aliases)):
            spec = _specificity(pattern, media_type)
            # the canonical type outranks an alias at the same specificity
            rank = spec * 2 + (1 if i == 0 else 0) if spec == 3 else spec * 2
            if rank > best_spec:
                best_spec, best_q = rank, float(q)
    return best_q


def choose(
    offers: tuple[Offer, ...],
    accept: str | None,
    format_name: str | None = None,
    suffix: str | None = None,
) -> Offer:
    """Pick the representation: suffix (404 if unknown) > ``format=`` (400 if unknown) > Accept (406)."""
    outcome = _remembered_choice(offers, accept, format_name, suffix)
    if isinstance(outcome, Offer):
        return outcome
    raise outcome[0](outcome[1])


@functools.lru_cache(maxsize=512)
def _remembered_choice(offers: tuple[Offer, ...], accept: str | None, format_name: str | None,
                       suffix: str | None) -> Offer | tuple[type[HcnError], str]:
    """``choose``, memoized: clients repeat their Accept headers, and parsing and scoring one cost a
    document more than its triple lookups. An error is kept as (class, message), raised fresh each time."""
    try:
        return _choose(offers, accept, format_name, suffix)
    except (BadRequest, NotFound, NotAcceptable) as error:
        return type(error), str(error)


def _choose(offers: tuple[Offer, ...], accept: str | None, format_name: str | None, suffix: str | None) -> Offer:
    if suffix is not None:
        return by_name(offers, suffix, NotFound)
    if format_name:
        return by_name(offers, format_name, BadRequest)
    parsed = parse_accept(accept)
    if not any("/" in value for value, _ in parsed):  # missing, empty or no media range at all
        return offers[0]
    scored = [(quality(parsed, offer), -i, offer) for i, offer in enumerate(offers)]
    q, _, offer = max(scored, key=lambda row: row[:2])
    if q <= 0:
        raise NotAcceptable(offered_message(offers))
    return offer


def by_name(offers: tuple[Offer, ...], name: str, error: type[BadRequest] | type[NotFound]) -> Offer:
    """The offer called ``name`` (case-insensitive); ``error`` naming the known names otherwise."""
    for offer in offers:
        if name.lower() in offer.names:
            return offer
    raise error(f"unknown format {name!r}; use one of: " + ", ".join(o.name for o in offers))


def split_suffix(path: str, offers: tuple[Offer, ...]) -> tuple[str, str | None]:
    """Split ``x.ttl`` into ``("x", "ttl")`` when the suffix names an offer; else ``(path, None)``.

    >>> split_suffix("organisation/oslo.ttl", DOCUMENT_OFFERS)
    ('organisation/oslo', 'ttl')
    >>> split_suffix("interval/2014-2018", DOCUMENT_OFFERS)
    ('interval/2014-2018', None)
    """
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and any(ext.lower() in o.names for o in offers):
        return stem, ext.lower()
    return path, None


def offered_message(offers: tuple[Offer, ...]) -> str:
    """Body of a 406: the offered media types."""
    return "not acceptable; offered types: " + ", ".join(o.media_type for o in offers)


def prefers_html(accept: str | None) -> bool:
    """True when the client ranks ``text/html`` above ``text/plain`` (error pages)."""
    parsed = parse_accept(accept)
    html = quality(parsed, HTML)
    return html > 0 and html > quality(parsed, Offer("text/plain", ("txt",), "text"))
