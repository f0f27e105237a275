"""Shared machinery for negotiated linked-data responses: IRI <-> path mapping, labels, headers, rendering."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, request, url_for
from pyoxigraph import RdfFormat, Triple, serialize
from werkzeug.wrappers import Request

from .. import caching, negotiation
from ..addressing import root_url
from ..config import Settings
from ..display import LABEL_PROPERTIES, Labels, prefix_table
from ..errors import BadRequest, NotFound
from ..store import Store
from . import jsonld
from .pages import UI, Context, choose_language, labels_from

MAX_PATH = 512
#: One path segment of a local name: letters, digits and unreserved punctuation; no ``..``, no ``%``.
_SEGMENT = r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*"
_LOCAL = re.compile(rf"{_SEGMENT}(/{_SEGMENT})*")


def settings(app: Flask | None = None) -> Settings:
    """The app's settings (default: the current app's)."""
    return (app or current_app).extensions["hcn_settings"]


def store(app: Flask | None = None) -> Store:
    """The app's store (default: the current app's)."""
    return (app or current_app).extensions["hcn_store"]


def check_local(rest: str) -> str:
    """Validate the local part of a path (``organisation/oslo``); ``NotFound`` for anything odd."""
    if len(rest) > MAX_PATH or not _LOCAL.fullmatch(rest) or any(seg.strip(".") == "" for seg in rest.split("/")):
        raise NotFound("no such resource")
    return rest


def prefixes(app: Flask | None = None) -> dict[str, str]:
    """Prefixes for output: the common vocabularies plus ``hc:`` under the configured base."""
    return prefix_table(settings(app).base_iri)


def ontology_iri(app: Flask | None = None) -> str:
    """The ontology IRI under the configured base."""
    return settings(app).base_iri + "ontology"


def link(iri: str) -> str:
    """Local URL for an IRI under the base (documents, ontology terms); other IRIs link to themselves."""
    base = settings().base_iri
    onto = ontology_iri()
    if iri == onto or iri.startswith(onto + "#"):
        return url_for("resources.ontology") + iri[len(onto):]
    if iri.startswith(base + "id/"):
        rest = iri[len(base) + 3:]
        if _LOCAL.fullmatch(rest):
            return url_for("resources.document", rest=rest, **lang_arg())
    return iri


def lang_arg() -> dict[str, str]:
    """``{"lang": ...}`` when the reader chose a language explicitly, to carry it along links."""
    lang = request.args.get("lang")
    return {"lang": lang} if lang in ("en", "nb") else {}


def cached(key: str, build: Callable[[], Any]) -> Any:
    """A value computed once per app (the store is read-only after loading)."""
    if key not in current_app.extensions:
        current_app.extensions[key] = build()
    return current_app.extensions[key]


def labels() -> Labels:
    """Every rdfs:label / skos:prefLabel in the default graph, read once per app (the store is read-only)."""
    cached = current_app.extensions.get("hcn_labels")
    if cached is None:
        values = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
        query = f"SELECT ?s ?l WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?l FILTER(isIRI(?s) && isLiteral(?l)) }}"
        rows = ((r["s"].value, r["l"].value, r["l"].language or "") for r in store().query(query))  # type: ignore[union-attr,index]
        cached = current_app.extensions["hcn_labels"] = labels_from(rows)
    return cached


def orders() -> dict[str, int]:
    """Every IRI's hc:order (its position in the source's list), read once per app, to show lists in that order."""
    cached = current_app.extensions.get("hcn_orders")
    if cached is None:
        query = f"SELECT ?s ?n WHERE {{ ?s <{prefixes()['hc']}order> ?n FILTER(isIRI(?s) && isNumeric(?n)) }}"
        cached = current_app.extensions["hcn_orders"] = {
            r["s"].value: int(float(r["n"].value)) for r in store().query(query)  # type: ignore[union-attr,index]
        }
    return cached


def language() -> str:
    """The reader's language: ``?lang=``, else Accept-Language, else English."""
    return choose_language(request.args.get("lang"), request.accept_languages.best_match(["en", "nb", "no", "nn"]))


def context() -> Context:
    """Display context for the current request."""
    return Context(labels(), prefixes(), link, language(), orders())


