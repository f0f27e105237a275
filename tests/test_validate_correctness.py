"""SHACL results equal plain pySHACL's on the same files: literals as written, SPARQL pre-binding,
prefixes, validation failures and ``sh:conforms`` (tests/fixtures/shacl-correctness)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
from rdflib import SH, BNode, Graph

from server.cli import main
from server.validation import Options, UnsupportedFeature, validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "shacl-correctness"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(ROOT)
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def ours(data: Path, shapes: Path | None = None) -> Graph:
    report = validate(Options(paths=[str(data)], shapes=[str(shapes or data)], root=FIXTURES, lint=False))
    assert report.shacl_graph is not None, report.findings
    return report.shacl_graph


def theirs(data: Path, shapes: Path | None = None) -> Graph:
    graph = Graph().parse(data, format="turtle")
    shapes_graph = Graph().parse(shapes, format="turtle") if shapes else graph
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes_graph, inference="none", advanced=True)
    return report


def results(report: Graph) -> list[tuple[object, ...]]:
    """Each result as focus, path, value (exactly as reported), severity, component, shape."""
    found = []
    for node in report.objects(None, SH.result):
        row = [report.value(node, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity,
                                               SH.sourceConstraintComponent, SH.sourceShape)]
        row = ["_:" if isinstance(term, BNode) else term for term in row]
        value = row[2]
        row[2] = (value, getattr(value, "datatype", None), getattr(value, "language", None))
        found.append(tuple(row))
    return sorted(found, key=repr)


def conforms(report: Graph) -> bool:
    return next(report.objects(None, SH.conforms)).toPython()


# --- 4: validation failures are unsupported features, not internal errors -------------------------

def test_sparql_shacl_cannot_pre_bind_fails_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "unsupported-minus.ttl"
    with pytest.raises(UnsupportedFeature, match="MINUS"):
        validate(Options(paths=[str(path)], shapes=[str(path)], root=FIXTURES))
    code = main(["validate", "--no-timing", str(path), "--shapes", str(path)])
    err = capsys.readouterr().err
    assert code == 3 and "unsupported SHACL feature" in err and "internal error" not in err


# --- 5: sh:conforms is false with any result ------------------------------------------------------

def test_warnings_and_infos_make_the_report_not_conform(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "warnings-only.ttl"
    assert conforms(ours(path)) is False and conforms(theirs(path)) is False
    code = main(["validate", "--no-timing", "--format", "json", str(path), "--shapes", str(path)])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["shaclConforms"] is False and document["shaclResults"] == 2
    code = main(["validate", "--no-timing", "--format", "turtle", str(path), "--shapes", str(path)])
    report = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert code == 0 and conforms(report) is False
