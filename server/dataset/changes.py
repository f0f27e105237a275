"""The change feed: ``/changes`` lists the releases of the served data, ``/changes/<id>.rdfp`` each patch.

A release is a commit that changed the served ``ontology/`` or ``data/`` (see
``server.changes.releases``); the feed is negotiated as JSON, Atom (RFC 4287, paged per RFC 5005)
or HTML, newest first, ``PAGE_SIZE`` releases a page. Each patch is RDF Patch from the release
before, computed on first request and kept (a commit's content never changes).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for
from pyoxigraph import Literal, NamedNode, Triple

from ..addressing import root_url
from .. import caching
from ..changes.releases import History, Release, read_history
from ..changes.render import render
from ..errors import NotFound
from ..graphs import DEFAULT_GRAPHS
from ..linkeddata.publishing import settings
from ..negotiation import HTML, Offer, choose

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SEE_ALSO = NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
PAGE_SIZE = 50
PATCHES_KEPT = 64
RDF_PATCH = "application/rdf-patch"
JSON = Offer("application/json", ("json",), "JSON")
ATOM = Offer("application/atom+xml", ("atom",), "Atom")
#: JSON for clients that name nothing; feed readers get Atom, browsers HTML.
FEED_OFFERS: tuple[Offer, ...] = (JSON, ATOM, HTML)

bp = Blueprint("changes", __name__)
_lock = threading.Lock()


def history(app: Flask | None = None) -> History:
    """The served folders' releases, read from git once per app (the loaded data does not change)."""
    app = app or current_app
    with _lock:
        if "hcn_history" not in app.extensions:
            root: Path = app.extensions["hcn_settings"].root
            app.extensions["hcn_history"] = read_history(root, [root / name for name in DEFAULT_GRAPHS])
    return app.extensions["hcn_history"]


def release_iri(release_id: str) -> str:
    """The stable name of a release (RDF Patch ``H id``, Atom entry id): under the base IRI, not this server."""
    return f"{settings().base_iri}changes/{release_id}"


def patch_text(release: Release) -> str:
    """The release's RDF Patch, computed once and kept for the ``PATCHES_KEPT`` most recent asks."""
    kept: OrderedDict[str, str] = current_app.extensions.setdefault("hcn_patches", OrderedDict())
    with _lock:
        if release.id in kept:
            kept.move_to_end(release.id)
            return kept[release.id]
    headers = {"id": f"<{release_iri(release.id)}>"}
    if release.previous:
        headers["prev"] = f"<{release_iri(release.previous)}>"
    text = render(history().delta(release), "rdf-patch", headers)
    with _lock:
        kept[release.id] = text
        while len(kept) > PATCHES_KEPT:
            kept.popitem(last=False)
    return text


