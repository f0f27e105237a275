"""Our publisher side by side with `oxigraph serve` and rdflib-endpoint, same data, same machine, one run.

    python benchmarks/run.py                 # 10k and 100k triples (what `make bench` runs)
    python benchmarks/run.py --full          # also 1M triples
    python benchmarks/run.py --sizes 2000 --duration 2 --no-validate   # a quick look

For each size: benchmarks/generate.py writes a conforming graph (``--violations 0``); our server
(`hcn serve --production`) serves it from a root folder (ontology/ + data/ + shapes/) — once as
shipped and once with its result cache off (``hcn-uncached``, ``HCN_RESULT_CACHE_MB=0``) — and the peers
load the very same ontology + data triples into their default graph (`oxigraph load` then
`oxigraph serve-read-only`; `rdflib-endpoint serve` from benchmarks/.venv-peers). Each query of the
mix is then driven by a loopback load generator (`wrk` with a Lua script of pre-built requests, or a
bounded Python client when wrk is missing) for a fixed duration at a fixed concurrency:

- lookup:   the labels of one municipality (random among 200)
- join:     the members of one phase of one network, with English label and municipality number
- aggregate: memberships per network and role during phase k (GROUP BY)
- document: ours ``GET /doc/synthetic/municipality-N`` (Turtle); peers a CONSTRUCT of the same
            neighbourhood (own triples, labels of linked IRIs, incoming links with their labels)
- download: ``SELECT * { ?s ?p ?o } LIMIT 10000`` as SPARQL JSON

Servers that need more than ``SLOW_S`` for one request are measured at concurrency 1 (they handle one
query at a time anyway) so that no queue of unfinished requests leaks into the next measurement, and
a query that does not answer within ``--cap`` seconds is recorded as a timeout. Load time is from
process start to the first answered query (plus `oxigraph load` for Oxigraph); memory is the sum of
PSS (proportional set size: shared copy-on-write pages counted once) over the server's process tree,
with the plain RSS sum beside it. Validation is benchmarks/validate_bench.py (`hcn validate` vs
`pyshacl`) on the default (1% violations) graph of the same size.

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
QUERIES = ("lookup", "join", "aggregate", "document", "download")
SLOW_S = 0.25  # a single request slower than this: measure at concurrency 1
PREFIXES = """PREFIX hc: <https://w3id.org/healthy-cities/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
JSON_RESULTS = "application/sparql-results+json"
SPARQL_QUERY = "application/sparql-query"


# --------------------------------------------------------------------------------------- requests

@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""


def sparql_request(path: str, query: str, accept: str = JSON_RESULTS) -> Request:
    return Request("POST", path, {"Content-Type": SPARQL_QUERY, "Accept": accept}, query)


def lookup_query(n: int) -> str:
    return PREFIXES + f"SELECT ?label WHERE {{ <{G}municipality-{n}> rdfs:label ?label }}"


def join_query(network: int, phase: int) -> str:
    return PREFIXES + f"""SELECT ?city ?name ?number WHERE {{
  ?m org:memberDuring <{G}phase-{network}-{phase}> ; org:member ?city .
  ?city rdfs:label ?name ; hc:nationalIdentifier ?id .
  ?id skos:notation ?number .
  FILTER(LANG(?name) = "en")
}}"""


def aggregate_query(phase: int) -> str:
    return PREFIXES + f"""SELECT ?network ?role (COUNT(?m) AS ?members) WHERE {{
  ?phase hc:phaseNumber {phase} .
  ?m org:memberDuring ?phase ; org:organization ?network ; org:role ?role .
}} GROUP BY ?network ?role ORDER BY ?network ?role"""


