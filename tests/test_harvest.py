"""``hcn harvest`` against real publishers: three ``hcn serve`` processes and a plain ``oxigraph serve``.

- ``alpha`` never changes: the second run sends one conditional request for its VoID (304) and
  downloads nothing;
- ``bravo`` sits behind a caching proxy that ignores validators (a stale CDN): when bravo publishes
  new data, its fresh VoID announces a checksum the proxy's old dump does not have, so the second
  run refuses it and keeps the graph of the first;
- ``charlie`` publishes new data between the runs and is downloaded again;
- ``delta`` is an Oxigraph server with no VoID: its graphs are CONSTRUCTed from the endpoint;
- ``echo`` is a port nobody listens on.

The harvested graphs must be isomorphic to the union of the good sources, and the aggregate served
from the harvest folder lists each source as a ``void:subset`` and reports every attempt at ``/harvest``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, Quad, RdfFormat, parse
from rdflib import Graph, URIRef

from oxigraph_support import OxigraphServer, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

TRIPLES = 1500
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "HCN_POOL_SIZE": "0"}
LEGACY_GRAPH = "http://legacy.example/graph/network"


def write_network(folder: Path, seed: int) -> Path:
    """A clean generated national-network graph as the publisher's only data file."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    path = folder / "data" / "network.ttl"
    path.write_text(generate.generate(TRIPLES, seed=seed, violation_rate=0)[0], encoding="utf-8")
    return path


