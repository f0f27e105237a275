"""Landing page: what is served, how big it is, how to query it."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from .config import Settings
from .graphs import FOLDERS
from .store import Store

bp = Blueprint("home", __name__)

EXAMPLE_QUERY = """SELECT ?class (COUNT(?s) AS ?n)
WHERE { ?s a ?class }
GROUP BY ?class
ORDER BY DESC(?n)
LIMIT 10"""


@bp.route("/")
def index() -> str:
    """Render the landing page with triple counts per named graph."""
    store: Store = current_app.extensions["hcn_store"]
    settings: Settings = current_app.extensions["hcn_settings"]
    sizes = store.graph_sizes()
    graphs = [(name, settings.graph_iri(name), sizes.get(settings.graph_iri(name), 0)) for name in FOLDERS]
    endpoint = request.url_root.rstrip("/") + url_for("sparql.sparql")
    return render_template(
        "index.html",
        total=len(store),
        graphs=graphs,
        endpoint=endpoint,
        example_query=EXAMPLE_QUERY,
        base_iri=settings.base_iri,
        shapes_iri=settings.graph_iri("shapes"),
    )
