"""View models for HTML pages: plain dataclasses built from triples and labels; no store, no Flask."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ..display import LABEL_PROPERTIES, Labels, Row, Term, compact, iri_term, literal_term, pick

LANGUAGES = ("en", "nb")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DESCRIPTIONS = (
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/2000/01/rdf-schema#comment",
)
SOURCES = ("http://purl.org/dc/terms/source", "http://www.w3.org/ns/prov#wasDerivedFrom")

#: Interface text per language.
UI: dict[str, dict[str, str]] = {
    "en": {
        "properties": "Properties", "incoming": "Referenced by", "sources": "Sources", "formats": "Other formats",
        "types": "Type", "next": "Next page", "prev": "Previous page", "language": "Norsk", "members": "Resources",
        "classes": "Classes", "propertiesof": "Properties", "domain": "Domain", "range": "Range",
        "instances": "instances", "uses": "uses", "definition": "Definition", "home": "Home",
        "counts": "Resources per class", "notfound": "Not found", "shapes": "Shapes",
        "subclass": "Subclass of", "term": "Term", "timeline": "Timeline",
    },
    "nb": {
        "properties": "Egenskaper", "incoming": "Referert fra", "sources": "Kilder", "formats": "Andre formater",
        "types": "Type", "next": "Neste side", "prev": "Forrige side", "language": "English", "members": "Ressurser",
        "classes": "Klasser", "propertiesof": "Egenskaper", "domain": "Domene", "range": "Verdiområde",
        "instances": "forekomster", "uses": "bruk", "definition": "Definisjon", "home": "Hjem",
        "counts": "Ressurser per klasse", "notfound": "Fant ikke", "shapes": "Former",
        "subclass": "Underklasse av", "term": "Term", "timeline": "Tidslinje",
    },
}

@dataclass
class ResourceView:
    """Everything a resource page shows."""

    iri: str
    title: str
    description: str | None
    types: list[Term]
    rows: list[Row]
    incoming: list[tuple[Term, Term]]
    sources: list[Term]


@dataclass
class Context:
    """What turning terms into display values needs: labels, prefixes, a linker and the language."""

    labels: Labels
    prefixes: dict[str, str]
    link: Callable[[str], str]
    lang: str
    order: dict[str, int] = field(default_factory=dict)
    """IRI -> its position in the source's list (hc:order), so that lists show in the source's order."""

    def position(self, node: object) -> float:
        """The source position of an IRI, or infinity (after every listed one) for anything else."""
        return self.order.get(node.value, math.inf) if isinstance(node, NamedNode) else math.inf

    def iri(self, iri: str) -> Term:
        """An IRI shown by its label (or compact name), linked to its local page or itself."""
        return iri_term(iri, self.labels.get(iri, {}), self.prefixes, self.link, self.lang)

    def predicate(self, iri: str) -> Term:
        """A property shown by its label, titled with its compact name, linked to its definition."""
        return self.iri(iri)

    def literal(self, lit: Literal) -> Term:
        """A literal with its language tag or (non-string) datatype."""
        return literal_term(lit.value, lit.language, lit.datatype.value, self.prefixes)


def _by_subject(triples: Iterable[Triple]) -> dict[object, list[Triple]]:
    out: dict[object, list[Triple]] = defaultdict(list)
    for t in triples:
        out[t.subject].append(t)
    return out


def rows_for(node: object, index: dict[object, list[Triple]], ctx: Context, depth: int = 0) -> list[Row]:
    """Property rows of ``node``, blank-node objects nested (bounded depth), in a stable order."""
    grouped: dict[str, list[Term]] = defaultdict(list)

    def key(t: Triple) -> tuple[bool, str, float, str]:
        """rdf:type first, then by property; a property's values in the source's order where known."""
        return (t.predicate.value != RDF_TYPE, t.predicate.value, ctx.position(t.object), str(t.object))

    for t in sorted(index.get(node, []), key=key):
        obj = t.object
        if isinstance(obj, NamedNode):
            term = ctx.iri(obj.value)
        elif isinstance(obj, BlankNode):
            term = Term("", nested=rows_for(obj, index, ctx, depth + 1) if depth < 4 else [])
        else:
            term = ctx.literal(obj)  # type: ignore[arg-type]
        grouped[t.predicate.value].append(term)
    return [Row(ctx.predicate(p), values) for p, values in grouped.items()]


def subject_rows(subject: object, triples: list[Triple], ctx: Context) -> list[Row]:
    """Property rows of one subject of a larger graph."""
    return rows_for(subject, _by_subject(triples), ctx)


def resource_view(iri: str, triples: list[Triple], ctx: Context) -> ResourceView:
    """The view of a resource page from its document triples."""
    index = _by_subject(triples)
    subject = NamedNode(iri)
    own = index.get(subject, [])
    local_labels = _texts(own, LABEL_PROPERTIES)
    labels = {**ctx.labels, iri: {**ctx.labels.get(iri, {}), **local_labels}}
    ctx = Context(labels, ctx.prefixes, ctx.link, ctx.lang, ctx.order)
    incoming = [
        (ctx.iri(t.subject.value) if isinstance(t.subject, NamedNode) else Term("(blank node)"), ctx.predicate(t.predicate.value))
        for t in sorted((t for t in triples if t.object == subject), key=lambda t: ctx.position(t.subject))
    ]
    return ResourceView(
        iri=iri,
        title=pick(local_labels, ctx.lang) or compact(iri, ctx.prefixes),
        description=pick(_texts(own, DESCRIPTIONS), ctx.lang),
        types=[ctx.iri(t.object.value) for t in own if t.predicate.value == RDF_TYPE and isinstance(t.object, NamedNode)],
        rows=rows_for(subject, index, ctx),
        incoming=incoming,
        sources=[ctx.iri(t.object.value) for t in own if t.predicate.value in SOURCES and isinstance(t.object, NamedNode)],
    )


def classifications(iris: list[str], triples: list[Triple], ctx: Context) -> dict[str, list[Row]]:
    """Per member of a listing, its classifying values (property rows), in the source's order."""
    return {iri: rows for iri in iris if (rows := subject_rows(NamedNode(iri), triples, ctx))}


def _texts(triples: Iterable[Triple], predicates: tuple[str, ...]) -> dict[str, str]:
    """Literal values of ``predicates`` keyed by language tag (first wins per tag)."""
    out: dict[str, str] = {}
    for t in triples:
        if t.predicate.value in predicates and isinstance(t.object, Literal):
            out.setdefault(t.object.language or "", t.object.value)
    return out


def labels_from(rows: Iterable[tuple[str, str, str]]) -> Labels:
    """Build the label table from (iri, label, language) rows; skos:prefLabel and rdfs:label alike."""
    out: Labels = defaultdict(dict)
    for iri, label, lang in rows:
        out[iri].setdefault(lang, label)
    return dict(out)


def choose_language(explicit: str | None, best_match: str | None) -> str:
    """``?lang=`` if valid, else the Accept-Language match (``no``/``nn`` count as ``nb``), else English."""
    if explicit in LANGUAGES:
        return explicit  # type: ignore[return-value]
    if best_match in ("nb", "no", "nn"):
        return "nb"
    return "en"
