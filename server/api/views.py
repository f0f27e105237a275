"""Named queries as a REST API: ``/api/`` lists them, ``/api/{name}`` runs one, plus OpenAPI and its docs.

Each SELECT query in ``queries/*.rq`` is an operation; its ``#+ param-NAME`` header lines are typed query
parameters, bound as RDF terms by the engine (``Job.substitutions``), never pasted into the text. The
query runs in the store's worker pool (deadline, row cap) like any ``/sparql`` request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from werkzeug.wrappers import Request

from .. import negotiation
from ..caching import Kind, conditional
from ..config import Settings
from ..errors import NotFound
from ..negotiation import Offer
from ..operations import admission
from ..protocol import ROW_HEADERS, parse_params
from ..store import Store
from ..store.execute import Job
from . import forms, openapi
from .examples import Example, read_examples
from .params import ParameterError, Term, bind_all

bp = Blueprint("api", __name__, url_prefix="/api")

#: Result representations, in server preference order (no Accept or ``*/*`` gets SPARQL JSON, as /sparql).
#: ``application/json`` is the flat records form here: the plain JSON a notebook or dashboard wants.
RESULT_OFFERS: tuple[Offer, ...] = (
    Offer("application/sparql-results+json", ("json",), "SPARQL JSON"),
    Offer("application/json", ("records",), "JSON records"),
    Offer("text/csv", ("csv",), "CSV"),
    Offer("text/tab-separated-values", ("tsv",), "TSV"),
    negotiation.HTML,
)
#: Offer name -> format the worker writes (the HTML table is rendered here from SPARQL JSON).
WORKER_FORMAT = {"json": "json", "records": "records", "csv": "csv", "tsv": "tsv", "html": "json"}
INDEX_OFFERS: tuple[Offer, ...] = (Offer("application/json", ("json",), "JSON"), negotiation.HTML)


@dataclass(frozen=True)
class ApiCall:
    """One request to a named query, read once: the query, its bound terms and the representation."""

    query: Example
    bound: Mapping[str, Term]
    offer: Offer

    def variant(self) -> tuple[str, ...]:
        """What distinguishes this representation for its ETag (the query text can change while serving)."""
        terms = "&".join(f"{name}={term}" for name, term in sorted(self.bound.items()))
        return ("api", self.query.name, digest([self.query.query]), terms, self.offer.name)


def digest(texts: Iterable[str]) -> str:
    """A short hash of some texts (query files), part of the ETag variants."""
    sha = hashlib.sha256()
    for text in texts:
        sha.update(text.encode("utf-8") + b"\0")
    return sha.hexdigest()[:16]


def api_queries(settings: Settings) -> list[Example]:
    """The named queries the API exposes: every SELECT query with a valid header."""
    return [q for q in read_examples(settings.root) if q.form == "SELECT"]


def find_query(settings: Settings, name: str, listing: Callable[[], str]) -> Example:
    """The named query ``name``; 404 naming the API listing (its URL from ``listing``) when there is none."""
    for query in api_queries(settings):
        if query.name == name:
            return query
    raise NotFound(f"no named query {name[:80]!r}; see {listing()} for the list")


def read_call(request: Request, app: Flask, name: str) -> tuple[Example, Offer, ApiCall | ParameterError]:
    """Query, format and bound parameters of this request (or the value that does not fit); 404 or 406."""
    def listing() -> str:
        return app.url_map.bind("", script_name=request.root_path).build("api.index")

    query = find_query(app.extensions["hcn_settings"], name, listing)
    args = parse_params(request.query_string, "query string")
    offer = negotiation.choose(RESULT_OFFERS, request.headers.get("Accept"), args.get("format"))
    try:
        return query, offer, ApiCall(query, bind_all(query.params, args.items(multi=True)), offer)
    except ParameterError as exc:
        return query, offer, exc


@bp.get("/")
def index() -> Response:
    """The named queries with their parameters: JSON, or an HTML page for browsers."""
    settings: Settings = current_app.extensions["hcn_settings"]
    offer = negotiation.choose(INDEX_OFFERS, request.headers.get("Accept"), request.args.get("format"))
    queries = api_queries(settings)
    if offer.name == "html":
        body = render_template("api_index.html", queries=queries)
    else:
        body = json.dumps(openapi.listing(queries), ensure_ascii=False, indent=1) + "\n"
    response = Response(body, content_type=offer.content_type)
    return conditional(response, "api-index", digest(q.query for q in queries), offer.name, kind=Kind.DESCRIPTION)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of every named query, generated from the query headers."""
    settings: Settings = current_app.extensions["hcn_settings"]
    queries = api_queries(settings)
    document = openapi.document(queries, max_rows=settings.max_rows)
    response = Response(json.dumps(document, ensure_ascii=False, indent=1) + "\n", content_type="application/json")
    return conditional(response, "openapi", digest(q.query for q in queries), kind=Kind.DESCRIPTION)


