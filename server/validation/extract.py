"""The part of the data graph pySHACL reads for some focus nodes, taken out of the pyoxigraph store.

SHACL Core looks only near each focus node: along the shape's paths, at the value nodes' types
(``sh:class``: their ``rdf:type`` triples), and through nested shapes (``sh:node``, ``sh:and``, ``sh:property`` ...) to their
value nodes. :func:`subgraph` walks the shapes the way pySHACL will and copies every node it may
look at with all its outgoing triples (and, for inverse paths, its incoming triples for that
predicate), plus the data graph's ``rdfs:subClassOf`` triples. Every lookup pySHACL makes then
answers as it would on the whole graph, so validating the focus nodes against their subgraph
gives exactly the whole graph's results — in a fraction of the memory, which is what lets a
million-triple file be checked in chunks.

:func:`is_local` says whether the shapes use only such constraints; anything else (unlifted
``sh:sparql``, SHACL-AF rules and targets, custom components) is validated on the whole graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import DefaultGraph, Quad, Store
from rdflib import RDF, RDFS, SH, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .syntax import Converter, ox_term

Plan = dict[Node, list[Node]]

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: Shapes-graph predicates whose meaning is covered by the walk (everything else in sh: is not).
LOCAL_PARAMETERS = frozenset(SH[name] for name in (
    "targetClass targetNode targetSubjectsOf targetObjectsOf path property node and or xone not "
    "qualifiedValueShape qualifiedMinCount qualifiedMaxCount qualifiedValueShapesDisjoint class datatype "
    "nodeKind minCount maxCount minExclusive minInclusive maxExclusive maxInclusive minLength maxLength "
    "pattern flags languageIn uniqueLang equals disjoint lessThan lessThanOrEquals in hasValue closed "
    "ignoredProperties severity message name description order group defaultValue deactivated "
    "inversePath alternativePath zeroOrMorePath oneOrMorePath zeroOrOnePath declare prefix namespace "
    "prefixes"
).split())
PATH_STEPS = (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)
ON_VALUES = (SH.node, SH.qualifiedValueShape, SH["not"], SH.property)
LISTS_ON_VALUES = (SH["and"], SH["or"], SH.xone)


def class_types(shapes: Graph) -> set[Node]:
    """Types that make a shape an implicit class target: rdfs:Class and its subclasses."""
    return {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}


def focus_plan(store: Store, shapes: Graph, converter: Converter) -> Plan | None:
    """Focus nodes of every targeted shape, by pySHACL's target rules; None if some target is not plain."""
    if (None, SH.target, None) in shapes or (None, SH.rule, None) in shapes:
        return None
    implicit = class_types(shapes)
    found: Plan = {}
    for shape in sorted({s for t in TARGETS for s in shapes.subjects(t, None)} |
                        {s for s, o in shapes.subject_objects(RDF.type) if o in implicit}):
        classes = set(shapes.objects(shape, SH.targetClass))
        if any(t in implicit for t in shapes.objects(shape, RDF.type)):
            classes.add(shape)
        if any(not isinstance(c, URIRef) for c in classes):
            return None
        nodes: set[Node] = set(shapes.objects(shape, SH.targetNode))
        for cls in classes:
            query = f"SELECT DISTINCT ?x WHERE {{ ?x a/<{RDFS.subClassOf}>* <{cls}> }}"
            nodes.update(converter.term(row[0]) for row in store.query(query))
        for predicate in shapes.objects(shape, SH.targetSubjectsOf):
            nodes.update(converter.term(q.subject) for q in _quads(store, converter, None, predicate, None))
        for predicate in shapes.objects(shape, SH.targetObjectsOf):
            nodes.update(converter.term(q.object) for q in _quads(store, converter, None, predicate, None))
        found[shape] = sorted(nodes)
    return found


def is_local(shapes: Graph) -> bool:
    """True when every SHACL term the shapes use is one :func:`subgraph` accounts for."""
    used = {p for p in shapes.predicates() if str(p).startswith(str(SH))}
    if (None, SH.sparql, None) not in shapes:
        used -= {SH.select, SH.ask}  # left behind by lifted sh:sparql constraints, used by nothing else here
    return used <= LOCAL_PARAMETERS and all(_simple_path(shapes, p) for p in shapes.objects(None, SH.path))


def _simple_path(shapes: Graph, path: Node) -> bool:
    if isinstance(path, URIRef):
        return True
    if (path, RDF.first, None) in shapes:
        return all(_simple_path(shapes, step) for step in Collection(shapes, path))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return isinstance(inverse, URIRef)
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return all(_simple_path(shapes, step) for step in Collection(shapes, alternatives))
    inner = [shapes.value(path, step) for step in PATH_STEPS]
    return any(i is not None for i in inner) and all(_simple_path(shapes, i) for i in inner if i is not None)


def subgraph(store: Store, shapes: Graph, focus: Plan, converter: Converter) -> Graph:
    """Every triple pySHACL may read when validating ``focus`` (shape -> nodes) against ``shapes``."""
    walk = _Walk(store, shapes, converter)
    for shape, nodes in focus.items():
        walk.visit(shape, set(nodes))
    walk.graph.addN((*converter.triple(q), walk.graph) for q in _quads(store, converter, None, RDFS.subClassOf, None))
    return walk.graph


