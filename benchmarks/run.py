"""Our publisher side by side with `oxigraph serve` (RocksDB and memory), a Python floor and rdflib-endpoint.

    python benchmarks/run.py                 # 10k and 100k triples (what `make bench` runs)
    python benchmarks/run.py --full          # also 1M triples
    python benchmarks/run.py --sizes 2000 --duration 2 --no-validate   # a quick look
    python benchmarks/run.py --sizes 100000 --duration 2 --no-validate --peers oxigraph oxigraph-memory python-floor

For each size: benchmarks/generate.py writes a conforming graph (``--violations 0``); our server
(`hcn serve --production` of this checkout) serves it from a root folder (ontology/ + data/ + shapes/),
and the peers get the very same ontology + data triples in their default graph: `oxigraph load` then
`oxigraph serve-read-only` (RocksDB); `oxigraph serve` without a location (in memory), loaded over HTTP;
the "Python floor" (benchmarks/floor.py: a bare ASGI app over an in-memory pyoxigraph store on
gunicorn + uvicorn, ours minus every feature); `rdflib-endpoint serve` from benchmarks/.venv-peers;
optionally ours with its result cache off (``hcn-uncached``). Each query kind is then driven by a
loopback load generator (`wrk` with a Lua script of pre-built requests, or a bounded Python client
when wrk is missing) for a fixed duration at a fixed concurrency. Every request of the headline kinds
is distinct, as a harvester crawling each IRI once or many researchers asking different questions:

- lookup:   the labels of one resource, over every municipality and identifier (at most 20,000)
- join:     the members of one phase of one network, with their label in one language and their number,
            over every network, phase and language
- aggregate: memberships per network and role during phase k (GROUP BY)
- document: ours ``GET /doc/synthetic/NAME`` (Turtle) for every municipality and identifier; peers a
            CONSTRUCT of the same neighbourhood (own triples, labels of linked IRIs, incoming links
            with their labels)
- download: ``SELECT ?s ?p ?o { ?s ?p ?o } LIMIT 10000`` as SPARQL JSON

and every /sparql text carries the request's sequence number in a variable name, so no two are the
same. ``lookup-repeated`` is the earlier benchmark's mix (200 lookup texts cycled), where our result
cache answers from memory: kept as a separate row.

All servers of a size are started first; then each query kind is measured on each server in turn,
round after round (``--rounds``, the best round counts), so that neighbouring numbers share the
machine's state (on a shared machine a busy spell lands on one kind of every server, not on every
kind of one server). Servers that need more than ``SLOW_S`` for one request are measured at concurrency 1 (they handle one
query at a time anyway) so that no queue of unfinished requests leaks into the next measurement, and
a query that does not answer within ``--cap`` seconds is recorded as a timeout. Each measurement also
reads the server's CPU time (its whole process tree, from /proc) before and after: CPU ms per
request. Load time is from process start to the first answered query (plus `oxigraph load`, or the
upload, for Oxigraph); memory is the sum of PSS (proportional set size: shared copy-on-write pages
counted once) over the server's process tree, with the plain RSS sum beside it. Validation is
benchmarks/validate_bench.py (`hcn validate` vs `pyshacl`) on the default (1% violations) graph of
the same size.

Results: benchmarks/results/bench.md and bench.json (ratios = ours / peer).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
PEERS_BIN = BENCH / ".venv-peers" / "bin"
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402

BASE = "https://w3id.org/healthy-cities/"
G = BASE + "id/synthetic/"
#: Every request distinct (the headline), then the earlier repeated mix (a separate, labelled row).
QUERIES = ("lookup", "join", "aggregate", "document", "download", "lookup-repeated")
SLOW_S = 0.25  # a single request slower than this: measure at concurrency 1
PREFIXES = """PREFIX hc: <https://w3id.org/healthy-cities/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
JSON_RESULTS = "application/sparql-results+json"
SPARQL_QUERY = "application/sparql-query"


# --------------------------------------------------------------------------------------- requests

#: Replaced by the request's sequence number when it is sent: every /sparql text of the distinct mix
#: differs (a variable name carries the number), so no answer cache can serve it.
N = "@@N@@"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""

    def render(self, n: int) -> str:
        """The body as sent as request number ``n``."""
        return self.body.replace(N, str(n))


def sparql_request(path: str, query: str, accept: str = JSON_RESULTS) -> Request:
    return Request("POST", path, {"Content-Type": SPARQL_QUERY, "Accept": accept}, query)


def lookup_query(iri: str, var: str = "label") -> str:
    return PREFIXES + f"SELECT ?{var} WHERE {{ <{iri}> rdfs:label ?{var} }}"


def join_query(network: int, phase: int, lang: str = "en", var: str = "name") -> str:
    return PREFIXES + f"""SELECT ?city ?{var} ?number WHERE {{
  ?m org:memberDuring <{G}phase-{network}-{phase}> ; org:member ?city .
  ?city rdfs:label ?{var} ; hc:nationalIdentifier ?id .
  ?id skos:notation ?number .
  FILTER(LANG(?{var}) = "{lang}")
}}"""


