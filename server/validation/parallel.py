"""Run pySHACL on several cores: each forked worker validates every shape on a share of the focus nodes.

pySHACL is single-threaded Python. Here the focus nodes of each targeted shape are computed once
(with pySHACL's own target rules), dealt round-robin to the workers, and each worker — forked
after the graphs are built, so nothing is re-parsed — gets a copy of the shapes graph in which
every targeted shape lists its share as ``sh:targetNode`` instead of its targets. Each
(shape, focus node) pair is validated exactly once, so the union of the workers' results is the
single-process result. Small graphs, SHACL rules (they change the data) and SHACL-AF targets run
in one process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

from rdflib import RDF, RDFS, SH, Graph
from rdflib.term import Node

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
MIN_TRIPLES = 20000

Runner = Callable[[Graph, Graph], list]
Plan = dict[Node, list[Node]]
_job: tuple[Runner, Graph, Graph, Plan, int] | None = None


def class_types(shapes: Graph) -> set[Node]:
    """Types that make a shape an implicit class target: rdfs:Class and its subclasses."""
    return {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}


def plan(data: Graph, shapes: Graph) -> Plan | None:
    """Focus nodes of every targeted shape, as pySHACL finds them; None if some target is not plain."""
    if (None, SH.target, None) in shapes or (None, SH.rule, None) in shapes:
        return None
    implicit = class_types(shapes)
    found: Plan = {}
    for shape in sorted({s for t in TARGETS for s in shapes.subjects(t, None)} |
                        {s for s, o in shapes.subject_objects(RDF.type) if o in implicit}):
        classes = set(shapes.objects(shape, SH.targetClass))
        if any(t in implicit for t in shapes.objects(shape, RDF.type)):
            classes.add(shape)
        nodes: set[Node] = set(shapes.objects(shape, SH.targetNode))
        for cls in classes:
            for sub in data.transitive_subjects(RDFS.subClassOf, cls):
                nodes.update(data.subjects(RDF.type, sub))
        for predicate in shapes.objects(shape, SH.targetSubjectsOf):
            nodes.update(s for s, _ in data.subject_objects(predicate))
        for predicate in shapes.objects(shape, SH.targetObjectsOf):
            nodes.update(o for _, o in data.subject_objects(predicate))
        found[shape] = sorted(nodes)
    return found


def share(shapes: Graph, focus: Plan, number: int, jobs: int) -> Graph:
    """Worker ``number``'s shapes graph: targets replaced by its round-robin share of the focus nodes."""
    implicit = class_types(shapes)
    copy = Graph()
    copy.addN((s, p, o, copy) for s, p, o in shapes
              if s not in focus or not (p in TARGETS or (p == RDF.type and o in implicit)))
    for shape, nodes in focus.items():
        copy.addN((shape, SH.targetNode, node, copy) for node in nodes[number::jobs])
    return copy


def run(runner: Runner, data: Graph, shapes: Graph, jobs: int | None = None) -> list:
    """``runner(data, shapes)`` split across forked workers when the graph is big enough."""
    jobs = jobs if jobs is not None else min(2, os.cpu_count() or 1)
    if jobs < 2 or len(data) < MIN_TRIPLES or "fork" not in multiprocessing.get_all_start_methods():
        return runner(data, shapes)
    focus = plan(data, shapes)
    if focus is None:
        return runner(data, shapes)
    global _job
    _job = (runner, data, shapes, focus, jobs)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_work, range(jobs))
    finally:
        _job = None
    return [result for part in parts for result in part]


def _work(number: int) -> list:
    assert _job is not None
    runner, data, shapes, focus, jobs = _job
    return runner(data, share(shapes, focus, number, jobs))
