"""Pre-forked query workers, so a query past its deadline can be killed without killing the server.

pyoxigraph cannot cancel a running query, so each query runs in a worker process. Layout::

    web process --(Unix socket, one per worker)--> worker: Job in; head, chunks, end out
    (length-prefixed messages: marshal for the job and the head, raw bytes for the body)
         |
         +--(control socket)--> zygote: forks workers on request, sends back their socket

The zygote is forked once, right after the store is loaded and before the web server starts any
thread, so every worker is a copy-on-write copy of a quiet, fully loaded store (forking a threaded
process could copy a lock held by another thread). A worker past its deadline gets SIGKILL and the
zygote forks a replacement (about 10 ms); everything else reuses idle workers.
Workers and zygote exit on EOF when the web process goes away, so nothing outlives it.

Memory budget: right after its fork a worker lowers its own ``RLIMIT_DATA`` to what it maps now
plus the budget, so the kernel refuses any allocation past it: Rust's allocator then aborts the
worker (SIGABRT), Python raises MemoryError (the worker exits with ``EXIT_MEMORY``). The zygote
reaps its workers and tells the web process how one ended, so a worker that died of its budget
becomes a 507 naming the budget, and a fresh worker takes its place.

Fair share: each job may name a client (``Claim``). An idle worker goes to the waiting client with
the fewest queries running in this pool and, among equals, the one served least recently (a client
that just had a worker waits behind one that had none), so a client never waits behind another's
backlog for longer than one running query; and a client that already has a query running here
never takes the last idle worker: one stays free for everybody else. The deadline counts from the
moment a query gets its worker (a query may first wait up to one deadline for it, then 503). A
claim is told how long a worker was held for it when the worker comes back (``Claim.release``).
"""

from __future__ import annotations

import itertools
import logging
import marshal
import multiprocessing
import os
import pickle
import resource
import signal
import socket
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Protocol

from .. import errors
from ..errors import BackendError, Busy, HcnError, MemoryBudgetExceeded, QueryTimeout
from .channel import Channel
from .execute import Head, Job, Query, execute
from .hand_off import Waker, suspended, wait_readable

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
#: A worker whose own (copy-on-write copied) memory passes this retires after its answer and the
#: zygote forks a fresh one. Reading the in-memory store dirties the pages it touches (lock words),
#: so without this each worker drifts toward a private copy of the whole store: at 1M triples four
#: workers held ~250 MB each after a few GROUP BY queries (the store itself: ~300 MB). 512 MB keeps a
#: worker (no re-copying) up to about 1.5M triples and bounds the growth beyond. Checked every ``CHECK_EVERY``
#: jobs, and after a heavy job when the last check is ``SAMPLE_S`` old (reading /proc/self/smaps_rollup
#: costs 0.6-1 ms at 100k triples, 4-6 ms at 1M: after every heavy job, most joins paid it under load).
MAX_PRIVATE_MB = 512
HEAVY_JOB_S = 0.05
SAMPLE_S = 5.0
CHECK_EVERY = 256
#: Exit status of a worker whose Python code ran out of its memory budget (MemoryError).
EXIT_MEMORY = 86
#: How a worker ended, as the zygote reports it: an exit code, a negative signal number, or this.
UNKNOWN_EXIT = -1000


class Claim(Protocol):
    """Whom a job runs for: ``client`` keys the fair share; ``release`` is called once with the
    seconds a query worker was held for the job (0 when it never got one)."""

    client: Hashable

    def release(self, worker_seconds: float = 0.0) -> None: ...


def memory_message(budget_mb: int) -> str:
    """What a client reads when its query crossed the memory budget."""
    return (f"query stopped: it needed more than the {budget_mb} MiB of memory one query may use on this "
            "endpoint; narrow the query (fewer patterns, a LIMIT, no ORDER BY or GROUP BY over a large join) "
            "and retry")


class PipeSink:
    """Worker side: buffers body bytes into chunks and sends them over the worker's socket
    (``conn``, and ``out``: the same socket, for the messages written in one go).

    The head waits for the first full chunk: an answer smaller than ``CHUNK_BYTES`` goes out as one
    ``whole`` message (head + body), so a small query costs one wake-up of the web thread instead
    of three (head, chunk, end); each wake-up waits for the GIL, which dominated lookups under load.
    """

    def __init__(self, conn: Connection, out: socket.socket) -> None:
        self.conn = conn
        self._out = out
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
            meta = marshal.dumps((*_head_fields(self._head), retire))
            self._send(b"w" + len(meta).to_bytes(2, "big") + meta + self._buffer)
            return
        self._send_chunk()
        self._send(b"e1" if retire else b"e0")

    def _send_chunk(self) -> None:
        if not self.started and self._head is not None:
            self._send(b"h" + marshal.dumps(_head_fields(self._head)))
            self.started = True
        if self._buffer:
            self._send(b"c" + bytes(self._buffer))  # raw bytes: no pickling of big bodies
            self._buffer.clear()

    def _send(self, message: bytes) -> None:
        """One message as ``Connection.send_bytes`` frames it (4-byte length), in one write: the web
        process, woken when the socket turns readable, then finds all of it there (``send_bytes``
        writes a message over 16 KiB in two, and the reader would wait for the second)."""
        self._out.sendall(len(message).to_bytes(4, "big", signed=True) + message)


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


