"""The ``hcn`` command line: query, dump, validate exit codes, installed script."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse
from rdflib import Graph

from server.cli import main

PREFIXES = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""
ONTOLOGY = PREFIXES + 'ex:City a rdfs:Class ; rdfs:label "City"@en .\n'
DATA = PREFIXES + 'ex:oslo a ex:City ; rdfs:label "Oslo"@en .\n'
SHAPES = PREFIXES + "ex:CityShape a sh:NodeShape ; sh:targetClass ex:City ;\n  sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .\n"


def make_root(root: Path, data: str = DATA) -> Path:
    """A tiny graph in the ontology/ data/ shapes/ layout."""
    for folder, text in (("ontology", ONTOLOGY), ("data", data), ("shapes", SHAPES)):
        (root / folder).mkdir(parents=True)
        (root / folder / f"{folder}.ttl").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_root(tmp_path / "graph")


def test_query_ask_prints_sparql_json(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(root), "query", "ASK { ?s ?p ?o }"]) == 0
    assert json.loads(capsys.readouterr().out)["boolean"] is True


def test_query_file_in_csv(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rq = tmp_path / "cities.rq"
    rq.write_text("SELECT ?city WHERE { ?city a <http://example.org/City> }", encoding="utf-8")
    assert main(["--root", str(root), "query", "--file", str(rq), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["city", "http://example.org/oslo"]


def test_query_default_graph_excludes_shapes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(root), "query", "ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }"]) == 0
    assert json.loads(capsys.readouterr().out)["boolean"] is False


def test_query_construct_defaults_to_turtle(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(root), "query", "CONSTRUCT WHERE { ?s a ?c }"]) == 0
    assert len(Graph().parse(data=capsys.readouterr().out, format="turtle")) == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "SELECT ?s WHERE { ?s ?p }"],
        ["query", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"],
        ["query", "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"],
        ["query"],
    ],
)
def test_query_input_errors_exit_2_without_traceback(
    root: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(root), *argv]) == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err


def test_dump_writes_three_files_of_ontology_and_data(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    assert main(["--root", str(root), "dump", "--out", str(out)]) == 0
    ttl = Graph().parse(out / "healthy-cities.ttl", format="turtle")
    nt = Graph().parse(data=gzip.decompress((out / "healthy-cities.nt.gz").read_bytes()).decode(), format="nt")
    jsonld = list(parse(path=out / "healthy-cities.jsonld", format=RdfFormat.JSON_LD))  # rdflib's warns
    assert len(ttl) == len(nt) == len(jsonld) == 4


def test_validate_conforming_graph_exits_0(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(root), "validate", "--no-timing"]) == 0
    assert capsys.readouterr().out.endswith("0 errors, 0 violations, 0 warnings, 0 info\n")


def test_validate_violation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_root(tmp_path / "graph", data=PREFIXES + "ex:bergen a ex:City .\n")
    assert main(["--root", str(root), "validate"]) == 1
    out = capsys.readouterr().out
    assert f"{(root / 'data' / 'data.ttl').as_posix()}:4: violation: needs at least 1 rdfs:label, found 0" in out
    assert "focus ex:bergen" in out


def test_validate_broken_turtle_exits_2_naming_the_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = root / "data" / "broken.ttl"
    broken.write_text(PREFIXES + "ex:a ex:b .\n", encoding="utf-8")
    assert main(["--root", str(root), "validate"]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{broken.as_posix()}:4:11: error: ") and "Traceback" not in captured.err


def test_validate_empty_root_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path), "validate"]) == 2
    assert "no ontology/, data/ or shapes/ folder here" in capsys.readouterr().out


def test_broken_turtle_makes_query_exit_2_not_crash(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "data" / "broken.ttl").write_text(PREFIXES + "ex:a ex:b .\n", encoding="utf-8")
    assert main(["--root", str(root), "query", "ASK { ?s ?p ?o }"]) == 2
    assert "broken.ttl: Parser error at line" in capsys.readouterr().err


def test_installed_script_help_documents_exit_codes() -> None:
    hcn = Path(sys.executable).with_name("hcn")
    result = subprocess.run([str(hcn), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    for command in ("serve", "validate", "query", "dump"):
        assert command in result.stdout
    assert "exit codes" in result.stdout and "2  usage or input error" in result.stdout
