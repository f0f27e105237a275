"""Named queries as a REST API: listing, typed parameters, formats, caching, errors, OpenAPI, docs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.api import examples, openapi

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/healthy-cities/id/"
MEASURE = ID + "measure/"


def rows(client: FlaskClient, url: str) -> list[dict[str, object]]:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.data)


def test_listing_names_every_select_query_with_its_parameters(client: FlaskClient) -> None:
    listing = client.get("/api/").get_json()
    names = {q["name"] for q in listing["queries"]}
    assert names == {p.stem for p in (ROOT / "queries").glob("*.rq")}
    phases = next(q for q in listing["queries"] if q["name"] == "network-phases")
    assert phases["path"] == "/api/network-phases"
    assert [(p["name"], p["type"], p["required"], p["schema"]) for p in phases["parameters"]] == [
        ("phase", "integer", False, {"type": "integer", "examples": [6]})
    ]
    reports = next(q for q in listing["queries"] if q["name"] == "network-size-reports")
    assert reports["parameters"][0]["type"] == "iri" and len(reports["parameters"][0]["schema"]["enum"]) == 3


def test_listing_is_html_for_browsers(client: FlaskClient) -> None:
    response = client.get("/api/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.content_type.startswith("text/html") and b"/api/six-ps" in response.data


def test_without_parameters_a_query_answers_as_the_file_does(client: FlaskClient) -> None:
    assert len(rows(client, "/api/network-size-reports")) >= 6
    # three since issue #17: hosting the Sunne kommuner secretariat is no longer modelled as a membership
    assert len(rows(client, "/api/memberships-and-roles")) == 3


@pytest.mark.parametrize(
    ("url", "column", "expected"),
    [
        (f"/api/network-size-reports?measure={MEASURE}direct-members", "measure", {MEASURE + "direct-members"}),
        ("/api/network-phases?phase=6", "notation", {"VI"}),
        ("/api/network-phases?phase=%2B06", "notation", {"VI"}),  # integers are read as values
        ("/api/national-identifiers?number=0101", "organisationName", {"Halden kommune"}),
        (f"/api/memberships-and-roles?organisation={ID}organisation/ostfold-fylkeskommune", "roleEn",
         {"direct member", "observer"}),
        (f"/api/national-identifiers?scheme={ID}identifier-scheme/fylkesnummer", "number", {"01", "02"}),
    ],
)
def test_parameters_filter_the_answer(client: FlaskClient, url: str, column: str, expected: set[object]) -> None:
    assert {r[column] for r in rows(client, url)} == expected


def test_every_declared_example_runs_and_finds_something(client: FlaskClient) -> None:
    declared = [(q, p) for q in examples.read_examples(ROOT) for p in q.params]
    assert len(declared) >= 6
    for query, param in declared:
        assert param.example is not None, f"{query.name}: parameter {param.name} has no example"
        found = rows(client, f"/api/{query.name}?{param.name}={param.example}")
        assert found, f"{query.name}?{param.name}={param.example} found nothing"


@pytest.mark.parametrize(
    ("url", "status", "named"),
    [
        ("/api/no-such-query", 404, "no-such-query"),
        ("/api/network-phases?phse=6", 400, "'phse'"),
        ("/api/network-phases?phase=six", 400, "'phase'"),
        ("/api/network-phases?phase=6&phase=7", 400, "'phase'"),
        ("/api/network-size-reports?measure=https://example.org/other", 400, "'measure'"),
        ("/api/memberships-and-roles?network=not-an-iri", 400, "'network'"),
        ("/api/six-ps?format=xml", 400, "records"),
        ("/api/six-ps?query=SELECT", 400, "'query'"),
    ],
)
def test_bad_requests_name_what_is_wrong(client: FlaskClient, url: str, status: int, named: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert named in response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")


#: (parameter, value) -> 400, or the rows it must find (a harmless literal finds nothing).
INJECTIONS = [
    ("number", '0101" } #', 0),
    ("number", "0101' } UNION { ?organisation ?p ?o } #", 0),
    ("number", '"} ; DELETE WHERE { ?s ?p ?o } #', 0),
    ("number", "0101\\u0022 } #", 0),
    ("number", "SELECT * WHERE { ?s ?p ?o }", 0),
    ("number", '0101"^^<http://www.w3.org/2001/XMLSchema#string>', 0),
    ("number", "\n}\n#", 0),
    ("organisation", ID + "organisation/halden-kommune> } UNION { ?s ?p ?o", 400),
    ("organisation", f"<{ID}organisation/halden-kommune>", 400),
    ("organisation", "http://example.org/a b", 400),
    ("organisation", "http://example.org/a#b}", 400),
    ("organisation", "?organisation", 400),
    ("scheme", f"{ID}identifier-scheme/kommunenummer ", 400),
]


@pytest.mark.parametrize(("name", "value", "outcome"), INJECTIONS)
def test_injection_attempts_are_refused_or_bound_as_literals(
    app: Flask, client: FlaskClient, name: str, value: str, outcome: int
) -> None:
    store = app.extensions["hcn_store"]
    before = len(store)
    response = client.get("/api/national-identifiers", query_string={name: value, "format": "records"})
    if outcome == 400:
        assert response.status_code == 400 and repr(name) in response.get_data(as_text=True)
    else:
        assert response.status_code == 200 and json.loads(response.data) == []
    assert len(store) == before


@pytest.mark.parametrize(
    ("accept", "format_name", "media_type"),
    [
        (None, None, "application/sparql-results+json"),
        ("*/*", None, "application/sparql-results+json"),
        ("application/json", None, "application/json"),
        ("application/sparql-results+json", None, "application/sparql-results+json"),
        ("text/csv", None, "text/csv"),
        ("text/tab-separated-values", None, "text/tab-separated-values"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "text/html"),
        ("text/html", "csv", "text/csv"),
        (None, "records", "application/json"),
        (None, "tsv", "text/tab-separated-values"),
    ],
)
def test_formats_by_accept_or_format(client: FlaskClient, accept: str | None, format_name: str | None,
                                     media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    query = {"format": format_name} if format_name else {}
    response = client.get("/api/network-phases", headers=headers, query_string=query)
    assert response.status_code == 200 and response.mimetype == media_type
    assert "Accept" in response.headers["Vary"] and response.headers["Access-Control-Allow-Origin"] == "*"


def test_nothing_acceptable_is_406(client: FlaskClient) -> None:
    response = client.get("/api/six-ps", headers={"Accept": "image/png"})
    assert response.status_code == 406 and "text/csv" in response.get_data(as_text=True)


def test_json_forms_match_their_schemas(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    sparql_json = client.get("/api/network-phases?format=json").get_json()
    jsonschema.validate(sparql_json, {**openapi.SPARQL_RESULTS, "components": doc["components"]})
    records = client.get("/api/network-phases?format=records").get_json()
    records_schema = doc["paths"]["/api/network-phases"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(records, records_schema)
    assert records[0]["phaseNumber"] == 3 and isinstance(records[0]["label"], str)
    assert set(records_schema["items"]["properties"]) == set(sparql_json["head"]["vars"])


def test_csv_and_tsv_have_the_same_rows(client: FlaskClient) -> None:
    table = list(csv.DictReader(io.StringIO(client.get("/api/network-phases?format=csv").get_data(as_text=True))))
    tsv = client.get("/api/network-phases?format=tsv").get_data(as_text=True).splitlines()
    assert len(table) == len(tsv) - 1 and table[0]["phaseNumber"] == "3"


def test_html_table_has_the_parameter_form_and_rows(client: FlaskClient) -> None:
    page = client.get("/api/network-size-reports?format=html").get_data(as_text=True)
    assert '<select id="param-measure" name="measure">' in page and "<table" in page and "cities-represented" in page
    assert 'href="/id/measure/' in page  # dataset IRIs link to local pages


def test_html_form_offers_labels_and_sends_iris(client: FlaskClient) -> None:
    page = client.get("/api/memberships-and-roles?format=html").get_data(as_text=True)
    # an IRI parameter without an enum: every resource filed beside its example, shown by label
    ostfold = "https://w3id.org/healthy-cities/id/organisation/ostfold-fylkeskommune"
    assert f'<option value="{ostfold}" title="{ostfold}">Østfold County Council</option>' in page
    assert '>WHO European Healthy Cities Network</option>' in page
    # result cells: labels with the IRI on hover, language tags and datatypes as badges, no full datatype IRIs
    assert f'title="{ostfold}">Østfold County Council</a>' in page
    assert '<span class="badge lang" title="language tag">nb</span>' in page
    assert '<span class="badge datatype" title="datatype">xsd:gYear</span>' in page
    assert "XMLSchema#" not in page.split("<table", 1)[1]


def test_html_bad_value_gives_the_form_back(client: FlaskClient) -> None:
    response = client.get("/api/network-phases?format=html&phase=six", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.content_type.startswith("text/html")
    assert 'name="phase" value="six"' in page  # the value is kept
    assert 'id="error-phase">parameter &#39;phase&#39;: expected an integer' in page  # beside its field
    assert 'href="/api/"' in page and 'href="/api/network-phases?format=html"' in page  # ways back
    assert "<table" not in page
    # other clients still get the plain 400
    assert client.get("/api/network-phases?format=csv&phase=six").status_code == 400


def test_etag_and_304(client: FlaskClient) -> None:
    first = client.get("/api/network-phases?phase=6&format=csv")
    etag = first.headers["ETag"]
    again = client.get("/api/network-phases?phase=6&format=csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    other = client.get("/api/network-phases?phase=5&format=csv")
    assert other.headers["ETag"] != etag
    assert client.get("/api/network-phases?phase=6&format=tsv").headers["ETag"] != etag
    assert first.headers["X-Row-Cap"] and first.headers["X-Result-Truncated"] == "false"


def test_openapi_document_describes_every_query(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert len([p for p in doc["paths"] if p.startswith("/api/") and p != "/api/"]) == len(list((ROOT / "queries").glob("*.rq")))
    assert "/search" in doc["paths"]  # the search operation (tests/test_search.py)
    op = doc["paths"]["/api/network-size-reports"]["get"]
    measure = next(p for p in op["parameters"] if p.get("name") == "measure")
    assert measure["in"] == "query" and measure["schema"]["format"] == "iri" and len(measure["schema"]["enum"]) == 3
    assert set(op["responses"]["200"]["content"]) == {
        "application/sparql-results+json", "application/json", "text/csv", "text/tab-separated-values", "text/html"
    }
    assert {"400", "404", "406", "504"} <= set(op["responses"])
    phase = doc["paths"]["/api/network-phases"]["get"]["parameters"][0]
    assert phase["schema"]["type"] == "integer" and phase["example"] == 6


def test_docs_page_is_self_contained(client: FlaskClient) -> None:
    page = client.get("/api/docs").get_data(as_text=True)
    assert "GET /api/network-phases" in page and "openapi.json" in page
    assert "<script" not in page
    assert 'src="http' not in page and 'rel="stylesheet" href="http' not in page


# --------------------------------------------------------------------------------------------- header grammar


@pytest.mark.parametrize(
    "line",
    [
        "#+ param-x: float",  # unknown type
        "#+ param-x: integer | default: seven",  # default of the wrong type
        "#+ param-x: iri | enum: http://e/a | default: http://e/b",  # default outside the enum
        "#+ param-x: string | colour: red",  # unknown attribute
        "#+ param-format: string",  # reserved name
        "#+ param-x: string | variable: not a var",
    ],
)
def test_malformed_parameter_lines_are_rejected(line: str) -> None:
    with pytest.raises(ValueError):
        examples.parse_example("q", f"{line}\nSELECT ?x {{}}")


def test_a_query_with_a_malformed_parameter_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "ok.rq").write_text("#+ param-x: integer\n\nSELECT ?x {}\n", encoding="utf-8")
    (tmp_path / "queries" / "bad.rq").write_text("#+ param-x: integr\n\nSELECT ?x {}\n", encoding="utf-8")
    assert [q.name for q in examples.read_examples(tmp_path)] == ["ok"]


@pytest.mark.parametrize(
    ("type_name", "good", "term", "bad"),
    [
        ("boolean", "1", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>', "yes"),
        ("date", "2020-01-31", '"2020-01-31"^^<http://www.w3.org/2001/XMLSchema#date>', "2020-02-30"),
        ("gYear", "2006", '"2006"^^<http://www.w3.org/2001/XMLSchema#gYear>', "06"),
        ("decimal", "1.50", '"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal>', "1,5"),
        ("decimal", "1e2", '"100"^^<http://www.w3.org/2001/XMLSchema#decimal>', "NaN"),
        ("string", 'a"}#', '"a\\"}#"', None),
    ],
)
def test_types_parse_to_terms(type_name: str, good: str, term: str, bad: str | None) -> None:
    from server.api.params import bind, parse_param
    from server.errors import BadRequest

    param = parse_param("p", type_name)
    assert str(bind(param, good)) == term
    if bad is not None:
        with pytest.raises(BadRequest, match="'p'"):
            bind(param, bad)


def test_a_default_is_bound_when_the_parameter_is_left_out() -> None:
    from server.api.params import bind_all, parse_param

    param = parse_param("year", "gYear | default: 2020 | variable: startYear")
    assert str(bind_all([param], [])["startYear"]) == '"2020"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    required = parse_param("x", "string | required: true")
    with pytest.raises(Exception, match="missing required parameter 'x'"):
        bind_all([required], [])


@pytest.mark.parametrize("module_name", ["params", "openapi", "named_queries"])
def test_doctests(module_name: str) -> None:
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(f"server.api.{module_name}")).failed == 0