@bp.route("/changes")
@bp.route("/changes.<ext>")
def feed(ext: str | None = None) -> Response:
    """The releases, newest first, one page at a time (``?page=N``), as JSON, Atom or HTML."""
    offer = choose(FEED_OFFERS, request.headers.get("Accept"), request.args.get("format"), ext)
    found = history()
    pages = max(1, -(-len(found.releases) // PAGE_SIZE))
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= pages:
        raise NotFound(f"no page {raw!r} of the change feed; pages 1 to {pages}")
    page = int(raw)
    releases = found.releases[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    root = root_url(request).rstrip("/")
    links = {"self": root + url_for("changes.feed", ext=offer.name, page=page if page > 1 else None),
             "first": root + url_for("changes.feed", ext=offer.name)}
    if page > 1:
        links["previous"] = root + url_for("changes.feed", ext=offer.name, page=page - 1 if page > 2 else None)
    if page < pages:
        links["next"] = root + url_for("changes.feed", ext=offer.name, page=page + 1)
        links["last"] = root + url_for("changes.feed", ext=offer.name, page=pages)
    items = [{"id": r.id, "iri": release_iri(r.id), "date": r.date.isoformat(), "title": r.subject, "previous": r.previous,
              "patch": root + url_for("changes.patch", release_id=r.id)} for r in releases]
    context = {"feed_iri": settings().base_iri + "changes", "history": found, "note": note(found), "releases": items, "links": links, "page": page,
               "pages": pages, "alternates": {o.name: root + url_for("changes.feed", ext=o.name) for o in FEED_OFFERS}}
    if offer is ATOM:
        body = render_template("changes.xml", **context, updated=(found.releases[0].date.isoformat()
                               if found.releases else "1970-01-01T00:00:00+00:00"))
    elif offer is JSON:
        body = json.dumps({"tracked": found.tracked, "uncommitted": found.uncommitted, "note": context["note"],
                           "total": len(found.releases), "page": page, "pages": pages, "links": links,
                           "releases": items}, indent=2, ensure_ascii=False) + "\n"
    else:
        body = render_template("changes.html", **context)
    response = Response(body, content_type=offer.content_type)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if rel != "self")
    return caching.conditional(response, "changes", offer.name, str(page), *head())


def head() -> tuple[str, ...]:
    """What the feed's state adds to the data's own identity: the newest release and whether the
    served files are newer (for ETags of responses that name the current release)."""
    found = history()
    return (found.releases[0].id if found.releases else "", str(found.uncommitted))


def version_triples(dataset: str) -> list[Triple]:
    """DCAT versioning for the dataset description: the newest release as ``dcat:hasVersion`` (and
    ``dcat:hasCurrentVersion`` when the served data is that release, nothing uncommitted), with its
    date, subject line, RDF Patch (``rdfs:seeAlso``) and ``dcat:previousVersion``; none without releases."""
    found = history()
    if not found.releases:
        return []
    newest = found.releases[0]
    ds, release = NamedNode(dataset), NamedNode(release_iri(newest.id))
    out = [Triple(ds, NamedNode(DCAT + "hasVersion"), release)]
    if not found.uncommitted:
        out.append(Triple(ds, NamedNode(DCAT + "hasCurrentVersion"), release))
    out += [
        Triple(release, RDF_TYPE, NamedNode(DCAT + "Dataset")),
        Triple(release, NamedNode(DCAT + "isVersionOf"), ds),
        Triple(release, NamedNode(DCAT + "version"), Literal(newest.id)),
        Triple(release, NamedNode(DCT + "issued"), Literal(newest.date.isoformat(), datatype=XSD_DATETIME)),
        Triple(release, NamedNode(DCT + "title"), Literal(newest.subject)),
        Triple(release, RDFS_SEE_ALSO, NamedNode(root_url(request).rstrip("/") + url_for("changes.patch", release_id=newest.id))),
    ]
    if newest.previous:
        out.append(Triple(release, NamedNode(DCAT + "previousVersion"), NamedNode(release_iri(newest.previous))))
    return out


@bp.route("/changes/<release_id>")
def release(release_id: str) -> Response:
    """A release's IRI (``release_iri``) dereferenced: 303 to its RDF Patch, the one document about it."""
    if history().find(release_id) is None:
        raise NotFound(f"no release {release_id!r}; the releases are listed at /changes")
    return redirect(url_for("changes.patch", release_id=release_id), 303)  # type: ignore[return-value]


@bp.route("/changes/<release_id>.rdfp")
def patch(release_id: str) -> Response:
    """One release's RDF Patch; a commit's content never changes, so neither do these bytes."""
    release = history().find(release_id)
    if release is None:
        raise NotFound(f"no release {release_id!r}; the releases are listed at /changes")
    response = Response(patch_text(release), content_type=f"{RDF_PATCH}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{release_id}.rdfp"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.set_etag(release.id)
    response.last_modified = release.date
    return response.make_conditional(request)


def note(found: History) -> str:
    """What a harvester should know about this feed besides the releases (empty when nothing)."""
    if not found.tracked:
        return ("The served data is not in a git repository: there is no release history, only the current "
                "data (see the dumps).")
    if not found.releases:
        return "The served folders have no commit yet: there is no release history, only the current data."
    if found.uncommitted:
        return ("The served data has uncommitted changes: it is newer than the newest release listed here "
                "(see the dumps).")
    return ""

