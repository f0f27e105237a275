"""Application factory: settings, store, blueprints, error handler; no routes here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from .config import Settings
from .errors import HcnError


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the publisher; lowercase keys of ``config`` are settings, UPPERCASE ones Flask config."""
    from . import home, sparql
    from .store import open_store

    config = dict(config or {})
    flask_config = {k: config.pop(k) for k in list(config) if k.isupper()}
    settings = Settings.load(config)

    app = Flask(__name__)
    app.config.update(flask_config)
    app.extensions["hcn_settings"] = settings
    app.extensions["hcn_store"] = open_store(settings)
    app.register_blueprint(home.bp)
    app.register_blueprint(sparql.bp)
    app.register_error_handler(HcnError, error_response)
    return app


def error_response(error: HcnError) -> Response:
    """Every ``HcnError`` becomes a plain-text response with its status."""
    return Response(f"{error}\n", status=error.status, content_type="text/plain; charset=utf-8")
