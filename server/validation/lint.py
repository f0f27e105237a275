"""Checks beyond SHACL: undefined ontology terms, missing language tags, subjects spread over files."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Store
from rdflib import OWL, RDF, RDFS, SH, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .findings import Context, node_forms
from .report import Finding

VANN_NAMESPACE = URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")


def undefined_terms(ontology: Graph, store: Store, ctx: Context) -> list[Finding]:
    """Terms in the ontology's own namespace that are used but never defined (with a suggestion).

    Each is reported at its first use: the earliest line, in file order, of a triple using it.
    """
    namespaces = sorted({str(ns) for ns in ontology.objects(None, VANN_NAMESPACE)})
    if not namespaces:
        return []
    defined = {str(s) for s in ontology.subjects() if isinstance(s, URIRef)}
    defined.update(str(o) for o in ontology.subjects(RDF.type, OWL.Ontology))
    findings = []
    for iri in sorted(_used_iris(store, namespaces) - defined - set(namespaces)):
        namespace = next(ns for ns in namespaces if iri.startswith(ns))
        candidates = sorted(d[len(namespace):] for d in defined if d.startswith(namespace))
        guess = difflib.get_close_matches(iri[len(namespace):], candidates, n=1, cutoff=0.6)
        name = ctx.namer.iri(iri)
        message = f"{name} is not defined in the ontology"
        if guess:
            message += f"; did you mean {ctx.namer.iri(namespace + guess[0])}?"
        file, line, subject = _first_use(store, iri, ctx)
        focus = ctx.namer.term(URIRef(subject) if not subject.startswith("_:") else BNode(subject[2:]), ctx.data)
        findings.append(Finding("warning", "undefined-term", message, file=file, line=line,
                                focus=focus, value=name))
    return findings


def _used_iris(store: Store, namespaces: list[str]) -> set[str]:
    """IRIs in any position of any triple that start with one of ``namespaces``."""
    test = " || ".join(f"STRSTARTS(STR(?t), {_string(ns)})" for ns in namespaces)
    query = ("SELECT DISTINCT ?t WHERE { { ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } "
             f"FILTER(isIRI(?t) && ({test})) }}")
    return {row[0].value for row in store.query(query)}


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _first_use(store: Store, iri: str, ctx: Context) -> tuple[str, int, str]:
    """File, line and subject key of the earliest written triple that uses ``iri``."""
    term = NamedNode(iri)
    order = {index.display: number for number, index in enumerate(ctx.positions.indexes)}
    best: tuple[int, int, str, str] | None = None
    for position, pattern in (("s", (term, None, None)), ("p", (None, term, None)), ("o", (None, None, term))):
        for quad in store.quads_for_pattern(*pattern, DefaultGraph()):
            subject = _key(quad.subject)
            if position == "s":
                file, line = ctx.positions.locate(subject)
            else:
                forms = node_forms(URIRef(iri)) if position == "o" else []
                file, line = ctx.positions.locate(subject, quad.predicate.value, forms)
            place = (order.get(file, len(order)), line, subject, file)
            if best is None or place < best:
                best = place
    return ("", 0, "") if best is None else (best[3], best[1], best[2])


def missing_languages(ctx: Context) -> list[Finding]:
    """Literals without a language tag, and missing languages, where the shapes expect tagged text."""
    findings = []
    for node_shape, prop in sorted(ctx.shapes.subject_objects(SH.property)):
        path = ctx.shapes.value(prop, SH.path)
        if not isinstance(path, URIRef):
            continue
        languages = _languages(ctx.shapes, prop)
        expects_tags = languages is not None or _true(ctx.shapes.value(prop, SH.uniqueLang)) \
            or ctx.shapes.value(prop, SH.datatype) == RDF.langString
        if not expects_tags:
            continue
        for focus in sorted(_instances(ctx.data, ctx.shapes.objects(node_shape, SH.targetClass))):
            findings.extend(_check_focus(ctx, focus, path, languages, ctx.namer.term(node_shape)))
    return findings


def _check_focus(ctx: Context, focus: Node, path: URIRef, languages: list[str] | None, shape: str) -> list[Finding]:
    values = [v for v in ctx.data.objects(focus, path) if isinstance(v, Literal)]
    found, out = set(), []
    name, subject = ctx.namer.iri(str(path)), ctx.namer.term(focus, ctx.data)
    for value in sorted(values):
        if value.language:
            found.add(value.language)
        elif value.datatype in (None, XSD.string):
            file, line = ctx.positions.locate(str(focus), str(path), node_forms(value))
            expected = f" ({', '.join(languages)})" if languages else ""
            out.append(Finding("warning", "missing-language-tag",
                               f"{name} {ctx.namer.term(value)} has no language tag; the shapes expect one{expected}",
                               file=file, line=line, focus=subject, path=name, value=ctx.namer.term(value), shape=shape))
    missing = [lang for lang in languages or [] if lang not in found]
    if found and missing:
        file, line = ctx.positions.locate(str(focus), str(path), [])
        out.append(Finding("info", "missing-language",
                           f"has {name} in {', '.join(sorted(found))} but not in {', '.join(missing)}",
                           file=file, line=line, focus=subject, path=name, shape=shape))
    return out


def _languages(shapes: Graph, prop: Node) -> list[str] | None:
    node = shapes.value(prop, SH.languageIn)
    return [str(x) for x in Collection(shapes, node)] if node is not None else None


def _true(node: Node | None) -> bool:
    return isinstance(node, Literal) and node.toPython() is True


def _instances(data: Graph, classes: Iterable[Node]) -> set[Node]:
    found: set[Node] = set()
    for cls in classes:
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):
            found.update(s for s in data.subjects(RDF.type, sub) if isinstance(s, URIRef))
    return found


def spread_subjects(ctx: Context) -> list[Finding]:
    """One info finding per named subject described in more than one file."""
    files: dict[str, list[tuple[str, int]]] = {}
    for index in ctx.positions.indexes:
        for key, blocks in index.blocks.items():
            if not key.startswith("_:"):
                files.setdefault(key, []).append((index.display, blocks[0].first))
    findings = []
    for key, places in sorted(files.items()):
        if len(places) > 1:
            others = ", ".join(f"{f}:{line}" for f, line in places[1:])
            findings.append(Finding("info", "subject-spread", f"described in {len(places)} files; also at {others}",
                                    file=places[0][0], line=places[0][1], focus=ctx.namer.iri(key)))
    return findings


def drop_duplicates_of(shacl: list[Finding], lint: list[Finding]) -> list[Finding]:
    """Lint findings that SHACL did not already report for the same focus, path and value."""
    reported = {(f.focus, f.path, f.value) for f in shacl}
    return [f for f in lint if (f.focus, f.path, f.value) not in reported]


def _key(term: NamedNode | BlankNode) -> str:
    return f"_:{term.value}" if isinstance(term, BlankNode) else term.value
