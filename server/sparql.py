"""SPARQL 1.1 protocol endpoint (query only): request -> SparqlRequest -> store -> negotiated bytes."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MultiDict

from . import formats
from .errors import BadRequest, UnsupportedMediaType
from .store import Store

bp = Blueprint("sparql", __name__)

USAGE = "pass a SPARQL query as ?query=..., a form field 'query', or a body of type application/sparql-query"


@dataclass(frozen=True)
class SparqlRequest:
    """What a protocol request asks for, read once from the HTTP request."""

    query: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    format_name: str | None


def read_request() -> SparqlRequest:
    """Read the query and dataset parameters from GET args, a form body or a direct body."""
    params: MultiDict[str, str] = request.args
    if request.method == "POST":
        if request.mimetype == "application/x-www-form-urlencoded":
            params = MultiDict([*request.args.items(multi=True), *request.form.items(multi=True)])
            queries = params.getlist("query")
        elif request.mimetype == "application/sparql-query":
            queries = [request.get_data(as_text=True)]
        elif request.mimetype == "application/sparql-update":
            raise BadRequest("SPARQL Update is not allowed: this endpoint is read-only")
        else:
            raise UnsupportedMediaType(
                f"unsupported request body type {request.mimetype or '(none)'!r}; "
                "use application/x-www-form-urlencoded or application/sparql-query"
            )
    else:
        queries = params.getlist("query")
    if "update" in params:
        raise BadRequest("SPARQL Update is not allowed: this endpoint is read-only")
    if len(queries) != 1 or not queries[0].strip():
        raise BadRequest(("missing query: " if not queries else "exactly one query expected: ") + USAGE)
    return SparqlRequest(
        query=queries[0],
        default_graphs=params.getlist("default-graph-uri") or None,
        named_graphs=params.getlist("named-graph-uri") or None,
        format_name=params.get("format"),
    )


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Answer one SPARQL query in the negotiated format."""
    req = read_request()
    store: Store = current_app.extensions["hcn_store"]
    result = store.query(req.query, default_graphs=req.default_graphs, named_graphs=req.named_graphs)
    fmt = formats.choose(formats.kind_of(result), request.accept_mimetypes, req.format_name)
    return Response(formats.serialize(result, fmt), content_type=fmt.content_type)


@bp.after_request
def protocol_headers(response: Response) -> Response:
    """Negotiated responses vary on Accept; read-only GETs are open to any origin."""
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