@bp.get("/docs")
def docs() -> Response:
    """A self-contained HTML rendering of the OpenAPI document (no scripts, works offline)."""
    settings: Settings = current_app.extensions["hcn_settings"]
    queries = api_queries(settings)
    document = openapi.document(queries, max_rows=settings.max_rows)
    body = render_template("api_docs.html", doc=document, operations=openapi.operations(document))
    response = Response(body, content_type="text/html; charset=utf-8")
    return conditional(response, "api-docs", digest(q.query for q in queries), kind=Kind.DESCRIPTION)


@bp.get("/<name>")
def run(name: str) -> Response:
    """Run one named query with the request's parameters, in the negotiated format."""
    response = answer_call(request, current_app, name, partial(render_page, current_app.extensions["hcn_settings"]))
    assert response is not None
    return response


Page = Callable[..., str]


def answer_call(request: Request, app: Flask, name: str, html: Page | None = None) -> Response | None:
    """``run`` without a Flask context (the production front calls it on its own): None when the
    answer is an HTML page and ``html`` (:func:`render_page` bound to the settings) is not given.

    A browser whose value does not fit gets the form back (400) with the value kept and the message beside it.
    """
    settings: Settings = app.extensions["hcn_settings"]
    query, offer, call = read_call(request, app, name)
    if offer.name == "html" and html is None:
        return None
    if isinstance(call, ParameterError):
        if offer.name != "html" or html is None:
            raise call
        return Response(html(query, error=call), status=400, content_type=offer.content_type)
    version = app.extensions["hcn_version"]
    cached = conditional(Response(status=200), *call.variant(), kind=Kind.QUERY, req=request, version=version)
    if cached.status_code == 304:  # the client has this answer: no need to run the query
        return api_headers(cached, request)
    job = Job(
        call.query.query,
        choices={"results": WORKER_FORMAT[call.offer.name]},
        max_rows=settings.max_rows,
        substitutions=dict(call.bound),
    )
    store: Store = app.extensions["hcn_store"]
    answer = admission.run(store, job, timeout_s=settings.query_timeout_s,  # 429 past the client's share
                           admission=app.extensions["hcn_admission"], environ=request.environ)
    if html is not None and call.offer.name == "html":
        results = json.loads(b"".join(answer.body))
        body: Any = html(call.query, results, answer.head.truncated)
    else:
        body = answer.body
    response = Response(body, content_type=call.offer.content_type)
    if settings.max_rows:
        response.headers["X-Row-Cap"] = str(settings.max_rows)
        response.headers["X-Result-Truncated"] = "true" if answer.head.truncated else "false"
    return api_headers(conditional(response, *call.variant(), kind=Kind.QUERY, req=request, version=version), request)


def render_page(
    settings: Settings, query: Example, results: Mapping[str, Any] | None = None, truncated: bool = False,
    error: ParameterError | None = None,
) -> str:
    """The query's page: its form (values kept, an error beside its field), the result table and other formats."""
    store: Store = current_app.extensions["hcn_store"]
    given = {k: v for k, v in request.args.items() if k != "format"}
    base = url_for("api.run", name=query.name)
    formats = [(o, f"{base}?{urlencode({**given, 'format': o.name})}") for o in RESULT_OFFERS]
    variables, rows = forms.table(store, settings, results) if results is not None else ([], [])
    return render_template(
        "api_results.html", query=query, variables=variables, rows=rows, results=results is not None,
        fields=forms.fields(store, query.params, given, {error.name: str(error)} if error else {}), error=error,
        formats=formats, truncated=truncated, max_rows=settings.max_rows,
    )


@bp.after_request
def after_request(response: Response) -> Response:
    """Every answer of this blueprint (errors included) gets the API's headers."""
    return api_headers(response, request)


def api_headers(response: Response, request: Request) -> Response:
    """Negotiated, cacheable responses open to any origin (CORS), like ``/sparql``."""
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = f"{ROW_HEADERS}, ETag, Last-Modified, Retry-After"
    return response
