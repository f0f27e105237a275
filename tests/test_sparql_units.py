"""Pure parts of the endpoint: result writers against pyoxigraph's parsers, named-query headers, pool."""

from __future__ import annotations

import doctest
import io
import re
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, Store, parse_query_results

from server import querytext
from server.api import examples
from server.errors import BadRequest, QueryTimeout
from server.store import results
from server.store.execute import Job
from server.store.pool import QueryPool

TERMS_QUERY = """SELECT ?iri ?plain ?lang ?typed ?bnode ?tricky ?unbound WHERE {
  VALUES (?iri ?plain ?lang ?typed ?tricky) {
    (<http://e/a> "x" "hei"@nb 42 "tab\\tquote\\" comma, newline\\n <tag>&")
    (<http://e/b?q=1&r=2> "" "hi"@en-GB "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> "é ✓")
  }
  BIND(BNODE() AS ?bnode)
}"""


@pytest.fixture(scope="module")
def store() -> Store:
    return Store()


def solutions(store: Store, fmt: QueryResultsFormat) -> list[dict[str, object]]:
    """Rows parsed back with pyoxigraph, blank node ids replaced by a marker."""
    parsed = parse_query_results(io.BytesIO(store.query(TERMS_QUERY).serialize(format=fmt)), format=fmt)
    return [{v.value: ("_:" if isinstance(row[v], BlankNode) else row[v]) for v in parsed.variables} for row in parsed]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("json", QueryResultsFormat.JSON), ("xml", QueryResultsFormat.XML), ("tsv", QueryResultsFormat.TSV),
     ("csv", QueryResultsFormat.CSV)],
)
def test_writers_match_pyoxigraph(store: Store, name: str, fmt: QueryResultsFormat) -> None:
    result = store.query(TERMS_QUERY)
    variables = [v.value for v in result.variables]
    ours = "".join(results.WRITERS[name](variables, list(result))).encode("utf-8")
    if name == "csv":  # lossy: pyoxigraph cannot parse it back, so compare the text
        reference = store.query(TERMS_QUERY).serialize(format=fmt)
        assert re.sub(rb"_:\w+", b"_:", ours) == re.sub(rb"_:\w+", b"_:", reference)
        return
    parsed = parse_query_results(io.BytesIO(ours), format=fmt)
    got = [{v.value: ("_:" if isinstance(row[v], BlankNode) else row[v]) for v in parsed.variables} for row in parsed]
    assert got == solutions(store, fmt)


def test_csv_quotes_and_crlf() -> None:
    rows = [{"a": Literal('say "hi", ok'), "b": BlankNode("b0"), "c": NamedNode("http://e/x")}]
    assert "".join(results.write_csv(["a", "b", "c"], rows)) == 'a,b,c\r\n"say ""hi"", ok",_:b0,http://e/x\r\n'


def test_named_query_headers(tmp_path: Path) -> None:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "b.rq").write_text("#+ title: Bee\n#+ description: d\n\nASK {}\n", encoding="utf-8")
    (tmp_path / "queries" / "a.rq").write_text("# no header\nSELECT * {}\n", encoding="utf-8")
    (tmp_path / "queries" / "bad.rq").write_bytes(b"\xff\xfe")
    found = examples.read_examples(tmp_path)
    assert [(e.name, e.title, e.query) for e in found] == [
        ("a", "a", "# no header\nSELECT * {}"),
        ("b", "Bee", "ASK {}"),
    ]
    assert examples.read_examples(tmp_path / "missing") == []


@pytest.mark.parametrize(
    ("text", "depth", "has_from"),
    [
        ("SELECT * { ?s ?p ?o }", 1, False),
        ("SELECT * FROM NAMED <g> { GRAPH ?g { ?s ?p '}}}' } }", 2, True),
        ("SELECT ?from { [] <http://x/from> ?from } # FROM {{{", 2, False),
    ],
)
def test_query_text_checks(text: str, depth: int, has_from: bool) -> None:
    assert querytext.nesting_depth(text) == depth
    assert querytext.has_dataset_clause(text) is has_from


#: The checks as first written (one regex alternation per literal character, one Python step per
#: character of the text): the reference for the faster ones.
SLOW_OPAQUE = re.compile(
    r'''"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|\#[^\n]*''',
)


def slow_nesting_depth(sparql: str) -> int:
    depth = deepest = 0
    for char in SLOW_OPAQUE.sub(" <> ", sparql):
        depth += {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


PIECES = ['"', "'", '"""', "'''", "\\", "\n", "<", ">", "#", "a", " ", "{", "}", "(", ")", "[", "]", "é", "\U0001f600",
          "\\n", '\\"', "|", "SERVICE", "from"]


def test_text_checks_match_the_per_character_reference() -> None:
    import random

    rnd = random.Random(19)
    texts = ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 30))) for _ in range(30_000)]
    texts += ["SELECT * { ?s ?p '" + "x\\'" * 10_000 + "' }", "{" * 300 + "}" * 299, ")(( ]"]
    for text in texts:
        assert querytext._blank_opaque(text) == SLOW_OPAQUE.sub(" <> ", text), text
        assert querytext.nesting_depth(text) == slow_nesting_depth(text), text


@pytest.mark.parametrize("module", [results, examples, querytext])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def test_pool_kills_runaway_worker_and_keeps_serving() -> None:
    store = Store()
    from pyoxigraph import Quad

    store.extend([Quad(NamedNode(f"http://e/{i}"), NamedNode("http://e/p"), Literal(str(i))) for i in range(300)])

    def query(sparql: str, **_: object):  # type: ignore[no-untyped-def]
        try:
            return store.query(sparql)
        except SyntaxError as exc:
            raise BadRequest(f"malformed query: {exc}") from None

    pool = QueryPool(query, 1)
    try:
        choices = {"results": "json", "graph": "ttl"}
        with pytest.raises(QueryTimeout):
            pool.run(Job("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", choices=choices), 0.5)
        answer = pool.run(Job("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", choices=choices), 5)
        assert b'"300"' in b"".join(answer.body)
        with pytest.raises(BadRequest):
            pool.run(Job("SELECT ?s {", choices=choices), 5)
        assert pool.run(Job("ASK {}", choices=choices), 5).head.kind == "results"  # worker reused after an error
    finally:
        pool.close()


def test_query_workers_draw_their_own_random_values() -> None:
    from server.app import create_app

    app = create_app({"TESTING": True, "pool_size": 2, "result_cache_mb": 0})
    client = app.test_client()
    values = {client.get("/sparql", query_string={"query": "SELECT (STRUUID() AS ?u) {}"},
                         headers={"Accept": "text/csv"}).data for _ in range(4)}  # the pool alternates workers
    assert len(values) == 4