def _serve_jobs(conn: Connection, query: Query, memory_mb: int = 0) -> None:
    """Worker loop: one job at a time until the web process closes the socket or it retires.

    A MemoryError (Python code past the memory budget) is reported as ``fatal`` and ends the worker:
    the web process replaces it."""
    jobs = 0
    sampled = time.monotonic()
    out = socket.socket(fileno=os.dup(conn.fileno()))  # the same socket, for one-write messages
    while True:
        try:
            job = decode_job(conn.recv_bytes())
        except (EOFError, OSError):
            return
        sink = PipeSink(conn, out)
        started = time.monotonic()
        out_of_memory = False
        try:
            execute(query, job, sink)
            jobs += 1
            now = time.monotonic()
            check = jobs % CHECK_EVERY == 0 or (now - started > HEAVY_JOB_S and now - sampled > SAMPLE_S)
            if check:
                sampled = now
            retire = check and _private_mb() > MAX_PRIVATE_MB
            sink.finish(retire)
            if retire:
                return
        except HcnError as exc:
            conn.send(("abort", str(exc)) if sink.started else ("error", exc))
        except MemoryError:
            out_of_memory = True  # leaving the except block lets go of what the query held
        if out_of_memory:
            try:
                conn.send(("fatal", MemoryBudgetExceeded(memory_message(memory_mb))))
            except (MemoryError, OSError):
                pass  # the web process learns it from the exit status instead
            raise MemoryError


def limit_memory(budget_mb: int) -> None:
    """Let this process allocate at most ``budget_mb`` MiB beyond what it maps now (RLIMIT_DATA).

    RLIMIT_DATA counts private writable memory (heap, anonymous mmap), not address space merely
    reserved, so the budget is what a query can actually take; the copy-on-write store this process
    already maps is outside it. Linux only (elsewhere: no budget)."""
    if budget_mb <= 0:
        return
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            data_kb = next(int(line.split()[1]) for line in handle if line.startswith("VmData:"))
    except (OSError, StopIteration, ValueError):
        return
    limit = data_kb * 1024 + budget_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _in_fresh_thread(target: Callable[..., None], *args: Any) -> int:
    """Run ``target`` in a thread started in this process; the exit status: 0, ``EXIT_MEMORY`` after
    a MemoryError, or 1 if it raised anything else (reported on stderr).

    Oxigraph's RAND(), UUID(), STRUUID() and BNODE() draw from a thread-local generator seeded on its
    first use in a thread. A forked worker's main thread carries a copy of the zygote's, so every
    worker would draw the same "random" values; a new thread seeds its own from the OS.
    """
    status: list[int] = []

    def run() -> None:
        try:
            target(*args)
        except MemoryError:
            status.append(EXIT_MEMORY)
        except BaseException:  # process boundary: report, never return into the zygote's code
            traceback.print_exc()
            status.append(1)

    thread = threading.Thread(target=run, name="hcn-query")
    thread.start()
    thread.join()
    return status[0] if status else 0


def _zygote_main(control: socket.socket, query: Query, memory_mb: int = 0) -> None:
    """Serve ``control``: ``s`` forks a worker and sends back its pid and socket (SCM_RIGHTS);
    ``w`` + pid answers how that worker ended (``_exit_code``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the web process; we follow on EOF
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # we reap our workers ourselves, to learn how they ended
    # Drop every inherited descriptor but stdio and our socket: a copy of someone else's pipe
    # (a browser driver's stdin, a client connection) would keep it open after its owner closes it.
    keep = control.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    ended: dict[int, int] = {}
    while command := control.recv(1):
        _reap(ended)
        if command == b"w":
            pid = int.from_bytes(_recv_exactly(control, 8), "big")
            control.sendall(_exit_code(pid, ended).to_bytes(8, "big", signed=True))
            continue
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            control.close()
            ours.close()
            limit_memory(memory_mb)
            os._exit(_in_fresh_thread(_serve_jobs, Connection(theirs.detach()), query, memory_mb))
        theirs.close()
        socket.send_fds(control, [pid.to_bytes(8, "big")], [ours.fileno()])
        ours.close()


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _reap(ended: dict[int, int]) -> None:
    """Collect every worker that has ended (no zombies), keeping the last few exit codes."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ended[pid] = os.waitstatus_to_exitcode(status)
        while len(ended) > 64:
            del ended[next(iter(ended))]