def aggregate_query(phase: int, var: str = "members") -> str:
    return PREFIXES + f"""SELECT ?network ?role (COUNT(?m) AS ?{var}) WHERE {{
  ?phase hc:phaseNumber {phase} .
  ?m org:memberDuring ?phase ; org:organization ?network ; org:role ?role .
}} GROUP BY ?network ?role ORDER BY ?network ?role"""


def document_query(iri: str) -> str:
    """What our /doc page 1 holds (server/linkeddata/documents.py), as one CONSTRUCT for the peers."""
    s = f"<{iri}>"
    labels = "rdfs:label, skos:prefLabel"  # FILTER IN, as ours: Oxigraph plans VALUES ?p {...} ?s ?p ?o badly
    return PREFIXES + f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND({s} AS ?s) ?s ?p ?o }}
  UNION {{ {s} ?a ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ {s} ?a ?s . FILTER(isIRI(?s)) ?s ?p ?o FILTER(?p IN ({labels})) }}
  UNION {{ {{ SELECT ?s ?p WHERE {{ ?s ?p {s} }} ORDER BY ?s ?p LIMIT 200 }} BIND({s} AS ?o) }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ ?s ?q {s} }} ORDER BY ?s LIMIT 200 }} ?s ?p ?o FILTER(?p IN ({labels})) }}
}}"""


def download_query(var: str = "o") -> str:
    return f"SELECT ?s ?p ?{var} WHERE {{ ?s ?p ?{var} }} LIMIT 10000"


#: At most this many different resources per kind (the issue's 1M run: 20,000 documents).
MAX_RESOURCES = 20_000


def resources(cities: int, seed: int = 7) -> list[str]:
    """Local names of every municipality and its identifier (at most ``MAX_RESOURCES``), shuffled."""
    names = [f"{kind}-{n}" for n in range(cities) for kind in ("municipality", "identifier")]
    rnd = random.Random(seed)
    rnd.shuffle(names)
    return names[:MAX_RESOURCES]


def request_mix(server: str, sparql_path: str, cities: int, networks: int, seed: int = 7) -> dict[str, list[Request]]:
    """The requests of each query kind for one server (the same resources, in the same order, for every server).

    The headline kinds ask something different with every request: lookups over every municipality
    and identifier and documents for every one of them, joins over every network, phase and label
    language, each /sparql text made unique by its sequence number (``N``); ``lookup-repeated`` is
    the mix of earlier benchmarks, 200 lookups cycled, which our result cache answers from memory.
    """
    rnd = random.Random(seed)
    names = resources(cities, seed)
    joins = [(n, k, lang) for n in range(networks) for k in range(1, 8) for lang in ("en", "nb")]
    rnd.shuffle(joins)
    picks = [rnd.randrange(cities) for _ in range(200)]
    mix = {
        "lookup": [sparql_request(sparql_path, lookup_query(G + name, "label_" + N)) for name in names],
        "join": [sparql_request(sparql_path, join_query(n, k, lang, "name_" + N)) for n, k, lang in joins],
        "aggregate": [sparql_request(sparql_path, aggregate_query(k, "members_" + N)) for k in range(1, 8)],
        "download": [sparql_request(sparql_path, download_query("o_" + N))],
        "lookup-repeated": [sparql_request(sparql_path, lookup_query(f"{G}municipality-{n}")) for n in picks],
    }
    if server.startswith("hcn"):
        mix["document"] = [Request("GET", f"/doc/synthetic/{name}", {"Accept": "text/turtle"}) for name in names]
    else:
        mix["document"] = [sparql_request(sparql_path, document_query(G + name), "text/turtle") for name in names]
    return {kind: mix[kind] for kind in QUERIES}


def send(port: int, req: Request, timeout: float, n: int = 0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = req.render(n)
        conn.request(req.method, req.path, body=body.encode() if body else None, headers=req.headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# ------------------------------------------------------------------------------------ load drivers

@dataclass
class Measurement:
    requests: int = 0
    errors: int = 0
    timeouts: int = 0
    seconds: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    concurrency: int = 0
    single_ms: float | None = None
    cpu_ms: float | None = None  # the server's CPU time per answered request (its whole process tree)
    note: str = ""

    @property
    def rps(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"rps": round(self.rps, 2), "p50_ms": _r(self.p50_ms), "p99_ms": _r(self.p99_ms),
                "requests": self.requests, "errors": self.errors, "timeouts": self.timeouts,
                "seconds": round(self.seconds, 2), "concurrency": self.concurrency,
                "single_ms": _r(self.single_ms), "cpu_ms": None if self.cpu_ms is None else round(self.cpu_ms, 3),
                "note": self.note}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _lua_string(text: str) -> str:
    """A Lua string literal holding exactly the UTF-8 bytes of ``text`` (long brackets would turn CRLF into LF)."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in (0x22, 0x5C) or not 0x20 <= byte < 0x7F:
            out.append(f"\\{byte:03d}")
        else:
            out.append(chr(byte))
    return '"' + "".join(out) + '"'


WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"status":%d,"timeout":%d,"connect":%d,'
    .. '"read":%d,"write":%d,"p50_us":%d,"p99_us":%d}\\n', summary.requests, summary.duration, e.status, e.timeout,
    e.connect, e.read, e.write, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_script(requests: list[Request], host: str = "127.0.0.1", first: int = 0) -> str:
    """A wrk Lua script cycling through ``requests``, the sequence number spliced into each body.

    Requests are pre-built as raw HTTP text split at ``N``, so a request costs wrk a concatenation.
    """
    lines = ["local specs = {"]
    for r in requests:
        head = f"{r.method} {r.path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in r.headers.items())
        parts = ", ".join(_lua_string(p) for p in r.body.split(N)) if r.body else ""
        lines.append(f"  {{{_lua_string(head)}, {{{parts}}}}},")
    lines += ["}", f"local i = {first}",
              "request = function()",
              "  i = i + 1",
              "  local s = specs[(i % #specs) + 1]",
              "  local parts = s[2]",
              "  if #parts == 0 then return s[1] .. '\\r\\n' end",
              "  local body = #parts == 1 and parts[1] or table.concat(parts, tostring(i))",
              "  return s[1] .. 'Content-Length: ' .. #body .. '\\r\\n\\r\\n' .. body",
              "end"]
    return "\n".join(lines) + WRK_DONE


def run_wrk(port: int, requests: list[Request], concurrency: int, duration: float, cap: float, work: Path,
            first: int = 0) -> Measurement:
    script = work / "mix.lua"
    script.write_text(wrk_script(requests, first=first), encoding="utf-8")
    argv = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(duration))}s", f"--timeout={max(1, round(cap))}s",
            "-s", str(script), f"http://127.0.0.1:{port}"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + cap + 30).stdout
    match = re.search(r"WRKJSON (\{.*\})", out)
    if not match:
        raise RuntimeError(f"wrk gave no summary: {out[-500:]}")
    data = json.loads(match.group(1))
    done = data["requests"]
    m = Measurement(requests=done, errors=data["status"] + data["read"] + data["write"] + data["connect"],
                    timeouts=data["timeout"], seconds=data["duration_us"] / 1e6, concurrency=concurrency)
    if done:
        m.p50_ms, m.p99_ms = data["p50_us"] / 1000, data["p99_us"] / 1000
    return m


