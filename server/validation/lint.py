"""Checks beyond SHACL: unknown vocabulary terms, missing language tags, subjects spread over files."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Store
from rdflib import RDF, RDFS, SH, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from . import vocabularies
from .findings import Context, node_forms
from .names import ancestry
from .positions import iri_forms
from .report import RANK, SEVERITIES, Finding

#: Values of ``Options.unknown_terms``: the severity of a term missing from a closed vocabulary, or off.
UNKNOWN_TERM_SEVERITIES = ("error", "violation", "warning", "info", "off")
#: Distinct IRIs of the store: as subject or object (classes included), as predicate, as literal datatype.
USED_QUERIES = {
    "so": "SELECT DISTINCT ?t WHERE { { ?t ?p ?o } UNION { ?s ?p ?t } FILTER(isIRI(?t)) }",
    "p": "SELECT DISTINCT ?t WHERE { ?s ?t ?o }",
    "d": "SELECT DISTINCT (DATATYPE(?o) AS ?t) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }",
}
DATATYPE_USES = "SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) = <{iri}>) }}"
MAX_ANCESTRIES = 1000  # blank-node subjects walked up to a named ancestor, per unknown term
MAX_BLOCKS_PER_FILE = 200  # subject blocks searched for the written term, per unknown term and file
Where = tuple[str, str]  # ("store" | "shapes", "so" | "p" | "d")


def undefined_terms(ontology: Graph, store: Store, ctx: Context, severity: str = "error") -> list[Finding]:
    """IRIs in a known vocabulary's namespace that are not among its terms, with "did you mean".

    Known vocabularies (:mod:`.vocabularies`) are the ontology's own namespaces (their terms are what
    the ontology describes; the built-in ontology's when the files validated do not declare one) and
    the vocabularies it reuses (ORG, DCTERMS, SKOS, OWL-Time, PROV, schema.org, ...). Every IRI in
    the data, the ontology and the shapes counts: subjects, predicates, classes and other objects,
    literal datatypes. A term missing from a closed vocabulary gets ``severity``; from an open one
    (schema.org: the shipped list may predate the term) at most ``warning``; ``off`` checks nothing.

    One finding per unknown term and file, at the first line in that file that uses it.
    """
    if severity not in UNKNOWN_TERM_SEVERITIES:
        raise ValueError(f"unknown_terms must be one of {', '.join(UNKNOWN_TERM_SEVERITIES)}, not {severity!r}")
    if severity == "off":
        return []
    known = vocabularies.for_ontology(ontology)
    findings = []
    for iri, wheres in sorted(_used_terms(store, ctx.shapes, known).items()):
        unknown = known.check(iri)
        if unknown is None:
            continue
        vocabulary, name = unknown.vocabulary, _name(iri, known, ctx)
        if vocabulary.own:
            rule, message = "undefined-term", f"{name} is not defined in the ontology"
        elif vocabulary.closed:
            rule, message = "unknown-term", f"{name} is not a term of {vocabulary.title}"
        else:
            rule, message = "unknown-term", f"{name} is not in the shipped term list of {vocabulary.title}"
        if unknown.suggestions:
            message += f"; did you mean {' or '.join(_name(s, known, ctx) for s in unknown.suggestions)}?"
        level = severity if vocabulary.closed else SEVERITIES[max(RANK[severity], RANK["warning"])]
        for file, line, focus in _places(iri, wheres, store, ctx):
            findings.append(Finding(level, rule, message, file=file, line=line, focus=focus, value=name))
    return findings


def _name(iri: str, known: vocabularies.Vocabularies, ctx: Context) -> str:
    """The prefixed name the sources use, else the vocabulary's usual one (``rdfs:label``)."""
    name = ctx.namer.iri(iri)
    return known.short(iri) if name.startswith("<") else name


def _used_terms(store: Store, shapes: Graph, known: vocabularies.Vocabularies) -> dict[str, set[Where]]:
    """IRIs in a known vocabulary's namespace, and where they occur: a few DISTINCT queries, not a Python pass."""
    used: dict[str, set[Where]] = {}
    for position, query in USED_QUERIES.items():
        for row in store.query(query):
            term = row[0]
            if term is not None and known.vocabulary_of(term.value) is not None:
                used.setdefault(term.value, set()).add(("store", position))
    for s, p, o in shapes:
        for term, position in ((s, "so"), (p, "p"), (o, "so"),
                               (o.datatype if isinstance(o, Literal) else None, "d")):
            if isinstance(term, URIRef) and known.vocabulary_of(str(term)) is not None:
                used.setdefault(str(term), set()).add(("shapes", position))
    return used