@dataclass
class Publisher:
    """``hcn serve --root folder`` on a fixed port; restartable; its access log kept in a file."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder.with_suffix(".log")

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--root", str(self.folder), "--port", str(self.port)],
                env=ENV, cwd=self.folder, stdout=log, stderr=log)

    def ready(self) -> None:
        wait_for(self.url + "/.well-known/void", timeout_s=60)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def dump_downloads(self) -> int:
        """GETs of a dump this server answered with 200 (from Werkzeug's access log)."""
        return sum(1 for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines()
                   if "GET /dumps/" in line and '" 200 ' in line)


class StaleCache(ThreadingHTTPServer):
    """A caching proxy that keeps the first copy of every dump and ignores the client's validators."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.dumps: dict[str, tuple[bytes, str]] = {}
        self.dump_requests = 0
        super().__init__(("127.0.0.1", 0), _Proxy)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Proxy(BaseHTTPRequestHandler):
    server: StaleCache

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.startswith("/dumps/"):
            self.server.dump_requests += 1
            if self.path not in self.server.dumps:
                with urllib.request.urlopen(self.server.upstream + self.path) as answer:
                    self.server.dumps[self.path] = (answer.read(), answer.headers["Content-Type"])
            body, content_type = self.server.dumps[self.path]
            self._answer(200, body, {"Content-Type": content_type})
            return
        forwarded = ("host", "accept", "if-none-match", "if-modified-since")  # Host: the VoID names the proxy's URLs
        headers = {k: v for k, v in self.headers.items() if k.lower() in forwarded}
        try:
            with urllib.request.urlopen(urllib.request.Request(self.server.upstream + self.path, headers=headers)) as answer:
                self._answer(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as exc:
            self._answer(exc.code, exc.read(), dict(exc.headers))

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() in ("content-type", "etag", "last-modified"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass
class World:
    tmp: Path
    alpha: Publisher
    bravo: Publisher
    charlie: Publisher
    proxy: StaleCache
    legacy: OxigraphServer
    sources: Path
    aggregate: Path
    expected: dict[str, list[Path]] = field(default_factory=dict)


def harvest(world: World) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", "harvest", str(world.sources),
                           "--root", str(world.aggregate)], env=ENV, capture_output=True, text=True, timeout=120)


def harvested(aggregate: Path, *names: str) -> Dataset:
    """The triples of the named sources' graphs in the harvest folder, in one default graph."""
    return Dataset(Quad(q.subject, q.predicate, q.object) for name in names
                   for q in parse(path=aggregate / "harvest" / f"{name}.nq", format=RdfFormat.N_QUADS))


def union(*paths: Path) -> Dataset:
    """The publishers' files merged (each file's blank nodes its own)."""
    return Dataset(q for path in paths for q in parse(path=path, format=RdfFormat.TURTLE, rename_blank_nodes=True))


def isomorphic(first: Dataset, second: Dataset) -> bool:
    """Equal after RDF canonicalization (blank nodes renamed by the structure around them)."""
    for dataset in (first, second):
        dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return first == second


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("harvest")
    alpha, bravo, charlie = (Publisher(tmp / name) for name in ("alpha", "bravo", "charlie"))
    files = {"alpha": write_network(alpha.folder, 1), "bravo": write_network(bravo.folder, 2),
             "charlie": write_network(charlie.folder, 3)}
    for publisher in (alpha, bravo, charlie):
        publisher.start()
    legacy_file = tmp / "legacy.ttl"
    legacy_file.write_text(generate.generate(TRIPLES // 2, seed=4, violation_rate=0)[0], encoding="utf-8")
    legacy = OxigraphServer(tmp / "oxigraph").start()
    request = urllib.request.Request(f"{legacy.store_url}?graph={LEGACY_GRAPH}", data=legacy_file.read_bytes(),
                                     headers={"Content-Type": "text/turtle"}, method="PUT")
    urllib.request.urlopen(request).close()
    proxy = StaleCache(bravo.url)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    sources = tmp / "sources.toml"
    sources.write_text(f"""max_violations = 0
[sources.alpha]
url = "{alpha.url}/"
[sources.bravo]
url = "{proxy.url}/"
[sources.charlie]
url = "{charlie.url}"
[sources.delta]
endpoint = "{legacy.query_url}"
licence = "https://creativecommons.org/licenses/by/4.0/"
[sources.echo]
url = "http://127.0.0.1:{free_port()}/"
""", encoding="utf-8")
    world = World(tmp, alpha, bravo, charlie, proxy, legacy, sources, tmp / "aggregate")
    world.expected = {name: [path] for name, path in files.items()} | {"delta": [legacy_file]}
    try:
        for publisher in (alpha, bravo, charlie):
            publisher.ready()
        yield world
    finally:
        for publisher in (alpha, bravo, charlie):
            publisher.stop()
        legacy.stop()
        proxy.shutdown()


@pytest.fixture(scope="module")
def first(world: World) -> subprocess.CompletedProcess[str]:
    """The first run; bravo's graph is kept aside to compare with after the second."""
    done = harvest(world)
    bravo = world.aggregate / "harvest" / "bravo.nq"
    if bravo.exists():
        (world.tmp / "bravo-first.nq").write_bytes(bravo.read_bytes())
    return done


@pytest.fixture(scope="module")
def second(world: World, first: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """bravo and charlie publish new data (a restart on the same port), then the second run."""
    for publisher, seed in ((world.bravo, 12), (world.charlie, 13)):
        publisher.stop()
        world.expected[publisher.folder.name + "-new"] = [write_network(publisher.folder, seed)]
        publisher.start()
    for publisher in (world.bravo, world.charlie):
        publisher.ready()
    return harvest(world)


def lines(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return {line.split("\t")[0]: line for line in done.stdout.splitlines() if "\t" in line}


def test_first_run_loads_every_good_source_and_reports_the_unreachable_one(world: World, first) -> None:
    assert first.returncode == 1, first.stderr
    outcome = lines(first)
    for name in ("alpha", "bravo", "charlie", "delta"):
        assert "\tloaded\t" in outcome[name], first.stdout
    assert "\tfailed\t" in outcome["echo"] and "unreachable" in first.stdout
    assert not (world.aggregate / "harvest" / "echo.nq").exists()
    good = ("alpha", "bravo", "charlie", "delta")
    assert isomorphic(harvested(world.aggregate, *good), union(*(world.expected[n][0] for n in good)))
    assert [p.dump_downloads() for p in (world.alpha, world.bravo, world.charlie)] == [1, 1, 1]


def test_second_run_downloads_only_what_changed_and_keeps_the_broken_source(world: World, first, second) -> None:
    outcome = lines(second)
    assert "\tunchanged\t" in outcome["alpha"] and "downloaded" not in outcome["alpha"]
    assert "\tloaded\t" in outcome["charlie"] and "downloaded" in outcome["charlie"]
    assert "\tfailed\t" in outcome["bravo"]
    assert re.search(r"dumps/healthy-cities.nt.gz: (\d+ bytes downloaded, the description says \d+"
                     r"|sha256 \w+ does not match the description's)", second.stdout)
    assert "\tunchanged\t" in outcome["delta"]
    # alpha: no dump fetched again; charlie: once more; bravo: the stale proxy answered the second request
    assert [world.alpha.dump_downloads(), world.charlie.dump_downloads()] == [1, 2]
    assert world.proxy.dump_requests == 2 and world.bravo.dump_downloads() == 1
    assert (world.aggregate / "harvest" / "bravo.nq").read_bytes() == (world.tmp / "bravo-first.nq").read_bytes()
    others = union(world.expected["alpha"][0], world.expected["charlie-new"][0], world.expected["delta"][0])
    expected = Dataset([*others, *harvested(world.aggregate, "bravo")])
    assert isomorphic(harvested(world.aggregate, "alpha", "bravo", "charlie", "delta"), expected)
    assert not isomorphic(harvested(world.aggregate, "bravo"), union(world.expected["bravo-new"][0]))


def test_the_aggregate_serves_the_union_its_subsets_and_the_report(world: World, second) -> None:
    from server.app import create_app

    app = create_app({"root": world.aggregate, "pool_size": 0, "TESTING": True})
    client = app.test_client()
    dump = gzip.decompress(client.get("/dumps/healthy-cities.nt.gz").data)
    served = Dataset(parse(dump, RdfFormat.N_TRIPLES))
    assert isomorphic(served, harvested(world.aggregate, "alpha", "bravo", "charlie", "delta"))
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data, format="turtle")
    subsets = {str(o).rsplit("/", 1)[1] for o in void.objects(predicate=URIRef("http://rdfs.org/ns/void#subset"))}
    assert subsets == {"alpha", "bravo", "charlie", "delta"}
    base = "https://w3id.org/healthy-cities/graph/source/"
    checksum = void.value(URIRef(base + "bravo#checksum"), URIRef("http://spdx.org/rdf/terms#checksumValue"))
    assert str(checksum) == hashlib.sha256(next(iter(world.proxy.dumps.values()))[0]).hexdigest()
    html = client.get("/harvest", headers={"Accept": "text/html"}).get_data(as_text=True)
    for name, outcome in (("alpha", "unchanged"), ("bravo", "failed"), ("charlie", "loaded"), ("echo", "failed")):
        assert f'<tr class="{outcome}" id="{name}">' in html
    assert "the description says" in html and "unreachable" in html
    report = Graph().parse(data=client.get("/harvest.ttl").data, format="turtle")
    attempts = set(report.subjects(URIRef("http://purl.org/dc/terms/description"), None))
    assert {str(a).rsplit("/", 1)[1] for a in attempts} >= {f"{n}#last-attempt" for n in ("alpha", "bravo", "echo")}
    assert client.get("/harvest", headers={"Accept": "text/html"}).status_code == 200


def test_the_aggregate_loaded_into_a_remote_store_serves_the_same(world: World, second, tmp_path: Path) -> None:
    """``hcn load`` of the harvested root into an Oxigraph server; the publisher in remote mode over it
    answers the same union, subsets and report as ``hcn serve`` of the folder."""
    from server.app import create_app

    store = OxigraphServer(tmp_path / "remote").start()
    try:
        done = subprocess.run([sys.executable, "-m", "server.cli", "load", "--root", str(world.aggregate),
                               "--endpoint", store.store_url, "--update-endpoint", store.update_url],
                              env=ENV, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "graph/source/charlie" in done.stdout and "graph/harvest" in done.stdout
        local, remote = (create_app({"root": world.aggregate, "pool_size": 0, "TESTING": True, **extra}).test_client()
                         for extra in ({}, {"sparql_endpoint": store.query_url}))
        dumps = [Dataset(parse(gzip.decompress(c.get("/dumps/healthy-cities.nt.gz").data), RdfFormat.N_TRIPLES))
                 for c in (local, remote)]
        assert isomorphic(dumps[1], harvested(world.aggregate, "alpha", "bravo", "charlie", "delta"))
        assert isomorphic(*dumps)
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        answers = [c.get("/sparql", query_string={"query": count}, headers={"Accept": "application/sparql-results+json"})
                   .get_json(force=True)["results"]["bindings"][0]["n"]["value"] for c in (local, remote)]
        assert answers[0] == answers[1] and int(answers[0]) > TRIPLES
        reports = [c.get("/harvest", headers={"Accept": "text/html"}).get_data(as_text=True) for c in (local, remote)]
        for name, outcome in (("alpha", "unchanged"), ("bravo", "failed"), ("charlie", "loaded"), ("echo", "failed")):
            assert all(f'<tr class="{outcome}" id="{name}">' in report for report in reports)
    finally:
        store.stop()


def test_a_source_beyond_the_violation_threshold_is_refused(world: World, second, tmp_path: Path) -> None:
    shapes = tmp_path / "strict.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix hc: <https://w3id.org/healthy-cities/ontology#> .
<urn:x:strict> a sh:NodeShape ; sh:targetClass hc:Municipality ;
  sh:property [ sh:path hc:population ; sh:minCount 1 ; sh:message "the aggregator wants a population" ] .
""", encoding="utf-8")
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[sources.alpha]\nurl = "{world.alpha.url}/"\nshapes = ["strict.ttl"]\nmax_violations = 3\n',
                       encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "server.cli", "harvest", str(sources), "--root", str(tmp_path)],
                          env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "refused: 0 errors" in done.stdout and "(at most 3 accepted)" in done.stdout
    assert "the aggregator wants a population" in done.stdout
    assert not (tmp_path / "harvest" / "alpha.nq").exists()


def test_bad_sources_files_are_usage_errors(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[sources.Bad_Name]\nurl = "http://x/"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "server.cli", "harvest", str(sources), "--root", str(tmp_path)],
                          env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "lower-case letters" in done.stderr
    sources.write_text('[sources.a]\nurl = "http://x/"\nendpoint = "http://y/"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "server.cli", "harvest", str(sources)], env=ENV, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "exactly one of url, void, endpoint" in done.stderr


def test_a_dump_of_the_announced_size_but_other_bytes_is_refused() -> None:
    from server.harvest.discovery import Dump
    from server.harvest.run import Refused, _verify

    announced = Dump("http://x/d.nt", "application/n-triples", byte_size=3, sha256=hashlib.sha256(b"abc").hexdigest())
    assert _verify(announced, b"abc") == ()
    with pytest.raises(Refused, match="sha256 .* does not match the description's"):
        _verify(announced, b"abd")
    with pytest.raises(Refused, match="4 bytes downloaded, the description says 3"):
        _verify(announced, b"abcd")
    assert "not verified" in _verify(Dump("http://x/d.nt", "application/n-triples"), b"abc")[0]
