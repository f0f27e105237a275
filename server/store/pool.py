"""Pre-forked query workers, so a query past its deadline can be killed without killing the server.

pyoxigraph cannot cancel a running query, so each query runs in a worker process. Layout::

    web process --(Unix socket, one per worker)--> worker: Job in; head, chunks, end out
         |
         +--(control socket)--> zygote: forks workers on request, sends back their socket

The zygote is forked once, right after the store is loaded and before the web server starts any
thread, so every worker is a copy-on-write copy of a quiet, fully loaded store (forking a threaded
process could copy a lock held by another thread). A worker past its deadline gets SIGKILL and the
zygote forks a replacement (about 10 ms); everything else reuses idle workers (queue, thread-safe).
Workers and zygote exit on EOF when the web process goes away, so nothing outlives it.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import queue
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..errors import BackendError, Busy, HcnError, QueryTimeout
from .execute import Head, Job, Query, execute

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
#: A worker whose own (copy-on-write copied) memory passes this retires after its answer and the
#: zygote forks a fresh one. Reading the in-memory store dirties the pages it touches (lock words),
#: so without this each worker drifts toward a private copy of the whole store: at 1M triples four
#: workers held ~250 MB each after a few GROUP BY queries (the store itself: ~300 MB). 512 MB keeps a
#: worker (no re-copying) up to about 1.5M triples and bounds the growth beyond. Checked after heavy jobs and every
#: ``CHECK_EVERY`` jobs (reading /proc/self/smaps_rollup costs ~4 ms at 1M triples).
MAX_PRIVATE_MB = 512
HEAVY_JOB_S = 0.05
CHECK_EVERY = 256


class PipeSink:
    """Worker side: buffers body bytes into chunks and sends them over the worker's socket.

    The head waits for the first full chunk: an answer smaller than ``CHUNK_BYTES`` goes out as one
    ``whole`` message (head + body), so a small query costs one wake-up of the web thread instead
    of three (head, chunk, end); each wake-up waits for the GIL, which dominated lookups under load.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.started = False  # the head has been sent: errors after this can only cut the body short
        self._head: Head | None = None
        self._buffer = bytearray()

    def head(self, head: Head) -> None:
        self._head = head

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self._send_chunk()
        return len(data)

    def flush(self) -> None:
        """pyoxigraph may flush its output; chunks go out at ``CHUNK_BYTES`` or at the end."""

    def finish(self, retire: bool = False) -> None:
        """The last message; ``retire`` tells the web process to replace this worker afterwards."""
        if not self.started and self._head is not None:
            self.conn.send(("whole", (self._head, bytes(self._buffer), retire)))
            return
        self._send_chunk()
        self.conn.send(("end", retire))

    def _send_chunk(self) -> None:
        if not self.started and self._head is not None:
            self.conn.send(("head", self._head))
            self.started = True
        if self._buffer:
            self.conn.send_bytes(b"c" + bytes(self._buffer))  # raw bytes: no pickling of big bodies
            self._buffer.clear()


def _private_mb() -> float:
    """This process's private dirty memory in MB (0 when /proc cannot tell)."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _serve_jobs(conn: Connection, query: Query) -> None:
    """Worker loop: one job at a time until the web process closes the socket or it retires."""
    jobs = 0
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        sink = PipeSink(conn)
        started = time.monotonic()
        try:
            execute(query, job, sink)
            jobs += 1
            check = jobs % CHECK_EVERY == 0 or time.monotonic() - started > HEAVY_JOB_S
            retire = check and _private_mb() > MAX_PRIVATE_MB
            sink.finish(retire)
            if retire:
                return
        except HcnError as exc:
            conn.send(("abort", str(exc)) if sink.started else ("error", exc))


def _in_fresh_thread(target: Callable[..., None], *args: Any) -> bool:
    """Run ``target`` in a thread started in this process; False if it raised (reported on stderr).

    Oxigraph's RAND(), UUID(), STRUUID() and BNODE() draw from a thread-local generator seeded on its
    first use in a thread. A forked worker's main thread carries a copy of the zygote's, so every
    worker would draw the same "random" values; a new thread seeds its own from the OS.
    """
    failed: list[bool] = []

    def run() -> None:
        try:
            target(*args)
        except BaseException:  # process boundary: report, never return into the zygote's code
            traceback.print_exc()
            failed.append(True)

    thread = threading.Thread(target=run, name="hcn-query")
    thread.start()
    thread.join()
    return not failed


def _zygote_main(control: socket.socket, query: Query) -> None:
    """Fork a worker per request on ``control``; send back its pid and socket (SCM_RIGHTS)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the web process; we follow on EOF
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed workers are reaped by the kernel
    # Drop every inherited descriptor but stdio and our socket: a copy of someone else's pipe
    # (a browser driver's stdin, a client connection) would keep it open after its owner closes it.
    keep = control.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    while control.recv(1):
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            control.close()
            ours.close()
            os._exit(0 if _in_fresh_thread(_serve_jobs, Connection(theirs.detach()), query) else 1)
        theirs.close()
        socket.send_fds(control, [pid.to_bytes(8, "big")], [ours.fileno()])
        ours.close()


@dataclass
class Worker:
    """The web process's handle on one worker."""

    pid: int
    conn: Connection


def _whole() -> bool:
    return True


@dataclass(frozen=True)
class Answer:
    """A started response: the head (format, kind, truncation), the body chunks, and whether the
    body, once read, was all there (False when a deadline or a dead worker cut it short)."""

    head: Head
    body: Any  # iterable of bytes with an optional close()
    complete: Callable[[], bool] = _whole


