"""Embedded backend: an in-memory ``pyoxigraph.Store`` loaded from Turtle files."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat
from pyoxigraph import Store as OxStore

from ..config import Settings
from ..errors import BackendError, BadRequest, DataError
from ..graphs import DEFAULT_GRAPHS, FOLDERS, sources
from ..querytext import looks_like_update, uses_service
from . import QueryResult

_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class EmbeddedStore:
    """pyoxigraph in memory; read-only once loaded."""

    def __init__(self, settings: Settings) -> None:
        self._store = OxStore()
        self._graph = {name: NamedNode(settings.graph_iri(name)) for name in FOLDERS}

    def load_folders(self, root: Path) -> None:
        """Parse every source file with pyoxigraph's Turtle parser into its named graph."""
        for name, paths in sources(root).items():
            for path in paths:
                try:
                    self._store.load(
                        path=path, format=RdfFormat.TURTLE, base_iri=path.resolve().as_uri(), to_graph=self._graph[name]
                    )
                except SyntaxError as exc:
                    raise DataError(f"{path}: {exc}") from None
                except OSError as exc:
                    raise DataError(f"{path}: {exc.strerror or exc}") from None

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query; updates and SERVICE are refused with ``BadRequest``."""
        if uses_service(sparql):
            raise BadRequest("SERVICE (federated query) is not allowed on this endpoint")
        default = self._nodes(default_graphs) if default_graphs is not None else self._graphs(DEFAULT_GRAPHS)
        named = self._nodes(named_graphs) if named_graphs is not None else self._graphs(FOLDERS)
        try:
            return self._store.query(sparql, default_graph=default, named_graphs=named)
        except SyntaxError as exc:
            if looks_like_update(sparql):
                raise BadRequest(f"SPARQL Update is not allowed: this endpoint is read-only ({exc})") from None
            raise BadRequest(f"malformed query: {exc}") from None
        except OSError as exc:
            raise BackendError(f"query failed: {exc}") from None

    def __len__(self) -> int:
        return len(self._store)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph IRI, zero for empty graphs."""
        sizes = {node.value: 0 for node in self._graph.values()}
        for row in self._store.query(_GRAPH_SIZES):
            sizes[row["g"].value] = int(row["n"].value)
        return sizes

    def _graphs(self, names: tuple[str, ...]) -> list[NamedNode]:
        return [self._graph[name] for name in names]

    @staticmethod
    def _nodes(iris: list[str]) -> list[NamedNode]:
        try:
            return [NamedNode(iri) for iri in iris]
        except ValueError as exc:
            raise BadRequest(f"invalid graph IRI: {exc}") from None
