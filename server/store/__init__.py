"""Store interface. Results are pyoxigraph's own result types, whatever the backend."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, TypeAlias

from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples

from ..config import Settings

QueryResult: TypeAlias = QuerySolutions | QueryBoolean | QueryTriples


class Store(Protocol):
    """Read-only quad store answering SPARQL queries over the ontology, data and shapes graphs."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (never an update); the default graph is ontology + data unless given."""
        ...

    def __len__(self) -> int:
        """Number of quads in all graphs."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph IRI."""
        ...

    def load_folders(self, root: Path) -> None:
        """Load ``ontology/``, ``data/`` and ``shapes/`` under ``root`` into their named graphs."""
        ...


def open_store(settings: Settings) -> Store:
    """The configured backend, loaded and ready to answer queries."""
    from .embedded import EmbeddedStore

    store = EmbeddedStore(settings)
    store.load_folders(settings.root)
    return store
