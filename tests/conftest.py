"""Shared fixtures: one read-only app per session, its test client, and a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from http_support import served
from server.app import create_app


@pytest.fixture(scope="session")
def app() -> Flask:
    """The publisher over the shipped graph (repo root); the store is read-only, so load it once."""
    return create_app({"TESTING": True})


@pytest.fixture(autouse=True)
def jsonld_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib reads the published JSON-LD context (``/context/v1.jsonld``) of any host from the
    publisher's own table, as a harvester that keeps the context cached would (no network in tests)."""
    from rdflib.plugins.shared.jsonld import context

    from server.display import prefix_table
    from server.linkeddata.jsonld import CONTEXT_PATH, context_document

    fetch = context.source_to_json

    def cached(source: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(source, str) and source.endswith(CONTEXT_PATH):
            return context_document(prefix_table("https://w3id.org/healthy-cities/")), None
        return fetch(source, *args, **kwargs)

    monkeypatch.setattr(context, "source_to_json", cached)


@pytest.fixture(scope="session")
def client(app: Flask) -> FlaskClient:
    """Flask test client for ``app``."""
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """``app`` served over real HTTP on a free port; yields the base URL without trailing slash."""
    with served(app) as url:
        yield url


#: Debian's Chromium; Playwright's own browser download is not used (see docs/tests.md, "Browser tests").
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


#: Generous time-outs: on a busy 2-core machine Chromium can take many seconds to start or render.
LAUNCH_TIMEOUT_MS = 120_000
PAGE_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Drive Debian's Chromium instead of a Playwright-downloaded browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS,
            "timeout": LAUNCH_TIMEOUT_MS}


@pytest.fixture
def page(page: Any) -> Any:
    """pytest-playwright's page, with navigation, action and assertion time-outs that hold under load."""
    from playwright.sync_api import expect

    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS // 2)
    return page


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Browser tests navigate relative to the live server (overrides pytest-playwright's option)."""
    return live_server