def run_python(port: int, requests: list[Request], concurrency: int, duration: float, cap: float,
               first: int = 0) -> Measurement:
    """Bounded fallback when wrk is missing: ``concurrency`` threads with keep-alive, ``duration`` seconds."""
    latencies: list[float] = []
    counts = {"errors": 0, "timeouts": 0}
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=cap)
        i = offset
        while time.monotonic() < stop:
            req = requests[i % len(requests)]
            i += concurrency
            body = req.render(first + i)
            started = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=body.encode() if body else None, headers=req.headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=cap)
                with lock:
                    counts["timeouts" if isinstance(exc, socket.timeout) else "errors"] += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
                counts["errors"] += not ok
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + cap + 5)
    m = Measurement(requests=len(latencies) + counts["timeouts"], errors=counts["errors"], timeouts=counts["timeouts"],
                    seconds=time.monotonic() - started, concurrency=concurrency)
    m.requests -= counts["timeouts"]
    if latencies:
        latencies.sort()
        m.p50_ms = latencies[len(latencies) // 2] * 1000
        m.p99_ms = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return m


# ----------------------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def memory_mb(pid: int) -> tuple[float, float, int]:
    """(PSS sum, RSS sum, process count) of the tree under ``pid``, in MB."""
    pss = rss = 0
    pids = tree(pid)
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
    return pss / 1024, rss / 1024, len(pids)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_times(pid: int) -> dict[int, float]:
    """CPU seconds (user + system, plus reaped children's) of every process in the tree under ``pid``."""
    out = {}
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[p] = sum(int(v) for v in fields[11:15]) / CLOCK_TICKS  # utime stime cutime cstime
    return out


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the tree spent between two ``cpu_times`` samples (processes that ended meanwhile and
    were not reaped by one of the tree's own are missed: none do during a measurement)."""
    return sum(seconds - before.get(p, 0.0) for p, seconds in after.items())


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    sparql_path: str
    env: dict[str, str] = field(default_factory=dict)
    prepare_s: float = 0.0
    after_start: Any = None  # called once the server answers (loads data into a server that starts empty)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self, work: Path, cap: float) -> float:
        """Start and wait until a query answers; seconds from start (plus ``prepare_s``)."""
        self.log = work / f"{self.name}.log"
        started = time.perf_counter()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                            env={**os.environ, **self.env}, cwd=work)
        probe = sparql_request(self.sparql_path, "ASK { ?s ?p ?o }")
        while time.perf_counter() - started < cap:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                status, body = send(self.port, probe, 5)
            except OSError:
                time.sleep(0.05)
                continue
            if status == 200:
                if self.after_start:
                    self.after_start(self)
                return self.prepare_s + time.perf_counter() - started
            raise RuntimeError(f"{self.name} answers the probe query with HTTP {status}: {body[:300]!r}; "
                               f"its log: {self.log.read_text(errors='replace')[-1500:]}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready after {cap} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: the server's whole process tree
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def wait_idle(self, limit: float) -> None:
        """Until a trivial query answers again (a slow peer may still be working on abandoned requests)."""
        stop = time.monotonic() + limit
        while time.monotonic() < stop:
            try:
                send(self.port, sparql_request(self.sparql_path, "ASK { }"), limit)
                return
            except OSError:
                time.sleep(0.2)


HCN_MAIN = "import sys; from server.cli import main; sys.exit(main())"


def hcn_command(port: int, workers: int | None, threads: int | None) -> list[str]:
    """``hcn serve --production`` of this checkout (its ``server.cli``, with the checkout on PYTHONPATH)."""
    argv = [sys.executable, "-c", HCN_MAIN, "serve", "--production", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", str(workers)] if workers else []
    argv += ["--threads", str(threads)] if threads else []
    return argv


def floor_command(port: int, data: Path, workers: int | None) -> list[str]:
    """benchmarks/floor.py under gunicorn with uvicorn workers, as many as ours, data loaded before the fork."""
    return [str(BIN / "gunicorn"), f"floor:app({str(data)!r})", "--chdir", str(BENCH), "--preload",
            "--workers", str(workers or max(2, os.cpu_count() or 1)),  # as many as hcn serve's default
            "--worker-class", "uvicorn_worker.UvicornWorker",
            "--reuse-port", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning"]


def upload(path: Path) -> Any:
    """An ``after_start`` that POSTs ``path`` (Turtle) into the default graph (Graph Store Protocol)."""
    def load(server: Server) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        try:
            conn.request("POST", "/store?default", body=path.read_bytes(), headers={"Content-Type": "text/turtle"})
            response = conn.getresponse()
            text = response.read()
        finally:
            conn.close()
        if response.status >= 300:
            raise RuntimeError(f"{server.name}: loading the data answered HTTP {response.status}: {text[:300]!r}")

    return load


# ------------------------------------------------------------------------------------- one size run

def prepare(size: int, work: Path) -> dict[str, Any]:
    """Write the graph: a root folder for us, one Turtle file (ontology + data) for the peers."""
    text, gen = generate(size, seed=1, violation_rate=0.0)
    root = work / "root"
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data").mkdir(parents=True)
    (root / "data" / "synthetic.ttl").write_text(text, encoding="utf-8")
    peer = work / "peer.ttl"
    with peer.open("w", encoding="utf-8") as out:
        for path in sorted((ROOT / "ontology").glob("*.ttl")):
            out.write(path.read_text(encoding="utf-8") + "\n")
        out.write(text)
    cities = sum(1 for o in gen.orgs if "municipality" in o)
    return {"root": root, "peer": peer, "triples": gen.triples, "cities": cities, "networks": len(gen.networks)}


#: The load comes from one address: the per-client fair-use limits (docs/sparql.md) would answer it 429.
UNLIMITED = {"HCN_CLIENT_MAX_IN_FLIGHT": "0", "HCN_CLIENT_BUDGET_S": "0"}


def servers(args: argparse.Namespace, data: dict[str, Any], work: Path) -> list[Server]:
    found = []
    ours = {"HCN_ROOT": str(data["root"]), "PYTHONPATH": str(ROOT), **UNLIMITED}
    port = free_port()
    found.append(Server("hcn", hcn_command(port, args.workers, args.threads), port, "/sparql", env=ours))
    if args.compare:  # another version of ours (a checkout or `git archive` of it), for before/after
        port = free_port()
        found.append(Server("hcn-compare", hcn_command(port, args.workers, args.threads), port, "/sparql",
                            env={**ours, "PYTHONPATH": str(Path(args.compare).resolve())}))
    if "hcn-uncached" in args.peers:  # the same server without its result cache: every request queries the store
        port = free_port()
        found.append(Server("hcn-uncached", hcn_command(port, args.workers, args.threads), port, "/sparql",
                            env={**ours, "HCN_RESULT_CACHE_MB": "0"}))
    if "oxigraph" in args.peers:
        port = free_port()
        location = work / "oxigraph-db"
        started = time.perf_counter()
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(data["peer"])],
                       check=True, capture_output=True)
        server = Server("oxigraph", [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location),
                                     "--bind", f"127.0.0.1:{port}"], port, "/query")
        server.prepare_s = time.perf_counter() - started
        found.append(server)
    if "oxigraph-memory" in args.peers:  # `oxigraph serve` without --location keeps its store in memory
        port = free_port()
        found.append(Server("oxigraph-memory", [str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"],
                            port, "/query", after_start=upload(data["peer"])))
    if "python-floor" in args.peers:
        port = free_port()
        found.append(Server("python-floor", floor_command(port, data["peer"], args.workers), port, "/query"))
    if "rdflib-endpoint" in args.peers:
        port = free_port()
        found.append(Server("rdflib-endpoint", [str(PEERS_BIN / "rdflib-endpoint"), "serve", str(data["peer"]),
                                                "--host", "127.0.0.1", "--port", str(port)], port, "/"))
    return found


#: The sequence number of the last request sent (see ``N``).
SEQUENCE = 0


def measure_query(server: Server, requests: list[Request], args: argparse.Namespace, work: Path) -> Measurement:
    """Probe one request (and warm up), pick the concurrency, then drive load for ``--duration``."""
    timings = []
    for req in requests[:3]:
        started = time.perf_counter()
        try:
            status, body = send(server.port, req, args.cap)
        except socket.timeout:
            server.wait_idle(args.cap * 4)
            return Measurement(timeouts=1, seconds=args.cap, concurrency=1, note=f"timeout: > {args.cap:g} s")
        if status != 200:
            return Measurement(errors=1, seconds=1, concurrency=1, note=f"HTTP {status}: {body[:200]!r}")
        timings.append(time.perf_counter() - started)
        if timings[-1] > 8 * SLOW_S:
            break  # no need to wait for more: slow either way (a busy machine can delay one probe past SLOW_S)
    single = min(timings)
    concurrency = 1 if single > SLOW_S else args.concurrency
    duration = args.duration if single <= SLOW_S else max(args.duration, min(3 * single, args.cap))
    global SEQUENCE
    SEQUENCE += 10_000_000  # sequence numbers never repeat within a run, across kinds and rounds
    before = cpu_times(server.process.pid)  # type: ignore[union-attr]
    if shutil.which("wrk") and not args.python_client:
        m = run_wrk(server.port, requests, concurrency, duration, args.cap, work, SEQUENCE)
    else:
        m = run_python(server.port, requests, concurrency, duration, args.cap, SEQUENCE)
    spent = cpu_spent(before, cpu_times(server.process.pid))  # type: ignore[union-attr]
    if m.requests > m.errors:
        m.cpu_ms = spent * 1000 / (m.requests - m.errors)
    m.single_ms = single * 1000
    if m.requests == m.errors:
        m.note = "no answer within the measurement"
    server.wait_idle(args.cap * 2)
    return m


def run_size(size: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Start every server, then measure each query kind on each server in turn (round after round),
    so that neighbouring numbers share the machine's state: a busy spell elsewhere on a shared
    machine lands on one kind of every server, not on every kind of one server."""
    data = prepare(size, work)
    print(f"== {data['triples']:,} triples ({data['cities']:,} municipalities, {data['networks']} networks)", flush=True)
    result: dict[str, Any] = {"triples": data["triples"], "municipalities": data["cities"], "servers": {}}
    found = servers(args, data, work)
    rows: dict[str, dict[str, Any]] = {server.name: {} for server in found}
    mixes: dict[str, dict[str, list[Request]]] = {}
    try:
        for server in found:
            row = rows[server.name]
            try:
                row["load_s"] = round(server.start(work, args.load_cap), 2)
                assert server.process is not None
                row["pss_mb"], row["rss_mb"], row["processes"] = (round(v) for v in memory_mb(server.process.pid))
                mixes[server.name] = request_mix(server.name, server.sparql_path, data["cities"], data["networks"])
                row["queries"] = {}
                print(f"  {server.name:16} load {row['load_s']} s, PSS {row['pss_mb']} MB, {row['processes']} processes",
                      flush=True)
            except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
                row["error"] = str(exc)[-1000:]
                print(f"  {server.name}: {row['error']}", flush=True)
                server.stop()
        for round_ in range(max(1, args.rounds)):
            for kind in QUERIES:
                if kind in args.skip:
                    continue
                for server in found:
                    row = rows[server.name]
                    if "error" in row or (round_ and row["queries"][kind].get("slow")):
                        continue  # a slow server: one round is enough to know
                    try:
                        m = measure_query(server, mixes[server.name][kind], args, work)
                    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
                        row["error"] = str(exc)[-1000:]
                        print(f"  {server.name}: {row['error']}", flush=True)
                        continue
                    cpu = f"CPU {m.cpu_ms:6.3f} ms/req" if m.cpu_ms is not None else ""
                    print(f"  {server.name:16} {kind:15} {m.rps:9.1f} req/s  p50 {m.p50_ms or 0:8.2f} ms  "
                          f"p99 {m.p99_ms or 0:8.2f} ms  {cpu}  c={m.concurrency} {m.note}", flush=True)
                    best = row["queries"].get(kind)
                    if best is None or m.rps > best["rps"]:  # the best round of each server
                        row["queries"][kind] = {**m.as_dict(), "slow": m.concurrency == 1 and args.concurrency > 1}
        for server in found:
            row = rows[server.name]
            if "error" not in row and server.process is not None:
                row["pss_after_mb"], row["rss_after_mb"], _ = (round(v) for v in memory_mb(server.process.pid))
                print(f"  {server.name:16} PSS {row['pss_after_mb']} MB after the mix", flush=True)
    finally:
        for server in found:
            server.stop()
    for name, row in rows.items():
        for q in row.get("queries", {}).values():
            q.pop("slow", None)
        result["servers"][name] = row
    if not args.no_validate and size <= args.validate_max:
        import validate_bench

        vwork = work / "validate"
        vwork.mkdir()
        v = validate_bench.run_size(size, vwork)
        result["validate"] = v
        print(f"  validate: hcn {v['hcn_s']} s, pyshacl {v['pyshacl_s']} s ({v['speedup']}x), "
              f"results {v['hcn_shacl_results']}/{v['pyshacl_results']}", flush=True)
    result["ratios"] = ratios(result)
    return result


# ------------------------------------------------------------------------------------------ report

PEERS = ("oxigraph", "oxigraph-memory", "python-floor", "rdflib-endpoint", "hcn-compare")


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    """ours / peer for every number: throughput (higher is better), latency, load, memory (lower is better)."""
    ours = result["servers"].get("hcn", {})
    out: dict[str, Any] = {}
    for peer, theirs in result["servers"].items():
        if peer == "hcn" or "queries" not in theirs or "queries" not in ours:
            continue
        r: dict[str, Any] = {}
        for kind, mine in ours["queries"].items():
            other = theirs["queries"].get(kind)
            if not other:
                continue
            if other["rps"] > 0:
                r[f"{kind}_rps"] = round(mine["rps"] / other["rps"], 2)
            else:  # the peer answered nothing: at most one answer in the window is a lower bound
                r[f"{kind}_rps"] = f">{mine['rps'] * max(other['seconds'], 1):.0f}"
            if mine["p99_ms"] and other["p99_ms"]:
                r[f"{kind}_p99"] = round(mine["p99_ms"] / other["p99_ms"], 3)
            if mine.get("cpu_ms") and other.get("cpu_ms"):
                r[f"{kind}_cpu"] = round(mine["cpu_ms"] / other["cpu_ms"], 2)
        r["load"] = round(ours["load_s"] / theirs["load_s"], 2)
        r["memory"] = round(ours["pss_after_mb"] / max(theirs["pss_after_mb"], 1), 2)
        out[peer] = r
    return out


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    versions = {}
    for name, argv in {"oxigraph": [str(BIN / "oxigraph"), "--version"], "wrk": ["wrk", "--version"],
                       "rdflib-endpoint": [str(PEERS_BIN / "python"), "-c",
                                           "import importlib.metadata as m; print(m.version('rdflib-endpoint'), "
                                           "'rdflib', m.version('rdflib'))"]}.items():
        try:
            text = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            versions[name] = (text.stdout or text.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            versions[name] = "missing"
    from importlib.metadata import version

    for package in ("pyoxigraph", "gunicorn", "uvicorn"):
        versions[package] = version(package)
    os_name = platform.platform()
    try:
        os_name = next(line.split("=", 1)[1].strip('"') for line in Path("/etc/os-release").read_text().splitlines()
                       if line.startswith("PRETTY_NAME"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1), "os": os_name,
            "kernel": platform.release(), "python": platform.python_version(), "versions": versions}


def describe_machine(m: dict[str, Any]) -> str:
    v = m["versions"]
    return (f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']} (Linux {m['kernel']}), Python "
            f"{m['python']}; pyoxigraph {v['pyoxigraph']}, gunicorn {v['gunicorn']}, uvicorn {v.get('uvicorn', '?')}, "
            f"{v['oxigraph']}, rdflib-endpoint {v['rdflib-endpoint']}, {v['wrk']}")


def fmt_rps(q: dict[str, Any] | None) -> str:
    if not q:
        return "–"
    if q["rps"] == 0:
        return q["note"] or "0"
    return f"{q['rps']:,.1f}" if q["rps"] < 100 else f"{q['rps']:,.0f}"


def fmt_ms(value: float | None) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:,.0f}")


def fmt_cpu(value: float | None) -> str:
    return "–" if value is None else (f"{value:.3f}" if value < 10 else f"{value:,.0f}")


SERVER_LABELS = {"hcn": "ours", "hcn-compare": "ours, other version", "hcn-uncached": "ours, result cache off", "oxigraph": "oxigraph (RocksDB)",
                 "oxigraph-memory": "oxigraph (memory)", "python-floor": "Python floor",
                 "rdflib-endpoint": "rdflib-endpoint"}
RATIO_LABELS = {"oxigraph": "ours / oxigraph", "oxigraph-memory": "ours / oxigraph memory",
                "python-floor": "ours / floor", "rdflib-endpoint": "ours / rdflib-endpoint",
                "hcn-compare": "ours / other version"}
KIND_LABELS = {"lookup-repeated": "lookup, repeated (200 texts cycled)"}


def markdown(report: dict[str, Any]) -> str:
    cfg = report["config"]
    labels = {**SERVER_LABELS, "hcn-compare": cfg.get("compare_label") or SERVER_LABELS["hcn-compare"]}
    lines = [
        "# Our publisher vs `oxigraph serve` (RocksDB and memory), a Python floor and rdflib-endpoint", "",
        f"Machine: {describe_machine(report['machine'])}.", "",
        f"One run ({report['date']}), same data and machine for every server; load generator "
        f"{cfg['client']}, {cfg['duration']} s per measurement at concurrency {cfg['concurrency']}, best of "
        f"{cfg.get('rounds', 1)} round(s) (servers slower than {int(SLOW_S * 1000)} ms per request: concurrency 1, "
        "one longer round); our server: " + cfg["hcn_command"] + ". "
        "Every request of the headline rows is distinct: lookups over every municipality and identifier, "
        "documents for each of them (ours `GET /doc/...` as Turtle, the peers the same neighbourhood as one "
        "CONSTRUCT), joins over every network, phase and label language, and each /sparql text made unique "
        "by its sequence number in a variable name, so no answer cache helps. The row \"lookup, repeated\" "
        "is the mix of earlier runs, 200 lookup texts cycled, where our result cache answers from memory. "
        "Oxigraph (RocksDB) is `oxigraph serve-read-only` on a loaded database; Oxigraph (memory) is "
        "`oxigraph serve` without `--location`, loaded over its Graph Store Protocol; the Python floor is "
        "benchmarks/floor.py, a bare ASGI app over an in-memory pyoxigraph store on the same gunicorn + "
        "uvicorn stack as ours, no features at all. CPU ms per request is the server's process tree's "
        "CPU time (user + system, from /proc) over the measurement divided by its answered requests. "
        "Ratios are ours / peer: above 1 is better for throughput, below 1 is better for latency, CPU, load "
        "time and memory. Memory is the PSS sum of the server's process tree after the query mix.", "",
    ]
    for size in report["sizes"]:
        rows = size["servers"]
        names = [n for n in SERVER_LABELS if n in rows]
        peers = [p for p in PEERS if p in rows]
        lines += [f"## {size['triples']:,} triples ({size['municipalities']:,} municipalities)", "",
                  "| measure | " + " | ".join(labels[n] for n in names) + " | "
                  + " | ".join(RATIO_LABELS[p] for p in peers) + " |",
                  "|---|" + "---:|" * (len(names) + len(peers))]
        ratio = size["ratios"]

        def cell(name: str, get: Any) -> str:
            row = rows.get(name)
            if not row or "error" in row:
                return "error" if row else "–"
            return get(row)

        def rat(peer: str, key: str) -> str:
            value = ratio.get(peer, {}).get(key)
            return "–" if value is None else (f"**{value}**" if isinstance(value, str) else f"{value:g}")

        def ratios_for(key: str) -> str:
            return " | ".join(rat(p, key) for p in peers)

        for kind in QUERIES:
            if not any(kind in r.get("queries", {}) for r in rows.values()):
                continue
            label = KIND_LABELS.get(kind, kind)
            lines.append(f"| {label}: req/s | " + " | ".join(
                cell(n, lambda r, k=kind: fmt_rps(r["queries"].get(k))) for n in names) + f" | {ratios_for(kind + '_rps')} |")
            lines.append(f"| {label}: p50 / p99 ms | " + " | ".join(
                cell(n, lambda r, k=kind: "{} / {}".format(fmt_ms(r["queries"].get(k, {}).get("p50_ms")),
                                                           fmt_ms(r["queries"].get(k, {}).get("p99_ms"))))
                for n in names) + f" | {ratios_for(kind + '_p99')} |")
            lines.append(f"| {label}: CPU ms per request | " + " | ".join(
                cell(n, lambda r, k=kind: fmt_cpu(r["queries"].get(k, {}).get("cpu_ms"))) for n in names)
                + f" | {ratios_for(kind + '_cpu')} |")
        lines.append("| load time s | " + " | ".join(cell(n, lambda r: f"{r['load_s']:g}") for n in names)
                     + f" | {ratios_for('load')} |")
        lines.append("| memory MB (PSS; RSS sum) | " + " | ".join(
            cell(n, lambda r: f"{r['pss_after_mb']:,} ({r['rss_after_mb']:,})") for n in names)
            + f" | {ratios_for('memory')} |")
        v = size.get("validate")
        if v:
            lines += ["", f"Validation of the same-size graph with 1% deliberate violations: `hcn validate` "
                      f"{v['hcn_s']} s ({v['hcn_peak_mb']} MB peak) vs plain `pyshacl` {v['pyshacl_s']} s "
                      f"({v['pyshacl_peak_mb']} MB): **{v['speedup']}x**; SHACL results "
                      f"{v['hcn_shacl_results']} / {v['pyshacl_results']}"
                      f"{' (equal)' if v['equal'] else ' (DIFFERENT)'}."]
        lines.append("")
    lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in report["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else ('no' if t['met'] is False else 'not measured')} |")
    lines += ["", "Reproduce: `make bench` (10k and 100k triples), `make bench BENCH_ARGS=--full` (also 1M). "
              "Raw numbers: the .json file beside this one.", ""]
    return "\n".join(lines)


def targets(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue #19's targets (every request distinct), then issue #8's that still stand."""
    out = []

    def add(target: str, measured: str, met: bool | None) -> None:
        out.append({"target": target, "measured": measured, "met": met})

    def ratio_target(size: dict[str, Any], peer: str, kind: str, goal: float, text: str) -> None:
        value = size["ratios"].get(peer, {}).get(f"{kind}_rps")
        if value is not None:
            add(f"{text} ({size['triples']:,})", f"{value}x", float(str(value).lstrip(">")) >= goal)

    for size in sizes:
        n = f"{size['triples']:,}"
        ratio_target(size, "oxigraph", "lookup", 0.35, "lookups >= 0.35x oxigraph serve-read-only")
        ratio_target(size, "oxigraph", "document", 1.0, "documents >= 1.0x oxigraph's CONSTRUCT")
        ratio_target(size, "oxigraph-memory", "join", 1.0, "joins >= 1.0x oxigraph in memory")
        ours = size["servers"].get("hcn", {}).get("queries", {})
        for kind in ("lookup", "document"):
            p99 = ours.get(kind, {}).get("p99_ms")
            if p99 is not None:
                add(f"{kind} p99 < 20 ms at {ours[kind]['concurrency']} connections ({n})", f"{fmt_ms(p99)} ms",
                    p99 < 20)
        cpu = ours.get("lookup", {}).get("cpu_ms")
        if cpu is not None:
            add(f"CPU per uncached lookup <= 0.35 ms ({n})", f"{cpu:.3f} ms", cpu <= 0.35)
        r = size["ratios"].get("rdflib-endpoint", {})
        values = [r.get(f"{k}_rps") for k in QUERIES if f"{k}_rps" in r]
        if values:
            nums = [float(str(v).lstrip(">")) for v in values]
            add(f"/sparql and documents >= 20x rdflib-endpoint throughput on every query ({n})",
                ", ".join(f"{k} {r[k + '_rps']}x" for k in QUERIES if k + "_rps" in r), min(nums) >= 20)
    big = [s for s in sizes if s["triples"] >= 900_000]
    if big:
        ours = big[-1]["servers"].get("hcn", {})
        doc = ours.get("queries", {}).get("document", {})
        add("resource documents at 1M triples: p99 < 50 ms", f"p99 {fmt_ms(doc.get('p99_ms'))} ms",
            doc.get("p99_ms") is not None and doc["p99_ms"] < 50)
        add("1M triples loaded in < 15 s", f"{ours.get('load_s')} s", ours.get("load_s", 1e9) < 15)
        add("1M triples held in < 2 GiB", f"{ours.get('pss_after_mb')} MB PSS ({ours.get('rss_after_mb')} MB RSS sum)",
            ours.get("pss_after_mb", 1e9) < 2048)
    else:
        for t in ("resource documents at 1M triples: p99 < 50 ms", "1M triples loaded in < 15 s",
                  "1M triples held in < 2 GiB"):
            add(t, "not run (use --full)", None)
    return out


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also 1M triples")
    parser.add_argument("--sizes", type=int, nargs="*", help="explicit triple counts instead")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement (default 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument("--cap", type=float, default=20.0, help="per-request timeout in seconds (default 20)")
    parser.add_argument("--load-cap", type=float, default=600.0, help="seconds a server may take to start")
    parser.add_argument("--peers", nargs="*", default=["oxigraph", "oxigraph-memory", "python-floor", "rdflib-endpoint"],
                        help="peers to run: oxigraph, oxigraph-memory, python-floor, rdflib-endpoint, and "
                             "hcn-uncached (ours with HCN_RESULT_CACHE_MB=0)")
    parser.add_argument("--compare", metavar="DIR", help="also serve the `server` package found in DIR (another "
                        "version of ours, e.g. `git archive REV server | tar -x -C DIR`) as hcn-compare")
    parser.add_argument("--compare-label", default="ours, other version", help="the column title of --compare")
    parser.add_argument("--rounds", type=int, default=1, help="measurements per query and server, every server "
                        "measured in turn in each round; the best counts")
    parser.add_argument("--skip", nargs="*", default=[], choices=QUERIES, help="queries to leave out")
    parser.add_argument("--workers", type=int, help="our gunicorn workers (default: hcn serve's)")
    parser.add_argument("--threads", type=int, help="our threads per worker (default: hcn serve's)")
    parser.add_argument("--no-validate", action="store_true", help="skip hcn validate vs pyshacl")
    parser.add_argument("--validate-max", type=int, default=200_000,
                        help="largest size to validate (pyshacl needs ~15 min at 1M; default 200000)")
    parser.add_argument("--python-client", action="store_true", help="use the Python load client even with wrk")
    parser.add_argument("--out", default="bench", help="results file stem under benchmarks/results (default bench)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000] + ([1_000_000] if args.full else []))
    if "rdflib-endpoint" in args.peers and not (PEERS_BIN / "rdflib-endpoint").exists():
        print(f"rdflib-endpoint missing: make bench installs it into {PEERS_BIN.parent}", file=sys.stderr)
        return 2
    client = "wrk" if shutil.which("wrk") and not args.python_client else "a Python client (threads, keep-alive)"
    started = time.monotonic()
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"), "machine": machine(),
        "config": {"duration": args.duration, "concurrency": args.concurrency, "cap_s": args.cap, "client": client,
                   "rounds": args.rounds, "peers": args.peers, "compare": args.compare,
                   "compare_label": args.compare_label,
                   "hcn_command": "`" + " ".join(["hcn", *hcn_command(0, args.workers, args.threads)[3:]]
                                                 ).replace("--port 0", "--port N") + "`"},
        "sizes": [],
    }
    signal.signal(signal.SIGTERM, _terminate)  # so `finally` stops the servers when we are stopped
    with tempfile.TemporaryDirectory(prefix="hcn-bench-") as tmp:
        for size in sizes:
            work = Path(tmp) / str(size)
            work.mkdir()
            report["sizes"].append(run_size(size, args, work))
            shutil.rmtree(work, ignore_errors=True)
    report["targets"] = targets(report["sizes"])
    report["wall_s"] = round(time.monotonic() - started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text = markdown(report)
    (RESULTS / f"{args.out}.md").write_text(text, encoding="utf-8")
    print("\n" + text)
    print(f"wrote {RESULTS / (args.out + '.md')} and .json in {report['wall_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
