"""Prometheus metrics at ``/metrics``: requests by route and status, durations, deadline and memory
budget hits, admission rejections by reason, the per-client limits, store size.

Each app gets its own ``CollectorRegistry`` (tests build several apps in one process). Counters and
histograms are counted per process in a :mod:`tally` table (microseconds less per request than
prometheus_client's multiprocess values); under ``hcn serve --production`` (``PROMETHEUS_MULTIPROC_DIR``,
set by ``server.production.gunicorn``) a scrape of any worker sums every worker's table. The gauges,
set rarely, stay prometheus_client's (multiprocess mode, the maximum over the workers).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, request

from ..errors import HcnError, MemoryBudgetExceeded, QueryTimeout
from ..store import QueryResult, Store
from . import request_log, tally

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Gauge
    from prometheus_client.core import Metric

    from ..store.execute import Job
    from ..store.pool import Answer, Claim

bp = Blueprint("metrics", __name__)

#: Seconds between two store-size refreshes (a remote store answers a COUNT for it).
SIZE_REFRESH_S = 30.0
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


@dataclass(eq=False)  # registered as a collector: hashed by identity
class Metrics:
    """The app's metrics: counters and histograms in a per-process :mod:`tally` table, gauges in
    prometheus_client, one registry exposing both."""

    registry: CollectorRegistry
    table: tally.Table
    requests: tally.Counter
    request_seconds: tally.Histogram
    query_seconds: tally.Histogram
    deadline_hits: tally.Counter
    memory_hits: tally.Counter
    rejections: tally.Counter
    limits: Gauge
    memory_budget: Gauge
    store_quads: Gauge
    graph_triples: Gauge
    sized_at: float = 0.0

    def count(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request and its time to the response start."""
        self.requests.inc(route, method, str(status))
        self.request_seconds.observe(seconds, route)

    def collect(self) -> Iterator[Metric]:
        """The counter and histogram families, summed over every process of this server."""
        totals = tally.gather(self.table)
        for family in (self.requests, self.request_seconds, self.query_seconds, self.deadline_hits,
                       self.memory_hits, self.rejections):
            yield family.collect(totals)

    @classmethod
    def create(cls) -> Metrics:
        """Fresh metrics in a fresh registry (and table: in ``PROMETHEUS_MULTIPROC_DIR`` when set)."""
        from prometheus_client import CollectorRegistry, Gauge

        registry = CollectorRegistry()
        table = tally.Table(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        metrics = cls(
            registry=registry,
            table=table,
            requests=tally.Counter(table, "hcn_http_requests", "HTTP requests by route, method and status",
                                   ["route", "method", "status"]),
            request_seconds=tally.Histogram(table, "hcn_http_request_duration_seconds",
                                            "Time to the response start, by route", ["route"], _BUCKETS),
            query_seconds=tally.Histogram(table, "hcn_query_duration_seconds", "Store query time by call and outcome",
                                          ["call", "outcome"], _BUCKETS),
            deadline_hits=tally.Counter(table, "hcn_query_deadline_hits", "Queries stopped at the query deadline"),
            memory_hits=tally.Counter(table, "hcn_query_memory_budget_hits",
                                      "Queries stopped at a query worker's memory budget"),
            rejections=tally.Counter(table, "hcn_admission_rejections",
                                     "Queries refused with 429, by the limit the client hit", ["reason"]),
            limits=Gauge("hcn_admission_limit", "Per-client limits (0 = off): in_flight queries, "
                         "budget_seconds_per_minute of query-worker time", ["limit"], registry=registry,
                         multiprocess_mode="max"),
            memory_budget=Gauge("hcn_query_memory_budget_bytes", "Memory one query worker may allocate (0 = no budget)",
                                registry=registry, multiprocess_mode="max"),
            store_quads=Gauge("hcn_store_quads", "Quads in the store's graphs", registry=registry,
                              multiprocess_mode="max"),
            graph_triples=Gauge("hcn_store_graph_triples", "Triples per named graph", ["graph"], registry=registry,
                                multiprocess_mode="max"),
        )
        registry.register(metrics)
        return metrics


class InstrumentedStore:
    """A store that times its queries and counts deadline hits; everything else passes through."""

    def __init__(self, store: Store, metrics: Metrics) -> None:
        self.inner = store
        self._metrics = metrics

    def run(self, job: Job, *, timeout_s: float, claim: Claim | None = None) -> Answer:
        """``Store.run``, timed to the response head (the body may still stream)."""
        with self._timed("run"):
            return self.inner.run(job, timeout_s=timeout_s, claim=claim)

    def query(self, sparql: str, **options: Any) -> QueryResult:
        """``Store.query``, timed."""
        with self._timed("query"):
            return self.inner.query(sparql, **options)

    def _timed(self, call: str) -> _Timer:
        return _Timer(self._metrics, call)

    def __len__(self) -> int:
        return len(self.inner)

    def __getattr__(self, name: str) -> Any:
        """Everything else (``graph_sizes``, ``start_workers``, ...) is the wrapped store's own."""
        return getattr(self.inner, name)


class _Timer:
    """Context manager observing one store call: ok, timeout (a deadline hit) or error."""

    def __init__(self, metrics: Metrics, call: str) -> None:
        self._metrics, self._call = metrics, call
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = time.perf_counter()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        outcome = ("ok" if kind is None else "timeout" if isinstance(error, QueryTimeout)
                   else "memory" if isinstance(error, MemoryBudgetExceeded) else "error")
        self._metrics.query_seconds.observe(time.perf_counter() - self._started, self._call, outcome)
        if outcome == "timeout":
            self._metrics.deadline_hits.inc()
        elif outcome == "memory":
            self._metrics.memory_hits.inc()


def _route() -> str:
    """The matched URL rule (bounded cardinality), or ``unmatched``."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def _count(response: Response) -> Response:
    metrics: Metrics = current_app.extensions["hcn_metrics"]
    metrics.count(_route(), request.method, response.status_code, request_log.elapsed())
    return response


def _refresh_sizes(metrics: Metrics, store: Store) -> None:
    """Update the size gauges at most every ``SIZE_REFRESH_S``; an unreachable store keeps the old values."""
    now = time.monotonic()
    if metrics.sized_at and now - metrics.sized_at < SIZE_REFRESH_S:
        return
    try:
        sizes: Mapping[str, int] = store.graph_sizes()
    except HcnError:
        return
    for graph, triples in sizes.items():
        metrics.graph_triples.labels(graph).set(triples)
    metrics.store_quads.set(sum(sizes.values()))
    metrics.sized_at = now


@bp.route("/metrics")
def metrics_view() -> Response:
    """Prometheus text exposition; summed over all workers in multiprocess mode."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

    metrics: Metrics = current_app.extensions["hcn_metrics"]
    _refresh_sizes(metrics, current_app.extensions["hcn_store"])
    registry = metrics.registry
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # the gauges of every worker, and our counts
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(metrics)
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask, store: Store) -> InstrumentedStore:
    """Register ``/metrics`` and request counting; returns ``store`` wrapped for query timing."""
    metrics = Metrics.create()
    app.extensions["hcn_metrics"] = metrics
    app.after_request(_count)
    app.register_blueprint(bp)
    metrics.memory_budget.set(store.memory_budget_mb * 1024 * 1024)
    return InstrumentedStore(store, metrics)
