"""``/search``: the index (folding, ranking, grouping) and the endpoint (JSON, HTML, negotiation, bad input,
OpenAPI), with the test client and over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from flask.testing import FlaskClient

from server.search.index import DEFINITION, LABEL, PROPERTIES, SKOS, SearchIndex, fold

ID = "https://w3id.org/healthy-cities/id/"
HC = "https://w3id.org/healthy-cities/ontology#"
E = "http://example.org/"


def small_index() -> SearchIndex:
    texts = [
        (E + "tromso", LABEL, "Tromsø kommune", "nb"), (E + "tromso", LABEL, "Tromsø Municipality", "en"),
        (E + "aer", LABEL, "Ærøy", "nb"), (E + "aa", LABEL, "Åsnes", "nb"),
        (E + "ost", LABEL, "Østfold", "nb"),
        (E + "ost-county", LABEL, "Østfold fylkeskommune", "nb"),
        (E + "sarps", LABEL, "Sarpsborg i Østfold", "nb"),
        (E + "alt", LABEL, "Something else", "en"), (E + "alt", SKOS + "altLabel", "Østfold county", "en"),
        (E + "hidden", LABEL, "Hidden one", "en"), (E + "hidden", SKOS + "hiddenLabel", "Ostfoldd", "nb"),
        (E + "defined", LABEL, "A region", "en"), (E + "defined", SKOS + "definition", "The region around Østfold", "en"),
        (E + "m", LABEL, "Municipality", "en"), (E + "c", LABEL, "County", "en"),
    ]
    kinds = [(E + "tromso", E + "m"), (E + "ost-county", E + "c"), (E + "ost", E + "c"), (E + "ost", E + "thing"),
             (E + "sarps", E + "m"), (E + "x1", E + "thing"), (E + "x2", E + "thing")]
    return SearchIndex.build(texts, kinds)


@pytest.mark.parametrize(("text", "folded"), [("Østfold", "ostfold"), ("TROMSØ", "tromso"), ("Ærøy", "aeroy"),
                                              ("Åsnes", "asnes"), ("Sør-Varanger", "sor-varanger"), ("Þórr", "thorr"),
                                              ("Ìtálíá", "italia"), ("ＡＢＣ", "abc")])
def test_folding_drops_case_and_accents_and_spells_out_norwegian_letters(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(("query", "iri"), [("ostfold", "ost"), ("OSTFOLD", "ost"), ("østfold", "ost"),
                                            ("tromso", "tromso"), ("Tromsø", "tromso"), ("tromsø kommune", "tromso"),
                                            ("aeroy", "aer"), ("asnes", "aa"), ("municipality", "m")])
def test_accent_and_case_insensitive(query: str, iri: str) -> None:
    assert small_index().search(query, 5).hits[0].iri == E + iri


def test_ranking_exact_then_prefix_then_words_then_alternatives_and_definitions() -> None:
    found = small_index().search("ostfold", 10)
    assert [(h.iri.removeprefix(E), h.rank) for h in found.hits] == [
        ("ost", "exact"), ("ost-county", "prefix"), ("alt", "prefix"), ("hidden", "prefix"),
        ("sarps", "words"), ("defined", "definition"),
    ]
    assert found.total == 6 and not found.more
    # within a tier names come first (even a longer one), then alternative, then hidden labels
    assert [h.property for h in found.hits[1:4]] == [LABEL, SKOS + "altLabel", SKOS + "hiddenLabel"]


def test_each_subject_is_one_hit_at_its_best_and_kinds_most_specific_first() -> None:
    index = small_index()
    hits = index.search("tromso", 10).hits
    assert [h.iri for h in hits] == [E + "tromso"]
    assert hits[0].names == {"nb": "Tromsø kommune", "en": "Tromsø Municipality"}
    (ost,) = [h for h in index.search("ostfold", 1).hits]
    assert ost.kinds == (E + "c", E + "thing")  # named before unnamed, then fewer instances
    assert index.kind_names[E + "c"] == {"en": "County"}


def test_multi_word_queries_match_words_in_any_order_and_prefixes_of_words() -> None:
    index = small_index()
    assert [h.iri for h in index.search("kommune troms", 5).hits] == [E + "tromso"]
    assert [h.iri for h in index.search("sarp ostf", 5).hits] == [E + "sarps"]
    assert index.search("kommune østfold", 5).hits == []


def test_limit_and_total() -> None:
    found = small_index().search("o", 2)
    assert len(found.hits) == 2 and found.total > 2


def test_the_properties_searched_include_labels_alternatives_hidden_and_definitions() -> None:
    assert {LABEL, SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", SKOS + "definition",
            "http://www.w3.org/2000/01/rdf-schema#comment", "http://purl.org/dc/terms/title"} <= set(PROPERTIES)
    assert PROPERTIES[SKOS + "definition"] == DEFINITION


# --- the endpoint over the shipped graph ---------------------------------------------------------------

def search_json(client: FlaskClient, **params: str) -> dict:
    response = client.get("/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return json.loads(response.data)


def test_json_by_default_grouped_by_kind_with_links(client: FlaskClient) -> None:
    result = search_json(client, q="ostfold fylkeskommune")
    first_group = result["groups"][0]
    assert first_group["kind"] == HC + "CountyMunicipality" and first_group["label"] == "county municipality"
    hit = first_group["hits"][0]
    assert hit["iri"] == ID + "organisation/ostfold-fylkeskommune"
    assert hit["href"] == "/doc/organisation/ostfold-fylkeskommune"
    assert hit["rank"] == "exact" and hit["label"] == "Østfold County Council"
    assert hit["matched"] == {"property": LABEL, "text": "Østfold fylkeskommune", "lang": "nb"}
    assert result["query"] == "ostfold fylkeskommune" and result["total"] >= 1


def test_ranks_are_in_order_across_groups(client: FlaskClient) -> None:
    result = search_json(client, q="sandnes", limit="50")
    ranks = [hit["rank"] for group in result["groups"] for hit in group["hits"]]
    order = ["exact", "prefix", "words", "definition"]
    first_of_group = [order.index(g["hits"][0]["rank"]) for g in result["groups"]]
    assert first_of_group == sorted(first_of_group)  # groups in the order of their best hit
    assert result["groups"][0]["hits"][0]["label"].startswith("Sandnes")
    assert len(ranks) == result["total"]


def test_labels_follow_the_language(client: FlaskClient) -> None:
    nb = search_json(client, q="ostfold fylkeskommune", lang="nb")
    assert nb["groups"][0]["hits"][0]["label"] == "Østfold fylkeskommune" and nb["lang"] == "nb"
    accept = client.get("/search?q=ostfold+fylkeskommune", headers={"Accept-Language": "nb"})
    assert json.loads(accept.data)["lang"] == "nb"
    assert "Accept-Language" in accept.headers["Vary"] and "Accept" in accept.headers["Vary"]


def test_alternative_and_hidden_labels_and_definitions_are_found(client: FlaskClient) -> None:
    hidden = search_json(client, q="iversetting")  # a skos:hiddenLabel in the data
    assert hidden["groups"][0]["hits"][0]["matched"]["property"] == SKOS + "hiddenLabel"
    alt = search_json(client, q="sosiale helseforskjeller")  # a skos:altLabel
    assert any(h["matched"]["property"] == SKOS + "altLabel" for g in alt["groups"] for h in g["hits"])


def test_html_for_browsers_with_the_search_box_filled_in(client: FlaskClient) -> None:
    response = client.get("/search?q=ostfold", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<input type="search" name="q" value="ostfold"' in page
    assert '<h2>county municipality <span class="tag">1</span></h2>' in page
    assert 'href="/doc/organisation/ostfold-fylkeskommune"' in page
    assert client.get("/search?q=ostfold&format=html").mimetype == "text/html"
    assert client.get("/search?q=ostfold", headers={"Accept": "application/json"}).mimetype == "application/json"


def test_every_page_has_the_search_box(client: FlaskClient) -> None:
    for path in ("/", "/sparql", "/api/", "/doc/organisation/sandnes-kommune", "/no-such-page"):
        page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert '<form class="search" role="search" action="/search"' in page, path


def test_conditional_requests(client: FlaskClient) -> None:
    first = client.get("/search?q=sandnes")
    again = client.get("/search?q=sandnes", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/search?q=sandnes&limit=2").headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize(("query", "says"), [
    ("", "missing search text"), ("q=", "missing search text"), ("q=%20%20", "missing search text"),
    ("q=" + "a" * 201, "q is too long: 201 characters, at most 200"),
    ("q=" + "a" * 100_000, "q is too long"),
    ("q=a%00b", "control"), ("q=a%0Ab", "control"), ("q=%EF%BF%BE", "control or unassigned"),
    ("q=%25%25%25", "no letter or digit"), ("q=%E2%80%94%E2%80%94", "no letter or digit"),
    ("q=%FF", "not valid UTF-8"),
    ("q=a&limit=0", "limit must be a whole number from 1 to 100"), ("q=a&limit=101", "limit must be"),
    ("q=a&limit=-1", "limit must be"), ("q=a&limit=1.5", "limit must be"), ("q=a&limit=", "limit must be"),
    ("q=a&limit=%D9%A3", "limit must be"), ("q=a&limit=99999999999999999999999", "limit must be"),
    ("q=a&lang=de", "lang must be en or nb"), ("q=a&q=b", "give q once"),
    ("q=a&query=b", "unknown parameter 'query'"), ("q=a&format=xml", "unknown format 'xml'"),
])
def test_bad_input_is_a_clear_400(client: FlaskClient, query: str, says: str) -> None:
    response = client.get("/search?" + query)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert says in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "' OR 1=1 --", "}}{{", "😀", "a" * 200, "ØÆÅ øæå",
                               "\\u0000", "?x", "PREFIX org:", "%s%n"])
def test_odd_but_valid_text_is_searched(client: FlaskClient, q: str) -> None:
    response = client.get("/search", query_string={"q": q}, headers={"Accept": "text/html"})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "<script>alert" not in response.get_data(as_text=True)  # escaped in the page


def test_described_in_the_openapi_document(client: FlaskClient) -> None:
    document = json.loads(client.get("/api/openapi.json").data)
    operation = document["paths"]["/search"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["q"]["required"] and params["q"]["schema"]["maxLength"] == 200
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert "application/json" in operation["responses"]["200"]["content"]
    assert "/search" in client.get("/api/docs").get_data(as_text=True)


def test_over_real_http(live_server: str) -> None:
    request = urllib.request.Request(f"{live_server}/search?q=Sandnes&limit=3", headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        result = json.loads(response.read())
    assert result["groups"][0]["hits"][0]["iri"] == ID + "organisation/sandnes-kommune"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{live_server}/search?q=", timeout=30)
    assert caught.value.code == 400
