"""Headless Chromium walks the pages a visitor would: landing page -> organisation -> membership ->
phase -> ontology term, switches language, and checks the embedded JSON-LD equals the Turtle document."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

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
