"""SPARQL 1.1 protocol endpoint (query only): request -> SparqlRequest -> store job -> streamed bytes.

``GET /sparql`` without a query answers the service description (RDF) or, for a browser, the
query UI; with a query, a browser asking for HTML gets the UI with the query filled in.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from pyoxigraph import serialize as serialize_rdf
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request

from .. import formats
from ..addressing import root_url
from ..caching import Kind, conditional
from ..config import Settings
from ..errors import BadRequest, HcnError, NotAcceptable, PayloadTooLarge, UnsupportedMediaType
from ..httpheaders import set_all, vary_on
from ..operations import admission
from ..protocol import ROW_HEADERS, parse_params, read_body
from ..querytext import MAX_NESTING, is_volatile, nesting_depth
from ..store import Store
from ..store.execute import Job
from . import query_ui, service_description
from .result_cache import COMPLETE, KEEP

bp = Blueprint("sparql", __name__)

USAGE = "pass a SPARQL query as ?query=..., a form field 'query', or a body of type application/sparql-query"
READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"
KINDS: tuple[formats.Kind, ...] = ("results", "graph")
BODY_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update")
CORS_HEADERS = (("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Expose-Headers", f"{ROW_HEADERS}, Retry-After, ETag, Last-Modified"))
COUNT_DEFAULT_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass(frozen=True)
class SparqlRequest:
    """What a protocol request asks for, read once from the HTTP request; ``query`` None = no query."""

    query: str | None
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    format_name: str | None


def body_limit(max_query_bytes: int) -> int:
    """The most bytes a query string or body may have (percent-encoding triples the size at most)."""
    return 3 * max_query_bytes + 4096


def read_request(request: Request, max_query_bytes: int) -> SparqlRequest:
    """Read the query and dataset parameters from GET args, a form body or a direct body."""
    raw_limit = body_limit(max_query_bytes)
    if len(request.query_string) > raw_limit:
        raise PayloadTooLarge(f"query string too large: the query limit is {max_query_bytes} bytes")
    params = parse_params(request.query_string, "query string")
    queries = params.getlist("query")
    if request.method == "POST":
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if request.mimetype in BODY_TYPES and charset not in ("utf-8", "utf8", "us-ascii"):
            raise UnsupportedMediaType(f"unsupported charset {charset!r}: send the request body as UTF-8")
        if request.mimetype == "application/x-www-form-urlencoded":
            form = parse_params(read_body(request, raw_limit), "form body")
            params = MultiDict([*params.items(multi=True), *form.items(multi=True)])
            queries = params.getlist("query")
        elif request.mimetype == "application/sparql-query":
            if queries:
                raise BadRequest("exactly one query expected: got one in the URL and one in the body; " + USAGE)
            try:
                queries = [read_body(request, raw_limit).decode("utf-8")]
            except UnicodeDecodeError:
                raise BadRequest("the request body is not valid UTF-8; send the query as UTF-8") from None
        elif request.mimetype == "application/sparql-update":
            raise BadRequest(READ_ONLY)
        else:
            raise UnsupportedMediaType(
                f"unsupported request body type {request.mimetype or '(none)'!r}; "
                "use application/x-www-form-urlencoded or application/sparql-query"
            )
    if "update" in params:
        raise BadRequest(READ_ONLY)
    if len(queries) > 1 or (queries and not queries[0].strip()) or (not queries and request.method == "POST"):
        raise BadRequest(("exactly one non-empty query expected: " if queries else "missing query: ") + USAGE)
    query = queries[0] if queries else None
    if query is not None:
        check_query_text(query, max_query_bytes)
    return SparqlRequest(
        query=query,
        default_graphs=params.getlist("default-graph-uri") or None,
        named_graphs=params.getlist("named-graph-uri") or None,
        format_name=params.get("format"),
    )


def check_query_text(query: str, max_query_bytes: int) -> None:
    """Refuse oversized (413) and too deeply nested (400) queries before any parser sees them."""
    size = len(query.encode("utf-8"))
    if size > max_query_bytes:
        raise PayloadTooLarge(f"query too large: {size} bytes, the limit is {max_query_bytes}")
    if nesting_depth(query) > MAX_NESTING:
        raise BadRequest(f"query nested too deeply: more than {MAX_NESTING} levels of brackets")


def wants_html(request: Request, format_name: str | None) -> bool:
    """A browser (HTML preferred over every data format) or ``format=html`` on a GET."""
    if request.method not in ("GET", "HEAD"):
        return False
    if format_name:
        return format_name.lower() == "html"
    offered = [t for kind in KINDS for t in formats.media_types(kind)] + ["text/html"]
    accept = formats.plain_accept(request.accept_mimetypes)
    return bool(accept) and accept.best_match(offered) == "text/html"


def negotiate(accept: str, format_name: str | None) -> dict[str, str | HcnError]:
    """The format for each kind of result, or the error to give if the query is of that kind."""
    outcome = _negotiate(accept, format_name)
    if isinstance(outcome[0], type):  # nothing fits either kind: (error class, message)
        raise outcome[0](outcome[1])
    return {kind: c if isinstance(c, str) else c[0](c[1]) for kind, c in outcome}


@functools.lru_cache(maxsize=256)
def _negotiate(accept: str, format_name: str | None) -> tuple[Any, ...]:
    """``negotiate`` for one Accept header and ``format=``, memoized: clients repeat their headers, and
    parsing and matching Accept was 8% of a lookup's time in the web process. Errors are kept as
    (class, message) so every request raises a fresh exception."""
    mimetypes = parse_accept_header(accept, MIMEAccept)
    choices: dict[str, str | HcnError] = {}
    for kind in KINDS:
        try:
            choices[kind] = formats.choose(kind, mimetypes, format_name).names[0]
        except HcnError as exc:
            choices[kind] = exc
    errors = [c for c in choices.values() if isinstance(c, HcnError)]
    if len(errors) == len(KINDS):
        if all(isinstance(e, NotAcceptable) for e in errors):
            offered = ", ".join(f.media_type for kind in KINDS for f in formats.offers(kind))
            return (NotAcceptable, f"not acceptable; offered types: {offered}, text/html (query UI)")
        known = ", ".join(dict.fromkeys(n for kind in KINDS for f in formats.offers(kind) for n in f.names))
        return (BadRequest, f"unknown format {format_name!r}; use one of: {known}, html")
    return tuple((kind, c if isinstance(c, str) else (type(c), str(c))) for kind, c in choices.items())


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response | str:
    """Answer one SPARQL query in the negotiated format, or describe the service."""
    answer = answer_query(request, current_app)
    if isinstance(answer, Response):
        return answer
    if wants_html(request, answer.format_name):
        return query_ui.render(current_app.extensions["hcn_settings"], answer.query)
    return describe_service(answer.format_name)


def answer_query(request: Request, app: Flask) -> Response | SparqlRequest:
    """The protocol answer to ``request`` (no Flask context needed: the production front calls this
    on its own), or the request read, when the answer is a page or the service description. The
    caller adds :func:`protocol_headers` (the blueprint's hook, or the front), errors included.

    Also leaves in ``request.environ`` what the result cache needs to know about the answer."""
    settings: Settings = app.extensions["hcn_settings"]
    req = read_request(request, settings.max_query_bytes)
    if req.query is None or wants_html(request, req.format_name):
        return req
    choices = negotiate(request.headers.get("Accept", ""), req.format_name)
    kind, variant = query_policy(request, req, choices)
    version = app.extensions["hcn_version"]
    if kind is Kind.QUERY:
        cached = conditional(Response(), *variant, kind=kind, req=request, version=version)
        if cached.status_code == 304:  # the client has this answer: no query run
            return cached
    job = Job(req.query, req.default_graphs, req.named_graphs, choices, settings.max_rows)
    store: Store = app.extensions["hcn_store"]
    answer = admission.run(store, job, timeout_s=settings.query_timeout_s,  # 429 past the client's share
                           admission=app.extensions["hcn_admission"], environ=request.environ)
    request.environ[COMPLETE] = answer.complete  # for the result cache: keep only whole answers
    request.environ[KEEP] = kind is not Kind.VOLATILE or not is_volatile(req.query)  # ... nor time or chance
    fmt = formats.by_name(answer.head.kind, answer.head.format_name)  # type: ignore[arg-type]
    headers = {"X-Row-Cap": str(settings.max_rows),
               "X-Result-Truncated": "true" if answer.head.truncated else "false"} if settings.max_rows else {}
    if kind is not Kind.QUERY:
        headers["Cache-Control"] = kind.cache_control
    response = Response(answer.body, headers=headers, content_type=fmt.content_type)
    if kind is Kind.QUERY:
        response = conditional(response, *variant, kind=kind, req=request, version=version)
    return response


def query_policy(request: Request, req: SparqlRequest,
                 choices: dict[str, str | HcnError]) -> tuple[Kind, tuple[str, ...]]:
    """A GET answer is fixed by the release, the query, its dataset and the negotiated formats
    (validators and caching allowed); a POST, or a query using NOW(), RAND() ..., is not."""
    if request.method != "GET" or is_volatile(req.query or ""):
        return Kind.VOLATILE, ()
    formats_chosen = [f"{kind}={c if isinstance(c, str) else type(c).__name__}" for kind, c in choices.items()]
    return Kind.QUERY, ("sparql", req.query or "", "\0".join(req.default_graphs or ["-"]),
                        "\0".join(req.named_graphs or ["-"]), *formats_chosen)


def describe_service(format_name: str | None) -> Response:
    """The SPARQL 1.1 Service Description in the negotiated RDF format."""
    fmt = formats.choose("graph", request.accept_mimetypes, format_name)
    store: Store = current_app.extensions["hcn_store"]
    rows = list(store.query(COUNT_DEFAULT_GRAPH))  # constant query over a loaded, read-only store
    default_triples = int(rows[0]["n"].value)  # type: ignore[index]
    triples = service_description.describe(
        url_for("sparql.sparql", _external=True), default_triples, store.graph_sizes(), query_ui.fair_use()
    )
    data = serialize_rdf(list(triples), format=fmt.oxi, prefixes=service_description.PREFIXES)  # type: ignore[arg-type]
    response = Response(data, content_type=fmt.content_type)
    return conditional(response, "service", fmt.names[0], root_url(request), kind=Kind.DESCRIPTION)


@bp.after_request
def after_request(response: Response) -> Response:
    """Every answer of this blueprint (errors included) gets the protocol headers."""
    return protocol_headers(response, request)


def protocol_headers(response: Response, request: Request) -> Response:
    """Negotiated responses vary on Accept; GET and POST are open to any origin (CORS)."""
    vary_on(response.headers, "Accept")
    set_all(response.headers, CORS_HEADERS)
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