def _places(iri: str, wheres: set[Where], store: Store, ctx: Context) -> list[tuple[str, int, str]]:
    """``(file, line, focus)`` of the first use of ``iri`` in each file that uses it (file order)."""
    subjects = _subjects(iri, wheres, store, ctx)
    order = {index.display: number for number, index in enumerate(ctx.positions.indexes)}
    candidates = []
    walked = 0
    for key, graph in subjects.items():
        anchor = key
        if key.startswith("_:") and not ctx.positions.blocks(key):
            if walked >= MAX_ANCESTRIES:
                continue
            walked += 1
            chain = ancestry(graph, BNode(key[2:]))
            if chain is None:
                continue
            anchor = str(chain[0])
        for index, block in ctx.positions.blocks(anchor):
            candidates.append((order[index.display], block.first, index, block, key, graph))
    candidates.sort(key=lambda c: (c[0], c[1]))
    found: dict[str, tuple[int, str]] = {}
    tried: dict[str, int] = {}
    for _, _, index, block, key, graph in candidates:
        file = index.display
        if file in found or tried.get(file, 0) >= MAX_BLOCKS_PER_FILE:
            continue
        tried[file] = tried.get(file, 0) + 1
        line = _written_line(iri, index.parsed.text, block.start, block.end, index.parsed.prefixes)
        if line:
            found[file] = (block.first + line - 1, _focus(key, graph, ctx))
    if not found and candidates:  # not found as written (a relative IRI, say): the first subject's block
        _, first, index, _, key, graph = candidates[0]
        found[index.display] = (first, _focus(key, graph, ctx))
    if not found:  # no subject block (JSON-LD, or unlocatable subjects): where the term is written
        focus = next((_focus(key, graph, ctx) for key, graph in subjects.items()), "")
        for index in ctx.positions.indexes:
            text = index.parsed.text
            if index.parsed.source.path.suffix.lower() == ".jsonld":
                match = _json_written(iri).search(text)
                line = text.count("\n", 0, match.start()) + 1 if match else 0
            else:
                line = _written_line(iri, text, 0, len(text), index.parsed.prefixes)
            if line:
                found[index.display] = (line, focus)
    if not found:
        return [("", 0, "")]
    return [(file, line, focus) for file, (line, focus) in sorted(found.items(), key=lambda p: order[p[0]])]


def _focus(key: str, graph: Graph, ctx: Context) -> str:
    return ctx.namer.term(BNode(key[2:]) if key.startswith("_:") else URIRef(key), graph)


def _subjects(iri: str, wheres: set[Where], store: Store, ctx: Context) -> dict[str, Graph]:
    """Keys (IRI or ``_:id``) of the subjects of the triples using ``iri``, with the graph they are in."""
    term, ref = NamedNode(iri), URIRef(iri)
    out: dict[str, Graph] = {}
    for source, position in sorted(wheres):
        if source == "store":
            if position == "d":
                rows = store.query(DATATYPE_USES.format(iri=iri))
                keys = (_key(row[0]) for row in rows)
            else:
                patterns = PATTERNS[position](term)
                keys = (_key(quad.subject) for pattern in patterns
                        for quad in store.quads_for_pattern(*pattern, DefaultGraph()))
            for key in keys:
                out.setdefault(key, ctx.data)
        else:
            shapes = ctx.shapes
            if position == "d":
                found = (s for s, _, o in shapes if isinstance(o, Literal) and o.datatype == ref)
            else:
                found = (t[0] for pattern in PATTERNS[position](ref) for t in shapes.triples(pattern))
            for subject in found:
                out.setdefault(f"_:{subject}" if isinstance(subject, BNode) else str(subject), shapes)
    return out


#: Triple patterns that find the uses of a term, by where :func:`_used_terms` saw it.
PATTERNS = {"so": lambda t: [(t, None, None), (None, None, t)], "p": lambda t: [(None, t, None)]}


def _written_line(iri: str, text: str, start: int, end: int, prefixes: dict[str, str]) -> int:
    """1-based line, counted from ``start``, where ``iri`` is first written in ``text[start:end]``
    outside comments and strings (0 when it is not)."""
    for match in _written(iri, tuple(sorted(prefixes.items()))).finditer(text, start, end):
        line_start = text.rfind("\n", start, match.start()) + 1
        if not _in_comment_or_string(text[max(line_start, start):match.start()]):
            return text.count("\n", start, match.start()) + 1
    return 0


@lru_cache(maxsize=1024)
def _written(iri: str, prefixes: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """Any written form of ``iri`` (``<iri>``, ``prefix:local``) as a whole token."""
    forms = iri_forms(iri, dict(prefixes))
    return re.compile(r"(?<![\w:<>\-.\"'])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w:\-]|\.[\w])")


def _json_written(iri: str) -> re.Pattern[str]:
    """``iri`` as a JSON-LD string: in full, compacted (``"org:memberDuring"``) or as a bare term."""
    local = re.split(r"[#/]", iri)[-1]
    return re.compile(r'"(?:' + re.escape(iri) + r'|(?:[^"\s]*:)?' + re.escape(local) + r')"')


STRING_OR_IRI = re.compile(r'<[^>\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


def _in_comment_or_string(before: str) -> bool:
    """Whether a token preceded by ``before`` on its line is in a ``#`` comment or an open string."""
    rest = STRING_OR_IRI.sub(" ", before)
    return "#" in rest or '"' in rest or "'" in rest


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
