"""Landing page: what this is, how big it is, what is in it, how to query and harvest it."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for

from ..addressing import root_url
from ..api.examples import read_examples
from ..caching import conditional
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

COUNT_DEFAULT_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_CLASS_COUNTS = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY DESC(?n) ?c"
_KINDS = """SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}"))
  BIND(STRBEFORE(STRAFTER(STR(?s), "{prefix}"), "/") AS ?kind) FILTER(?kind != "")
}} GROUP BY ?kind ORDER BY ?kind"""


def default_graph_size(store: Store) -> int:
    """Triples in the SPARQL default graph (ontology + data): what VoID's void:triples and the dumps hold."""
    return int(next(iter(store.query(COUNT_DEFAULT_GRAPH)))["n"].value)  # type: ignore[call-overload,index]


@bp.route("/")
def index() -> Response:
    """Render the landing page with counts per graph, per class and per kind of resource."""
    store: Store = current_app.extensions["hcn_store"]
    settings: Settings = current_app.extensions["hcn_settings"]
    sizes = store.graph_sizes()
    graphs = [(name, settings.graph_iri(name), sizes.get(settings.graph_iri(name), 0)) for name in FOLDERS]
    endpoint = root_url(request).rstrip("/") + url_for("sparql.sparql")
    ctx = context()
    data_graph = [settings.graph_iri("data")]
    classes = [(ctx.iri(r["c"].value), int(r["n"].value)) for r in store.query(_CLASS_COUNTS, default_graphs=data_graph)]  # type: ignore[union-attr,index]
    prefix = settings.base_iri + "id/"
    kinds = [(r["kind"].value, int(r["n"].value)) for r in store.query(_KINDS.format(prefix=prefix))]  # type: ignore[union-attr,index]
    lang = language()
    body = render_template(
        "index.html",
        total=default_graph_size(store),
        shapes_total=sizes.get(settings.graph_iri("shapes"), 0),
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
    response = Response(body, content_type="text/html; charset=utf-8")
    response.vary.add("Accept-Language")
    return conditional(response, "home", lang, root_url(request))
