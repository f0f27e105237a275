"""SPARQL-based constraints run once over the whole graph give exactly plain pySHACL's results."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from pyoxigraph import Store
from rdflib import SH, Graph

from server.validation.shacl import Result, lift_sparql, read_results, validate
from server.validation.sources import Source, expand
from server.validation.syntax import Converter, parse_text

ROOT = Path(__file__).resolve().parent.parent
SPARQL = ROOT / "tests" / "fixtures" / "validate" / "sparql"


def load(sources: list[Source]) -> tuple[Graph, Graph, Store, Converter]:
    """Data graph, shapes graph and store built the way ``hcn validate`` builds them."""
    converter, data, shapes, store = Converter(), Graph(), Graph(), Store()
    for number, source in enumerate(sources):
        parsed = parse_text(source, number, source.path.read_text(encoding="utf-8"))
        assert not parsed.errors
        target = shapes if source.role == "shapes" else data
        target.addN((*converter.triple(q), target) for q in parsed.quads)
        if source.role != "shapes":
            store.bulk_extend(parsed.quads)
    return data, shapes, store, converter


def key(result: Result) -> tuple[object, ...]:
    """What makes two results the same finding (messages aside: ours name terms by prefix)."""
    return (result.focus, result.path, result.value, result.shape, result.component, result.severity,
            result.constraint)


def plain_pyshacl(data: Graph, shapes: Graph) -> list[Result]:
    _, graph, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                   allow_warnings=True, allow_infos=True)
    return list(read_results(graph))


def sources_of(data: list[str], shapes: list[str]) -> list[Source]:
    return expand(data, "data")[0] + expand(shapes, "shapes")[0]


def test_fixture_constraints_are_lifted_except_the_nested_one() -> None:
    data, shapes, _, _ = load(sources_of([str(SPARQL / "data.ttl")], [str(SPARQL / "shapes.ttl")]))
    core, lifted = lift_sparql(shapes)
    lifted_shapes = {str(c.shape).rsplit("/", 1)[-1] for c in lifted if not isinstance(c.shape, type(None))}
    assert {"AgeShape", "NamedShape", "FailureShape", "FriendTargetShape", "Robot"} <= lifted_shapes
    assert len(lifted) == 6  # the five above and the property shape under FriendShape
    assert "PetShape" not in lifted_shapes and len(list(core.subject_objects(SH.sparql))) == 1


@pytest.mark.parametrize(
    ("data", "shapes"),
    [
        ([str(SPARQL / "data.ttl")], [str(SPARQL / "shapes.ttl")]),
        ([str(ROOT / "ontology"), str(ROOT / "data"), str(ROOT / "tests" / "fixtures" / "invalid")],
         [str(ROOT / "shapes")]),
    ],
    ids=["sparql-fixture", "repo-graph-with-invalid-fixtures"],
)
def test_lifted_sparql_gives_exactly_plain_pyshacl_results(data: list[str], shapes: list[str]) -> None:
    graph, shapes_graph, store, converter = load(sources_of(data, shapes))
    ours = validate(graph, shapes_graph, store, converter)
    theirs = plain_pyshacl(graph, shapes_graph)
    assert sorted(map(key, ours)) == sorted(map(key, theirs))
    assert any(r.component == SH.SPARQLConstraintComponent for r in ours)


def test_lifted_messages_are_filled_like_pyshacl() -> None:
    graph, shapes_graph, store, converter = load(sources_of([str(SPARQL / "data.ttl")], [str(SPARQL / "shapes.ttl")]))
    ours = {key(r): r.messages for r in validate(graph, shapes_graph, store, converter)}
    theirs = {key(r): r.messages for r in plain_pyshacl(graph, shapes_graph)}
    for k, messages in ours.items():
        if messages:
            assert messages == theirs[k]


def test_forked_workers_give_exactly_the_single_process_results(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.validation import parallel
    from server.validation.shacl import run_pyshacl

    graph, shapes_graph, _, _ = load(sources_of([str(ROOT / "ontology"), str(ROOT / "tests" / "fixtures" / "invalid")],
                                                [str(ROOT / "shapes")]))
    monkeypatch.setattr(parallel, "MIN_TRIPLES", 0)
    split = parallel.run(run_pyshacl, graph, shapes_graph, jobs=2)
    single = run_pyshacl(graph, shapes_graph)
    assert split and sorted(map(key, split)) == sorted(map(key, single))


def test_plain_words_when_the_shape_gives_no_message(tmp_path: Path) -> None:
    from server.validation import Options
    from server.validation import validate as validate_files

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
                      "ex:S a sh:NodeShape ; sh:targetClass ex:M ;\n"
                      "  sh:property [ sh:path ex:member ; sh:minCount 1 ; sh:maxCount 1 ] .\n", encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("@prefix ex: <https://example.org/> .\nex:m a ex:M ;\n  ex:member ex:a , ex:b .\n", encoding="utf-8")
    report = validate_files(Options(paths=[str(data)], shapes=[str(shapes)], root=tmp_path))
    assert [(f.line, f.message) for f in report.findings] == [(3, "needs exactly 1 ex:member, found 2")]
