"""Headless Chromium walks the pages a visitor would: landing page -> organisation -> membership ->
phase -> ontology term, switches language, and checks the embedded JSON-LD equals the Turtle document."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib
from playwright.sync_api import Page, expect
from rdflib.compare import isomorphic

#: The screenshots shown in the README; refreshed only on request (HCN_UPDATE_SCREENSHOTS=1), so a test run
#: never changes tracked files.
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def shot(page: Page, name: str) -> None:
    png = page.screenshot(full_page=False)
    assert png.startswith(b"\x89PNG")
    if os.environ.get("HCN_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{name}.png").write_bytes(png)


def embedded_equals_turtle(page: Page, live_server: str) -> None:
    embedded = page.locator('script[type="application/ld+json"]').text_content() or ""
    turtle_url = live_server + page.url.split(live_server, 1)[1].split("?")[0] + ".ttl"
    with urllib.request.urlopen(turtle_url) as response:  # noqa: S310 - local test server
        turtle = response.read()
    from_html = rdflib.Graph().parse(data=json.dumps(json.loads(embedded)), format="json-ld")
    assert isomorphic(from_html, rdflib.Graph().parse(data=turtle, format="turtle"))


def test_visitor_walks_from_home_to_an_ontology_term(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Healthy Cities knowledge graph")
    shot(page, "home")

    page.click("ul.kinds a:text-is('organisation')")
    page.click("a[href*='/doc/organisation/ostfold-fylkeskommune']")
    expect(page.locator("h1")).to_contain_text("Østfold")
    embedded_equals_turtle(page, live_server)
    shot(page, "organisation")

    page.click("ul.incoming a[href*='/doc/membership/ostfold-fylkeskommune-in-who-european-healthy-cities-network']")
    expect(page.locator("h1")).to_contain_text("WHO European Healthy Cities Network")
    embedded_equals_turtle(page, live_server)
    shot(page, "membership")

    page.goto("/id/phase/")
    page.locator("ul.members a").first.click()
    assert "/doc/phase/" in page.url
    embedded_equals_turtle(page, live_server)

    page.click("nav.formats a.lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    shot(page, "phase-nb")
    page.click("nav.formats a.lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("p.types a[href*='/ontology#']").first.click()
    assert "/ontology#" in page.url
    anchor = page.url.split("#", 1)[1]
    expect(page.locator(f"section#{anchor} dd.usage")).not_to_have_text("0")
    shot(page, "ontology")


def test_resource_page_fits_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/doc/organisation/ostfold-fylkeskommune?lang=nb")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(page, "organisation-phone")


#: One URL per page kind; the query UI is checked with a result table (see test_sparql_ui.py too).
PAGE_KINDS = {
    "landing": "/",
    "listing": "/id/criterion/",
    "document": "/doc/organisation/ostfold-fylkeskommune",
    "network": "/doc/network/who-european-healthy-cities-network",
    "ontology": "/ontology",
    "shapes": "/shapes",
    "api index": "/api/",
    "api result": "/api/memberships-and-roles?format=html",
    "api docs": "/api/docs",
    "api error": "/api/network-phases?format=html&phase=six",
    "void": "/.well-known/void",
    "error": "/doc/organisation/no-such-thing",
    "query ui": "/sparql?query=" + urllib.parse.quote(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && STRLEN(STR(?o)) > 150) } LIMIT 20"),
}


#: Page kinds whose screenshots (at both widths) illustrate docs/pages.md.
SHOWN = {"landing": "landing", "listing": "criteria", "network": "network", "api result": "api-result",
         "api error": "api-error", "void": "void", "query ui": "query"}


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_kind_overflows_horizontally(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    wide = []
    for kind, path in PAGE_KINDS.items():
        page.goto(path)
        if kind == "query ui":
            expect(page.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
        if kind in SHOWN:
            shot(page, f"{SHOWN[kind]}-{width}")
        if not fits(page):
            wide.append((kind, page.evaluate("document.documentElement.scrollWidth")))
    assert not wide, wide


def test_result_table_is_readable(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/api/memberships-and-roles?format=html")
    ostfold = "https://w3id.org/healthy-cities/id/organisation/ostfold-fylkeskommune"
    link = page.locator(f"table.results a[title='{ostfold}']").first
    expect(link).to_have_text("Østfold County Council")  # the label, the IRI on hover
    expect(page.locator("table.results .badge.datatype").first).to_have_text("xsd:gYear")
    expect(page.locator("table.results .badge.lang").first).to_be_visible()
    assert "XMLSchema#" not in page.locator("table.results").inner_text()
    # the table scrolls in its own box, rows stay compact, and no word is broken inside
    box = page.locator(".table-scroll").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth") and fits(page)
    heights = page.locator("table.results tbody tr").evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert max(heights) < 160, heights
    broken = page.evaluate("""() => [...document.querySelectorAll('table.results td .cell')].filter(cell => {
        const words = cell.innerText.split(/\\s+/).filter(w => w.length > 3);
        const range = document.createRange(); range.selectNodeContents(cell);
        return words.some(w => { const probe = document.createElement('span'); probe.textContent = w;
          probe.style.whiteSpace = 'nowrap'; document.body.append(probe); const wide = probe.offsetWidth; probe.remove();
          return wide > cell.clientWidth + 1; }); }).length""")
    assert broken == 0


def test_api_form_round_trip(page: Page) -> None:
    page.goto("/api/memberships-and-roles?format=html")
    page.select_option("#param-organisation", label="Østfold County Council")  # chosen by label ...
    page.click("form.api-params button[type=submit]")
    assert "organisation=https%3A%2F%2Fw3id.org%2Fhealthy-cities%2Fid%2Forganisation%2Fostfold-fylkeskommune" in page.url
    assert page.locator("table.results tbody tr").count() == 2  # ... sent as the IRI
    expect(page.locator("#param-organisation option:checked")).to_have_text("Østfold County Council")

    page.goto("/api/network-phases?format=html")
    page.fill("#param-phase", "six")
    page.click("form.api-params button[type=submit]")
    expect(page.locator("#error-phase")).to_contain_text("expected an integer")
    expect(page.locator("#param-phase")).to_have_value("six")
    page.fill("#param-phase", "6")
    page.click("form.api-params button[type=submit]")
    expect(page.locator("table.results tbody tr")).to_have_count(1)
    page.click("nav.crumbs a:text('Named queries')")
    expect(page.locator("h1")).to_have_text("Named queries API")


def test_landing_leads_to_the_named_queries_and_the_dataset_description(page: Page) -> None:
    page.goto("/")
    page.click("#api-link")
    expect(page.locator("h1")).to_have_text("Named queries API")
    page.goto("/")
    page.click("nav.quick a:text('Dataset description (VoID / DCAT)')")
    expect(page.locator("h1")).to_have_text("Healthy Cities knowledge graph")
    expect(page.locator("section.partition table.results").first).to_be_visible()
    assert page.url.endswith("/.well-known/void")


def test_timelines_show_phases_memberships_and_mergers(page: Page) -> None:
    page.goto("/doc/network/who-european-healthy-cities-network")
    rows = page.locator("figure.timeline ol.timeline-rows li")
    expect(rows.filter(has_text="Phase VII (2019–2024)")).to_have_count(1)
    expect(rows.filter(has_text="Healthier and happier cities for all")).to_contain_text("2019–2024")
    open_ended = rows.filter(has_text="Østfold County Council in the WHO")
    expect(open_ended).to_have_class("open-end")  # no end given: drawn fading out
    expect(open_ended.locator(".when")).to_have_text("from 2006, no end given")
    expect(page.locator("figure.timeline .undated")).to_contain_text("Sandnes")  # no dates at all: listed, not drawn
    # phases in time order, bars left to right
    starts = page.locator("figure.timeline li.closed rect.bar").evaluate_all("bars => bars.map(b => b.getBBox().x)")
    assert starts == sorted(starts) and len(starts) >= 5

    page.goto("/doc/organisation/askim-kommune")
    expect(page.locator("figure.timeline li.event")).to_contain_text("Merger into Indre Østfold Municipality (2020)")

    page.goto("/id/phase/")
    expect(page.locator("figure.timeline li")).to_have_count(5)


def test_criteria_are_listed_in_the_source_order_with_their_stage(page: Page) -> None:
    page.goto("/id/criterion/")
    items = page.locator("ul.members > li")
    expect(items.first).to_contain_text("Mapping of risk factors")
    expect(items.first.locator(".facet")).to_contain_text("Establishment")
    expect(items.last).to_contain_text("Evaluate and report")
    expect(items.last.locator(".facet")).to_contain_text("Certification")
