"""SHACL: pySHACL checks SHACL Core; SPARQL-based constraints run once over the whole graph in pyoxigraph.

pySHACL evaluates an ``sh:sparql`` constraint once per focus node (thousands of queries). Here each
such constraint whose focus nodes come from plain targets is lifted out of the shapes graph and run
as one query: the shape's targets become a sub-select joined at the start of the query's WHERE
group, which is what pre-binding ``$this`` means, so the results are the same — a test proves it.
Constraints that cannot be lifted safely (nested shapes, advanced targets, ``$shapesGraph``) stay
with pySHACL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

import pyshacl
from pyoxigraph import Store
from pyshacl.errors import ReportableRuntimeError, ValidationFailure
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from . import extract, parallel
from .syntax import Converter

SPARQL_COMPONENT = SH.SPARQLConstraintComponent


class ShapesError(ValueError):
    """The shapes graph is malformed (pySHACL refuses to load it)."""


class UnsupportedFeature(RuntimeError):
    """The shapes use a SHACL feature this validator cannot evaluate."""


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with rdflib terms (paths are nodes of the shapes graph)."""

    focus: Node
    shape: Node
    component: URIRef
    severity: URIRef
    path: Node | None = None
    value: Node | None = None
    constraint: Node | None = None
    messages: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    bindings: tuple[tuple[str, Node], ...] = ()


@dataclass
class Lifted:
    """One ``sh:sparql`` constraint taken out of the shapes graph, as a single set-based query."""

    shape: Node
    constraint: Node
    query: str
    severity: URIRef
    path: Node | None
    messages: tuple[Literal, ...]
    node_shape: bool
    bindings_order: list[str] = field(default_factory=list)


def validate(store: Store, shapes: Graph, converter: Converter, jobs: int | None = None) -> list[Result]:
    """All SHACL results: pySHACL for Core (and unliftable SPARQL), pyoxigraph for lifted SPARQL.

    pySHACL gets, per chunk of focus nodes, only the subgraph those nodes reach when the shapes
    allow it (:func:`extract.is_local`), else one rdflib copy of the whole store.
    """
    core, lifted = lift_sparql(shapes, dict(Graph().namespaces()))
    jobs = jobs if jobs is not None else parallel.default_jobs()
    focus = extract.focus_plan(store, core, converter)
    if focus is not None and extract.is_local(core):
        chunks = parallel.chunk_count(len(store), jobs)
        results = parallel.run(run_pyshacl, core, focus, partial(extract.subgraph, store, core, converter=converter),
                               chunks, jobs)
    else:
        whole = extract.whole_graph(store, converter)
        chunks = min(jobs, parallel.chunk_count(len(whole), jobs))  # the whole graph is shared: no more chunks than cores
        results = parallel.run(run_pyshacl, core, focus, lambda _: whole, chunks, jobs)
    for constraint in lifted:
        results.extend(run_lifted(constraint, store, converter))
    return results


def run_pyshacl(data: Graph, shapes: Graph) -> list[Result]:
    """pySHACL over ``data`` (in place, no inference) and its results as :class:`Result`."""
    try:
        _, graph, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                       inplace=True, allow_warnings=True, allow_infos=True)
    except NotImplementedError as exc:
        raise UnsupportedFeature(str(exc) or "a SHACL feature pySHACL does not implement") from exc
    except ValidationFailure as exc:
        raise UnsupportedFeature(f"validation failed: {exc}") from exc
    except ReportableRuntimeError as exc:
        raise ShapesError(getattr(exc, "message", None) or str(exc)) from exc
    if isinstance(graph, ValidationFailure) or not isinstance(graph, Graph):
        # pySHACL hands a failure back instead of a report (SPARQL it cannot pre-bind, for one)
        raise UnsupportedFeature(f"validation failed: {graph}")
    return list(read_results(graph))


