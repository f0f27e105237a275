"""The query UI in headless Chromium: named query -> run -> table -> local link; no outbound requests."""

from __future__ import annotations

from urllib.parse import quote, urlparse

from playwright.sync_api import Page, Route, expect


def test_named_query_runs_and_result_links_stay_local(page: Page, live_server: str) -> None:
    outbound: list[str] = []

    def guard(route: Route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outbound.append(route.request.url)
            route.abort()

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", guard)
    page.goto("/sparql")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    assert "PREFIX hc:" in page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")

    page.locator("button.example[data-example='norwegian-direct-members']").click()
    editor_text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert "org:Membership" in editor_text
    page.locator(".yasqe_queryButton").click()

    table = page.locator(".yasr table.dataTable")
    expect(table).to_be_visible(timeout=10000)
    assert table.locator("tbody tr").count() > 0
    expect(page.locator("#downloads a.download")).to_have_count(4)
    assert "query=" in page.url  # shareable: the page URL now carries the query

    link = table.locator("a.local-iri[href^='/id/']").first
    href = link.get_attribute("href")
    assert href and href.startswith("/id/")
    link.click()
    # /id/... may redirect (303) to its document: any local page other than the query UI counts
    page.wait_for_url(lambda url: url.startswith(live_server) and "/sparql" not in url)
    assert not outbound, outbound
    assert not errors, errors


def test_opens_at_the_top_with_the_editor_in_view(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/sparql")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("window.scrollY") == 0
    editor = page.locator(".yasqe .CodeMirror").bounding_box()
    assert editor and editor["y"] < 800  # the editor starts on the first screen
    # the examples: grouped by tag, filtered as one types (accents and case ignored)
    assert page.locator("#examples section.example-group").count() >= 5
    page.fill("#example-filter", "ostfold")
    visible = page.locator("#examples li:not([hidden]) button.example")
    expect(visible.first).to_be_visible()
    assert all("østfold" in (t or "").lower() or "ostfold" in (t or "").lower()
               for t in page.locator("#examples li:not([hidden])").evaluate_all("li => li.map(l => l.dataset.search)"))
    assert visible.count() < page.locator("button.example").count()


def test_result_cells_are_labels_with_badges(page: Page) -> None:
    page.goto("/sparql?query=" + quote(
        "PREFIX org: <http://www.w3.org/ns/org#> PREFIX time: <http://www.w3.org/2006/time#> "
        "SELECT ?m ?member ?since WHERE { ?m org:member ?member ; org:memberDuring/time:hasBeginning/time:inXSDgYear ?since }"))
    table = page.locator(".yasr table.dataTable")
    ostfold = "https://w3id.org/healthy-cities/id/organisation/ostfold-fylkeskommune"
    expect(table.locator(f"a[title='{ostfold}']").first).to_have_text("Østfold County Council")  # label from the endpoint
    expect(table.locator(".badge.datatype").first).to_have_text("xsd:gYear")
    assert "XMLSchema#" not in table.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_layout_keeps_the_buttons_off_the_query_text(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/sparql")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    overlaps = page.evaluate("""() => { const b = document.querySelector('.yasqe_buttons').getBoundingClientRect(); let hit = 0;
      document.querySelectorAll('.CodeMirror-line span').forEach(s => { for (const r of s.getClientRects()) {
        if (r.right > b.left && r.left < b.right && r.bottom > b.top && r.top < b.bottom) hit++; } }); return hit; }""")
    assert overlaps == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
