"""pySHACL's results, exactly: SPARQL constraints lifted to one query each, Core checked in chunks."""

from __future__ import annotations

import sys
from pathlib import Path

import pyshacl
import pytest
from pyoxigraph import Store
from rdflib import SH, Graph

from server.validation import extract, parallel
from server.validation.loading import Graphs, Loader
from server.validation.shacl import Result, lift_sparql, read_results, run_pyshacl, validate
from server.validation.sources import Source, expand
from server.validation.syntax import Converter, parse_text

ROOT = Path(__file__).resolve().parent.parent
SPARQL = ROOT / "tests" / "fixtures" / "validate" / "sparql"
WALK = ROOT / "tests" / "fixtures" / "validate" / "walk"


def load_graphs(sources: list[Source]) -> Graphs:
    """Store and shapes graph built the way ``hcn validate`` builds them."""
    loader = Loader()
    for number, source in enumerate(sources):
        parsed = parse_text(source, number, source.path.read_text(encoding="utf-8"), loader.receiver(source.role))
        assert not parsed.errors
    return loader.finish()


def load(sources: list[Source]) -> tuple[Graph, Graph, Store, Converter]:
    """The whole data graph (for plain pySHACL), the shapes graph, the store and the converter."""
    graphs = load_graphs(sources)
    return (extract.whole_graph(graphs.store, graphs.converter), graphs.shapes, graphs.store,
            graphs.converter)


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
    ours = validate(store, shapes_graph, converter)
    theirs = plain_pyshacl(graph, shapes_graph)
    assert sorted(map(key, ours)) == sorted(map(key, theirs))
    assert any(r.component == SH.SPARQLConstraintComponent for r in ours)


def test_lifted_messages_are_filled_like_pyshacl() -> None:
    graph, shapes_graph, store, converter = load(sources_of([str(SPARQL / "data.ttl")], [str(SPARQL / "shapes.ttl")]))
    ours = {key(r): r.messages for r in validate(store, shapes_graph, converter)}
    theirs = {key(r): r.messages for r in plain_pyshacl(graph, shapes_graph)}
    for k, messages in ours.items():
        if messages:
            assert messages == theirs[k]


def generated(triples: int) -> list[str]:
    """The benchmark generator's synthetic network (with its deliberate violations) as a data file."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    path = ROOT / ".pytest_cache" / f"generated-{triples}.ttl"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(generate(triples, seed=7)[0], encoding="utf-8")
    return [str(ROOT / "ontology"), str(path)]


@pytest.mark.parametrize(
    ("data", "shapes"),
    [
        ([str(WALK / "data.ttl")], [str(WALK / "shapes.ttl")]),
        ([str(ROOT / "ontology"), str(ROOT / "data"), str(ROOT / "tests" / "fixtures" / "invalid")],
         [str(ROOT / "shapes")]),
        (generated(8000), [str(ROOT / "shapes")]),
    ],
    ids=["every-kind-of-reach", "repo-graph-with-invalid-fixtures", "generated-network"],
)
def test_chunks_of_subgraphs_give_exactly_plain_pyshacl_results(
        data: list[str], shapes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    graph, shapes_graph, store, converter = load(sources_of(data, shapes))
    core, _ = lift_sparql(shapes_graph)
    assert extract.is_local(core)
    monkeypatch.setattr(parallel, "MIN_TRIPLES", 0)
    monkeypatch.setattr(parallel, "CHUNK_TRIPLES", max(1, len(store) // 5))
    ours = validate(store, shapes_graph, converter, jobs=2)
    theirs = plain_pyshacl(graph, shapes_graph)
    assert len(theirs) > 5 and sorted(map(key, ours)) == sorted(map(key, theirs))


def test_a_chunk_holds_only_what_its_focus_nodes_reach() -> None:
    graphs = load_graphs(sources_of([str(WALK / "data.ttl")], [str(WALK / "shapes.ttl")]))
    focus = extract.focus_plan(graphs.store, graphs.shapes, graphs.converter)
    assert focus is not None
    eve = {shape: [n for n in nodes if str(n).endswith("/eve")] for shape, nodes in focus.items()}
    chunk = extract.subgraph(graphs.store, graphs.shapes, eve, graphs.converter)
    subjects = {str(s).rsplit("/", 1)[-1] for s in chunk.subjects()}
    assert {"eve", "member1"} <= subjects  # the focus node, and its role's types for sh:class
    assert not subjects & {"ada", "bob", "acme", "oslo"}  # nothing Eve's shapes do not reach
    assert len(chunk) < len(graphs.store) / 3


def test_shapes_the_walk_cannot_vouch_for_use_the_whole_graph() -> None:
    _, shapes, store, converter = load(sources_of([str(SPARQL / "data.ttl")], [str(SPARQL / "shapes.ttl")]))
    core, _ = lift_sparql(shapes)
    assert not extract.is_local(core)  # the nested sh:sparql constraint could read anything
    custom = Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
                                "ex:S sh:target [ a ex:Custom ] ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
                           format="turtle")
    assert extract.focus_plan(store, custom, converter) is None


def test_single_chunk_in_process_equals_forked_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    graph, shapes_graph, store, converter = load(sources_of(
        [str(ROOT / "ontology"), str(ROOT / "tests" / "fixtures" / "invalid")], [str(ROOT / "shapes")]))
    core, _ = lift_sparql(shapes_graph)
    focus = extract.focus_plan(store, core, converter)
    assert focus is not None

    def graph_for(plan: extract.Plan) -> Graph:
        return extract.subgraph(store, core, plan, converter)

    single = parallel.run(run_pyshacl, core, focus, graph_for, chunks=1, jobs=1)
    split = parallel.run(run_pyshacl, core, focus, graph_for, chunks=3, jobs=2)
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
