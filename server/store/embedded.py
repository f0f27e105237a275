"""Embedded backend: an in-memory ``pyoxigraph.Store`` loaded from Turtle files.

Each source folder is one named graph; a query without a dataset of its own gets the union of the
``DEFAULT_GRAPHS`` (ontology + data) as its default graph, merged by pyoxigraph pattern by pattern.
That merge costs joins and aggregates a sixth to a fifth of their evaluation time, measured; both
ways to avoid it were measured too and are not used: a copy of the union in the store's own default
graph made every query slower (bigger indexes cost more than the merge), and a second store holding
the union made the 1M-triple server 20% bigger (over 2 GiB) and twice as slow to load for a gain in
the server of 0-15%. ``docs/performance.md`` has the numbers.

A harvested root (``graphs.harvested_files``) adds one graph per source, named in its N-Quads:
each joins the default graph, and every graph in the store is queryable by name.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Triple, Variable, parse
from pyoxigraph import Store as OxStore

from .. import literals
from ..config import Settings
from ..errors import BackendError, BadRequest, DataError
from ..formats import QueryResult
from ..graphs import DEFAULT_GRAPHS, FOLDERS, SOURCE_GRAPH, declared_prefixes, harvested_files, sources
from ..queryerrors import explain
from ..querytext import has_dataset_clause, looks_like_update, uses_service
from .execute import Job, ListSink, execute
from .pool import Answer, Claim, QueryPool

_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: The side graph of source triples whose literal the store rewrote, kept wrapped (:mod:`server.literals`).
AS_WRITTEN = literals.WRAP + "graph"


#: Triples parsed, labelled and inserted at a time when loading a file.
LOAD_CHUNK = 100_000


class EmbeddedStore:
    """pyoxigraph in memory (or opened read-only from an on-disk cache); read-only once loaded."""

    def __init__(self, settings: Settings, store: OxStore | None = None, *, db: Path | None = None) -> None:
        """In memory (``store`` or a new one), or the read-only on-disk store at ``db``."""
        self._store: OxStore | None = OxStore() if store is None and db is None else store
        self._graph = {name: NamedNode(settings.graph_iri(name)) for name in FOLDERS}
        self._source_prefix = settings.graph_iri(SOURCE_GRAPH)
        self._dataset: tuple[list[NamedNode], list[NamedNode]] | None = None
        self._default_set: frozenset[NamedNode] | None = None
        self._pool: QueryPool | None = None
        self._pool_size = settings.pool_size
        self._memory_mb = settings.memory_budget_mb()
        self._db = db
        self._opened_in = 0
        self._inherited: list[OxStore] = []
        #: The prefixes the source files declare, for the fix-its of malformed queries (read before any fork).
        self.namespaces = declared_prefixes(settings.root)
        self._rewrites: literals.Rewrites | None = None

    @classmethod
    def open(cls, settings: Settings, version: str | None = None) -> EmbeddedStore:
        """Loaded from the source folders, or from the ``store_path`` cache when ``version`` matches it."""
        if not settings.store_path:
            store = cls(settings)
            store.load_folders(settings.root)
            return store
        from .ondisk import ensure_cached

        return cls(settings, db=ensure_cached(Path(settings.store_path), version or "", settings))

    def bulk_load(self, root: Path) -> None:
        """Like ``load_folders`` with pyoxigraph's bulk loader (non-transactional; for building a db)."""
        self._load(root, bulk=True)

    def _ox(self) -> OxStore:
        """This process's pyoxigraph store; on disk, every process opens its own read-only handle.

        A RocksDB handle must not cross a fork (its threads stay behind, and the query pool closes
        its files), so the handle is reopened when the pid changes; an inherited one is kept,
        never dropped, because its destructor would wait for threads that do not exist here.
        """
        if self._db is not None and self._opened_in != os.getpid():
            if self._store is not None:
                self._inherited.append(self._store)
            try:
                self._store = OxStore.read_only(str(self._db))
            except OSError as exc:
                raise BackendError(f"on-disk store {self._db}: {exc}") from None
            self._opened_in = os.getpid()
        assert self._store is not None
        return self._store

    def start_pool(self, size: int) -> None:
        """Fork ``size`` query workers now (call after loading, before serving threads start)."""
        self._pool = QueryPool(self.query, size, memory_mb=self._memory_mb)
        self._pool.start()
        atexit.register(self._pool.close)

    def start_workers(self) -> None:
        """Fork the query pool in this process (once per process; none when ``pool_size`` is 0)."""
        if self._pool is None and self._pool_size > 0:
            self.start_pool(self._pool_size)
        elif self._pool is not None:
            self._pool.start()  # a no-op in the process that forked it; a fresh pool after a fork

    def describe_backend(self) -> dict[str, Any]:
        """Embedded pyoxigraph, in memory or read-only on disk, and its pool size."""
        return {"kind": "embedded", "storage": "disk" if self._db else "memory", "pool": self._pool_size}

    @property
    def memory_budget_mb(self) -> int:
        """MiB a query worker may allocate (0 = unbounded, and always without a pool)."""
        return self._memory_mb if self._pool_size > 0 else 0

    def run(self, job: Job, *, timeout_s: float, claim: Claim | None = None) -> Answer:
        """Answer ``job`` in a pool worker under the deadline and memory budget (fairly for ``claim``),
        or in-process (no deadline, no budget) without a pool."""
        if self._pool is not None:
            return self._pool.run(job, timeout_s, claim)
        started = time.monotonic()
        try:
            sink = ListSink()
            execute(self.query, job, sink)
        finally:
            if claim is not None:
                claim.release(time.monotonic() - started)
        assert sink.meta is not None
        return Answer(sink.meta, sink)

    def load_folders(self, root: Path) -> None:
        """Parse every source file with pyoxigraph's Turtle parser into its named graph."""
        self._load(root, bulk=False)

    def _load(self, root: Path, *, bulk: bool) -> None:
        """``bulk`` uses pyoxigraph's non-transactional bulk loader (for building an on-disk store).

        Each file is parsed here, its blank nodes labelled by file and order of appearance (unique per
        file as with ``Store.load``, and the same on every load: same dump bytes for the same ETag); a triple whose
        literal the store would rewrite is also kept, wrapped, in the side graph ``AS_WRITTEN``, so
        dumps and documents can give the source's term back (:meth:`rewrites`).
        """
        ox = self._ox()
        extend = ox.bulk_extend if bulk else ox.extend
        as_written = NamedNode(AS_WRITTEN)
        number = 0
        for name, paths in sources(root).items():
            graph = self._graph[name]
            for path in paths:
                number += 1
                triples = _labelled(parse(path=path, format=RdfFormat.TURTLE, base_iri=path.resolve().as_uri()),
                                    f"f{number}b")
                try:  # a chunk at a time: a whole file as Python objects took its size many times over
                    while chunk := list(islice(triples, LOAD_CHUNK)):
                        kept = [Quad(t.subject, t.predicate, literals.wrap(t.object), as_written)  # type: ignore[arg-type]
                                for t in literals.to_keep(chunk)]
                        extend([Quad(t.subject, t.predicate, t.object, graph) for t in chunk] + kept)
                except SyntaxError as exc:
                    raise DataError(f"{path}: {exc}") from None
                except OSError as exc:
                    raise DataError(f"{path}: {exc.strerror or exc}") from None

        load = ox.bulk_load if bulk else ox.load
        for path in harvested_files(root):
            try:
                load(path=path, format=RdfFormat.N_QUADS)
            except (SyntaxError, OSError) as exc:
                raise DataError(f"{path}: {exc}") from None
        self._dataset = self._default_set = None

    def _default_dataset(self) -> tuple[list[NamedNode], list[NamedNode]]:
        """The default graph (ontology, data and every harvested source) and the named graphs (all)."""
        if self._dataset is None:
            extra = sorted((g for g in self._ox().named_graphs() if isinstance(g, NamedNode)
                            and g not in self._graph.values() and g.value != AS_WRITTEN), key=lambda g: g.value)
            sources_ = [g for g in extra if g.value.startswith(self._source_prefix)]
            self._dataset = (self._graphs(DEFAULT_GRAPHS) + sources_, self._graphs(FOLDERS) + extra)
        return self._dataset

    def rewrites(self) -> literals.Rewrites:
        """Stored triple -> the source triples it stands for, where the store rewrote a literal."""
        if self._rewrites is None:
            side = self._ox().quads_for_pattern(None, None, None, NamedNode(AS_WRITTEN))
            self._rewrites = literals.Rewrites(q.triple for q in side)
        return self._rewrites

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query; updates and SERVICE are refused with ``BadRequest``.

        ``substitutions`` (variable name -> term) are bound by pyoxigraph itself (SEP-0007).
        """
        if uses_service(sparql):
            raise BadRequest("SERVICE (federated query) is not allowed on this endpoint")
        default: list[NamedNode] | None = None
        named: list[NamedNode] | None = None
        if default_graphs is not None or named_graphs is not None:  # the protocol's dataset wins
            default = self._nodes(default_graphs or [])
            named = self._nodes(named_graphs or [])
        elif not has_dataset_clause(sparql):  # FROM / FROM NAMED in the query are honoured as written
            default, named = self._default_dataset()
        bindings = {Variable(name): term for name, term in (substitutions or {}).items()}
        try:
            return self._ox().query(sparql, default_graph=default, named_graphs=named, substitutions=bindings or None)
        except RuntimeError as exc:  # pyoxigraph: a substituted variable is not in the SELECT projection
            raise BadRequest(f"query parameters cannot be bound: {exc}") from None
        except SyntaxError as exc:
            if looks_like_update(sparql):
                raise BadRequest(f"SPARQL Update is not allowed: this endpoint is read-only ({exc})") from None
            raise BadRequest(explain(sparql, str(exc), self.namespaces)) from None
        except OSError as exc:
            raise BackendError(f"query failed: {exc}") from None

    def triples(self, subject: Any, predicate: Any, obj: Any) -> Iterator[Triple]:
        """Triples of the default graph (a triple stated in two of its graphs comes twice, as from a
        query) matching a pattern; ``None`` matches anything.

        A pattern lookup costs a few microseconds where the smallest SPARQL query costs tens: the
        linked-data documents are built from these (``linkeddata.documents``).
        """
        graphs = self._default_graph_set()
        # one lookup over every graph, filtered here, costs less than one lookup per default graph
        return (quad.triple for quad in self._ox().quads_for_pattern(subject, predicate, obj, None)
                if quad.graph_name in graphs)

    def _default_graph_set(self) -> frozenset[NamedNode]:
        if self._default_set is None:
            self._default_set = frozenset(self._default_dataset()[0])
        return self._default_set

    def __len__(self) -> int:
        return sum(self.graph_sizes().values())

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph IRI, zero for empty graphs (the side graph of written literals apart)."""
        sizes = {node.value: 0 for node in self._graph.values()}
        for row in self._ox().query(_GRAPH_SIZES):
            if row["g"].value != AS_WRITTEN:
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


def _labelled(triples: Iterator[Any], prefix: str) -> Iterator[Triple]:
    """``triples`` with each blank node renamed ``{prefix}{n}``, n counting them in order of appearance."""
    names: dict[str, BlankNode] = {}

    def name(term: Any) -> Any:
        if isinstance(term, BlankNode):
            node = names.get(term.value)
            if node is None:
                node = names[term.value] = BlankNode(f"{prefix}{len(names)}")
            return node
        return term

    for triple in triples:  # most triples have no blank node: passed on as they are
        if type(triple.subject) is BlankNode or type(triple.object) is BlankNode:
            yield Triple(name(triple.subject), triple.predicate, name(triple.object))
        else:
            yield triple
