"""``hcn validate`` against the plain ``pyshacl`` CLI on the same synthetic files, side by side.

    python benchmarks/validate_bench.py            # 10k and 100k triples
    python benchmarks/validate_bench.py --full     # also 1M

Each size: benchmarks/generate.py writes the data; the repository's ontology/ files and the data are
concatenated into one Turtle file and shapes/ into another, so both tools read the same bytes.
Wall time and peak RSS of each tool's process are measured (``os.wait4``); the number of SHACL
results must be equal. Results go to benchmarks/results/validate.md and validate.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import signal
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402


def measure(argv: list[str], stdout: Path, limit: float | None = None) -> tuple[float, float, int | None]:
    """Wall seconds, peak RSS in MB and exit code of one command (None when stopped at ``limit`` seconds)."""
    started = time.perf_counter()
    with stdout.open("wb") as out:
        # run in the scratch folder: outside any repository, so no root's data joins the run
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, cwd=stdout.parent)
        timer = threading.Timer(limit, process.kill) if limit else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        if timer:
            timer.cancel()
    code = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, None if code == -signal.SIGKILL else code


def concatenate(paths: list[Path], target: Path, extra: str = "") -> None:
    target.write_text("".join(p.read_text(encoding="utf-8") + "\n" for p in paths) + extra, encoding="utf-8")


def run_size(triples: int, work: Path, limit: float) -> dict[str, object]:
    text, generator = generate(triples, seed=1)
    data, shapes = work / f"graph-{triples}.ttl", work / "shapes.ttl"
    concatenate(sorted((ROOT / "ontology").glob("*.ttl")), data, text)
    concatenate(sorted((ROOT / "shapes").glob("*.ttl")), shapes)
    report = work / f"hcn-{triples}.json"
    hcn_s, hcn_mb, hcn_rc = measure([str(BIN / "hcn"), "validate", str(data), "--shapes", str(shapes),
                                     "--ontology", str(data), "--format", "json"], report)
    ours = json.loads(report.read_text(encoding="utf-8"))
    pyshacl_out = work / f"pyshacl-{triples}.txt"
    py_s, py_mb, py_rc = measure([str(BIN / "pyshacl"), "-s", str(shapes), "-a", "-i", "none", str(data)],
                                 pyshacl_out, limit)
    match = re.search(r"Results \((\d+)\)", pyshacl_out.read_text(encoding="utf-8"))
    theirs = int(match.group(1)) if match else (None if py_rc is None else 0)
    return {
        "triples": ours["triples"] - _count(shapes), "deliberate_violations": generator.violations,
        "hcn_s": round(hcn_s, 2), "hcn_peak_mb": round(hcn_mb), "hcn_exit": hcn_rc,
        "pyshacl_s": round(py_s, 2), "pyshacl_peak_mb": round(py_mb), "pyshacl_exit": py_rc,
        "pyshacl_finished": py_rc is not None,
        "speedup": round(py_s / hcn_s, 1), "hcn_shacl_results": ours["shaclResults"], "pyshacl_results": theirs,
        "equal": None if theirs is None else ours["shaclResults"] == theirs,
    }


def _count(path: Path) -> int:
    from pyoxigraph import RdfFormat, parse

    return sum(1 for _ in parse(path=path, format=RdfFormat.TURTLE))


def markdown(rows: list[dict[str, object]], machine: str) -> str:
    lines = [
        "# `hcn validate` vs plain `pyshacl`", "",
        f"Machine: {machine}. Same input files for both (ontology/ + synthetic data in one Turtle file, "
        "shapes/ in another); `pyshacl -a -i none`; wall time and peak RSS of each process.", "",
        "| triples | hcn validate | pyshacl | speed-up | hcn peak RSS | pyshacl peak RSS | SHACL results (hcn / pyshacl) |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(f"| {r['triples']:,} | {r['hcn_s']} s | {_pyshacl(r)} | {'≥ ' * (not r['pyshacl_finished'])}"
                     f"{r['speedup']}x | {r['hcn_peak_mb']} MB | {r['pyshacl_peak_mb']} MB | {r['hcn_shacl_results']} / "
                     f"{r['pyshacl_results'] if r['pyshacl_finished'] else 'not finished'} {_verdict(r)} |")
    if not all(r["pyshacl_finished"] for r in rows):
        lines += ["", "pyshacl was stopped where it had not finished within the time limit: it evaluates every "
                  "SPARQL constraint (the cross-checking shapes) once per focus node, so those sizes' results "
                  "are not compared; the sizes it finished are."]
    return "\n".join(lines) + "\n"


def _pyshacl(row: dict[str, object]) -> str:
    return f"{row['pyshacl_s']} s" if row["pyshacl_finished"] else f"> {row['pyshacl_s']} s (stopped)"


def _verdict(row: dict[str, object]) -> str:
    return {True: "(equal)", False: "(DIFFERENT)", None: "(not compared)"}[row["equal"]]  # type: ignore[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also run 1M triples (minutes)")
    parser.add_argument("--sizes", type=int, nargs="*", help="explicit triple counts instead")
    parser.add_argument("--pyshacl-limit", type=float, default=1200,
                        help="stop pyshacl after this many seconds (default 1200): it runs each SPARQL "
                             "constraint once per focus node, which takes hours at 1M triples")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000] + ([1_000_000] if args.full else []))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            row = run_size(size, Path(tmp), args.pyshacl_limit)
            rows.append(row)
            print(f"{row['triples']:>9,} triples: hcn {row['hcn_s']:>7} s  pyshacl {row['pyshacl_s']:>7} s  "
                  f"ratio {row['speedup']}x  results {row['hcn_shacl_results']}/{row['pyshacl_results']}"
                  f"  {_verdict(row)}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "validate.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n",
                                           encoding="utf-8")
    (RESULTS / "validate.md").write_text(markdown(rows, machine), encoding="utf-8")
    return 0 if all(r["equal"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
