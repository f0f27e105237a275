"""Helpful query errors (``server.queryerrors``): the helper over many broken queries, with the engine's
real messages, and the same message on ``/sparql``, ``/api/NAME`` (test client and real HTTP) and ``hcn query``."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Store

from server.app import create_app
from server.cli import main
from server.graphs import declared_prefixes
from server.queryerrors import explain, find_problems, suggest

ROOT = Path(__file__).resolve().parents[1]
ORG = "http://www.w3.org/ns/org#"
NAMESPACES = declared_prefixes(ROOT)


def engine_message(query: str) -> str:
    """What pyoxigraph says about ``query`` (which must be malformed)."""
    with pytest.raises(SyntaxError) as caught:
        Store().query(query)
    return str(caught.value)


def first_problem(query: str) -> tuple[int, int, str]:
    problem = find_problems(query, engine_message(query), NAMESPACES)[0]
    return problem.line, problem.column, problem.message


@pytest.mark.parametrize(("query", "line", "column", "says"), [
    ("SELECT ?m WHERE { ?x org:member ?m }", 1, 22, f"prefix org: is not declared; add PREFIX org: <{ORG}>"),
    ("PREFIX org: <http://www.w3.org/ns/org#>\nSELEC ?m WHERE { ?x org:member ?m }", 2, 1,
     "SELEC is not a SPARQL keyword; did you mean SELECT?"),
    ("SELECT ?m\nWHERE { ?x ?p ?m }\nLIMT 10", 3, 1, "did you mean LIMIT?"),
    ("SELECT ?m\nWHRE { ?x ?p ?m }", 2, 1, "did you mean WHERE?"),
    ("select ?m where { ?x ?p ?m optionl { ?m ?q ?r } }", 1, 28, "optionl is not a SPARQL keyword; did you mean OPTIONAL?"),
    ("SELECT ?m WHERE { ?x ?p ?m } ORDER BY ?m LIMIT ten", 1, 48, "write a variable (?ten)"),
    ("SELECT ?m WHERE { ?x ?p ?m } GROUP ?m", 1, 30, "GROUP needs BY: GROUP BY ?m"),
    ("SELECT ?m WHERE {\n  ?x ?p ?m\n", 1, 17, "this { is never closed; add }"),
    ("SELECT ?m WHERE { ?x ?p ?m ) }", 1, 28, "closes the { opened at line 1, column 17; expected }"),
    ("SELECT ?m WHERE { ?x ?p ?m } }", 1, 30, "} closes nothing"),
    ('SELECT ?m WHERE { ?x ?p "abc }', 1, 25, 'the string that starts here with " is never closed'),
    ("SELECT * WHERE { ?x ex:p ?y }", 1, 21, "prefix ex: is not declared; declare it with PREFIX ex: <namespace IRI>"),
    ("SELECT * WHERE { ?x :p ?y }", 1, 21, "prefix : is not declared"),
    ("SELECT * WHERE { ?x a Organisation }", 1, 23, "prefixed name (prefix:Organisation)"),
    # an accented word counts in characters, not bytes
    ("SELECT * WHERE { ?x ?p 'Østfold' . ?x skos:prefLabel ?l }", 1, 39, "add PREFIX skos:"),
    # keywords, prefixed names, literals, IRIs and comments that are fine are not blamed
    ('PREFIX hc: <https://w3id.org/healthy-cities/ontology#>\n# SELEC in a comment, org: too\n'
     'SELECT (GROUP_CONCAT(?l; SEPARATOR=", ") AS ?ls) WHERE { ?x a hc:Network ; hc:p "LIMT org:x"@en, 1.5e3, '
     '<http://e/WHRE> . FILTER(isIRI(?x) && LANGMATCHES(LANG(?l), "en")) } GROUP BY ?x LIMIT 1 OFFSET x',
     3, 201, "x is not a SPARQL keyword"),
])
def test_the_real_mistake_is_named_where_it_is(query: str, line: int, column: int, says: str) -> None:
    found_line, found_column, message = first_problem(query)
    assert (found_line, found_column) == (line, column), message
    assert says in message


def test_every_undeclared_prefix_the_dataset_knows_gets_its_line() -> None:
    query = "SELECT * WHERE { ?x org:member ?m ; skos:prefLabel ?l ; org:role ?r }"
    problems = find_problems(query, engine_message(query), NAMESPACES)
    assert [p.message for p in problems] == [
        f"prefix org: is not declared; add PREFIX org: <{ORG}>",
        "prefix skos: is not declared; add PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    ]


def test_the_dataset_s_own_namespaces_come_from_its_files() -> None:
    assert NAMESPACES["organisation"] == "https://w3id.org/healthy-cities/id/organisation/"
    assert NAMESPACES["hc"] == "https://w3id.org/healthy-cities/ontology#"
    assert NAMESPACES["sh"] == "http://www.w3.org/ns/shacl#"  # from shapes/


def test_without_a_mistake_of_its_own_the_engine_position_is_kept_and_its_list_shortened() -> None:
    query = "SELECT ?m WHERE { ?x ?p ?m } HAVING"
    engine = engine_message(query)
    (problem,) = find_problems(query, engine, NAMESPACES)
    assert engine.startswith(f"error at {problem.line}:{problem.column}:")
    unicode_soup = "SELECT * WHERE { ?x ?p ?m FILTER(?m = ) }"
    (problem,) = find_problems(unicode_soup, engine_message(unicode_soup), NAMESPACES)
    assert "\\u{" not in problem.message and "look for a missing or extra term" in problem.message


def test_the_message_shows_the_line_with_a_caret_and_keeps_the_engine_text_last() -> None:
    query = "PREFIX hc: <https://w3id.org/healthy-cities/ontology#>\nSELECT * WHERE { ?x org:member ?m }"
    engine = engine_message(query)
    lines = explain(query, engine, NAMESPACES).splitlines()
    assert lines[0] == f"malformed query: line 2, column 21: prefix org: is not declared; add PREFIX org: <{ORG}>"
    assert lines[1] == "  SELECT * WHERE { ?x org:member ?m }"
    assert lines[2].index("^") == lines[1].index("org:")
    assert lines[-1] == f"engine: {engine.splitlines()[0]}" or "\n".join(lines).endswith(engine)
    assert explain(query, engine, NAMESPACES).endswith(f"engine: {engine}")


@pytest.mark.parametrize(("word", "keyword"), [("SELEC", "SELECT"), ("slect", "SELECT"), ("DISTICT", "DISTINCT"),
                                               ("OPTINAL", "OPTIONAL"), ("FILTR", "FILTER"), ("ORDR", "ORDER"),
                                               ("CONSTRCT", "CONSTRUCT"), ("PREFX", "PREFIX"), ("GRUOP", "GROUP"),
                                               ("UNOIN", "UNION"), ("member", None), ("Oslo", None)])
def test_misspelt_keywords_have_a_nearest_keyword(word: str, keyword: str | None) -> None:
    assert suggest(word) == keyword


@pytest.mark.parametrize("query", ["", "   ", "{", "}", "'", '"""', "SELECT", "PREFIX", "PREFIX :", "\x00",
                                   "SELECT * WHERE { ?s ?p ?o } LIMIT 1 ×", "æøå: æøå", "?x " * 500])