class QueryPool:
    """A fixed number of query workers shared by all request threads."""

    def __init__(self, query: Query, size: int) -> None:
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self._query = query
        self._size = size
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._owner = 0
        self._control: socket.socket | None = None
        self._zygote: Any = None

    def start(self) -> None:
        """Fork the zygote and the workers (again after this process was itself forked)."""
        with self._lock:
            if self._owner == os.getpid():
                return
            ours, theirs = socket.socketpair()
            context = multiprocessing.get_context("fork")
            self._zygote = context.Process(
                target=_zygote_main, args=(theirs, self._query), daemon=True, name="hcn-query-zygote"
            )
            self._zygote.start()
            theirs.close()
            self._control, self._owner = ours, os.getpid()
            self._idle = queue.SimpleQueue()
            for _ in range(self._size):
                self._idle.put(self._spawn_locked())

    def close(self) -> None:
        """Stop every process of this pool (also registered with atexit by the store)."""
        with self._lock:
            if self._owner != os.getpid():
                return
            while not self._idle.empty():
                self._kill(self._idle.get_nowait())
            if self._control is not None:
                self._control.close()
            if self._zygote is not None:
                self._zygote.join(2)
            self._owner = 0

    def run(self, job: Job, timeout_s: float) -> Answer:
        """Send ``job`` to an idle worker; the head must arrive before the deadline."""
        self.start()
        deadline = time.monotonic() + timeout_s
        try:
            worker = self._idle.get(timeout=timeout_s)
        except queue.Empty:
            raise Busy(f"all {self._size} query workers are busy; retry later") from None
        try:
            worker.conn.send(job)
        except OSError:
            self._replace(worker)
            raise BackendError("query worker unavailable; retry") from None
        kind, payload = self._receive(worker, deadline, timeout_s)
        if kind == "error":
            self._idle.put(worker)
            raise payload
        if kind == "whole":  # a small answer in one message: the worker is free again
            head, body, retire = payload
            self._replace(worker) if retire else self._idle.put(worker)
            return Answer(head, [body] if body else [])
        stream = Stream(self, worker, deadline, timeout_s)
        head = stream.prefetch(CHUNK_BYTES)  # small results end here and free the worker right away
        if stream.done:
            return Answer(payload, head, lambda: stream.complete)
        return Answer(payload, itertools.chain(head, stream), lambda: stream.complete)

    def _receive(self, worker: Worker, deadline: float, timeout_s: float) -> tuple[str, Any]:
        """Next message from ``worker``; kill and replace it past the deadline or when it died."""
        try:
            ready = worker.conn.poll(max(deadline - time.monotonic(), 0))
            message = worker.conn.recv_bytes() if ready else None
        except (EOFError, OSError):
            message = b""
        if message is None:
            self._replace(worker)
            raise QueryTimeout(
                f"query timed out: stopped after the endpoint's {timeout_s:g} s deadline; "
                "narrow the query (fewer patterns, a LIMIT) and retry"
            )
        if not message:
            self._replace(worker)
            raise BackendError("query worker stopped unexpectedly; retry")
        if message[:1] == b"c":
            return "chunk", message[1:]
        return _loads(message)

    def _release(self, worker: Worker) -> None:
        self._idle.put(worker)

    def _replace(self, worker: Worker) -> None:
        self._kill(worker)
        with self._lock:
            if self._owner == os.getpid():
                self._idle.put(self._spawn_locked())

    def _spawn_locked(self) -> Worker:
        assert self._control is not None
        try:
            self._control.sendall(b"s")
            message, fds, _, _ = socket.recv_fds(self._control, 8, 1)
        except OSError:
            message, fds = b"", []
        if len(message) != 8 or len(fds) != 1:
            raise BackendError("query worker could not be started")
        return Worker(int.from_bytes(message, "big"), Connection(fds[0]))

    @staticmethod
    def _kill(worker: Worker) -> None:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.conn.close()


def _loads(message: bytes) -> tuple[str, Any]:
    """Unpickle a control message (head, end, error, abort) sent with ``Connection.send``."""
    from multiprocessing.reduction import ForkingPickler

    loaded: tuple[str, Any] = ForkingPickler.loads(message)
    return loaded


class Stream:
    """Body chunks from one worker; the worker goes back to the pool at the end.

    A class, not a generator, so ``close()`` runs even when the response is never iterated
    (werkzeug calls it); closing early kills the worker rather than reading the rest.
    """

    def __init__(self, pool: QueryPool, worker: Worker, deadline: float, timeout_s: float) -> None:
        self._pool, self._worker = pool, worker
        self._deadline, self._timeout_s = deadline, timeout_s
        self._done = False
        self.complete = False  # the worker said "end": every chunk arrived

    @property
    def done(self) -> bool:
        """True once the worker is back in the pool (or replaced)."""
        return self._done

    def prefetch(self, limit: int) -> list[bytes]:
        """Read chunks until the end or until ``limit`` bytes are held."""
        chunks: list[bytes] = []
        while not self._done and sum(map(len, chunks)) < limit:
            chunks.extend(itertools.islice(self, 1))
        return chunks

    def __del__(self) -> None:
        self.close()  # a response dropped without close() must not keep its worker forever

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        try:
            kind, payload = self._pool._receive(self._worker, self._deadline, self._timeout_s)
        except HcnError as exc:  # headers are gone: all we can do is end the body early
            self._done = True
            log.warning("response cut short: %s", exc)
            raise StopIteration from None
        if kind == "chunk":
            return bytes(payload)
        self._done = True
        self.complete = kind == "end"
        if kind == "end" and payload is True:  # the worker retires (see MAX_PRIVATE_MB)
            self._pool._replace(self._worker)
        else:
            self._pool._release(self._worker)
        if kind == "abort":
            log.warning("response cut short: %s", payload)
        raise StopIteration

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._pool._replace(self._worker)
