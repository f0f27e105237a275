"""SHACL: pySHACL checks SHACL Core; SPARQL-based constraints run once over the whole graph in pyoxigraph.

pySHACL evaluates an ``sh:sparql`` constraint once per focus node (thousands of queries). Here such
a constraint whose focus nodes come from plain targets is lifted out of the shapes graph and run as
one query: the shape's targets become a sub-select joined at the start of the query's WHERE group.
That equals pre-binding ``$this`` (SHACL's Appendix "Pre-binding of variables") only when every
expression that reads ``$this`` runs where the join has certainly bound it; :func:`set_based`
proves that on the query's algebra, and queries it cannot prove it for stay with pySHACL, which
pre-binds them one focus node at a time. So do queries SHACL forbids pre-binding for (MINUS,
VALUES, SERVICE, sub-selects without ``$this``, ``AS ?this``; pySHACL then fails them), nested
shapes, advanced targets, ``$shapesGraph``, and queries that could read a literal the store holds
wrapped (:meth:`Converter.preserve`). Prefixes are resolved as pySHACL resolves them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial

import pyshacl
from pyoxigraph import Store
from pyshacl.errors import ReportableRuntimeError, ValidationFailure
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from rdflib import OWL, RDF, RDFS, SH, BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.paths import NegatedPath, Path
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
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


def validate(store: Store, shapes: Graph, converter: Converter, jobs: int | None = None,
             prefixes: Iterable[tuple[str, str]] = ()) -> list[Result]:
    """All SHACL results: pySHACL for Core (and unliftable SPARQL), pyoxigraph for lifted SPARQL.

    pySHACL gets, per chunk of focus nodes, only the subgraph those nodes reach when the shapes
    allow it (:func:`extract.is_local`), else one rdflib copy of the whole store. ``prefixes`` are
    the data files' ``@prefix`` declarations, in order: the data graph's namespaces, which
    pySHACL's SPARQL queries see (as they do when pySHACL parses the files itself).
    """
    prefixes = list(prefixes)
    core, lifted = lift_sparql(shapes, data_namespaces(prefixes), converter)
    jobs = jobs if jobs is not None else parallel.default_jobs()
    focus = extract.focus_plan(store, core, converter)
    if focus is not None and extract.is_local(core):
        chunks = parallel.chunk_count(len(store), jobs)
        subgraph = partial(extract.subgraph, store, core, converter=converter)
        results = parallel.run(run_pyshacl, core, focus, lambda plan: bind(subgraph(plan), prefixes), chunks, jobs)
    else:
        whole = bind(extract.whole_graph(store, converter), prefixes)
        chunks = min(jobs, parallel.chunk_count(len(whole), jobs))  # the whole graph is shared: no more chunks than cores
        results = parallel.run(run_pyshacl, core, focus, lambda _: whole, chunks, jobs)
    for constraint in lifted:
        results.extend(run_lifted(constraint, store, converter))
    return results


def bind(graph: Graph, prefixes: Iterable[tuple[str, str]]) -> Graph:
    """``graph`` with the data files' prefixes bound as rdflib's parser binds them."""
    for prefix, namespace in prefixes:
        graph.bind(prefix, namespace)
    return graph


def data_namespaces(prefixes: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The namespaces of a data graph parsed by rdflib from files with these ``@prefix`` declarations."""
    return {prefix: str(namespace) for prefix, namespace in bind(Graph(), prefixes).namespaces()}


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
            messages=tuple(sorted((m for m in graph.objects(node, SH.resultMessage) if isinstance(m, Literal)),
                                  key=lambda m: (m.language or "", str(m)))),
        )


# --- lifting sh:sparql constraints --------------------------------------------------------------

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
SELECT = re.compile(r"\bSELECT\b", re.I)
#: Stands for the targets sub-select while :func:`set_based` reads the algebra: it binds ``?this``.
FOCUS_MARK = "?this <urn:x-hcn:focus> ?hcnFocus ."
#: pySHACL's own SPARQL prefixes, before any sh:prefixes.
BUILT_IN_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}


def lift_sparql(shapes: Graph, namespaces: dict[str, str] | None = None,
                converter: Converter | None = None) -> tuple[Graph, list[Lifted]]:
    """A copy of ``shapes`` without the liftable ``sh:sparql`` constraints, and those constraints.

    ``namespaces`` are the data graph's namespaces, which pySHACL's rdflib queries also see;
    ``converter`` says which literals the store holds wrapped.
    """
    lifted = []
    namespaces = namespaces if namespaces is not None else data_namespaces(())
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        query = _liftable_query(shapes, shape, constraint, namespaces, converter)
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


