"""Timelines: the periods and dated events around a resource, laid out for a server-drawn SVG.

A thing has a time when it is an OWL-Time interval itself (a phase), has one (``org:memberDuring``,
``dcterms:temporal``: memberships, a vision, identifiers) or a date (``dcterms:date``: a merger).
A page's timeline holds the things that point to its subject through one of ``LINKS`` (a network's
phases, vision and memberships; an organisation's memberships and mergers) and have a time; a
listing's holds its members that have one. Only years are drawn; a period without an end is drawn fading out
("no end given"), one without a start fading in, and a membership without any date is listed below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..display import Term, safe_iri
from ..store import Store
from .pages import Context

TIME = "http://www.w3.org/2006/time#"
ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"
#: The relations whose subjects make up a page's timeline: ``?x LINK <page subject>``.
#: Local names in the dataset's own ontology namespace (``hc:``, under the configured base), then W3C ORG ones.
HC_LINKS = ("phaseOf", "visionOf")
LINKS = (ORG + "member", ORG + "organization", ORG + "originalOrganization", ORG + "resultingOrganization")
#: At most this many rows (a network with thousands of members gets its first rows, earliest first).
MAX_ROWS = 40

_WHEN = f"""
  OPTIONAL {{ ?x (<{TIME}hasBeginning>|((<{ORG}memberDuring>|<{DCT}temporal>)/<{TIME}hasBeginning>))/(<{TIME}inXSDgYear>|<{TIME}inXSDDate>) ?b }}
  OPTIONAL {{ ?x (<{TIME}hasEnd>|((<{ORG}memberDuring>|<{DCT}temporal>)/<{TIME}hasEnd>))/(<{TIME}inXSDgYear>|<{TIME}inXSDDate>) ?e }}
  OPTIONAL {{ ?x <{DCT}date> ?d }}
  FILTER(BOUND(?b) || BOUND(?e) || BOUND(?d) || EXISTS {{ ?x a <{ORG}Membership> }})
"""
_AROUND = """SELECT DISTINCT ?x ?b ?e ?d WHERE {{
  ?x ?p <{s}> FILTER(isIRI(?x) && ?p IN ({links}))
  {when}
}} LIMIT {limit}"""
_MEMBERS = """SELECT DISTINCT ?x ?b ?e ?d WHERE {{ VALUES ?x {{ {values} }} {when} }}"""


@dataclass
class Span:
    """One row: a thing with its first and last year (equal for an event), either possibly unknown."""

    term: Term
    start: int | None
    end: int | None
    event: bool = False


@dataclass
class Bar:
    """A row as drawn: where its bar starts and how wide it is (percent of the axis), its dates in words."""

    term: Term
    x: float
    width: float
    when: str
    shape: str
    """``closed``, ``open-end`` (fading out), ``open-start`` (fading in) or ``event`` (a point)."""


@dataclass
class Timeline:
    """A drawn timeline: bars, year ticks (label, percent), the years it covers, and the things with no date."""

    bars: list[Bar]
    ticks: list[tuple[int, float]]
    first: int
    last: int
    undated: list[Term]


def _year(value: str | None) -> int | None:
    """The year of an ``xsd:gYear`` or ``xsd:date`` lexical form."""
    if not value:
        return None
    digits = value.lstrip("-")[:4]
    return int(digits) if digits.isdigit() else None


def _spans(rows: Iterable[dict[str, object]], ctx: Context) -> list[Span]:
    out: dict[str, Span] = {}
    for row in rows:
        iri = row["x"].value  # type: ignore[attr-defined]
        get = lambda k: _year(row[k].value) if row.get(k) is not None else None  # type: ignore[attr-defined]  # noqa: E731
        date = get("d")
        span = Span(ctx.iri(iri), date if date is not None else get("b"), date if date is not None else get("e"), date is not None)
        old = out.get(iri)
        if old is None or (old.start is None and span.start is not None):
            out[iri] = span
    return sorted(out.values(), key=lambda s: (s.start if s.start is not None else s.end or 10**6, s.term.text))


def _rows(store: Store, query: str) -> list[dict[str, object]]:
    return [{k: row[k] for k in ("x", "b", "e", "d")} for row in store.query(query)]  # type: ignore[union-attr,index]


def around(store: Store, subject: str, ctx: Context, hc: str) -> Timeline | None:
    """The timeline of the dated things that point to ``subject`` (None when none has a time); ``hc`` is
    the ontology namespace."""
    if not safe_iri(subject) or not safe_iri(hc):
        return None
    links = ", ".join(f"<{link}>" for link in (*(hc + name for name in HC_LINKS), *LINKS))
    query = _AROUND.format(s=subject, links=links, when=_WHEN, limit=MAX_ROWS * 3)
    return layout(_spans(_rows(store, query), ctx)[:MAX_ROWS])


def of_members(store: Store, iris: list[str], ctx: Context) -> Timeline | None:
    """The timeline of a listing's members that have a time (None when none has one)."""
    values = " ".join(f"<{i}>" for i in iris if safe_iri(i))
    if not values:
        return None
    return layout(_spans(_rows(store, _MEMBERS.format(values=values, when=_WHEN)), ctx))


def _step(years: int) -> int:
    """A tick every 1, 2, 5, 10 ... years: at most about eight ticks."""
    for step in (1, 2, 5, 10, 20, 50, 100):
        if years / step <= 8:
            return step
    return 1000


def layout(spans: list[Span]) -> Timeline | None:
    """Place the spans on a common axis of whole years; a year covers [year, year + 1)."""
    dated = [s for s in spans if s.start is not None or s.end is not None]
    if not dated:
        return None
    years = [y for s in dated for y in (s.start, s.end) if y is not None]
    first, last = min(years), max(years) + 1
    open_ended = any(s.end is None or s.start is None for s in dated)
    if open_ended:  # room for the fade
        first, last = first - (1 if any(s.start is None for s in dated) else 0), last + 2
    if last - first < 4:  # a lone event or a short period: a few years either side
        first, last = first - 2, last + 2
    span_years = last - first

    def pct(year: float) -> float:
        return round(100 * (year - first) / span_years, 3)

    bars = []
    for s in dated:
        if s.event:
            bars.append(Bar(s.term, pct(s.start + 0.5), 0, str(s.start), "event"))  # type: ignore[operator]
        elif s.end is None:
            bars.append(Bar(s.term, pct(s.start), 100 - pct(s.start), f"from {s.start}, no end given", "open-end"))  # type: ignore[arg-type]
        elif s.start is None:
            bars.append(Bar(s.term, 0, pct(s.end + 1), f"until {s.end}, no start given", "open-start"))
        else:
            when = str(s.start) if s.start == s.end else f"{s.start}–{s.end}"
            bars.append(Bar(s.term, pct(s.start), pct(s.end + 1) - pct(s.start), when, "closed"))
    step = _step(span_years)
    ticks = [(year, pct(year)) for year in range(first, last + 1) if year % step == 0]
    undated = [s.term for s in spans if s.start is None and s.end is None]
    return Timeline(bars, ticks, first, last - 1, undated)
