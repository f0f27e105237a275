"""View model of the ontology reference page: classes and properties with definitions and usage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Triple

from ..display import Term, pick
from ..store import Store
from .pages import DESCRIPTIONS, RDF_TYPE, Context

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
CLASS_TYPES = (OWL + "Class", RDFS + "Class")
PROPERTY_TYPES = (OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property")

_USAGE = """SELECT ?t (COUNT(*) AS ?n) WHERE {
  { ?s a ?t } UNION { ?s ?t ?o }
} GROUP BY ?t"""


@dataclass
class TermView:
    """One class or property of the ontology."""

    anchor: str
    iri: str
    label: str
    definitions: dict[str, str]
    kind: str
    usage: int
    parents: list[Term] = field(default_factory=list)
    domains: list[Term] = field(default_factory=list)
    ranges: list[Term] = field(default_factory=list)


@dataclass
class OntologyView:
    """The ontology header and its terms."""

    iri: str
    title: str
    description: str | None
    classes: list[TermView]
    properties: list[TermView]
    others: list[TermView]


def usage(store: Store) -> dict[str, int]:
    """Instances per class plus uses per property, over the default graph (ontology + data)."""
    return {row["t"].value: int(row["n"].value) for row in store.query(_USAGE)}  # type: ignore[union-attr,index]


def build(iri: str, triples: list[Triple], counts: dict[str, int], ctx: Context) -> OntologyView:
    """Group the ontology's triples into the view (terms sorted by label)."""
    by_subject: dict[str, list[Triple]] = defaultdict(list)
    for t in triples:
        if isinstance(t.subject, NamedNode):
            by_subject[t.subject.value].append(t)
    terms = [_term(s, ts, counts, ctx) for s, ts in by_subject.items() if s.startswith(iri + "#")]
    terms.sort(key=lambda v: v.label.lower())
    header = by_subject.get(iri, [])
    titles = {t.object.language or "": t.object.value for t in header
              if t.predicate.value == "http://purl.org/dc/terms/title" and isinstance(t.object, Literal)}
    descriptions = {t.object.language or "": t.object.value for t in header
                    if t.predicate.value in DESCRIPTIONS and isinstance(t.object, Literal)}
    return OntologyView(
        iri=iri,
        title=pick(titles, ctx.lang) or iri,
        description=pick(descriptions, ctx.lang),
        classes=[v for v in terms if v.kind == "class"],
        properties=[v for v in terms if v.kind == "property"],
        others=[v for v in terms if v.kind == "other"],
    )


def _term(iri: str, triples: list[Triple], counts: dict[str, int], ctx: Context) -> TermView:
    types = {t.object.value for t in triples if t.predicate.value == RDF_TYPE}
    kind = "class" if types & set(CLASS_TYPES) else "property" if types & set(PROPERTY_TYPES) else "other"

    def objects(predicate: str) -> list[Term]:
        return [ctx.iri(t.object.value) for t in triples if t.predicate.value == predicate and isinstance(t.object, NamedNode)]

    definitions = {t.object.language or "": t.object.value for t in triples
                   if t.predicate.value in DESCRIPTIONS and isinstance(t.object, Literal)}
    return TermView(
        anchor=iri.rsplit("#", 1)[1],
        iri=iri,
        label=ctx.iri(iri).text,
        definitions=definitions,
        kind=kind,
        usage=counts.get(iri, 0),
        parents=objects(RDFS + "subClassOf") + objects(RDFS + "subPropertyOf"),
        domains=objects(RDFS + "domain"),
        ranges=objects(RDFS + "range"),
    )
