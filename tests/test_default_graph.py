"""The SPARQL default graph: the union of ontology and data, from queries and from pattern lookups alike.

Queries without a dataset of their own see the union of the ontology and data named graphs (merged
per pattern: a triple stated in both counts twice, as it always has); the named graphs, the
protocol's default-graph-uri / named-graph-uri and the query's FROM / FROM NAMED answer as they
always did; the embedded store's pattern lookup (``triples``, which documents are built from) sees
the same default graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import Settings
from server.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/healthy-cities/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def loaded(root: Path) -> EmbeddedStore:
    store = EmbeddedStore(Settings(root=root))
    store.load_folders(root)
    return store


def number(store: EmbeddedStore, query: str, **dataset: list[str]) -> int:
    return int(next(iter(store.query(query, **dataset)))[0].value)  # type: ignore[call-overload,index]


@pytest.fixture(scope="module")
def shipped() -> EmbeddedStore:
    return loaded(REPO)


def graph(name: str) -> str:
    return f"{BASE}graph/{name}"


def test_default_graph_is_the_union_of_ontology_and_data(shipped: EmbeddedStore) -> None:
    sizes = shipped.graph_sizes()
    union = number(shipped, COUNT, default_graphs=[graph("ontology"), graph("data")])
    assert number(shipped, COUNT) == union == sizes[graph("ontology")] + sizes[graph("data")]
    shapes = "ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }"
    assert not bool(shipped.query(shapes))  # shapes stay out of the default graph
    assert bool(shipped.query(shapes, default_graphs=[graph("shapes")]))


def test_named_graphs_and_dataset_clauses_answer_as_before(shipped: EmbeddedStore) -> None:
    sizes = shipped.graph_sizes()
    assert sorted(sizes) == sorted(graph(n) for n in ("ontology", "data", "shapes"))
    listed = {row[0].value for row in shipped.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}  # type: ignore[union-attr,index]
    assert listed == set(sizes)
    for name, size in sizes.items():
        assert number(shipped, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}") == size
        assert number(shipped, f"SELECT (COUNT(*) AS ?n) FROM <{name}> WHERE {{ ?s ?p ?o }}") == size
        assert number(shipped, COUNT, default_graphs=[name]) == size
    # FROM without FROM NAMED: no named graphs; named-graph-uri alone: an empty default graph
    assert number(shipped, f"SELECT (COUNT(*) AS ?n) FROM <{graph('data')}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 0
    assert number(shipped, COUNT, named_graphs=[graph("data")]) == 0


def test_len_counts_the_named_graphs(shipped: EmbeddedStore) -> None:
    assert len(shipped) == sum(shipped.graph_sizes().values())


def test_blank_nodes_join_across_the_default_and_named_graphs(shipped: EmbeddedStore) -> None:
    """The default graph and the named graphs hold the same blank nodes: they join across them."""
    query = """SELECT DISTINCT ?g WHERE {
      ?s ?p ?b FILTER(isBlank(?b)) GRAPH ?g { ?b ?q ?o } }"""
    assert {row[0].value for row in shipped.query(query)} == {graph("data")}  # type: ignore[union-attr,index]


def test_shared_triples_count_per_graph_in_queries_and_pattern_lookups(tmp_path: Path) -> None:
    from pyoxigraph import NamedNode

    root = tmp_path / "root"
    (root / "ontology").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "shapes").mkdir()
    a = f"<{BASE}id/x/a>"
    triple = f"{a} <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n"
    (root / "ontology" / "o.ttl").write_text(triple)
    (root / "data" / "d.ttl").write_text(triple + f"{a} <{BASE}ontology#p> [ <{BASE}ontology#q> 1 ] .\n")
    (root / "shapes" / "s.ttl").write_text(f"{a} <{BASE}ontology#shape> 1 .\n")
    store = loaded(root)
    assert store.graph_sizes() == {graph("ontology"): 1, graph("data"): 3, graph("shapes"): 1}
    assert number(store, COUNT) == 4 == len(store) - 1  # merged per pattern: the shared triple twice
    node = NamedNode(f"{BASE}id/x/a")
    assert len(list(store.triples(node, None, None))) == 3  # the pattern lookup agrees; no shapes
    assert [t.predicate.value for t in store.triples(None, None, node)] == []
