"""In headless Chromium: the query UI's one-click prefix fix, and the search box on a page leading to results."""

from __future__ import annotations

from playwright.sync_api import Page, expect

EDITOR = "document.querySelector('.CodeMirror').CodeMirror"


def test_a_missing_prefix_is_fixed_with_one_click(page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/sparql")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    page.evaluate(f"{EDITOR}.setValue('SELECT ?m WHERE {{ ?x org:member ?m }} LIMIT 3')")
    page.locator(".yasqe_queryButton").click()

    expect(page.locator(".yasr .errorResult")).to_contain_text("prefix org: is not declared")
    fix = page.locator("#query-fixes button.fix-prefixes")
    expect(fix).to_have_text("Add PREFIX org: <http://www.w3.org/ns/org#> and run")
    fix.click()

    expect(page.locator(".yasr table.dataTable tbody tr")).to_have_count(3, timeout=20000)
    assert page.evaluate(f"{EDITOR}.getValue()").startswith("PREFIX org: <http://www.w3.org/ns/org#>\nSELECT ?m")
    expect(fix).to_have_count(0)  # the error is gone, and with it the offer
    assert not errors, errors


def test_the_search_box_on_a_page_leads_to_results(page: Page) -> None:
    page.goto("/doc/organisation/sandnes-kommune")
    box = page.locator("header form.search input[name='q']")
    expect(box).to_be_visible()
    box.fill("ostfold")
    box.press("Enter")
    page.wait_for_url("**/search?q=ostfold")
    expect(page.locator("h1")).to_have_text("Search")
    link = page.locator("ul.search-hits a[href='/doc/organisation/ostfold-fylkeskommune']")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/doc/organisation/ostfold-fylkeskommune")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