def _exit_code(pid: int, ended: dict[int, int], wait_s: float = 2.0) -> int:
    """How worker ``pid`` ended (exit code, or minus the signal); waits a little for one that is
    exiting (its socket closes just before it can be reaped)."""
    deadline = time.monotonic() + wait_s
    while pid not in ended:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return UNKNOWN_EXIT
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            return UNKNOWN_EXIT
        time.sleep(0.002)
    return ended.pop(pid)


@dataclass
class Worker:
    """The web process's handle on one worker, and the job it holds (whose, since when)."""

    pid: int
    conn: Channel
    claim: Claim | None = field(default=None, repr=False)
    since: float = 0.0
    replaced: bool = False  # killed and given back: a second ``_replace`` does nothing


@dataclass(eq=False)
class _Waiter:
    """A request waiting for a worker: its client (None: no claim, outside the fair share), turn,
    and on an event loop its wake-up call (see ``hand_off``)."""

    client: Hashable | None
    seq: int
    waker: Waker | None = None


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
    """A fixed number of query workers shared by all request threads, handed out fairly.

    ``memory_mb`` is each worker's memory budget (0 = none): a query past it ends in
    :class:`MemoryBudgetExceeded` and its worker is replaced.
    """

    def __init__(self, query: Query, size: int, memory_mb: int = 0) -> None:
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self._query = query
        self._size = size
        self.memory_mb = memory_mb
        self._lock = threading.Lock()  # the zygote's control socket, start and close
        self._turns = threading.Condition(threading.Lock())  # idle workers, waiters, running counts
        self._idle: list[Worker] = []
        self._waiting: list[_Waiter] = []
        self._running: Counter[Hashable] = Counter()
        self._served: dict[Hashable, float] = {}  # when a client running or waiting here last got a worker
        self._seq = itertools.count()
        self._owner = 0
        self._control: socket.socket | None = None
        self._zygote: Any = None

    def start(self) -> None:
        """Fork the zygote and the workers (again after this process was itself forked)."""
        if self._owner == _pid[0]:  # started in this process: no lock, no system call (every query comes here)
            return
        with self._lock:
            if self._owner == os.getpid():
                return
            ours, theirs = socket.socketpair()
            context = multiprocessing.get_context("fork")
            self._zygote = context.Process(
                target=_zygote_main, args=(theirs, self._query, self.memory_mb), daemon=True,
                name="hcn-query-zygote",
            )
            self._zygote.start()
            theirs.close()
            self._control, self._owner = ours, os.getpid()
            workers = [self._spawn_locked() for _ in range(self._size)]
        with self._turns:
            self._idle, self._waiting, self._running, self._served = workers, [], Counter(), {}
            self._notify_locked()

    def close(self) -> None:
        """Stop every process of this pool (also registered with atexit by the store)."""
        with self._lock:
            if self._owner != os.getpid():
                return
            with self._turns:
                idle, self._idle = self._idle, []
            for worker in idle:
                self._kill(worker)
            if self._control is not None:
                self._control.close()
            if self._zygote is not None:
                self._zygote.join(2)
            self._owner = 0

    def run(self, job: Job, timeout_s: float, claim: Claim | None = None) -> Answer:
        """Send ``job`` to a worker (fairly, for ``claim``'s client) within ``timeout_s``; the head must
        arrive, and the body end, within ``timeout_s`` of the job reaching the worker."""
        self.start()
        worker = self._acquire(claim, time.monotonic() + timeout_s)
        deadline = worker.since + timeout_s
        try:
            worker.conn.send(encode_job(job))
        except OSError:
            self._replace(worker)
            raise BackendError("query worker unavailable; retry") from None
        kind, payload = self._receive(worker, deadline, timeout_s)
        if kind == "error":
            self._release(worker)
            raise payload
        if kind == "fatal":  # the worker ran out of memory and is exiting
            self._replace(worker, memory_hit=True)
            raise payload
        if kind == "whole":  # a small answer in one message: the worker is free again
            head, body, retire = payload
            self._replace(worker) if retire else self._release(worker)
            return Answer(head, [body] if body else [])
        stream = Stream(self, worker, deadline, timeout_s)
        head = stream.prefetch(CHUNK_BYTES)  # small results end here and free the worker right away
        if stream.done:
            return Answer(payload, head, lambda: stream.complete)
        return Answer(payload, itertools.chain(head, stream), lambda: stream.complete)

    # --- fair hand-out of workers -----------------------------------------------------------

    def _acquire(self, claim: Claim | None, deadline: float) -> Worker:
        """An idle worker, when it is this request's turn; Busy if none comes before ``deadline``."""
        me = _Waiter(None if claim is None else claim.client, next(self._seq))
        with self._turns:
            self._waiting.append(me)
            try:
                while not self._my_turn(me):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise Busy(f"all {self._size} query workers are busy; retry later")
                    self._wait_locked(me, remaining)
                worker = self._idle.pop()
                if me.client is not None:
                    self._running[me.client] += 1
                    self._served[me.client] = time.monotonic()
            finally:
                self._waiting.remove(me)
                self._forget(me.client)
                self._notify_locked()
        worker.claim, worker.since = claim, time.monotonic()
        return worker

    def _wait_locked(self, me: _Waiter, timeout_s: float) -> None:
        """Until ``me`` may have its turn or ``timeout_s`` passes (``_turns`` held): a thread waits on
        the condition; code on an event loop (``hand_off``) lets go of the lock and suspends."""
        loop = suspended()
        if loop is None:
            self._turns.wait(timeout_s)
            return
        me.waker = Waker(loop)
        self._turns.release()
        try:
            me.waker.sleep(timeout_s)
        finally:
            self._turns.acquire()
            me.waker = None

    def _notify_locked(self) -> None:
        """The turns changed (``_turns`` held): wake the waiting threads, and the request on an event
        loop whose turn it now is (only that one: each wake-up costs it a trip through the loop)."""
        self._turns.notify_all()
        chosen = self._next()
        if chosen is not None and chosen.waker is not None:
            chosen.waker.wake()

    def _my_turn(self, me: _Waiter) -> bool:
        """Whether ``me`` takes the next idle worker (call with ``_turns`` held)."""
        return self._next() is me

    def _next(self) -> _Waiter | None:
        """Who takes the next idle worker, if one is idle (call with ``_turns`` held).

        Among waiters that may take one, the client with the fewest queries running in this pool
        goes first, then the one that got a worker here longest ago (never: first), then the earliest
        request; a client with a query running here takes a worker only while another stays idle.
        Requests without a claim (health probes) go first, by arrival.
        """
        if not self._idle:
            return None
        spare = len(self._idle) > 1
        best: tuple[int, float, int] | None = None
        chosen = None
        for waiter in self._waiting:
            if waiter.client is None:
                rank = (0, -1.0, waiter.seq)
            else:
                running = self._running[waiter.client]
                if running and not spare:
                    continue
                rank = (running, self._served.get(waiter.client, -1.0), waiter.seq)
            if best is None or rank < best:
                best, chosen = rank, waiter
        return chosen

    def _forget(self, client: Hashable | None) -> None:
        """Drop a client's service time once it has nothing running or waiting here (``_turns`` held)."""
        if client is not None and not self._running[client] and all(w.client != client for w in self._waiting):
            self._served.pop(client, None)
            del self._running[client]

    def _give_back(self, worker: Worker, successor: Worker | None) -> None:
        """``worker``'s job is over: the successor (itself, a replacement or none) becomes idle,
        its client's running count drops and its claim learns how long it held the worker."""
        claim, held = worker.claim, time.monotonic() - worker.since
        worker.claim = None
        with self._turns:
            if claim is not None:
                self._running[claim.client] -= 1
                self._forget(claim.client)
            if successor is not None:
                self._idle.append(successor)
            self._notify_locked()
        if claim is not None:
            claim.release(held)

    def _release(self, worker: Worker) -> None:
        self._give_back(worker, worker)

    def _replace(self, worker: Worker, memory_hit: bool = False) -> None:
        """Kill ``worker`` and put a fresh one in its place (once: a request cancelled on an event loop
        replaces its worker where it waited, and its stream's ``close`` may try again)."""
        if worker.replaced:
            return
        worker.replaced = True
        self._kill(worker)
        if memory_hit:
            log.warning("query worker %s crossed its memory budget of %s MiB; replaced", worker.pid, self.memory_mb)
        successor = None
        try:
            with self._lock:
                if self._owner == os.getpid():
                    successor = self._spawn_locked()
        finally:
            self._give_back(worker, successor)

    def _receive(self, worker: Worker, deadline: float, timeout_s: float) -> tuple[str, Any]:
        """Next message from ``worker``; kill and replace it past the deadline or when it died."""
        try:
            ready = self._readable(worker, max(deadline - time.monotonic(), 0))
            message = worker.conn.receive() if ready else None
        except (EOFError, OSError):
            message = b""
        if message is None:
            self._replace(worker)
            raise QueryTimeout(
                f"query timed out: stopped after the endpoint's {timeout_s:g} s deadline; "
                "narrow the query (fewer patterns, a LIMIT) and retry"
            )
        if not message:
            out_of_memory = self.memory_mb > 0 and self._ended_of_memory(worker.pid)
            self._replace(worker, memory_hit=out_of_memory)
            if out_of_memory:
                raise MemoryBudgetExceeded(memory_message(self.memory_mb))
            raise BackendError("query worker stopped unexpectedly; retry")
        tag = message[:1]
        if tag == b"c":
            return "chunk", message[1:]
        if tag == b"w":
            size = 3 + int.from_bytes(message[1:3], "big")
            fmt, kind, truncated, retire = marshal.loads(message[3:size])
            return "whole", (Head(fmt, kind, truncated), message[size:], retire)
        if tag == b"h":
            return "head", Head(*marshal.loads(message[1:]))
        if tag == b"e":
            return "end", message[1:] == b"1"
        return _loads(message)

    def _readable(self, worker: Worker, timeout_s: float) -> bool:
        """Whether ``worker`` has a message within ``timeout_s``: polled in a thread, watched by the event
        loop under ``hand_off`` (a request cancelled meanwhile loses its worker: it is replaced)."""
        if suspended() is None:
            return worker.conn.poll(timeout_s)
        try:
            return worker.conn.poll(timeout_s, wait_readable)
        except BaseException:
            self._replace(worker)
            raise

    def _ended_of_memory(self, pid: int) -> bool:
        """Whether worker ``pid`` (which just closed its socket) died of its memory budget: Rust's
        allocator aborts (SIGABRT) when the kernel refuses memory; Python exits with ``EXIT_MEMORY``."""
        with self._lock:
            if self._owner != os.getpid() or self._control is None:
                return False
            try:
                self._control.sendall(b"w" + pid.to_bytes(8, "big"))
                code = int.from_bytes(_recv_exactly(self._control, 8), "big", signed=True)
            except (OSError, EOFError):
                return False
        return code in (-signal.SIGABRT, EXIT_MEMORY)

    def _spawn_locked(self) -> Worker:
        assert self._control is not None
        try:
            self._control.sendall(b"s")
            message, fds, _, _ = socket.recv_fds(self._control, 8, 1)
        except OSError:
            message, fds = b"", []
        if len(message) != 8 or len(fds) != 1:
            raise BackendError("query worker could not be started")
        return Worker(int.from_bytes(message, "big"), Channel(fds[0]))

    @staticmethod
    def _kill(worker: Worker) -> None:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.conn.close()


