"""``hcn validate``: exit codes, locations, bad input, baselines, determinism and the installed script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import SH, Graph, URIRef

from server.cli import main
from server.validation import Options, validate
from server.validation.report import Finding

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
OWN = FIXTURES / "validate"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
HCN = Path(sys.executable).with_name("hcn")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", "--no-timing", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # file names in reports are relative to the working directory


def test_shipped_graph_conforms(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([], capsys)
    assert code == 0, out
    assert out.startswith("hcn validate: 24 files") or "0 errors, 0 violations" in out


def expected_line(path: Path, focus: str, predicate: str) -> int:
    """The focus block's first line, or the line in that block where the predicate is written."""
    lines = path.read_text(encoding="utf-8").split("\n")
    local = "ex:" + focus.rsplit("/", 1)[-1]
    start = next(n for n, line in enumerate(lines) if line.startswith(local + " "))
    end = next((n for n in range(start + 1, len(lines)) if lines[n] and not lines[n][0].isspace()), len(lines))
    if predicate != "none":
        name = re.split(r"[#/]", predicate)[-1]
        for n in range(start, end):
            if re.search(r"(?:^|\s|;)\w*:" + re.escape(name) + r"\s", lines[n]):
                return n + 1
    return start + 1


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def shape_names(shapes: Graph, shape: URIRef) -> tuple[str, ...]:
    """How findings name the node shape and its named property shapes."""
    named = [p for p in shapes.objects(shape, SH.property) if isinstance(p, URIRef)]
    return tuple("hcsh:" + str(s).rsplit("#", 1)[-1] for s in [shape, *named])


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_is_reported_at_its_file_and_line(path: Path, shapes_graph: Graph) -> None:
    expected = dict(re.findall(r"^# expect-(shape|focus|path): (\S+)$", path.read_text(encoding="utf-8"), re.M))
    report = validate(Options(paths=[rel(path)], root=ROOT))
    assert report.exit_code == 1
    focus = "ex:" + expected["focus"].rsplit("/", 1)[-1]
    names = shape_names(shapes_graph, URIRef(expected["shape"]))
    mine = [f for f in report.findings
            if f.focus == focus and f.severity == "violation" and f.shape.split("/")[0] in names]
    assert mine, "\n".join(map(str, report.findings))
    assert all(f.file == rel(path) for f in mine)
    assert expected_line(path, expected["focus"], expected["path"]) in {f.line for f in mine}


def test_syntax_errors_in_every_file_exit_2_with_line_and_column(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([rel(OWN / "broken")], capsys)
    assert code == 2 and "Traceback" not in out + err
    broken = rel(OWN / "broken" / "syntax-errors.ttl")
    assert re.search(rf"^{re.escape(broken)}:6:\d+: error: ", out, re.M)
    assert re.search(rf"^{re.escape(broken)}:9:\d+: error: ", out, re.M)
    # the other file is still read: its ill-typed literal is one finding with its line
    assert f"{rel(OWN / 'broken' / 'ill-typed.ttl')}:7: violation: \"2001-13-01\"^^xsd:date is not a valid xsd:date" in out
    assert "SHACL not run" in out


def test_ill_typed_literal_is_a_finding_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([rel(OWN / "broken" / "ill-typed.ttl")], capsys)
    assert code == 1 and "Traceback" not in err and "month must be" not in err
    assert "ill-typed.ttl:7: violation:" in out


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.ttl", "no such file or folder"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "no RDF files"),
        (lambda d: (d / "x.ttl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") and d / "x.ttl", "binary file"),
        (lambda d: (d / "x.ttl").write_bytes(b'<urn:a> <urn:b> "\xe6\xf8\xe5" .\n') and d / "x.ttl", "not valid UTF-8"),
        (lambda d: (d / "x.txt").write_text("hello") and d / "x.txt", "unsupported file type"),
        (lambda d: d / "*.nothing", "matches no RDF files"),
    ],
    ids=["missing", "empty-folder", "binary", "non-utf8", "wrong-suffix", "glob-matching-nothing"],
)
def test_unusable_input_exits_2_with_a_clear_message(tmp_path: Path, make, message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(make(tmp_path))], capsys)
    assert code == 2 and message in out and "Traceback" not in out + err


def test_non_utf8_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes(b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> \"bl\xe5\" .\n")
    _, out, _ = run([str(bad)], capsys)
    assert f"{bad.as_posix()}:2:20: error: not valid UTF-8" in out


