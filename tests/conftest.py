"""Shared fixtures: one read-only app per session, its test client, and a real HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from server.app import create_app


@pytest.fixture(scope="session")
def app() -> Flask:
    """The publisher over the shipped graph (repo root); the store is read-only, so load it once."""
    return create_app({"TESTING": True})


@pytest.fixture(scope="session")
def client(app: Flask) -> FlaskClient:
    """Flask test client for ``app``."""
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """``app`` served over real HTTP on a free port; yields the base URL without trailing slash."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
