"""Store interface. Results are pyoxigraph's own result types, whatever the backend.

Owns: ``embedded`` (pyoxigraph in memory, or cached on disk by ``ondisk`` and ``build_cache``),
``pool`` and ``execute`` (the deadline-bounded query workers), ``results`` (streaming
serializers), ``remote`` (any SPARQL 1.1 server), ``loader`` (a release pushed into a remote
store) and ``transport`` (HTTP failures mapped to our errors).

May import: the shared top-level modules only (``config``, ``errors``, ``formats``, ``graphs``,
``querytext``, ``literals``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pyoxigraph import Triple

from ..config import Settings
from ..formats import QueryResult
from ..literals import Rewrites

if TYPE_CHECKING:
    from .execute import Job
    from .pool import Answer, Claim

__all__ = ["QueryResult", "Store", "TriplePatterns", "open_store"]


class Store(Protocol):
    """Read-only quad store answering SPARQL queries over the ontology, data and shapes graphs."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (never an update); the default graph is ontology + data unless given.

        ``substitutions`` binds variables (by name) to RDF terms through the engine, not the text.
        """
        ...

    def run(self, job: Job, *, timeout_s: float, claim: Claim | None = None) -> Answer:
        """Answer a protocol job as negotiated bytes, stopped at ``timeout_s`` (the SPARQL endpoint's path).

        ``claim`` names the client (fair share of the query workers) and is released with the
        worker seconds spent once the answer no longer holds a worker; if ``run`` raises, the
        caller releases it (``release`` is idempotent).
        """
        ...

    def __len__(self) -> int:
        """Number of quads in all graphs."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph IRI."""
        ...

    def rewrites(self) -> Rewrites:
        """Stored triple -> the source triples it stands for where the store rewrote a literal (``server.literals``)."""
        ...

    def load_folders(self, root: Path) -> None:
        """Load ``ontology/``, ``data/`` and ``shapes/`` under ``root`` into their named graphs."""
        ...

    def start_workers(self) -> None:
        """Start per-process resources (the embedded query pool) in this process; idempotent."""
        ...

    def describe_backend(self) -> dict[str, Any]:
        """What the backend is, for ``/health`` (kind, endpoint or storage), with no secrets."""
        ...

    @property
    def memory_budget_mb(self) -> int:
        """MiB one query may allocate in a query worker (0 = no budget here)."""
        ...


@runtime_checkable
class TriplePatterns(Protocol):
    """What a store offers besides SPARQL when it can match triple patterns itself (the embedded one)."""

    def triples(self, subject: Any, predicate: Any, obj: Any) -> Iterator[Triple]:
        """Triples of the default graph matching the pattern; ``None`` matches any term."""
        ...


def open_store(settings: Settings, *, workers: bool = False, version: str | None = None) -> Store:
    """The configured backend, loaded; ``workers=True`` also forks the query pool (for serving).

    ``HCN_SPARQL_ENDPOINT`` selects the remote backend (nothing is loaded: ``hcn load`` fills it);
    otherwise the embedded store, in memory or cached on disk under ``store_path`` (reused while
    the source ``version`` hash matches).
    """
    if settings.sparql_endpoint:
        from .remote import RemoteStore

        return RemoteStore(settings)
    from .embedded import EmbeddedStore

    store = EmbeddedStore.open(settings, version)
    if workers:
        store.start_workers()
    return store
