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


# --- 1: literals are checked (and reported) as the files write them -------------------------------

def test_literals_are_checked_as_written() -> None:
    path = FIXTURES / "literals.ttl"
    found = results(ours(path))
    assert found == results(theirs(path))
    components = sorted(str(r[4]).rsplit("#", 1)[-1] for r in found)
    assert components == ["EqualsConstraintComponent", "EqualsConstraintComponent", "LanguageInConstraintComponent",
                          "MaxInclusiveConstraintComponent", "PatternConstraintComponent"]


def test_messages_show_literals_as_written() -> None:
    path = FIXTURES / "literals.ttl"
    report = validate(Options(paths=[str(path)], shapes=[str(path)], root=FIXTURES, lint=False))
    values = {f.rule: f.value for f in report.findings}
    assert values["sh:MaxInclusiveConstraintComponent"] == '"1.50"^^xsd:decimal'
    assert values["sh:LanguageInConstraintComponent"] == '"Helsinki"@EN-gb'


def test_the_store_keeps_literals_it_would_rewrite() -> None:
    from pyoxigraph import DefaultGraph

    from server.validation.loading import Loader
    from server.validation.sources import expand
    from server.validation.syntax import parse_text

    loader = Loader()
    source = expand([str(FIXTURES / "literals.ttl")], "data")[0][0]
    parse_text(source, 0, source.path.read_text(encoding="utf-8"), loader.receiver("data"))
    graphs = loader.finish()
    converter = graphs.converter
    assert converter.wrapped == 10  # int, 1.50 (twice), 2.00, 1.00, +00:00, P1Y12M, short, "1" boolean, @EN-gb
    terms = {str(converter.term(q.object)) for q in graphs.store.quads_for_pattern(None, None, None, DefaultGraph())}
    assert {"5", "1.50", "2020-01-01T00:00:00+00:00", "Helsinki"} <= terms
    # lookups by the rdflib term find every written form that rdflib reads as that term
    from rdflib import XSD, Literal
    assert len(converter.store_terms(Literal("true", datatype=XSD.boolean))) == 2


# --- 2: $this is pre-bound, not joined, unless that is provably the same ---------------------------

def test_this_is_pre_bound_in_nested_groups_unions_optionals_and_sub_selects() -> None:
    path = FIXTURES / "prebinding.ttl"
    found = results(ours(path))
    assert found == results(theirs(path))
    shapes = sorted(str(r[5]).rsplit("/", 1)[-1] for r in found)
    assert shapes == ["FriendShape", "NestedShape", "NestedShape", "OptionalShape", "OptionalShape", "SubSelectShape",
                      "TopLevelShape", "UnionShape"]


def test_only_provably_set_based_queries_are_lifted() -> None:
    from server.validation.shacl import lift_sparql

    shapes = Graph().parse(FIXTURES / "prebinding.ttl", format="turtle")
    _, lifted = lift_sparql(shapes)
    assert sorted(str(c.shape).rsplit("/", 1)[-1] for c in lifted) == ["FriendShape", "SubSelectShape", "TopLevelShape"]


@pytest.mark.parametrize("where", [
    "{ FILTER (bound($this)) }",
    "{ ?x ?p ?o } UNION { FILTER ($this = ?x) }",
    "OPTIONAL { BIND ($this AS ?me) }",
    "{ SELECT ?x WHERE { $this ?p ?x } }",
    "$this ?p ?o } LIMIT 1 #",
    "{ SELECT $this (COUNT(?o) AS ?n) WHERE { $this ?p ?o } GROUP BY $this }",
    "{ BIND ($this AS ?x) }",
    "$this ?p ?o MINUS { ?o ?q $this }",
])
def test_queries_that_could_see_this_unbound_are_not_set_based(where: str) -> None:
    from server.validation.shacl import FOCUS_MARK, set_based

    assert set_based(f"SELECT $this WHERE {{ {FOCUS_MARK} {where} }}") is None


@pytest.mark.parametrize("where", [
    "$this ?p ?o . FILTER (?o != $this)",
    "$this ?p ?o . FILTER NOT EXISTS { { ?o ?q ?v FILTER (?v = $this) } }",
    "$this ?p ?o OPTIONAL { ?o ?q ?v FILTER (?v != $this) } BIND (STR($this) AS ?s)",
    "?x ?p ?o OPTIONAL { ?o ?q ?v FILTER (?v = $this) }",
    "{ ?x ?p $this } UNION { $this ?p ?x FILTER (isIRI($this)) }",
    "{ SELECT $this ?o WHERE { $this ?p ?o FILTER (?o != $this) } }",
])
def test_queries_that_always_see_this_bound_are_set_based(where: str) -> None:
    from server.validation.shacl import FOCUS_MARK, set_based

    assert set_based(f"SELECT $this WHERE {{ {FOCUS_MARK} {where} }}") is not None


def test_wrapped_literals_keep_queries_that_could_read_them_with_pyshacl(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text("@prefix ex: <https://example.org/fixture/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                    "ex:a ex:size 1.50 ; ex:name \"a\" .\n", encoding="utf-8")
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix ex: <https://example.org/fixture/> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
                      "ex:S a sh:NodeShape ; sh:targetNode ex:a ;\n"
                      "  sh:sparql [ sh:select \"SELECT $this ?value WHERE { $this ex:size ?value FILTER (STR(?value) = '1.50') }\" ] .\n",
                      encoding="utf-8")
    found = results(ours(data, shapes))
    assert found == results(theirs(data, shapes)) and len(found) == 1


# --- 3: prefixes as pySHACL resolves them -----------------------------------------------------------

def test_prefixes_from_the_data_graph_and_through_owl_imports() -> None:
    path = FIXTURES / "prefixes.ttl"
    found = results(ours(path))
    assert found == results(theirs(path)) and len(found) == 2


@pytest.mark.parametrize("text", ["0", "-0", "1", "01", "+1", "-12", "1.0", "1.5", "1.50", "0.5", ".5", "5.",
                                  "-0.25", "123456789012345678", "1234567890123456789012", "0.12345678901234567",
                                  "0.123456789012345678901", "true", "false", "1", "abc", " 1"])
@pytest.mark.parametrize("datatype", ["integer", "decimal", "boolean", "int", "unsignedByte"])
def test_literals_kept_unwrapped_are_those_the_store_keeps(text: str, datatype: str) -> None:
    """The shortcuts of Converter.changes never leave a literal unwrapped that the store would rewrite."""
    from pyoxigraph import Literal as OxLiteral
    from pyoxigraph import NamedNode, Quad, Store

    from server.literals import XSD
    from server.validation.syntax import Converter

    literal = OxLiteral(text, datatype=NamedNode(XSD + datatype))
    store = Store()
    store.add(Quad(NamedNode("urn:s"), NamedNode("urn:p"), literal))
    stored = next(iter(store)).object
    rewritten = (stored.value, stored.datatype.value) != (text, XSD + datatype)
    if rewritten:
        assert Converter().changes(text, XSD + datatype)
