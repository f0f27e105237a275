"""The SPARQL default graph, the union of ontology and data, from a store of its own; nothing else changed.

Queries without a dataset of their own that never say GRAPH or FROM run on the union store (the
ontology and data files loaded into its default graph); the named graphs, the protocol's
default-graph-uri / named-graph-uri and the query's FROM / FROM NAMED answer exactly as before, from
the dataset store.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.config import Settings
from server.store import ondisk
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
    assert listed == set(sizes)  # the default graph's copies are not a named graph
    for name, size in sizes.items():
        assert number(shipped, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}") == size
        assert number(shipped, f"SELECT (COUNT(*) AS ?n) FROM <{name}> WHERE {{ ?s ?p ?o }}") == size
        assert number(shipped, COUNT, default_graphs=[name]) == size
    # FROM without FROM NAMED: no named graphs; named-graph-uri alone: an empty default graph
    assert number(shipped, f"SELECT (COUNT(*) AS ?n) FROM <{graph('data')}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 0
    assert number(shipped, COUNT, named_graphs=[graph("data")]) == 0


def test_len_counts_the_named_graphs(shipped: EmbeddedStore) -> None:
    assert len(shipped) == sum(shipped.graph_sizes().values())


def test_a_query_naming_graphs_sees_one_dataset(shipped: EmbeddedStore) -> None:
    """Default graph and named graphs in one query come from one store: its blank nodes join."""
    query = """SELECT DISTINCT ?g WHERE {
      ?s ?p ?b FILTER(isBlank(?b)) GRAPH ?g { ?b ?q ?o } }"""
    assert {row[0].value for row in shipped.query(query)} == {graph("data")}  # type: ignore[union-attr,index]


@pytest.mark.parametrize(("text", "named"), [
    ("SELECT * WHERE { ?s ?p ?o }", False),
    ("SELECT ?graph ?from WHERE { ?graph <http://x/graph> ?from FILTER(?from != 'GRAPH') } # FROM", False),
    ("PREFIX graph: <http://x/> SELECT * WHERE { graph:a graph:from ?o }", False),
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("select * where { { graph <http://g> { ?s ?p ?o } } }", True),
    ("SELECT * WHERE { FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }", True),
    ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", True),
    ("SELECT * FROM NAMED <http://g> WHERE { ?s ?p ?o }", True),
    ("SELECT * WHERE { \\u0047RAPH ?g { ?s ?p ?o } }", True),  # an escape may spell a keyword
])
def test_queries_that_name_graphs_are_told_apart(text: str, named: bool) -> None:
    from server.querytext import names_graphs

    assert names_graphs(text) is named


def test_both_stores_give_the_same_answers(shipped: EmbeddedStore) -> None:
    """The union store and the dataset store's merged default graph hold the same triples."""
    union = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    dataset = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o OPTIONAL { GRAPH ?g { ?x ?y ?z } FILTER(false) } }"
    def key(t: object) -> tuple[str, ...]:
        return tuple("_" if type(x).__name__ == "BlankNode" else str(x) for x in (t.subject, t.predicate, t.object))  # type: ignore[attr-defined]
    assert sorted(map(key, shipped.query(union))) == sorted(map(key, shipped.query(dataset)))  # type: ignore[arg-type]


def test_empty_folders_are_empty_named_graphs_and_shared_triples_count_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "ontology").mkdir(parents=True)
    (root / "data").mkdir()
    triple = f"<{BASE}id/x/a> <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n"
    (root / "ontology" / "o.ttl").write_text(triple)
    (root / "data" / "d.ttl").write_text(triple + f"<{BASE}id/x/a> <{BASE}ontology#p> [ <{BASE}ontology#q> 1 ] .\n")
    store = loaded(root)
    assert store.graph_sizes() == {graph("ontology"): 1, graph("data"): 3, graph("shapes"): 0}
    assert number(store, COUNT) == 3  # the RDF merge: the shared triple once
    assert number(store, COUNT, default_graphs=[graph("ontology"), graph("data")]) == 4  # per graph, as before
    assert len(store) == 4
    empty = {row[0].value for row in store.query("SELECT ?g WHERE { GRAPH ?g { } }")}  # type: ignore[union-attr,index]
    assert graph("shapes") in empty


def test_an_on_disk_cache_of_another_layout_is_rebuilt(tmp_path: Path) -> None:
    from server.app import create_app

    root = tmp_path / "src"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(REPO / folder, root / folder)
    cache = tmp_path / "store"
    app = create_app({"TESTING": True, "root": root, "store_path": str(cache), "pool_size": 0})
    assert ondisk.cached_layout(cache) == ondisk.LAYOUT and (cache / "union").is_dir()
    expected = number(app.extensions["hcn_store"].inner, COUNT)
    (cache / "LAYOUT").unlink()  # as a cache built before the union had a store of its own
    again = create_app({"TESTING": True, "root": root, "store_path": str(cache), "pool_size": 0})
    assert ondisk.cached_layout(cache) == ondisk.LAYOUT
    assert number(again.extensions["hcn_store"].inner, COUNT) == expected > 0
