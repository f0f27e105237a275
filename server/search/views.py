"""``/search?q=``: the index's best hits grouped by kind, as JSON or an HTML page (negotiated like the API).

The index is built once when the app loads (``init_app``); a remote store that cannot answer then
is asked again on the next search, which answers 503 (or 502/504, as the store says) until it can.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request

from .. import negotiation
from ..caching import conditional
from ..errors import BadRequest, HcnError
from ..linkeddata.pages import pick
from ..linkeddata.publishing import language, link
from ..negotiation import Offer
from ..protocol import parse_params
from ..store import Store
from .api import DEFAULT_LIMIT, LIMITS, MAX_QUERY, PARAMETERS
from .index import Found, Hit, SearchIndex, from_store

bp = Blueprint("search", __name__)
log = logging.getLogger(__name__)

OFFERS: tuple[Offer, ...] = (Offer("application/json", ("json",), "JSON"), negotiation.HTML)
_lock = threading.Lock()


@dataclass(frozen=True)
class SearchRequest:
    """What a search asks for, read strictly from the query string."""

    q: str
    limit: int
    format_name: str | None


def init_app(app: Flask, store: Store) -> None:
    """Build the index now (the data does not change while served); on a store failure, at first use."""
    app.extensions["hcn_search_store"] = store
    try:
        app.extensions["hcn_search"] = from_store(store)
    except HcnError as exc:
        log.warning("search index not built at start-up (%s); will retry on the first search", exc)


def search_index() -> SearchIndex:
    """The app's index, built now if start-up could not (one build at a time)."""
    index: SearchIndex | None = current_app.extensions.get("hcn_search")
    if index is None:
        with _lock:
            index = current_app.extensions.get("hcn_search")
            if index is None:
                index = current_app.extensions["hcn_search"] = from_store(current_app.extensions["hcn_search_store"])
    return index


def read_request() -> SearchRequest:
    """``q`` (1 to ``MAX_QUERY`` characters with a letter or digit, no control characters), ``limit``,
    ``lang`` and ``format``; 400 naming the parameter for anything else."""
    args = parse_params(request.query_string, "query string")
    unknown = sorted(set(args) - set(PARAMETERS))
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}; /search takes: {', '.join(PARAMETERS)}")
    for name in PARAMETERS:
        if len(args.getlist(name)) > 1:
            raise BadRequest(f"give {name} once")
    q = args.get("q", "").strip()
    if not q:
        raise BadRequest("missing search text: give q, e.g. /search?q=ostfold")
    if len(q) > MAX_QUERY:
        raise BadRequest(f"q is too long: {len(q)} characters, at most {MAX_QUERY}")
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") for c in q):
        raise BadRequest("q contains control or unassigned characters; give plain text")
    if not any(c.isalnum() for c in q):
        raise BadRequest("q has no letter or digit to search for")
    raw_limit = args.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isascii() or not raw_limit.isdigit() or int(raw_limit) not in LIMITS:
        raise BadRequest(f"limit must be a whole number from {LIMITS.start} to {LIMITS.stop - 1}, got {raw_limit[:20]!r}")
    if args.get("lang") not in (None, "en", "nb"):
        raise BadRequest("lang must be en or nb")
    return SearchRequest(q, int(raw_limit), args.get("format"))


@bp.get("/search")
def search() -> Response:
    """The best hits for ``q`` grouped by kind, in the negotiated format."""
    offer = negotiation.choose(OFFERS, request.headers.get("Accept"), request.args.get("format"))
    req = read_request()
    index = search_index()
    found = index.search(req.q, req.limit)
    lang = language()
    result = as_json(req, found, index, lang)
    if offer.name == "html":
        body = render_template("search.html", result=result, lang=lang, search_query=req.q)
    else:
        body = json.dumps(result, ensure_ascii=False, indent=1) + "\n"
    response = Response(body, content_type=offer.content_type)
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    return conditional(response, "search", req.q, str(req.limit), lang, offer.name)


def as_json(req: SearchRequest, found: Found, index: SearchIndex, lang: str) -> dict[str, Any]:
    """The answer: query, total, and the hits grouped by their most specific kind, groups in hit order."""
    groups: dict[str | None, dict[str, Any]] = {}
    for hit in found.hits:
        kind = hit.kinds[0] if hit.kinds else None
        if kind not in groups:
            name = pick(index.kind_names.get(kind, {}), lang) if kind else None
            groups[kind] = {"kind": kind, "label": name or (kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if kind else "Other"),
                            "hits": []}
        groups[kind]["hits"].append(hit_json(hit, lang))
    return {"query": req.q, "lang": lang, "limit": req.limit, "total": found.total, "groups": list(groups.values())}


def hit_json(hit: Hit, lang: str) -> dict[str, Any]:
    """One hit: its IRI, the page it links to, its name in ``lang`` and the text that matched."""
    return {
        "iri": hit.iri,
        "href": link(hit.iri),
        "label": pick(dict(hit.names), lang) or hit.text,
        "rank": hit.rank,
        "matched": {"property": hit.property, "text": hit.text, "lang": hit.lang or None},
        "kinds": list(hit.kinds),
    }
