"""Search index benchmark: build time, memory and per-query latency on generated graphs.

For each size, a clean graph from ``generate.py`` plus the repository's ontology is loaded into the
embedded store (in memory, no query workers); the index is built from it as the app builds it (the
two SPARQL queries, then ``SearchIndex.build``), with the process's resident memory before and after
(the index's share), and then asked a mix of queries drawn from the graph's own names: whole names,
first words, three-letter prefixes, two-word queries, single letters (the worst case: a prefix of
thousands of names and words) and misses, each folded differently (upper case, accents dropped).
Latency is the index's ``search`` plus grouping the hits for the JSON answer, without HTTP.

    python benchmarks/search_bench.py                      # 100k and 1M triples, 400 queries each
    python benchmarks/search_bench.py --triples 100000 --queries 200 --out benchmarks/results/search.json
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.config import Settings  # noqa: E402
from server.search.index import SearchIndex, from_store, words  # noqa: E402
from server.store.embedded import EmbeddedStore  # noqa: E402


def rss_mb() -> float:
    """This process's resident set now, in MiB (from /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_root(triples: int, folder: Path) -> Path:
    """A root with the repository's ontology and a clean generated graph of about ``triples`` triples."""
    shutil.copytree(ROOT / "ontology", folder / "ontology")
    (folder / "data").mkdir()
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--triples", str(triples),
                    "--seed", "1", "--clean", "--out", str(folder / "data" / "synthetic.ttl")],
                   check=True, capture_output=True)
    return folder


def sample_queries(index: SearchIndex, count: int, seed: int) -> list[str]:
    """A mix of queries drawn from the index's own texts (see the module docstring)."""
    rng = random.Random(seed)
    texts = [t for t in index._entry_text if words(t)]  # noqa: SLF001 - a benchmark may look inside
    kinds = ["name", "name-upper", "first-word", "prefix3", "two-words", "letter", "miss"]
    out = []
    for i in range(count):
        text = rng.choice(texts)
        ws = text.split()
        kind = kinds[i % len(kinds)]
        if kind == "name":
            out.append(text)
        elif kind == "name-upper":
            out.append(text.upper())
        elif kind == "first-word":
            out.append(ws[0])
        elif kind == "prefix3":
            out.append(words(text)[0][:3])
        elif kind == "two-words":
            out.append(" ".join(ws[:2]) if len(ws) > 1 else ws[0])
        elif kind == "letter":
            out.append(rng.choice("abdefghiklmnoprstuvy"))
        else:
            out.append("zqxv" + str(i))
    return out


def measure(triples: int, queries: int, seed: int) -> dict[str, object]:
    """Load, build, query one graph; the numbers for one row."""
    with tempfile.TemporaryDirectory(prefix="hcn-search-bench-") as tmp:
        root = make_root(triples, Path(tmp))
        settings = Settings.load({"root": root, "pool_size": 0})
        started = time.perf_counter()
        store = EmbeddedStore.open(settings)
        load_s = time.perf_counter() - started
        size = len(store)
        before = rss_mb()
        started = time.perf_counter()
        index = from_store(store)
        build_s = time.perf_counter() - started
        index_mb = rss_mb() - before
        asked = sample_queries(index, queries, seed)
        times = []
        for q in asked:
            started = time.perf_counter()
            found = index.search(q, 20)
            groups: dict[str, list[str]] = {}
            for hit in found.hits:
                groups.setdefault(hit.kinds[0] if hit.kinds else "", []).append(hit.iri)
            times.append((time.perf_counter() - started) * 1000)
        ordered = sorted(times)
        worst = max(range(len(times)), key=times.__getitem__)
        return {
            "triples": size, "texts": len(index), "load_s": round(load_s, 2), "build_s": round(build_s, 2),
            "index_mib": round(index_mb, 1), "queries": len(times),
            "p50_ms": round(statistics.median(times), 3), "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 3),
            "max_ms": round(ordered[-1], 3), "slowest_query": asked[worst],
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--row", action="store_true", help="measure one size, print its row as JSON (internal)")
    args = parser.parse_args()
    if args.row:
        print(json.dumps(measure(args.triples[0], args.queries, args.seed)))
        return 0
    rows = []
    print("| triples | texts indexed | load s | index build s | index MiB | queries | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for triples in args.triples:  # each size in a fresh process, so its memory is its own
        done = subprocess.run([sys.executable, __file__, "--row", "--triples", str(triples), "--queries",
                               str(args.queries), "--seed", str(args.seed)], check=True, capture_output=True, text=True)
        row = json.loads(done.stdout)
        rows.append(row)
        print(f"| {row['triples']:,} | {row['texts']:,} | {row['load_s']} | {row['build_s']} | {row['index_mib']} | "
              f"{row['queries']} | {row['p50_ms']} | {row['p99_ms']} | {row['max_ms']} |", flush=True)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
