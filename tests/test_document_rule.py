"""A document page holds exactly what the document rule says, page by page, however it is built.

The reference below is the rule written the obvious way, as separate queries (the way documents
were built before): exists?, how many incoming links?, own triples with blank-node closure and the
labels of linked IRIs, one slice of incoming links with their labels. Every resource of the shipped
graph, small pages and large, must get the same triples, the same paging and the same 404s, both
from the embedded store (pattern lookups for a first page, else one CONSTRUCT) and from a store that
only answers SPARQL (an ASK, then one CONSTRUCT per page, as for a remote store).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Triple

from server.config import Settings
from server.errors import NotFound
from server.linkeddata import documents
from server.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parent.parent
LABELS = " ".join(f"<{p}>" for p in documents.LABEL_PROPERTIES)
LABEL_LIST = ", ".join(f"<{p}>" for p in documents.LABEL_PROPERTIES)
OWN = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ BIND({s} AS ?s) ?s ?p ?o }}" + documents._BLANK_CLOSURE + "\n}}"
INCOMING = """CONSTRUCT {{ ?x ?p {s} . ?x ?lp ?l }} WHERE {{
  {{ SELECT ?x ?p WHERE {{ ?x ?p {s} }} ORDER BY ?x ?p LIMIT {limit} OFFSET {offset} }}
  OPTIONAL {{ VALUES ?lp {{ {labels} }} ?x ?lp ?l }}
}}"""


def reference(store: EmbeddedStore, iri: str, page: int, size: int) -> tuple[set[Triple], bool, int] | str:
    s = f"<{iri}>"
    if not bool(store.query(f"ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?p {s} }} }}")):
        return f"no resource {iri}"
    total = int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x ?p {s} }}")))["n"].value)  # type: ignore[call-overload,index]
    if page > 1 and (page - 1) * size >= total:
        return f"page {page} of {iri} is empty"
    triples = set(store.query(OWN.format(s=s, label_list=LABEL_LIST))) if page == 1 else set()  # type: ignore[arg-type]
    triples |= set(store.query(INCOMING.format(s=s, labels=LABELS, limit=size, offset=(page - 1) * size)))  # type: ignore[arg-type]
    return triples, page * size < total, total


def ours(store: EmbeddedStore, iri: str, page: int, size: int) -> tuple[set[Triple], bool, int] | str:
    try:
        doc = documents.describe(store, iri, page, size)
    except NotFound as exc:
        return str(exc)
    assert len(doc.triples) == len(set(doc.triples))  # no duplicates
    assert doc.page == page and doc.subject == iri
    return set(doc.triples), doc.has_next, doc.incoming_total


class SparqlOnly:
    """The embedded store seen as a remote one: SPARQL only, every query counted."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.calls = 0

    def query(self, sparql: str, **options: object) -> object:
        self.calls += 1
        return self.store.query(sparql, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    store = EmbeddedStore(Settings(root=REPO))
    store.load_folders(REPO)
    return store


@pytest.mark.parametrize("patterns", [True, False], ids=["embedded", "sparql-only"])
def test_every_page_of_every_resource_holds_what_the_rule_says(store: EmbeddedStore, patterns: bool) -> None:
    query = "SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { ?x ?q ?s } FILTER(isIRI(?s)) }"
    iris = [row["s"].value for row in store.query(query)]  # type: ignore[union-attr,index]
    iris.append("https://w3id.org/healthy-cities/id/organisation/nobody")
    assert len(iris) > 300
    built = store if patterns else SparqlOnly(store)
    paged = 0
    for iri in iris:
        for size in (2, 200):
            for page in (1, 2, 3):
                expected = reference(store, iri, page, size)
                assert ours(built, iri, page, size) == expected, (iri, page, size)  # type: ignore[arg-type]
                paged += page > 1 and not isinstance(expected, str)
    assert paged > 20  # resources with more than one page of incoming links were among them


def test_queries_per_page(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = store.query

    def counted(sparql: str, **options: object) -> object:
        calls.append(sparql)
        return original(sparql, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "query", counted)
    network = "https://w3id.org/healthy-cities/id/network/who-european-healthy-cities-network"
    documents.describe(store, network, 1, 200)  # page 1, its incoming links fit: pattern lookups only
    with pytest.raises(NotFound):
        documents.describe(store, network + "-nothing", 1, 3)
    assert documents.exists(store, network) and not documents.exists(store, network + "-nothing")
    assert calls == []
    documents.describe(store, network, 1, 3)  # more incoming links than fit: which come first is SPARQL's
    documents.describe(store, network, 2, 3)
    assert len(calls) == 2
    remote = SparqlOnly(store)
    for page in (1, 2):
        documents.describe(remote, network, page, 3)  # type: ignore[arg-type]
    assert remote.calls == 4  # ASK (as before: a remote store's errors come from it first) + one CONSTRUCT
    with pytest.raises(NotFound):
        documents.describe(remote, network + "-nothing", 1, 3)  # type: ignore[arg-type]
    assert remote.calls == 5


def test_blank_nodes_three_levels_deep_and_no_deeper(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    ex = "https://w3id.org/healthy-cities/id/x/"
    (root / "data" / "d.ttl").write_text(
        f"<{ex}a> <{ex}p> [ <{ex}q> [ <{ex}r> [ <{ex}s> [ <{ex}t> 4 ] ; <{ex}u> <{ex}b> ] ] ] ; <{ex}v> <{ex}a> .\n"
        f"<{ex}b> <http://www.w3.org/2000/01/rdf-schema#label> \"b\" ; <{ex}w> [ <{ex}p> <{ex}a> ] .\n"
    )
    store = EmbeddedStore(Settings(root=root))
    store.load_folders(root)
    for built in (store, SparqlOnly(store)):
        for size in (1, 200):
            for page in (1, 2):
                assert ours(built, f"{ex}a", page, size) == reference(store, f"{ex}a", page, size)  # type: ignore[arg-type]
    triples = documents.describe(store, f"{ex}a").triples
    assert {t.predicate.value.rsplit("/", 1)[-1] for t in triples} == {"p", "q", "r", "s", "u", "v"}  # not t: level 4
