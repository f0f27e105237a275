"""Run pySHACL on several cores and in bounded memory: forked workers each validate a chunk of focus nodes.

pySHACL is single-threaded Python, and its rdflib graph costs about 900 bytes a triple. Here the
focus nodes of the targeted shapes (:func:`server.validation.extract.focus_plan`) are dealt
round-robin into chunks; each chunk is validated in a worker forked from the process holding the
store, against a copy of the shapes graph in which every targeted shape lists its chunk as
``sh:targetNode`` instead of its targets, and against the graph ``graph_for(chunk)`` gives — the
chunk's own subgraph, so a worker holds only a slice of the data. Each (shape, focus node) pair is
validated exactly once, so the union of the chunks' results is the single-process result. Each
worker does one chunk and exits, so its memory goes back to the system.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable

from rdflib import RDF, SH, Graph
from rdflib.term import Node

from .extract import TARGETS, Plan, class_types

MIN_TRIPLES = 5000  # below this a fork costs more than it saves (measured: 12k triples 2.4 s → 1.7 s on two cores)
CHUNK_TRIPLES = 120_000

Runner = Callable[[Graph, Graph], list]
GraphFor = Callable[[Plan], Graph]
_job: tuple[Runner, GraphFor, Graph, Plan, list[Node], int] | None = None


def default_jobs() -> int:
    """Worker processes to use: at most two, never more than the cores."""
    return min(2, os.cpu_count() or 1)


def chunk_count(triples: int, jobs: int) -> int:
    """How many chunks to split ``triples`` into: one when small, else enough to bound each worker."""
    if triples < MIN_TRIPLES or jobs < 2:
        return 1
    return max(jobs, math.ceil(triples / CHUNK_TRIPLES))


def deal(focus: Plan) -> list[Node]:
    """Every focus node once, in a stable order to deal round-robin over the chunks.

    Dealing nodes over all shapes at once puts a node that several shapes target in one chunk
    only, so its triples are copied once.
    """
    return sorted({node for nodes in focus.values() for node in nodes})


def share(shapes: Graph, focus: Plan, owned: set[Node]) -> tuple[Graph, Plan]:
    """A chunk's shapes graph (targets replaced by the ``owned`` focus nodes) and its focus nodes."""
    implicit = class_types(shapes)
    mine = {shape: [node for node in nodes if node in owned] for shape, nodes in focus.items()}
    copy = Graph()
    copy.addN((s, p, o, copy) for s, p, o in shapes
              if s not in focus or not (p in TARGETS or (p == RDF.type and o in implicit)))
    for shape, nodes in mine.items():
        copy.addN((shape, SH.targetNode, node, copy) for node in nodes)
    return copy, mine


def run(runner: Runner, shapes: Graph, focus: Plan | None, graph_for: GraphFor, chunks: int,
        jobs: int | None = None) -> list:
    """``runner(graph, shapes)`` over every chunk; in this process when there is one chunk or no plan."""
    jobs = jobs if jobs is not None else default_jobs()
    if focus is None:
        return runner(graph_for({}), shapes)
    every = deal(focus)
    if chunks < 2 or "fork" not in multiprocessing.get_all_start_methods():
        chunk_shapes, mine = share(shapes, focus, set(every))
        return runner(graph_for(mine), chunk_shapes)
    global _job
    _job = (runner, graph_for, shapes, focus, every, chunks)
    try:
        with multiprocessing.get_context("fork").Pool(max(1, min(jobs, chunks)), maxtasksperchild=1) as pool:
            parts = pool.map(_work, range(chunks), chunksize=1)
    finally:
        _job = None
    return [result for part in parts for result in part]


def _work(number: int) -> list:
    assert _job is not None
    runner, graph_for, shapes, focus, every, chunks = _job
    chunk_shapes, mine = share(shapes, focus, set(every[number::chunks]))
    return runner(graph_for(mine), chunk_shapes)

