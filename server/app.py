"""Application factory: settings, store, blueprints, error handler; no routes here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from .config import Settings
from .errors import HcnError


def create_app(config: Mapping[str, Any] | None = None, *, fork_workers: bool = True) -> Flask:
    """Build the publisher; lowercase keys of ``config`` are settings, UPPERCASE ones Flask config.

    ``fork_workers=False`` leaves the query pool unstarted: a pre-forking server (gunicorn
    ``--preload``) starts one per worker process after the fork (``server.production.gunicorn``).
    """
    from .api import views as api
    from .caching import DataVersion, install, release_of, software_digest
    from .dataset import changes, harvest_report, home
    from .dataset import views as dataset
    from .endpoint import result_cache, sparql
    from .graphs import all_files
    from .linkeddata import resources
    from .operations import admission, health, metrics, request_log
    from .search import views as search
    from .store import open_store

    config = dict(config or {})
    flask_config = {k: config.pop(k) for k in list(config) if k.isupper()}
    settings = Settings.load(config)

    app = Flask(__name__)
    app.config.update(flask_config)
    app.extensions["hcn_settings"] = settings
    files = all_files(settings.root)
    version = DataVersion.from_files(files, settings.root)
    software_digest()  # read now, from the files of the code that runs (and before any fork)
    store = open_store(settings, workers=fork_workers, version=version.digest)
    app.extensions["hcn_version"] = version.declared(*release_of(store))
    app.extensions["hcn_store"] = metrics.init_app(app, store)  # forks query workers: before any thread
    admission.init_app(app, settings, app.extensions["hcn_metrics"])  # shared table: before any fork
    search.init_app(app, store)  # the search index, once (the data does not change while served)
    request_log.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(dataset.bp)
    app.register_blueprint(changes.bp)
    app.register_blueprint(harvest_report.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(search.bp)
    app.register_error_handler(HcnError, error_response)
    app.register_error_handler(HTTPException, http_error_response)
    install(app)  # the caching policy's fallback and one Date header
    result_cache.install(app)
    return app


def error_response(error: HcnError) -> Response:
    """Every ``HcnError`` becomes a response with its status: an HTML page for browsers, else plain text
    (with ``Retry-After`` when the error says when to come back)."""
    response = _error(error.status, str(error))
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def http_error_response(error: HTTPException) -> Response:
    """Werkzeug's own errors (no route, wrong method) answer like ours, keeping their headers."""
    response = _error(error.code or 500, error.description or error.name)
    for name, value in error.get_headers():
        if name in ("Allow", "Retry-After"):
            response.headers[name] = value
    return response


def _error(status: int, message: str) -> Response:
    """Plain text unless the client ranks text/html above text/plain; always ``Vary: Accept``."""
    from .negotiation import prefers_html

    if not prefers_html(request.headers.get("Accept")):
        return plain_error(status, message)
    body = render_template("error.html", status=status, message=message)
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response


def plain_error(status: int, message: str, retry_after: int | None = None) -> Response:
    """The plain-text error answer (no Flask context needed: the production front uses it too)."""
    response = Response(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    response.vary.add("Accept")
    return response