def _liftable_query(shapes: Graph, shape: Node, constraint: Node, namespaces: dict[str, str],
                    converter: Converter | None) -> str | None:
    if _true(shapes.value(shape, SH.deactivated)) or _true(shapes.value(constraint, SH.deactivated)):
        return None
    selects = list(shapes.objects(constraint, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], Literal) or re.search(r"\$shapesGraph\b", str(selects[0])):
        return None
    if not _pre_bindable(str(selects[0])):
        return None  # pySHACL fails it (a validation failure): leave it to pySHACL to say so
    owner, path_sparql = shape, ""
    path = shapes.value(shape, SH.path)
    if path is not None:
        parents = list(shapes.subjects(SH.property, shape))
        if parents:  # a property shape of a node shape: the node shape's targets give the focus nodes
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
    declared = prefixes_for(shapes, constraint)
    if declared is None:
        return None  # malformed declarations: pySHACL reports them
    prologue = "".join(f"PREFIX {prefix}: <{namespace}>\n"
                       for prefix, namespace in {**namespaces, **BUILT_IN_PREFIXES, **declared}.items())
    try:
        marked = _inject(text, FOCUS_MARK)
    except UnsupportedFeature:
        return None
    observed = set_based(prologue + marked)
    if observed is None or not _unobserved(observed | _target_predicates(shapes, owner), converter):
        return None
    query = prologue + _inject(text, targets)
    try:
        Store().query(query)
    except SyntaxError:
        return None  # Oxigraph cannot read it: pySHACL (rdflib) may
    return query


def _true(node: Node | None) -> bool:
    return isinstance(node, Literal) and node.toPython() is True


def _pre_bindable(select: str) -> bool:
    """False when pySHACL refuses to pre-bind this query (SHACL's list of unsupported syntax)."""
    try:
        SPARQLQueryHelper.check_invalid_sparql(SPARQLQueryHelper, select)  # type: ignore[arg-type]
    except ReportableRuntimeError:
        return False
    return True


def prefixes_for(shapes: Graph, constraint: Node) -> dict[str, str] | None:
    """The prefixes pySHACL declares for a constraint (``sh:prefixes``, then ``sh:declare``); None if malformed.

    As pySHACL: the declarations of each ``sh:prefixes`` value and, unless that value is an
    ``owl:Ontology`` with declarations of its own, those of every ``owl:Ontology`` in the shapes
    graph; plus (as the SHACL specification has it) those of every node the values reach through
    ``owl:imports``.
    """
    values = set(shapes.objects(constraint, SH.prefixes))
    if not values:
        return {}
    ontologies = set(shapes.subjects(RDF.type, OWL.Ontology))
    everywhere = {d for ontology in ontologies for d in shapes.objects(ontology, SH.declare)}
    declarations: list[Node] = []
    for value in sorted(values):
        own = set(shapes.objects(value, SH.declare))
        declarations += sorted(own if own and value in ontologies else own | everywhere)
        seen, todo = {value}, list(shapes.objects(value, OWL.imports))
        while todo:
            imported = todo.pop()
            if imported in seen:
                continue
            seen.add(imported)
            declarations += sorted(shapes.objects(imported, SH.declare))
            todo += shapes.objects(imported, OWL.imports)
    found: dict[str, str] = {}
    for declaration in declarations:
        prefix, namespace = list(shapes.objects(declaration, SH.prefix)), list(shapes.objects(declaration, SH.namespace))
        if len(prefix) != 1 or len(namespace) != 1 or not isinstance(prefix[0], Literal):
            return None
        found[str(prefix[0])] = str(namespace[0])
    return found


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
    if not parts or any(isinstance(n, (BNode, Literal)) for n in classes | set(nodes)):
        return None  # blank nodes cannot be named in a query; literals would be read as Oxigraph reads them
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _target_predicates(shapes: Graph, shape: Node) -> set[str]:
    """The predicates whose objects the targets make focus nodes (the query may read those)."""
    return {str(p) for p in shapes.objects(shape, SH.targetObjectsOf)}


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


# --- is set-based evaluation the same as pre-binding? ---------------------------------------------

THIS = Variable("this")
EVERY = "*"


class _NotSetBased(Exception):
    """Some use of ``$this`` could see it unbound when joined, though pre-binding binds it."""


