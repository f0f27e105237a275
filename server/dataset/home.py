"""Landing page: what this is, how big it is, what is in it, how to query and harvest it."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from ..api.examples import read_examples
from ..config import Settings
from ..graphs import FOLDERS
from ..linkeddata.pages import UI
from ..linkeddata.publishing import context, language, link
from ..store import Store
from .views import DUMPS

bp = Blueprint("home", __name__)

EXAMPLE_QUERY = """SELECT ?class (COUNT(?s) AS ?n)
WHERE { ?s a ?class }
GROUP BY ?class
ORDER BY DESC(?n)
LIMIT 10"""

_CLASS_COUNTS = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY DESC(?n) ?c"
_KINDS = """SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}"))
  BIND(STRBEFORE(STRAFTER(STR(?s), "{prefix}"), "/") AS ?kind) FILTER(?kind != "")
}} GROUP BY ?kind ORDER BY ?kind"""


@bp.route("/")
def index() -> str:
    """Render the landing page with counts per graph, per class and per kind of resource."""
    store: Store = current_app.extensions["hcn_store"]
    settings: Settings = current_app.extensions["hcn_settings"]
    sizes = store.graph_sizes()
    graphs = [(name, settings.graph_iri(name), sizes.get(settings.graph_iri(name), 0)) for name in FOLDERS]
    endpoint = request.url_root.rstrip("/") + url_for("sparql.sparql")
    ctx = context()
    data_graph = [settings.graph_iri("data")]
    classes = [(ctx.iri(r["c"].value), int(r["n"].value)) for r in store.query(_CLASS_COUNTS, default_graphs=data_graph)]  # type: ignore[union-attr,index]
    prefix = settings.base_iri + "id/"
    kinds = [(r["kind"].value, int(r["n"].value)) for r in store.query(_KINDS.format(prefix=prefix))]  # type: ignore[union-attr,index]
    lang = language()
    return render_template(
        "index.html",
        total=len(store),
        graphs=graphs,
        endpoint=endpoint,
        example_query=EXAMPLE_QUERY,
        examples=read_examples(settings.root),
        base_iri=settings.base_iri,
        shapes_iri=settings.graph_iri("shapes"),
        classes=classes,
        kinds=kinds,
        dumps=list(DUMPS),
        example_resource=link(prefix + "organisation/ostfold-fylkeskommune"),
        lang=lang,
        ui=UI[lang],
    )
