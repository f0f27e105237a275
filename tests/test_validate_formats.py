"""Report formats of ``hcn validate``: SARIF against its schema, JUnit, GitHub annotations, Turtle, determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from rdflib import SH, Graph

from server.cli import main
from server.validation.formats import NAMES

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "fixtures" / "validate" / "sarif-schema-2.1.0.json"
#: Syntax errors, an ill-typed literal and SHACL violations are not reported in one run (SHACL waits
#: for clean syntax), so the formats are checked on a run with SHACL and lint findings.
INPUTS = ["tests/fixtures/invalid/MembershipShape.ttl", "tests/fixtures/invalid/IntervalOrderShape.ttl",
          "tests/fixtures/validate/lint/typo.ttl", "tests/fixtures/validate/broken/ill-typed.ttl"]


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every format written by one run through --output, plus the text on stdout."""
    folder = tmp_path_factory.mktemp("reports")
    outputs = [f"--output={name}={folder / name}" for name in NAMES]
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert main(["validate", "--no-timing", *INPUTS, *outputs]) == 2  # typo.ttl's hc:phaseOff is an error
    finally:
        os.chdir(cwd)
    return {name: (folder / name).read_text(encoding="utf-8") for name in NAMES}


def test_sarif_validates_against_the_sarif_2_1_0_schema(reports: dict[str, str]) -> None:
    document = json.loads(reports["sarif"])
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    results = document["runs"][0]["results"]
    assert len(results) == len(json.loads(reports["json"])["findings"])
    located = [r for r in results if "locations" in r]
    assert located and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 0 for r in located)


def test_junit_has_one_failing_testcase_per_finding(reports: dict[str, str]) -> None:
    root = ET.fromstring(reports["junit"])
    failures = root.findall(".//testcase/failure")
    findings = json.loads(reports["json"])["findings"]
    assert len(failures) == len(findings) == int(root.get("failures", "0"))
    assert any("MembershipShape.ttl" in (case.get("classname") or "") for case in root.iter("testcase"))


def test_github_annotations_carry_file_and_line(reports: dict[str, str]) -> None:
    annotations = [line for line in reports["github"].splitlines() if line.startswith("::")]
    assert len(annotations) == len(json.loads(reports["json"])["findings"])
    for line in annotations:
        assert re.match(r"::(error|warning|notice) file=[^,]+,line=\d+,.*title=[^:]+::.+", line), line
    assert any("file=tests/fixtures/validate/lint/typo.ttl,line=4" in line for line in annotations)


def test_turtle_is_the_shacl_validation_report(reports: dict[str, str]) -> None:
    graph = Graph().parse(data=reports["turtle"], format="turtle")
    report = next(graph.objects(None, SH.conforms), None)
    assert report is not None and report.toPython() is False
    assert len(list(graph.objects(None, SH.result))) == json.loads(reports["json"])["shaclResults"]


def test_text_reads_like_a_compiler(reports: dict[str, str]) -> None:
    lines = reports["text"].splitlines()
    assert all(re.match(r"^[^:]+:\d+(:\d+)?: (error|violation|warning|info): ", line) for line in lines[:-1])
    assert lines[-1].startswith("hcn validate: ") and " s" not in lines[-1].rsplit(")", 1)[-1]
    files = [line.split(":")[0] for line in lines[:-1]]
    assert files == sorted(files)


@pytest.mark.parametrize("name", NAMES)
def test_output_is_byte_identical_across_runs(name: str, tmp_path: Path) -> None:
    first, second = tmp_path / "1", tmp_path / "2"
    for target in (first, second):
        main(["validate", "--no-timing", *INPUTS, f"--output={name}={target}"])
    assert first.read_bytes() == second.read_bytes()
