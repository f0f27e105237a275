"""Dereferencing: ``/id/...`` answers 303 to ``/doc/...``; documents, listings, ontology and shapes, negotiated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for
from pyoxigraph import NamedNode, Triple
from werkzeug.wrappers import Request

from .. import negotiation
from ..errors import NotFound
from ..httpheaders import set_all
from . import documents, ontology_page, timeline
from .pages import classifications, resource_view, subject_rows
from .publishing import (
    Negotiated, cached, check_local, context, ontology_iri, page_number, prefixes, respond, settings, store,
)

bp = Blueprint("resources", __name__)

HYDRA_MEMBER = NamedNode("http://www.w3.org/ns/hydra/core#member")


@bp.route("/id/<path:rest>")
def thing(rest: str) -> Response:
    """A thing's IRI: 303 See Other to its document (404 when the graph does not know it)."""
    return see_document(request, current_app, rest)


def see_document(req: Request, app: Flask, rest: str) -> Response:
    """``thing`` without a Flask context (the production front calls it on its own)."""
    rest = check_local(rest)
    iri = settings(app).base_iri + "id/" + rest
    if not documents.exists(store(app), iri):
        raise NotFound(f"no resource {iri}")
    target = app.url_map.bind("", script_name=req.root_path).build(
        "resources.document", {**req.args.to_dict(), "rest": rest})
    response = redirect(target, code=303, Response=Response)
    response.vary.add("Accept")
    return cors(response)


@bp.route("/doc/<path:rest>")
def document(rest: str) -> Response:
    """The negotiated document about ``<base>id/{rest}``; a suffix picks the format."""
    def html(triples: list[Triple], common: dict[str, Any]) -> str:
        iri, ctx = settings().base_iri + "id/" + stem, context()
        tl = timeline.around(store(), iri, ctx, prefixes()["hc"]) if page == 1 else None
        return render_template("resource.html", view=resource_view(iri, triples, ctx), page=page, tl=tl, **common)

    stem, _ = negotiation.split_suffix(rest, negotiation.DOCUMENT_OFFERS)
    page = page_number()
    response = describe(request, current_app, rest, html)
    assert response is not None
    return response


def describe(req: Request, app: Flask, rest: str,
             html: Callable[[list[Triple], dict[str, Any]], str] | None = None) -> Response | None:
    """``document`` without a Flask context: None when the answer is an HTML page and ``html`` is
    not given (the production front then leaves the request to Flask)."""
    stem, suffix = negotiation.split_suffix(rest, negotiation.DOCUMENT_OFFERS)
    stem = check_local(stem)
    iri = settings(app).base_iri + "id/" + stem
    page = page_number(req)
    doc = documents.describe(store(app), iri, page, settings(app).page_size)
    generic = req.root_path.rstrip("/") + "/doc/" + stem
    response = respond(Negotiated(generic, generic), suffix, lambda: doc.triples, html, page=page,
                       has_next=doc.has_next, req=req, app=app)
    return None if response is None else cors(response)


@bp.route("/id/<kind>/")
@bp.route("/id/<kind>/index.<ext>")
def listing(kind: str, ext: str | None = None) -> Response:
    """Every resource whose IRI is under ``<base>id/{kind}/``, paged (a ``hydra:member`` list in RDF)."""
    kind = check_local(kind)
    prefix = settings().base_iri + "id/" + kind + "/"
    page = page_number()
    iris, has_next = documents.members(store(), prefix, page, settings().page_size, prefixes()["hc"] + "order")
    if not iris:
        raise NotFound(f"nothing under {prefix}")

    def triples() -> list[Triple]:
        members = [Triple(NamedNode(prefix), HYDRA_MEMBER, NamedNode(i)) for i in iris]
        return members + documents.describe_many(store(), iris)

    def html(graph: list[Triple], common: dict[str, Any]) -> str:
        ctx = context()
        facets = classifications(iris, documents.classifications(store(), iris), ctx)
        members = [(ctx.iri(i), facets.get(i, [])) for i in iris]
        tl = timeline.of_members(store(), iris, ctx)
        return render_template("listing.html", kind=kind, prefix=prefix, members=members, tl=tl, **common)

    generic = url_for("resources.listing", kind=kind)
    return respond(Negotiated(generic, generic + "index"), _suffix(ext), triples, html, page=page, has_next=has_next)


@bp.route("/ontology")
@bp.route("/ontology.<ext>")
def ontology(ext: str | None = None) -> Response:
    """The ontology: every term as RDF, or the HTML reference page with usage counts."""
    iri = ontology_iri()
    graph = cached("hcn_ontology", lambda: documents.describe_namespace(store(), iri))

    def html(triples: list[Triple], common: dict[str, Any]) -> str:
        view = ontology_page.build(iri, triples, ontology_page.usage(store()), context())
        return render_template("ontology.html", view=view, **common)

    generic = url_for("resources.ontology")
    return respond(Negotiated(generic, generic), _suffix(ext), lambda: graph, html)


@bp.route("/shapes")
@bp.route("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    """The SHACL shapes graph, as RDF or as an HTML list of its named shapes."""
    graph_iri = settings().graph_iri("shapes")
    graph = cached("hcn_shapes", lambda: documents.graph(store(), graph_iri))

    def html(triples: list[Triple], common: dict[str, Any]) -> str:
        ctx = context()
        named = dict.fromkeys(t.subject for t in triples if isinstance(t.subject, NamedNode))
        sections = [(ctx.iri(s.value), subject_rows(s, triples, ctx)) for s in named]
        return render_template("shapes.html", sections=sections, graph_iri=graph_iri, **common)

    generic = url_for("resources.shapes")
    return respond(Negotiated(generic, generic), _suffix(ext), lambda: graph, html)


def _suffix(ext: str | None) -> str | None:
    """A suffix on ``/ontology.x`` and friends (404 naming the known ones when unknown)."""
    return None if ext is None else negotiation.by_name(negotiation.DOCUMENT_OFFERS, ext, NotFound).name


CORS_HEADERS = (("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Expose-Headers", "ETag, Link, Content-Location, Last-Modified, Vary"))


@bp.after_request
def cors(response: Response) -> Response:
    """Documents are public: any origin may GET them and read the negotiation headers."""
    set_all(response.headers, CORS_HEADERS)
    return response
