"""``hcn query NAME --param k=v``: the API's named queries from the command line, local or remote."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from server.cli import main

ID = "https://w3id.org/healthy-cities/id/"


def output(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_named_query_with_a_parameter_in_csv(capsys: pytest.CaptureFixture[str]) -> None:
    out = output(capsys, "query", "network-phases", "--param", "phase=6", "--format", "csv")
    assert [r["notation"] for r in csv.DictReader(io.StringIO(out))] == ["VI"]


def test_records_format(capsys: pytest.CaptureFixture[str]) -> None:
    out = output(capsys, "query", "national-identifiers", "--param", "number=0101", "--format", "records")
    assert [r["organisationName"] for r in json.loads(out)] == ["Halden kommune"]


def test_any_query_file_with_its_own_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text("#+ param-kind: iri\n\nSELECT ?kind (COUNT(*) AS ?n) { ?x a ?kind } GROUP BY ?kind\n", encoding="utf-8")
    out = output(capsys, "query", "--file", str(rq), "--param", "kind=http://www.w3.org/ns/org#Membership",
                 "--format", "csv")
    # three since issue #17: hosting the Sunne kommuner secretariat is not a membership
    assert out.splitlines()[1] == "http://www.w3.org/ns/org#Membership,3"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "network-phases", "--param", "phse=6"], "unknown parameter 'phse'"),
        (["query", "network-phases", "--param", "phase=six"], "parameter 'phase'"),
        (["query", "network-phases", "--param", "phase"], "NAME=VALUE"),
        (["query", "no-such-query"], "no named query"),
    ],
)
def test_bad_parameters_exit_2_naming_them(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_remote_endpoint_gives_the_same_answer(live_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["query", "memberships-and-roles", "--param", f"organisation={ID}organisation/ostfold-fylkeskommune",
            "--format", "records"]
    local = json.loads(output(capsys, *args))
    remote = json.loads(output(capsys, *args, "--endpoint", f"{live_server}/sparql"))
    assert len(local) == 2 and sorted(map(str, local)) == sorted(map(str, remote))


def test_remote_binding_keeps_injection_a_literal(live_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = output(capsys, "query", "national-identifiers", "--param", 'number=0101" } UNION { ?s ?p ?o } #',
                 "--endpoint", f"{live_server}/sparql", "--format", "csv")
    assert len(out.splitlines()) == 1  # the header row only: the value matched no identifier


def test_unreachable_endpoint_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "six-ps", "--endpoint", "http://127.0.0.1:9/sparql"]) == 2
    assert "Traceback" not in capsys.readouterr().err