def test_any_text_gets_a_message_never_an_exception(query: str) -> None:
    text = explain(query, engine_message(query), NAMESPACES)
    assert text.startswith("malformed query: line ")


# --- the same message on every surface -----------------------------------------------------------

MISSING_ORG = "SELECT ?m WHERE { ?x org:member ?m } LIMIT 1"
FIX = f"add PREFIX org: <{ORG}>"


def test_sparql_endpoint_answers_400_with_the_helpful_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": MISSING_ORG})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith(f"malformed query: line 1, column 22: prefix org: is not declared; {FIX}")
    assert "\nengine: error at 1:" in text


def test_a_browser_gets_the_message_on_an_html_page_as_preformatted_text(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": "SELECT ?m\nWHERE { ?x ?p ?m }\nLIMT 10"},
                           headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert ('<pre class="error">malformed query: line 3, column 1: LIMT is not a SPARQL keyword; did you mean LIMIT?\n'
            "  LIMT 10\n  ^\nengine: ") in page


def test_real_http_answers_the_same(live_server: str) -> None:
    url = f"{live_server}/sparql?" + urllib.parse.urlencode({"query": MISSING_ORG})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=30)
    assert caught.value.code == 400
    assert FIX in caught.value.read().decode("utf-8")


def test_named_query_api_and_cli_give_the_same_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "broken.rq").write_text("#+ title: Broken\n\n" + MISSING_ORG + "\n", encoding="utf-8")
    client = create_app({"TESTING": True, "root": tmp_path, "pool_size": 0}).test_client()
    response = client.get("/api/broken")
    assert response.status_code == 400
    api_text = response.get_data(as_text=True)
    assert FIX in api_text

    assert main(["query", "--root", str(tmp_path), MISSING_ORG]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hcn: error: malformed query: line 1, column 22: prefix org: is not declared; {FIX}")
    assert api_text.rstrip("\n") in err
