"""The query UI in headless Chromium: named query -> run -> table -> local link; no outbound requests."""

from __future__ import annotations

from urllib.parse import urlparse

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