def test_fifty_megabyte_file_is_read_and_its_error_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.ttl"
    padding = "# " + "x" * 98 + "\n"
    with big.open("w", encoding="utf-8") as out:
        out.write("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
        out.write(padding * 500_000)  # 50 MB of comment lines
        out.write("<urn:x:a> <urn:x:b> .\n")
    assert big.stat().st_size > 50_000_000
    code, out, err = run([str(big)], capsys)
    assert code == 2 and "Traceback" not in out + err
    assert f"{big.as_posix()}:500002:" in out


def test_baseline_hides_known_findings_and_fails_on_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data.ttl"
    data.write_text((FIXTURES / "invalid" / "MembershipShape.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    assert run([str(data), "--output", f"json={baseline}"], capsys)[0] == 1
    code, out, _ = run([str(data), "--baseline", str(baseline)], capsys)
    assert code == 0 and "known in the baseline, hidden" in out and "violation:" not in out
    with data.open("a", encoding="utf-8") as more:  # lines above move: the baseline still matches
        more.write("\nex:late a org:Membership ; rdfs:label \"Sent\"@nb , \"Late\"@en ; dcterms:source ex:source ;\n"
                   "    org:organization ex:network ; org:role role:member .\n")
    code, out, _ = run([str(data), "--baseline", str(baseline)], capsys)
    assert code == 1
    assert [line.split(" [")[0] for line in out.splitlines() if "violation" in line and "ex:late" in line]
    assert "ex:membership" not in out


def test_bad_baseline_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "b.json").write_text("{}", encoding="utf-8")
    code, _, err = run([rel(OWN / "lint" / "typo.ttl"), "--baseline", str(tmp_path / "b.json")], capsys)
    assert code == 2 and "not a JSON report" in err


def test_undefined_term_is_an_error_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    path = rel(OWN / "lint" / "typo.ttl")
    code, out, _ = run([path], capsys)
    assert code == 2  # a typo in a closed vocabulary blocks a commit (tests/test_validate_vocabularies.py)
    assert f"{path}:4: error: hc:phaseOff is not defined in the ontology; did you mean hc:phaseOf?" in out


def test_blank_node_focus_points_to_its_named_ancestor(tmp_path: Path) -> None:
    data = tmp_path / "instant.ttl"
    source = (FIXTURES / "invalid" / "IntervalOrderShape.ttl").read_text(encoding="utf-8")
    data.write_text(source.replace('time:inXSDDate "2019-03-01"^^xsd:date', 'time:inXSDgYear "2019"'), encoding="utf-8")
    report = validate(Options(paths=[str(data)], root=ROOT))
    instant = [f for f in report.findings if f.focus == "ex:interval / time:hasEnd"]
    assert instant and instant[0].line == 26 and instant[0].path == "time:inXSDgYear"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--format", "yaml"])
    assert exc.value.code == 2
    assert run(["--output", "nope"], capsys)[0] == 2


def test_unsupported_shacl_feature_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:node ex:T ] .\n"
        'ex:T a sh:NodeShape ; sh:sparql [ sh:select "SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }" ] .\n',
        encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n", encoding="utf-8")
    code, out, err = run([str(data), "--shapes", str(shapes)], capsys)
    assert code == 3 and "unsupported SHACL feature" in err and "Traceback" not in err


def test_installed_script_reports_syntax_error_location_and_exit_2() -> None:
    broken = rel(OWN / "broken")
    result = subprocess.run([str(HCN), "validate", "--no-timing", broken], capture_output=True, text=True,
                            timeout=120, cwd=ROOT, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert re.search(r"syntax-errors\.ttl:6:\d+: error:", result.stdout)
    assert "Traceback" not in result.stderr
    assert "3  internal error or unsupported SHACL feature" in subprocess.run(
        [str(HCN), "validate", "--help"], capture_output=True, text=True, timeout=60, check=False).stdout


def test_finding_location_and_fingerprint_ignore_lines() -> None:
    a = Finding("violation", "sh:MinCountConstraintComponent", "m", file="a.ttl", line=3, focus="ex:a")
    b = Finding("violation", "sh:MinCountConstraintComponent", "m", file="a.ttl", line=9, focus="ex:a")
    assert a.location == "a.ttl:3" and a.fingerprint == b.fingerprint
    assert Finding("error", "syntax", "x", file="b.ttl", line=2, column=5).location == "b.ttl:2:5"


def test_json_report_lists_findings_with_fingerprints(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([rel(FIXTURES / "invalid" / "MembershipShape.ttl"), "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 1 == document["exitCode"]
    assert document["counts"]["violation"] == len([f for f in document["findings"] if f["severity"] == "violation"])
    assert all(len(f["fingerprint"]) == 16 for f in document["findings"])