#: This process's id, kept up to date over forks (``os.getpid`` is a system call).
_pid = [os.getpid()]
os.register_at_fork(after_in_child=lambda: _pid.__setitem__(0, os.getpid()))


def _head_fields(head: Head) -> tuple[str, str, bool]:
    return head.format_name, head.kind, head.truncated


def encode_job(job: Job) -> bytes:
    """A job as bytes for its worker: marshal (strings, lists, numbers: no pickling of the query
    text) and, only for a named query's parameters, the pickled pyoxigraph terms."""
    choices = {kind: c if isinstance(c, str) else (type(c).__name__, str(c)) for kind, c in job.choices.items()}
    terms = pickle.dumps(dict(job.substitutions)) if job.substitutions else b""
    return marshal.dumps((job.sparql, job.default_graphs, job.named_graphs, choices, job.max_rows, terms))


def decode_job(data: bytes) -> Job:
    """The job ``encode_job`` wrote; a negotiated error is made again from its class name and message."""
    sparql, default_graphs, named_graphs, choices, max_rows, terms = marshal.loads(data)
    made = {kind: c if isinstance(c, str) else getattr(errors, c[0])(c[1]) for kind, c in choices.items()}
    return Job(sparql, default_graphs, named_graphs, made, max_rows, pickle.loads(terms) if terms else {})


def _loads(message: bytes) -> tuple[str, Any]:
    """Unpickle a rare control message (error, abort, fatal) sent with ``Connection.send``."""
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
        if kind == "fatal":  # out of memory mid-answer: the worker is exiting
            self._pool._replace(self._worker, memory_hit=True)
            log.warning("response cut short: %s", payload)
        elif kind == "end" and payload is True:  # the worker retires (see MAX_PRIVATE_MB)
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
