"""Where parsed quads go: data and ontology into one pyoxigraph store, shapes into an rdflib graph.

Nothing holds all the quads twice. The store is the data graph: the lifted SPARQL constraints
query it, pySHACL's subgraphs are taken from it, and messages look terms up in it through
:func:`server.validation.storeview.view`. rdflib graphs hold only the shapes and the ontology,
which are small. Ill-typed literals are noted as they stream past.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import Quad, Store
from rdflib import Graph, Literal

from .syntax import Converter

BATCH = 50_000


@dataclass
class Graphs:
    """Everything parsed: the data store, the shapes and ontology graphs, the ill-typed literals."""

    store: Store = field(default_factory=Store)
    shapes: Graph = field(default_factory=Graph)
    ontology: Graph = field(default_factory=Graph)
    converter: Converter = field(default_factory=Converter)
    ill_typed: list[tuple[Quad, Literal]] = field(default_factory=list)


class Loader:
    """Receives the quads of each file by role and files them; :meth:`finish` returns the graphs."""

    def __init__(self) -> None:
        self.graphs = Graphs()
        self._batch: list[Quad] = []

    def receiver(self, role: str) -> Callable[[Quad], None]:
        """The callback for the quads of one file with this role (``data``, ``ontology``, ``shapes``)."""
        graphs, convert, batch = self.graphs, self.graphs.converter, self._batch

        def note_ill_typed(quad: Quad) -> None:
            literal = convert.ill_typed(quad.object)
            if literal is not None:
                graphs.ill_typed.append((quad, literal))

        def shapes(quad: Quad) -> None:
            note_ill_typed(quad)
            graphs.shapes.add(convert.triple(quad))

        def data(quad: Quad) -> None:
            note_ill_typed(quad)
            batch.append(quad)
            if len(batch) >= BATCH:
                self._flush()

        def ontology(quad: Quad) -> None:
            data(quad)
            graphs.ontology.add(convert.triple(quad))

        return {"shapes": shapes, "ontology": ontology}.get(role, data)

    def finish(self) -> Graphs:
        """Store what is still batched and hand over the graphs."""
        self._flush()
        return self.graphs

    def _flush(self) -> None:
        if self._batch:
            self.graphs.store.bulk_extend(self.graphs.converter.preserve(self._batch))
            self._batch.clear()
