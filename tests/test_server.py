"""HTTP behaviour of the landing page and the SPARQL protocol endpoint."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph
from SPARQLWrapper import JSON, SPARQLWrapper

SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"


def store_size(app: Flask) -> int:
    return len(app.extensions["hcn_store"])


def test_landing_page_shows_title_and_triple_count(app: Flask, client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Healthy Cities knowledge graph" in page
    sizes = app.extensions["hcn_store"].graph_sizes()
    default, shapes = store_size(app) - sizes[app.extensions["hcn_settings"].graph_iri("shapes")], \
        sizes[app.extensions["hcn_settings"].graph_iri("shapes")]
    assert f'<strong id="triple-count">{default}</strong>' in page  # ontology + data, as VoID and the dumps
    assert f'<span id="shapes-count">{shapes}</span>' in page
    assert 'href="/sparql"' in page and "curl -s" in page


def test_store_loads_source_files_into_three_named_graphs(app: Flask) -> None:
    sizes = app.extensions["hcn_store"].graph_sizes()
    assert sorted(iri.rsplit("/", 1)[1] for iri in sizes) == ["data", "ontology", "shapes"]
    assert sum(sizes.values()) == store_size(app)


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"method": "GET", "query_string": {"query": SELECT}}, id="get"),
        pytest.param({"method": "POST", "data": {"query": SELECT}}, id="post-form"),
        pytest.param(
            {"method": "POST", "data": SELECT, "content_type": "application/sparql-query"}, id="post-direct"
        ),
    ],
)
def test_select_answers_sparql_json_for_every_protocol_binding(client: FlaskClient, request_kwargs: dict) -> None:
    response = client.open("/sparql", **request_kwargs)
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert "Accept" in response.vary
    body = response.get_json(force=True)
    assert body["head"]["vars"] == ["s", "p", "o"]
    assert len(body["results"]["bindings"]) <= 3


def test_ask_answers_a_boolean(client: FlaskClient, app: Flask) -> None:
    body = client.get("/sparql", query_string={"query": ASK}).get_json(force=True)
    assert body["boolean"] is (store_size(app) > 0)


def test_default_graph_is_ontology_and_data_and_shapes_are_a_named_graph(app: Flask, client: FlaskClient) -> None:
    settings = app.extensions["hcn_settings"]
    query = f"ASK {{ GRAPH <{settings.graph_iri('shapes')}> {{ ?s ?p ?o }} }}"
    has_shapes = app.extensions["hcn_store"].graph_sizes()[settings.graph_iri("shapes")] > 0
    assert client.get("/sparql", query_string={"query": query}).get_json(force=True)["boolean"] is has_shapes


def test_construct_answers_turtle_that_rdflib_parses(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert len(Graph().parse(data=response.get_data(as_text=True), format="turtle")) <= 5


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/html;q=0.5, text/turtle", "text/turtle"),
    ],
)
def test_construct_negotiates_graph_formats(client: FlaskClient, accept: str, media_type: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_malformed_query_is_400_with_parser_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith("malformed query: line 1, column ")  # the helpful line first (server.queryerrors)
    assert "\nengine: error at 1:" in text  # the parser's own message kept last


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
        "PREFIX ex: <urn:x:> DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "LOAD <http://example.org/data.ttl>",
    ],
)
def test_update_is_refused_and_store_unchanged(app: Flask, client: FlaskClient, update: str) -> None:
    before = store_size(app)
    for response in (
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data=update, content_type="application/sparql-update"),
    ):
        assert response.status_code == 400
        assert "Update is not allowed" in response.get_data(as_text=True)
    assert store_size(app) == before


def test_service_clause_is_refused(client: FlaskClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"method": "POST", "data": {"format": "json"}}, id="post-without-query"),
        pytest.param({"method": "GET", "query_string": {"query": "  "}}, id="blank-query"),
        pytest.param(
            {"method": "POST", "data": "", "content_type": "application/x-www-form-urlencoded"}, id="empty-form"
        ),
        pytest.param({"method": "GET", "query_string": {"query": ASK, "format": "yaml"}}, id="unknown-format"),
    ],
)
def test_bad_requests_are_400_plain_text(client: FlaskClient, request_kwargs: dict) -> None:
    response = client.open("/sparql", **request_kwargs)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "Traceback" not in response.get_data(as_text=True)


def test_unsupported_post_body_is_415(client: FlaskClient) -> None:
    response = client.post("/sparql", data=b"{}", content_type="application/json")
    assert response.status_code == 415


def test_csv_by_accept(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines()[0] == "s,p,o"


@pytest.mark.parametrize(
    ("params", "accept", "media_type"),
    [
        ({"format": "tsv"}, None, "text/tab-separated-values"),
        ({"format": "xml"}, "text/csv", "application/sparql-results+xml"),
        ({}, "application/xml", "application/sparql-results+xml"),
        ({}, "*/*", "application/sparql-results+json"),
        ({}, "text/csv;q=0, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_select_format_param_beats_accept(
    client: FlaskClient, params: dict, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": SELECT, **params}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_unacceptable_type_is_406_listing_offers(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_data(as_text=True)
    assert "Accept" in response.vary


def test_sparqlwrapper_select_over_real_http(live_server: str, app: Flask) -> None:
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    body = client.queryAndConvert()
    assert isinstance(body, dict)
    count = int(body["results"]["bindings"][0]["n"]["value"])
    sizes = app.extensions["hcn_store"].graph_sizes()
    settings = app.extensions["hcn_settings"]
    assert count <= sum(sizes[settings.graph_iri(g)] for g in ("ontology", "data"))
    assert json.dumps(body)  # plain JSON types only


def test_dataset_parameters_narrow_the_default_graph(app: Flask, client: FlaskClient) -> None:
    shapes = app.extensions["hcn_settings"].graph_iri("shapes")
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    body = client.get("/sparql", query_string={"query": query, "default-graph-uri": shapes}).get_json(force=True)
    assert int(body["results"]["bindings"][0]["n"]["value"]) == app.extensions["hcn_store"].graph_sizes()[shapes]
    bad = client.get("/sparql", query_string={"query": query, "default-graph-uri": "not an iri"})
    assert bad.status_code == 400