def serialize_rdf(triples: list[Triple], offer: negotiation.Offer, app: Flask | None = None,
                  req: Request | None = None) -> bytes:
    """Turtle and RDF/XML with the prefixes they use, N-Triples, or JSON-LD compacted with the published
    context (``app`` and ``req`` default to the current app and request)."""
    root = root_url(req if req is not None else request).rstrip("/")
    return jsonld.rdf_bytes(triples, offer.name, prefixes(app), root + jsonld.CONTEXT_PATH)


def jsonld_object(triples: list[Triple]) -> Any:
    """The JSON-LD of ``triples`` as a Python value (to embed with the ``tojson`` filter)."""
    return json.loads(serialize(triples, format=RdfFormat.JSON_LD) or b"[]")


@dataclass(frozen=True)
class Negotiated:
    """A generic document URL and the stem its concrete variants add a suffix to (``stem.ttl``)."""

    generic: str
    stem: str
    offers: tuple[negotiation.Offer, ...] = negotiation.DOCUMENT_OFFERS

    def url(self, offer: negotiation.Offer | None = None, **args: str) -> str:
        """URL of the generic document, or of one concrete format when ``offer`` is given."""
        path = self.generic if offer is None else f"{self.stem}.{offer.name}"
        return path + ("?" + urlencode(args) if args else "")


def page_number(req: Request | None = None) -> int:
    """``?page=`` as a positive int (default 1); 400 otherwise."""
    raw = (req if req is not None else request).args.get("page", "1")
    if not raw.isdigit() or not 0 < int(raw) < 10**6:
        raise BadRequest(f"page must be a positive integer, not {raw!r}")
    return int(raw)


def respond(
    doc: Negotiated,
    suffix: str | None,
    triples: Callable[[], list[Triple]],
    html: Callable[[list[Triple], dict[str, Any]], str] | None,
    *,
    page: int = 1,
    has_next: bool = False,
    req: Request | None = None,
    app: Flask | None = None,
    variant: tuple[str, ...] = (),
) -> Response | None:
    """Negotiate, build and answer one document with every header CONNEG.md asks for.

    ``req`` and ``app`` default to the current request and app; without ``html`` (no Flask
    context to render a page in) an HTML answer is left to the caller: None. ``variant`` names what
    else besides the data the bytes depend on (it goes into the ETag)."""
    req = req if req is not None else request
    offer = negotiation.choose(doc.offers, req.headers.get("Accept"), req.args.get("format"), suffix)
    if offer is negotiation.HTML and html is None:
        return None
    graph = store(app).rewrites().restore(triples())  # literals as the source files wrote them
    page_args = {"page": str(page)} if page > 1 else {}
    if offer is negotiation.HTML:
        assert html is not None
        lang = language()
        common = {
            "alternates": [(o, doc.url(o, **page_args)) for o in doc.offers if o is not negotiation.HTML],
            "lang": lang,
            "ui": UI[lang],
            "other_lang_url": url_for(request.endpoint or "home.index", **(request.view_args or {}),
                                      **{**request.args.to_dict(), "lang": "nb" if lang == "en" else "en"}),
            "next_url": doc.url(None, page=str(page + 1), **lang_arg()) if has_next else None,
            "prev_url": doc.url(None, **({"page": str(page - 1)} if page > 2 else {}), **lang_arg()) if page > 1 else None,
            "jsonld": jsonld_object(graph),
        }
        body: bytes | str = html(graph, common)
    else:
        lang = ""
        body = serialize_rdf(sorted(graph, key=str), offer, app, req)  # one order: the same bytes in every process
    links = [f'<{doc.url(o, **page_args)}>; rel="alternate"; type="{o.media_type}"' for o in doc.offers if o is not offer]
    if has_next:
        links.append(f'<{doc.url(None, page=str(page + 1))}>; rel="next"')
    headers = {"Content-Location": doc.url(offer, **page_args), "Link": ", ".join(links), "Vary": "Accept, Accept-Language"}
    response = Response(body, headers=headers, content_type=offer.content_type)
    version = (app or current_app).extensions["hcn_version"]
    # JSON-LD names this server's context URL: the address the request came to is part of the bytes
    return caching.conditional(response, req.path, offer.name, str(page), lang, root_url(req), *variant, req=req,
                               version=version)
