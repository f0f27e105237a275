"""SHACL shapes in shapes/: the shipped graph conforms, and every node shape has an invalid fixture.

Validation follows ``hcn validate``: the data graph is ontology/*.ttl + data/*.ttl parsed with rdflib
into one graph (so rdfs:subClassOf triples are there for sh:class and sh:targetClass), the shapes
graph is shapes/*.ttl, and pySHACL runs with advanced features and no inference. Fixtures in
tests/fixtures/invalid/ are validated together with the ontology but without data/; each names, in
its leading comments, the node shape it violates, the focus node and the result path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
SH = Namespace("http://www.w3.org/ns/shacl#")
TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target)


def parse(paths: Iterable[Path], graph: Graph | None = None) -> Graph:
    graph = Graph() if graph is None else graph
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@dataclass(frozen=True)
class Loaded:
    shapes: Graph
    ontology: Graph
    shipped: Graph


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    ontology = parse(sorted((ROOT / "ontology").glob("*.ttl")))
    shipped = parse(sorted((ROOT / "ontology").glob("*.ttl")), parse(sorted((ROOT / "data").glob("*.ttl"))))
    return Loaded(parse(sorted((ROOT / "shapes").glob("*.ttl"))), ontology, shipped)


def validate(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True
    )
    return bool(conforms), report, str(text)


def with_ontology(loaded: Loaded, path: Path) -> Graph:
    graph = Graph()
    for triple in loaded.ontology:
        graph.add(triple)
    return parse([path], graph)


def targeted_node_shapes(shapes: Graph) -> set[Node]:
    """Node shapes that select focus nodes themselves (value shapes used inside others have no target)."""
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape) if any(shapes.value(s, t) for t in TARGETS)}


def expectations(path: Path) -> dict[str, str]:
    found = dict(re.findall(r"^# expect-(shape|focus|path): (\S+)$", path.read_text(encoding="utf-8"), re.M))
    assert set(found) == {"shape", "focus", "path"}, f"{path.name}: needs expect-shape, expect-focus and expect-path"
    return found


def test_shipped_graph_conforms(loaded: Loaded) -> None:
    conforms, _, text = validate(loaded.shipped, loaded.shapes)
    assert conforms, text


def test_minimal_valid_fixture_conforms(loaded: Loaded) -> None:
    conforms, _, text = validate(with_ontology(loaded, FIXTURES / "valid" / "minimal.ttl"), loaded.shapes)
    assert conforms, text


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_violates_exactly_its_shape(loaded: Loaded, path: Path) -> None:
    expected = expectations(path)
    shape = URIRef(expected["shape"])
    assert path.stem == shape.split("#")[-1], "a fixture is named after the local name of its node shape"
    conforms, report, text = validate(with_ontology(loaded, path), loaded.shapes)
    assert not conforms, f"{path.name} conforms but should violate {shape}"
    allowed = {shape, *loaded.shapes.objects(shape, SH.property)}
    results = list(report.objects(None, SH.result))  # top level only, not the sh:detail of sh:node results
    assert results
    for result in results:
        assert report.value(result, SH.sourceShape) in allowed, f"result outside {shape}:\n{text}"
        assert report.value(result, SH.resultSeverity) == SH.Violation
    path_wanted = None if expected["path"] == "none" else URIRef(expected["path"])
    assert any(
        report.value(r, SH.focusNode) == URIRef(expected["focus"]) and report.value(r, SH.resultPath) == path_wanted
        for r in results
    ), f"no result with focus {expected['focus']} and path {expected['path']}:\n{text}"


def test_every_node_shape_has_an_invalid_fixture(loaded: Loaded) -> None:
    shapes = {str(s) for s in targeted_node_shapes(loaded.shapes)}
    fixtures = {expectations(p)["shape"] for p in INVALID}
    assert shapes == fixtures


def test_every_typed_instance_is_a_focus_of_some_shape(loaded: Loaded) -> None:
    """No class in data/, vocabularies.ttl or sdg.ttl escapes the shapes (ontology terms aside)."""
    graph, shapes = loaded.shipped, loaded.shapes
    ontology_types = {OWL.Ontology, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.FunctionalProperty}
    classes = {c for s in targeted_node_shapes(shapes) for c in shapes.objects(s, SH.targetClass)}
    object_targets = {
        o for s in targeted_node_shapes(shapes) for p in shapes.objects(s, SH.targetObjectsOf) for o in graph.objects(None, p)
    }
    missed = set()
    for node, cls in graph.subject_objects(RDF.type):
        if cls in ontology_types or isinstance(node, BNode) and cls not in classes:
            continue
        types = {t for c in graph.objects(node, RDF.type) for t in graph.transitive_objects(c, RDFS.subClassOf)}
        if not types & classes and node not in object_targets:
            missed.add((node, cls))
    assert not missed


def test_every_property_shape_has_a_message(loaded: Loaded) -> None:
    shapes = loaded.shapes
    property_shapes = set(shapes.objects(None, SH.property)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert property_shapes
    assert not [p for p in property_shapes if shapes.value(p, SH.message) is None]