def read_results(graph: Graph) -> Iterable[Result]:
    """:class:`Result` for every ``sh:ValidationResult`` in a SHACL report graph."""
    for node in graph.objects(None, SH.result):  # top level only, not the sh:detail of nested shapes
        yield Result(
            focus=graph.value(node, SH.focusNode),
            shape=graph.value(node, SH.sourceShape),
            component=graph.value(node, SH.sourceConstraintComponent),
            severity=graph.value(node, SH.resultSeverity) or SH.Violation,
            path=graph.value(node, SH.resultPath),
            value=graph.value(node, SH.value),
            constraint=graph.value(node, SH.sourceConstraint),
            messages=tuple(sorted(str(m) for m in graph.objects(node, SH.resultMessage))),
        )


# --- lifting sh:sparql constraints --------------------------------------------------------------

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
SELECT = re.compile(r"\bSELECT\b", re.I)
FORBIDDEN = re.compile(r"\$shapesGraph\b|\bMINUS\b|\bSERVICE\b|\bVALUES\b", re.I)


def lift_sparql(shapes: Graph, namespaces: dict[str, Node] | None = None) -> tuple[Graph, list[Lifted]]:
    """A copy of ``shapes`` without the liftable ``sh:sparql`` constraints, and those constraints.

    ``namespaces`` are the data graph's prefixes, which pySHACL's rdflib queries also see.
    """
    lifted = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        query = _liftable_query(shapes, shape, constraint, namespaces or {})
        if query is None:
            continue
        is_node_shape = shapes.value(shape, SH.path) is None
        lifted.append(Lifted(
            shape=shape, constraint=constraint, query=query,
            severity=shapes.value(shape, SH.severity) or SH.Violation,
            path=shapes.value(shape, SH.path),
            messages=tuple(m for node in (constraint, shape) for m in shapes.objects(node, SH.message)
                           if isinstance(m, Literal)),
            node_shape=is_node_shape,
        ))
    if not lifted:
        return shapes, []
    core = Graph()
    for prefix, namespace in shapes.namespaces():
        core.bind(prefix, namespace, override=True)
    drop = {(c.shape, c.constraint) for c in lifted}
    core.addN((s, p, o, core) for s, p, o in shapes if p != SH.sparql or (s, o) not in drop)
    return core, lifted


def _liftable_query(shapes: Graph, shape: Node, constraint: Node, namespaces: dict[str, Node]) -> str | None:
    if _true(shapes.value(shape, SH.deactivated)) or _true(shapes.value(constraint, SH.deactivated)):
        return None
    selects = list(shapes.objects(constraint, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], Literal) or FORBIDDEN.search(str(selects[0])):
        return None
    owner, path_sparql = shape, ""
    path = shapes.value(shape, SH.path)
    if path is not None:
        parents = list(shapes.subjects(SH.property, shape))
        if len(parents) != 1 or set(shapes.subject_predicates(shape)) != {(parents[0], SH.property)}:
            return None
        owner = parents[0]
        path_sparql = sparql_path(shapes, path)
        if not path_sparql or _true(shapes.value(owner, SH.deactivated)):
            return None
    if any(True for _ in shapes.subject_predicates(owner)):
        return None  # nested in another shape: its results feed that shape, not the report
    targets = _targets_sparql(shapes, owner)
    if targets is None:
        return None
    text = str(selects[0])
    if "$currentShape" in text:
        if not isinstance(shape, URIRef):
            return None
        text = text.replace("$currentShape", f"<{shape}>")
    text = re.sub(r"\$PATH\b", lambda _: path_sparql, text) if path_sparql else text
    if re.search(r"\$PATH\b", text):
        return None
    return _prefixes(shapes, constraint, namespaces) + _inject(text, targets)


def _true(node: Node | None) -> bool:
    return isinstance(node, Literal) and node.toPython() is True