def document_query(n: int) -> str:
    """What our /doc page 1 holds (server/documents.py), as one CONSTRUCT for the peers."""
    s = f"<{G}municipality-{n}>"
    labels = "rdfs:label, skos:prefLabel"  # FILTER IN, as ours: Oxigraph plans VALUES ?p {...} ?s ?p ?o badly
    return PREFIXES + f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND({s} AS ?s) ?s ?p ?o }}
  UNION {{ {s} ?a ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ {s} ?a ?s . FILTER(isIRI(?s)) ?s ?p ?o FILTER(?p IN ({labels})) }}
  UNION {{ {{ SELECT ?s ?p WHERE {{ ?s ?p {s} }} ORDER BY ?s ?p LIMIT 200 }} BIND({s} AS ?o) }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ ?s ?q {s} }} ORDER BY ?s LIMIT 200 }} ?s ?p ?o FILTER(?p IN ({labels})) }}
}}"""


DOWNLOAD = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10000"


def request_mix(server: str, sparql_path: str, cities: int, networks: int, seed: int = 7) -> dict[str, list[Request]]:
    """The requests of each query kind for one server (same IRIs for every server)."""
    rnd = random.Random(seed)
    picks = [rnd.randrange(cities) for _ in range(200)]
    mix = {
        "lookup": [sparql_request(sparql_path, lookup_query(n)) for n in picks],
        "join": [sparql_request(sparql_path, join_query(rnd.randrange(networks), rnd.randint(1, 7))) for _ in range(50)],
        "aggregate": [sparql_request(sparql_path, aggregate_query(k)) for k in range(1, 8)],
        "download": [sparql_request(sparql_path, DOWNLOAD)],
    }
    if server.startswith("hcn"):
        mix["document"] = [Request("GET", f"/doc/synthetic/municipality-{n}", {"Accept": "text/turtle"}) for n in picks]
    else:
        mix["document"] = [sparql_request(sparql_path, document_query(n), "text/turtle") for n in picks]
    return mix


def send(port: int, req: Request, timeout: float) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(req.method, req.path, body=req.body.encode() if req.body else None, headers=req.headers)
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
    note: str = ""

    @property
    def rps(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"rps": round(self.rps, 2), "p50_ms": _r(self.p50_ms), "p99_ms": _r(self.p99_ms),
                "requests": self.requests, "errors": self.errors, "timeouts": self.timeouts,
                "seconds": round(self.seconds, 2), "concurrency": self.concurrency,
                "single_ms": _r(self.single_ms), "note": self.note}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _lua_string(text: str) -> str:
    level = "=" * 3
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"status":%d,"timeout":%d,"connect":%d,'
    .. '"read":%d,"write":%d,"p50_us":%d,"p99_us":%d}\\n', summary.requests, summary.duration, e.status, e.timeout,
    e.connect, e.read, e.write, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_script(requests: list[Request]) -> str:
    lines = ["local specs = {"]
    for r in requests:
        headers = ", ".join(f'["{k}"] = {_lua_string(v)}' for k, v in r.headers.items())
        lines.append(f'  {{"{r.method}", {_lua_string(r.path)}, {{{headers}}}, {_lua_string(r.body) if r.body else "nil"}}},')
    lines += ["}", "local reqs = {}", "local i = 0",
              "init = function(args)",
              "  for k, s in ipairs(specs) do reqs[k] = wrk.format(s[1], s[2], s[3], s[4]) end",
              "end",
              "request = function()",
              "  i = i + 1",
              "  return reqs[(i % #reqs) + 1]",
              "end"]
    return "\n".join(lines) + WRK_DONE


def run_wrk(port: int, requests: list[Request], concurrency: int, duration: float, cap: float, work: Path) -> Measurement:
    script = work / "mix.lua"
    script.write_text(wrk_script(requests), encoding="utf-8")
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


def run_python(port: int, requests: list[Request], concurrency: int, duration: float, cap: float) -> Measurement:
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
            started = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body.encode() if req.body else None, headers=req.headers)
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


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    sparql_path: str
    env: dict[str, str] = field(default_factory=dict)
    prepare_s: float = 0.0
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
                return self.prepare_s + time.perf_counter() - started
            raise RuntimeError(f"{self.name} answers the probe query with HTTP {status}: {body[:300]!r}")
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


def hcn_command(port: int, workers: int | None, threads: int | None) -> list[str]:
    """``hcn serve --production`` when this checkout has it, else the same gunicorn setup by hand."""
    help_text = subprocess.run([str(BIN / "hcn"), "serve", "--help"], capture_output=True, text=True).stdout
    if "--production" in help_text:
        argv = [str(BIN / "hcn"), "serve", "--production", "--host", "127.0.0.1", "--port", str(port)]
        argv += ["--workers", str(workers)] if workers else []
        argv += ["--threads", str(threads)] if threads else []
        return argv
    return [str(BIN / "gunicorn"), "server.app:create_app()", "--preload", "--no-control-socket",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers or 2), "--worker-class", "gthread",
            "--threads", str(threads or 8)]


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
    port = free_port()
    found.append(Server("hcn", hcn_command(port, args.workers, args.threads), port, "/sparql",
                        env={"HCN_ROOT": str(data["root"]), **UNLIMITED}))
    if "hcn-uncached" in args.peers:  # the same server without its result cache: every request queries the store
        port = free_port()
        found.append(Server("hcn-uncached", hcn_command(port, args.workers, args.threads), port, "/sparql",
                            env={"HCN_ROOT": str(data["root"]), "HCN_RESULT_CACHE_MB": "0", **UNLIMITED}))
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
    if "rdflib-endpoint" in args.peers:
        port = free_port()
        found.append(Server("rdflib-endpoint", [str(PEERS_BIN / "rdflib-endpoint"), "serve", str(data["peer"]),
                                                "--host", "127.0.0.1", "--port", str(port)], port, "/"))
    return found


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
        if timings[-1] > SLOW_S:
            break
    single = min(timings)
    concurrency = 1 if single > SLOW_S else args.concurrency
    duration = args.duration if single <= SLOW_S else max(args.duration, min(3 * single, args.cap))
    if shutil.which("wrk") and not args.python_client:
        m = run_wrk(server.port, requests, concurrency, duration, args.cap, work)
    else:
        m = run_python(server.port, requests, concurrency, duration, args.cap)
    m.single_ms = single * 1000
    if m.requests == m.errors:
        m.note = "no answer within the measurement"
    server.wait_idle(args.cap * 2)
    return m


def run_size(size: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data = prepare(size, work)
    print(f"== {data['triples']:,} triples ({data['cities']:,} municipalities, {data['networks']} networks)", flush=True)
    result: dict[str, Any] = {"triples": data["triples"], "municipalities": data["cities"], "servers": {}}
    for server in servers(args, data, work):
        row: dict[str, Any] = {}
        try:
            row["load_s"] = round(server.start(work, args.load_cap), 2)
            assert server.process is not None
            row["pss_mb"], row["rss_mb"], row["processes"] = (round(v) for v in memory_mb(server.process.pid))
            mix = request_mix(server.name, server.sparql_path, data["cities"], data["networks"])
            row["queries"] = {}
            for kind in QUERIES:
                if kind in args.skip:
                    continue
                m = measure_query(server, mix[kind], args, work)
                row["queries"][kind] = m.as_dict()
                print(f"  {server.name:16} {kind:9} {m.rps:9.1f} req/s  p50 {m.p50_ms or 0:8.2f} ms  "
                      f"p99 {m.p99_ms or 0:8.2f} ms  c={m.concurrency} {m.note}", flush=True)
            row["pss_after_mb"], row["rss_after_mb"], _ = (round(v) for v in memory_mb(server.process.pid))
            print(f"  {server.name:16} load {row['load_s']} s, PSS {row['pss_mb']} MB "
                  f"(after load) / {row['pss_after_mb']} MB (after the mix), {row['processes']} processes", flush=True)
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            row["error"] = str(exc)[-1000:]
            print(f"  {server.name}: {row['error']}", flush=True)
        finally:
            server.stop()
        result["servers"][server.name] = row
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

    versions["pyoxigraph"] = version("pyoxigraph")
    versions["gunicorn"] = version("gunicorn")
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
            f"{m['python']}; pyoxigraph {v['pyoxigraph']}, gunicorn {v['gunicorn']}, {v['oxigraph']}, "
            f"rdflib-endpoint {v['rdflib-endpoint']}, {v['wrk']}")


def fmt_rps(q: dict[str, Any] | None) -> str:
    if not q:
        return "–"
    if q["rps"] == 0:
        return q["note"] or "0"
    return f"{q['rps']:,.1f}" if q["rps"] < 100 else f"{q['rps']:,.0f}"


def fmt_ms(value: float | None) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:,.0f}")


SERVER_LABELS = {"hcn": "ours", "hcn-uncached": "ours, result cache off", "oxigraph": "oxigraph",
                 "rdflib-endpoint": "rdflib-endpoint"}


def markdown(report: dict[str, Any]) -> str:
    cfg = report["config"]
    lines = [
        "# Our publisher vs `oxigraph serve` and rdflib-endpoint", "",
        f"Machine: {describe_machine(report['machine'])}.", "",
        f"One run ({report['date']}), same data and machine for every server; load generator "
        f"{cfg['client']}, {cfg['duration']} s per measurement at concurrency {cfg['concurrency']} "
        f"(servers slower than {int(SLOW_S * 1000)} ms per request: concurrency 1, longer window); "
        "our server: " + cfg["hcn_command"] + ". "
        "Ratios are ours / peer: above 1 is better for throughput, below 1 is better for latency, load time "
        "and memory. Memory is the PSS sum of the server's process tree after the query mix. "
        "Each kind of query cycles through a fixed set of requests (200 lookups and documents, 50 joins, "
        "7 aggregates, 1 download), the same for every server; ours keeps finished /sparql answers "
        "(result cache, `HCN_RESULT_CACHE_MB`), so after the first round most of its /sparql answers come "
        "from memory — the column \"ours, result cache off\" is the same server with the cache off, "
        "where every request runs its query.", "",
    ]
    for size in report["sizes"]:
        names = [n for n in SERVER_LABELS if n in size["servers"]]
        lines += [f"## {size['triples']:,} triples ({size['municipalities']:,} municipalities)", "",
                  "| measure | " + " | ".join(SERVER_LABELS[n] for n in names)
                  + " | ours / oxigraph | ours / rdflib-endpoint |",
                  "|---|" + "---:|" * (len(names) + 2)]
        rows = size["servers"]
        ratio = size["ratios"]

        def cell(name: str, get: Any) -> str:
            row = rows.get(name)
            if not row or "error" in row:
                return "error" if row else "–"
            return get(row)

        def rat(peer: str, key: str) -> str:
            value = ratio.get(peer, {}).get(key)
            return "–" if value is None else (f"**{value}**" if isinstance(value, str) else f"{value:g}")

        for kind in QUERIES:
            if not any(kind in r.get("queries", {}) for r in rows.values()):
                continue
            lines.append(f"| {kind}: req/s | " + " | ".join(
                cell(n, lambda r, k=kind: fmt_rps(r["queries"].get(k))) for n in names)
                + f" | {rat('oxigraph', kind + '_rps')} | {rat('rdflib-endpoint', kind + '_rps')} |")
            lines.append(f"| {kind}: p50 / p99 ms | " + " | ".join(
                cell(n, lambda r, k=kind: "{} / {}".format(fmt_ms(r["queries"].get(k, {}).get("p50_ms")),
                                                           fmt_ms(r["queries"].get(k, {}).get("p99_ms"))))
                for n in names) + f" | {rat('oxigraph', kind + '_p99')} | {rat('rdflib-endpoint', kind + '_p99')} |")
        lines.append("| load time s | " + " | ".join(cell(n, lambda r: f"{r['load_s']:g}") for n in names)
                     + f" | {rat('oxigraph', 'load')} | {rat('rdflib-endpoint', 'load')} |")
        lines.append("| memory MB (PSS; RSS sum) | " + " | ".join(
            cell(n, lambda r: f"{r['pss_after_mb']:,} ({r['rss_after_mb']:,})") for n in names)
            + f" | {rat('oxigraph', 'memory')} | {rat('rdflib-endpoint', 'memory')} |")
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
              "Raw numbers: `bench.json` beside this file.", ""]
    return "\n".join(lines)


def targets(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []

    def add(target: str, measured: str, met: bool | None) -> None:
        out.append({"target": target, "measured": measured, "met": met})

    for size in sizes:
        r = size["ratios"].get("rdflib-endpoint", {})
        n = f"{size['triples']:,}"
        values = [r.get(f"{k}_rps") for k in QUERIES if f"{k}_rps" in r]
        if values:
            nums = [float(str(v).lstrip(">")) for v in values]
            add(f"/sparql and documents >= 20x rdflib-endpoint throughput on every query ({n})",
                ", ".join(f"{k} {r[k + '_rps']}x" for k in QUERIES if k + "_rps" in r), min(nums) >= 20)
        o = size["ratios"].get("oxigraph", {})
        if "lookup_rps" in o:
            add(f"lookup throughput >= 0.5x oxigraph serve ({n})", f"{o['lookup_rps']}x", float(o["lookup_rps"]) >= 0.5)
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
    parser.add_argument("--peers", nargs="*", default=["hcn-uncached", "oxigraph", "rdflib-endpoint"],
                        help="peers to run (hcn-uncached: ours with HCN_RESULT_CACHE_MB=0)")
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
                   "hcn_command": "`" + " ".join(Path(a).name if i == 0 else a
                                                 for i, a in enumerate(hcn_command(0, args.workers, args.threads))
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
