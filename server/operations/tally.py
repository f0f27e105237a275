"""Per-process counters and fixed-bucket histograms, summed over the processes at scrape time.

A request's counts cost a dictionary lookup and two or three float additions under a lock (well under
a microsecond), where prometheus_client's multiprocess values cost 2-5 µs each (a lock, a pid check
and a struct write per value, ``labels()`` on top). Each process keeps its cells — one float per
counter sample, histogram bucket and histogram sum — in an array of its own:

- in one process (``hcn serve``, tests): a plain in-memory array;
- under ``hcn serve --production`` (``PROMETHEUS_MULTIPROC_DIR`` set): a memory-mapped file
  ``tally-<pid>-<n>.cells`` in that directory, and beside it ``.keys``, one JSON line per cell
  (metric, label values, bucket) appended the first time the cell is used. A scrape in any worker
  reads every process's pair and adds them up, so it sees every count made before it, exactly.

A process forked from one that counted starts a table of its own (``os.register_at_fork``); files of
ended workers stay and keep counting in the sums, as counters must. The table holds ``CELLS`` cells
(label values are bounded: routes, methods, statuses, outcomes); past that, new label values are
dropped and logged once.
"""

from __future__ import annotations

import array
import bisect
import itertools
import json
import logging
import mmap
import os
import threading
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # prometheus_client is imported late: it reads PROMETHEUS_MULTIPROC_DIR on import
    from prometheus_client.core import Metric

log = logging.getLogger(__name__)

CELLS = 1 << 15  # 256 KiB of float64 per process
_SUM = -1  # the "bucket" of a histogram's sum
_serial = itertools.count()
_tables: weakref.WeakSet[Table] = weakref.WeakSet()


class Table:
    """One process's cells; ``directory`` None: in memory only."""

    def __init__(self, directory: str | None) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._open()
        _tables.add(self)

    def _open(self) -> None:
        self._index: dict[tuple[Any, ...], int] = {}
        self._full = False
        self._keys: Any = None
        if self.directory is None:
            self._cells: Any = array.array("d", bytes(8 * CELLS))
            return
        stem = Path(self.directory) / f"tally-{os.getpid()}-{next(_serial)}"
        with open(f"{stem}.cells", "w+b") as handle:
            handle.truncate(8 * CELLS)
            self._map = mmap.mmap(handle.fileno(), 8 * CELLS)
        self._cells = memoryview(self._map).cast("d")
        self._keys = open(f"{stem}.keys", "a", encoding="utf-8")  # noqa: SIM115 - open while the process counts

    def _after_fork(self) -> None:
        """In a forked child: the parent's cells stay the parent's."""
        self._lock = threading.Lock()
        self._open()

    def add(self, key: tuple[Any, ...], amount: float) -> None:
        """Add ``amount`` to the cell of ``key`` (metric name, label values..., bucket)."""
        with self._lock:
            cell = self._index.get(key)
            if cell is None:
                cell = self._new(key)
                if cell is None:
                    return
            self._cells[cell] += amount

    def _new(self, key: tuple[Any, ...]) -> int | None:
        """A cell for ``key`` (lock held), written to the key file before it is counted in."""
        if len(self._index) >= CELLS:
            if not self._full:
                log.warning("metrics: all %d cells are in use; new label values are not counted", CELLS)
                self._full = True
            return None
        cell = len(self._index)
        if self._keys is not None:
            self._keys.write(json.dumps([cell, *key]) + "\n")
            self._keys.flush()
        self._index[key] = cell
        return cell

    def items(self) -> Iterator[tuple[tuple[Any, ...], float]]:
        """This table's keys and values (in memory) — see :func:`gather` for all processes."""
        with self._lock:
            return iter([(key, self._cells[cell]) for key, cell in self._index.items()])


def _reopen_after_fork() -> None:
    for table in list(_tables):
        table._after_fork()


os.register_at_fork(after_in_child=_reopen_after_fork)


def gather(table: Table) -> dict[tuple[Any, ...], float]:
    """Every key's value summed over the processes sharing ``table``'s directory (just ``table`` without one)."""
    totals: dict[tuple[Any, ...], float] = {}
    if table.directory is None:
        for key, value in table.items():
            totals[key] = totals.get(key, 0.0) + value
        return totals
    for keys in Path(table.directory).glob("tally-*.keys"):
        try:
            data = keys.with_suffix(".cells").read_bytes()
            lines = keys.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        cells = memoryview(data).cast("d") if len(data) % 8 == 0 else memoryview(b"").cast("d")
        for line in lines:
            try:
                cell, *key = json.loads(line)
            except ValueError:  # a line still being written
                continue
            if 0 <= cell < len(cells):
                totals[tuple(key)] = totals.get(tuple(key), 0.0) + cells[cell]
    return totals


class Counter:
    """A counter family: ``inc(*label_values)``; exposed as ``<name>_total``."""

    def __init__(self, table: Table, name: str, documentation: str, labels: Sequence[str] = ()) -> None:
        self.table, self.name, self.documentation, self.labels = table, name, documentation, tuple(labels)

    def inc(self, *values: str, amount: float = 1.0) -> None:
        self.table.add((self.name, *values), amount)

    def touch(self, *values: str) -> None:
        """Show these label values (at 0) before anything is counted for them."""
        self.table.add((self.name, *values), 0.0)

    def collect(self, totals: dict[tuple[Any, ...], float]) -> Metric:
        from prometheus_client.core import CounterMetricFamily

        family = CounterMetricFamily(self.name, self.documentation, labels=self.labels)
        if not self.labels:
            family.add_metric([], totals.get((self.name,), 0.0))
            return family
        for key, value in sorted(totals.items(), key=lambda kv: kv[0]):
            if key[0] == self.name:
                family.add_metric([str(v) for v in key[1:]], value)
        return family


class Histogram:
    """A histogram family with fixed ``buckets`` (upper bounds, ascending; +Inf added):
    ``observe(value, *label_values)`` adds to one bucket cell and the sum cell."""

    def __init__(self, table: Table, name: str, documentation: str, labels: Sequence[str],
                 buckets: Sequence[float]) -> None:
        self.table, self.name, self.documentation, self.labels = table, name, documentation, tuple(labels)
        self.buckets = tuple(buckets)

    def observe(self, value: float, *values: str) -> None:
        table = self.table
        with table._lock:  # both cells in one go: a scrape never sees a sum without its count
            for key, amount in (((self.name, *values, bisect.bisect_left(self.buckets, value)), 1.0),
                                ((self.name, *values, _SUM), value)):
                cell = table._index.get(key)
                if cell is None and (cell := table._new(key)) is None:
                    return
                table._cells[cell] += amount

    def collect(self, totals: dict[tuple[Any, ...], float]) -> Metric:
        from prometheus_client.core import HistogramMetricFamily

        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labels)
        series: dict[tuple[str, ...], list[float]] = {}
        for key, value in totals.items():
            if key[0] != self.name:
                continue
            counts = series.setdefault(tuple(str(v) for v in key[1:-1]), [0.0] * (len(self.buckets) + 2))
            counts[key[-1]] += value  # buckets 0..n (n: +Inf), then the sum at -1
        for labels, counts in sorted(series.items()):
            cumulative = list(itertools.accumulate(counts[:-1]))
            bounds = [_bound(b) for b in self.buckets] + ["+Inf"]
            family.add_metric(list(labels), list(zip(bounds, cumulative, strict=True)), counts[-1])
        return family


def _bound(value: float) -> str:
    """A bucket bound as prometheus_client writes it (``0.005``, ``1.0``)."""
    return repr(float(value))