def _targets_sparql(shapes: Graph, shape: Node) -> str | None:
    """The shape's focus nodes as a SPARQL sub-select of ``?this``, or None for unsupported targets."""
    if (shape, SH.target, None) in shapes:
        return None
    parts = []
    classes = set(shapes.objects(shape, SH.targetClass))
    class_types = {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
    if any(t in class_types for t in shapes.objects(shape, RDF.type)):
        classes.add(shape)
    for cls in sorted(classes):
        parts.append(f"{{ ?this a ?hcnType . ?hcnType <{RDFS.subClassOf}>* {_n3(cls)} }}")
    nodes = sorted(shapes.objects(shape, SH.targetNode))
    if nodes:
        parts.append("{ VALUES ?this { " + " ".join(_n3(n) for n in nodes) + " } }")
    for predicate in sorted(shapes.objects(shape, SH.targetSubjectsOf)):
        parts.append(f"{{ ?this {_n3(predicate)} ?hcnAny }}")
    for predicate in sorted(shapes.objects(shape, SH.targetObjectsOf)):
        parts.append(f"{{ ?hcnAny {_n3(predicate)} ?this }}")
    if not parts or any(isinstance(n, BNode) for n in classes):
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _n3(node: Node) -> str:
    return node.n3()


def _inject(query: str, targets: str) -> str:
    """Put the target sub-select first in the WHERE group and make sure ``?this`` is projected."""
    select = SELECT.search(query)
    if select is None:
        raise UnsupportedFeature("sh:select has no SELECT")
    brace = query.index("{", select.end())
    projection = query[select.end():brace]
    if "*" not in projection and not re.search(r"[?$]this\b", projection):
        modifier = re.match(r"\s*(DISTINCT|REDUCED)\b", projection, re.I)
        at = select.end() + (modifier.end() if modifier else 0)
        query = query[:at] + " ?this" + query[at:]
        brace += len(" ?this")
    return query[: brace + 1] + " " + targets + " " + query[brace + 1:]


def _prefixes(shapes: Graph, constraint: Node, namespaces: dict[str, Node]) -> str:
    declared = dict(namespaces)
    for declarer in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declarer, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                declared[str(prefix)] = namespace
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in sorted(declared.items()))


def sparql_path(shapes: Graph, path: Node) -> str:
    """A SHACL path as a SPARQL property path with full IRIs ("" when malformed)."""
    if isinstance(path, URIRef):
        return path.n3()
    if (path, RDF.first, None) in shapes:
        steps = [sparql_path(shapes, step) for step in Collection(shapes, path)]
        return "(" + "/".join(steps) + ")" if all(steps) else ""
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, predicate)
        if inner is not None:
            text = sparql_path(shapes, inner)
            return "(" + template.format(text) + ")" if text else ""
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        steps = [sparql_path(shapes, step) for step in Collection(shapes, alternatives)]
        return "(" + "|".join(steps) + ")" if all(steps) else ""
    return ""


# --- running lifted constraints -----------------------------------------------------------------

def run_lifted(lifted: Lifted, store: Store, converter: Converter) -> list[Result]:
    """Run one lifted constraint once; results deduplicated per focus node as pySHACL does."""
    try:
        solutions = store.query(lifted.query)
    except SyntaxError as exc:
        raise ShapesError(f"the sh:select of {lifted.shape.n3()} is not valid SPARQL: {exc}") from exc
    names = [v.value for v in solutions.variables]
    seen: set[tuple[object, ...]] = set()
    failed: set[Node] = set()
    results = []
    for solution in solutions:
        row = {name: converter.term(solution[name]) for name in names if solution[name] is not None}
        focus = row.pop("this")
        if "failure" in row:
            if focus in failed:
                continue
            failed.add(focus)
            row = {}
        path, value = row.pop("path", None), row.pop("value", None)
        key = (focus, path, value, tuple(sorted(row.items())))
        if key in seen:
            continue
        seen.add(key)
        if value is None and lifted.node_shape:
            value = focus
        bound = {"this": focus, **({"path": path} if path is not None else {}),
                 **({"value": value} if value is not None else {}), **row}
        results.append(Result(
            focus=focus, shape=lifted.shape, component=SPARQL_COMPONENT, severity=lifted.severity,
            path=path if path is not None else lifted.path, value=value, constraint=lifted.constraint,
            messages=tuple(sorted(format_message(str(m), bound) for m in lifted.messages)),
            templates=tuple(sorted(str(m) for m in lifted.messages)), bindings=tuple(sorted(bound.items())),
        ))
    return results


def format_message(template: str, bound: dict[str, Node], show: Callable[[Node], str] = str) -> str:
    """Fill ``{?var}`` / ``{$var}`` placeholders (with ``str`` of each value, as pySHACL does)."""
    for name, node in bound.items():
        template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _: show(node), template)
    return template