def set_based(query: str) -> set[str] | None:
    """The IRIs ``query`` reads (``*`` for any predicate) when its set-based evaluation equals pre-binding.

    ``query`` has :data:`FOCUS_MARK` first in its WHERE group where the targets will be. Set-based
    evaluation binds ``?this`` by a join; pre-binding replaces it everywhere. They agree when every
    expression (FILTER, BIND, OPTIONAL condition, EXISTS) that reads ``?this`` is evaluated over
    solutions that certainly bind it — the join's own, or a triple pattern's in the same group —
    and when no sub-select hides ``?this`` or cuts or groups solutions (LIMIT, GROUP BY,
    aggregates). None when that cannot be proved (or rdflib cannot parse the query).
    """
    try:
        algebra = translateQuery(parseQuery(query)).algebra
        _top(algebra.p)
    except _NotSetBased:
        return None
    except Exception:  # noqa: BLE001 - rdflib cannot read it: leave it to pySHACL, which says why
        return None
    return _reads(algebra)


def _top(node: CompValue) -> None:
    bound_below: list[CompValue] = []
    while node.name in ("Project", "Distinct", "Reduced", "OrderBy", "Extend"):
        if node.name == "Extend":
            bound_below.append(node)
        node = node.p
    if not _pattern(node):
        raise _NotSetBased
    for extend in bound_below:
        if extend.var == THIS:
            raise _NotSetBased
        _expression(extend.expr, True)


def _pattern(node: CompValue) -> bool:
    """Check a graph pattern; True when its solutions certainly bind ``?this``."""
    name = node.name
    if name == "BGP":
        return any(THIS in (s, p, o) for s, p, o in node.triples)
    if name == "Join":
        left, right = _pattern(node.p1), _pattern(node.p2)
        return left or right
    if name == "LeftJoin":
        left, right = _pattern(node.p1), _pattern(node.p2)
        if node.expr is not None:
            _expression(node.expr, left or right)
        return left
    if name == "Filter":
        bound = _pattern(node.p)
        _expression(node.expr, bound)
        return bound
    if name == "Extend":
        if node.var == THIS:
            raise _NotSetBased
        bound = _pattern(node.p)
        _expression(node.expr, bound)
        return bound
    if name == "Union":
        left, right = _pattern(node.p1), _pattern(node.p2)
        return left and right
    if name == "Graph":
        return _pattern(node.p) or node.term == THIS
    if name == "ToMultiSet" and getattr(node.p, "name", "") == "Project":
        return _sub_select(node.p)
    raise _NotSetBased  # MINUS, VALUES, SERVICE, anything not known to be safe


def _sub_select(node: CompValue) -> bool:
    projected = node.PV
    while node.name in ("Project", "Distinct", "Reduced", "OrderBy"):
        node = node.p
    bound = _pattern(node)
    if THIS in projected:
        return bound
    if _mentions(node):
        raise _NotSetBased
    return False


def _expression(expr: object, bound: bool) -> None:
    if not _mentions(expr):
        return
    if not bound or _has_sub_select(expr):
        raise _NotSetBased
    # bound: ?this is the focus node here; EXISTS patterns get it substituted (Oxigraph as rdflib)


def _walk(node: object) -> Iterator[object]:
    yield node
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("_"):
                yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, Path):
        for attribute in ("args", "arg", "path"):
            yield from _walk(getattr(node, attribute, None))


def _mentions(node: object) -> bool:
    return any(item == THIS and isinstance(item, Variable) for item in _walk(node))


def _has_sub_select(node: object) -> bool:
    return any(isinstance(item, CompValue) and item.name in ("SubSelect", "Project") for item in _walk(node))


def _reads(algebra: CompValue) -> set[str]:
    """Every IRI of the query; ``*`` when a predicate is a variable or a negated set (any triple)."""
    found: set[str] = set()
    for item in _walk(algebra):
        if isinstance(item, URIRef):
            found.add(str(item))
        elif isinstance(item, NegatedPath) or (isinstance(item, CompValue) and "Negated" in item.name):
            found.add(EVERY)
        elif isinstance(item, CompValue) and item.name in ("BGP", "TriplesBlock"):
            if any(isinstance(triple[i], Variable) for triple in item.triples for i in range(1, len(triple), 2)):
                found.add(EVERY)
    return found


def _unobserved(read: set[str], converter: Converter | None) -> bool:
    """True when the query cannot see a literal the store holds wrapped."""
    if converter is None or not converter.wrapped:
        return True
    return EVERY not in read and not read & converter.wrapped_predicates


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
            messages=tuple(sorted((Literal(format_message(str(m), bound), lang=m.language) for m in lifted.messages),
                                  key=lambda m: (m.language or "", str(m)))),
            templates=tuple(sorted(lifted.messages, key=lambda m: (m.language or "", str(m)))), bindings=tuple(sorted(bound.items())),
        ))
    return results


def format_message(template: str, bound: dict[str, Node], show: Callable[[Node], str] = str) -> str:
    """Fill ``{?var}`` / ``{$var}`` placeholders (with ``str`` of each value, as pySHACL does)."""
    for name, node in bound.items():
        template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _: show(node), template)
    return template