def whole_graph(store: Store, converter: Converter) -> Graph:
    """The store's default graph as an rdflib graph (for shapes :func:`is_local` cannot vouch for)."""
    graph = Graph()
    graph.addN((*converter.triple(q), graph) for q in store.quads_for_pattern(None, None, None, DefaultGraph()))
    return graph


def _quads(store: Store, converter: Converter, subject: Node | None, predicate: Node | None,
           obj: Node | None) -> Iterator[Quad]:
    first = None if subject is None else ox_term(subject)
    second = None if predicate is None else ox_term(predicate)
    for third in [None] if obj is None else converter.store_terms(obj):
        yield from store.quads_for_pattern(first, second, third, DefaultGraph())


class _Walk:
    """One walk over the shapes from a set of focus nodes, copying what it reaches into ``graph``."""

    def __init__(self, store: Store, shapes: Graph, converter: Converter) -> None:
        self.store, self.shapes, self.converter = store, shapes, converter
        self.graph = Graph()
        self.described: set[Node] = set()
        self.typed: set[Node] = set()
        self.incoming: set[tuple[Node, Node]] = set()
        self.visited: set[tuple[Node, Node]] = set()

    def visit(self, shape: Node, nodes: set[Node]) -> None:
        """Copy what validating ``nodes`` against ``shape`` (and the shapes it nests) reads."""
        nodes = {n for n in nodes if (shape, n) not in self.visited}
        if not nodes:
            return
        self.visited.update((shape, n) for n in nodes)
        self.describe(nodes)
        path = self.shapes.value(shape, SH.path)
        values = nodes if path is None else self.values(path, nodes)
        if (shape, SH["class"], None) in self.shapes:
            self.types(values)
        for predicate in ON_VALUES:
            for nested in self.shapes.objects(shape, predicate):
                self.visit(nested, values)
        for predicate in LISTS_ON_VALUES:
            for members in self.shapes.objects(shape, predicate):
                for member in Collection(self.shapes, members):
                    self.visit(member, values)
        if (shape, SH.qualifiedValueShapesDisjoint, None) in self.shapes:
            for parent in self.shapes.subjects(SH.property, shape):
                for sibling in self.shapes.objects(parent, SH.property):
                    for nested in self.shapes.objects(sibling, SH.qualifiedValueShape):
                        self.visit(nested, values)

    def describe(self, nodes: Iterable[Node]) -> None:
        """Copy all outgoing triples of each node not copied yet."""
        graph, triple = self.graph, self.converter.triple
        for node in nodes:
            if node in self.described or isinstance(node, Literal):
                continue
            self.described.add(node)
            graph.addN((*triple(q), graph) for q in _quads(self.store, self.converter, node, None, None))

    def types(self, nodes: Iterable[Node]) -> None:
        """Copy the ``rdf:type`` triples of each node (all ``sh:class`` reads of a value node)."""
        graph, triple = self.graph, self.converter.triple
        for node in nodes:
            if node in self.described or node in self.typed or isinstance(node, Literal):
                continue
            self.typed.add(node)
            graph.addN((*triple(q), graph) for q in _quads(self.store, self.converter, node, RDF.type, None))

    def values(self, path: Node, nodes: set[Node]) -> set[Node]:
        """The nodes reached from ``nodes`` along ``path``, copying every triple on the way."""
        shapes, graph = self.shapes, self.graph
        if isinstance(path, URIRef):
            self.describe(nodes)
            return {o for n in nodes for o in graph.objects(n, path)}
        if (path, RDF.first, None) in shapes:
            for step in Collection(shapes, path):
                nodes = self.values(step, nodes)
            return nodes
        inverse = shapes.value(path, SH.inversePath)
        if inverse is not None:
            return self._subjects(inverse, nodes)
        alternatives = shapes.value(path, SH.alternativePath)
        if alternatives is not None:
            return {v for step in Collection(shapes, alternatives) for v in self.values(step, nodes)}
        inner = shapes.value(path, SH.zeroOrOnePath)
        if inner is not None:
            return nodes | self.values(inner, nodes)
        inner = shapes.value(path, SH.oneOrMorePath)
        reached = self.values(inner, nodes) if inner is not None else set(nodes)
        inner = inner if inner is not None else shapes.value(path, SH.zeroOrMorePath)
        frontier = set(reached)
        while frontier:
            frontier = self.values(inner, frontier) - reached
            reached |= frontier
        return reached

    def _subjects(self, predicate: Node, nodes: set[Node]) -> set[Node]:
        graph, triple, found = self.graph, self.converter.triple, set()
        for node in nodes:
            if (node, predicate) not in self.incoming:
                self.incoming.add((node, predicate))
                graph.addN((*triple(q), graph) for q in _quads(self.store, self.converter, None, predicate, node))
            found.update(graph.subjects(predicate, node))
        return found
