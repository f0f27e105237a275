"""View model of the dataset description's HTML page: each described thing with its properties, and the
class and property partitions as tables (largest first)."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ..display import Row, Term, pick
from ..linkeddata.pages import Context, subject_rows
from .description import DCT, VOID

#: Partition link -> (what the partition is about, its count), e.g. class and entities.
PARTITIONS = {
    VOID + "classPartition": (VOID + "class", VOID + "entities"),
    VOID + "propertyPartition": (VOID + "property", VOID + "triples"),
}


@dataclass
class Partition:
    """One partition table: its heading, column names and rows of (term, count)."""

    link: Term
    columns: list[str]
    rows: list[list[Term | None]]


@dataclass
class VoidView:
    """Title and description of the dataset, each described thing's rows, and the partition tables."""

    title: str
    description: str | None
    sections: list[tuple[Term, list[Row]]]
    partitions: list[Partition]


def build(dataset: str, triples: list[Triple], ctx: Context) -> VoidView:
    """The page's view of the VoID + DCAT triples about ``dataset``."""
    kept = [t for t in triples if t.predicate.value not in PARTITIONS]
    subjects = dict.fromkeys(t.subject for t in kept if isinstance(t.subject, NamedNode))
    sections = [(ctx.iri(s.value), subject_rows(s, kept, ctx)) for s in subjects]
    own = [t for t in triples if t.subject == NamedNode(dataset) and isinstance(t.object, Literal)]
    texts = {p: {t.object.language or "": t.object.value for t in own if t.predicate.value == p} for p in (DCT + "title", DCT + "description")}
    return VoidView(
        title=pick(texts[DCT + "title"], ctx.lang) or dataset,
        description=pick(texts[DCT + "description"], ctx.lang),
        sections=sections,
        partitions=[_partition(link, about, measure, triples, ctx) for link, (about, measure) in PARTITIONS.items()],
    )


def _partition(link: str, about: str, measure: str, triples: list[Triple], ctx: Context) -> Partition:
    """The rows of one kind of partition, largest count first."""
    parts = {t.object for t in triples if t.predicate.value == link and isinstance(t.object, BlankNode | NamedNode)}
    values: dict[object, dict[str, object]] = {p: {} for p in parts}
    for t in triples:
        if t.subject in values:
            values[t.subject][t.predicate.value] = t.object
    rows = []
    for fields in values.values():
        term, count = fields.get(about), fields.get(measure)
        if isinstance(term, NamedNode) and isinstance(count, Literal):
            rows.append((int(count.value), ctx.iri(term.value), ctx.literal(count)))
    rows.sort(key=lambda r: (-r[0], r[1].text.casefold()))
    return Partition(ctx.predicate(link), [ctx.predicate(about).text, ctx.predicate(measure).text], [[t, c] for _, t, c in rows])
