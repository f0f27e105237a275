"""The SHACL validation report graph (``sh:ValidationReport``) in Turtle, byte-identical across runs."""

from __future__ import annotations

from rdflib import RDF, SH, BNode, Graph, Literal
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from ..report import Report
from ..shacl import Result


def report_graph(results: list[Result], shapes: Graph) -> Graph:
    """The SHACL report graph of ``results``; complex paths copied from the shapes graph."""
    graph = Graph()
    graph.bind("sh", SH)
    for prefix, namespace in shapes.namespaces():
        graph.bind(prefix, namespace, override=False)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    # SHACL: conforms is false as soon as there is any result, whatever its severity (--fail-on is
    # the exit code's business, not the report's)
    graph.add((report, SH.conforms, Literal(not results)))
    for result in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        for predicate, obj in ((SH.focusNode, result.focus), (SH.sourceShape, result.shape),
                               (SH.sourceConstraintComponent, result.component),
                               (SH.resultSeverity, result.severity), (SH.value, result.value),
                               (SH.resultPath, result.path), (SH.sourceConstraint, result.constraint)):
            if obj is not None:
                graph.add((node, predicate, obj))
                if isinstance(obj, BNode) and predicate in (SH.resultPath, SH.sourceShape, SH.sourceConstraint):
                    _copy(shapes, obj, graph, predicate == SH.resultPath)
        for message in result.messages:
            graph.add((node, SH.resultMessage, Literal(message)))
    return graph


def _copy(source: Graph, node: Node, target: Graph, deep: bool, seen: set[Node] | None = None) -> None:
    """Copy the blank-node structure below ``node`` (for shapes, only their direct properties)."""
    seen = seen if seen is not None else set()
    if node in seen:
        return
    seen.add(node)
    for predicate, obj in source.predicate_objects(node):
        target.add((node, predicate, obj))
        if isinstance(obj, BNode) and (deep or predicate in (SH.path, RDF.first, RDF.rest, SH.inversePath)):
            _copy(source, obj, target, True, seen)


def render(report: Report) -> str:
    """Canonical Turtle: blank nodes relabelled deterministically, then serialized."""
    graph = report.shacl_graph if report.shacl_graph is not None else Graph()
    canonical = Graph()
    for prefix, namespace in graph.namespaces():
        canonical.bind(prefix, namespace, override=True)
    canonical.addN((s, p, o, canonical) for s, p, o in to_canonical_graph(graph))
    return canonical.serialize(format="turtle")
