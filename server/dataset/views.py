"""Dataset publication: dumps (shared by ``hcn dump`` and ``/dumps/``), VoID + DCAT, sitemap."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from pyoxigraph import Triple

from ..addressing import root_url
from .. import caching, formats
from ..display import prefix_table
from ..errors import BackendError, NotFound
from ..linkeddata import jsonld
from ..linkeddata.publishing import Negotiated, check_local, prefixes, respond, settings, store
from ..linkeddata.publishing import context as page_context
from ..negotiation import DOCUMENT_OFFERS, by_name
from ..store import Store
from . import void_page
from .changes import head, version_triples
from .description import Dump, Links, describe_dataset
from .harvest_report import subsets

#: sitemaps.org: at most 50,000 URLs per sitemap file; beyond that /sitemap.xml is a sitemap index.
MAX_SITEMAP_URLS = 50_000
ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
TITLE = "Healthy Cities knowledge graph"

#: Dump file name -> format name; ``.gz`` names are gzip-compressed.
DUMPS: dict[str, str] = {
    "healthy-cities.ttl": "ttl",
    "healthy-cities.nt.gz": "nt",
    "healthy-cities.jsonld": "jsonld",
}

bp = Blueprint("dataset", __name__)
_lock = threading.Lock()


def build_dumps(store: Store, base_iri: str) -> list[Dump]:
    """Serialize the SPARQL default graph (ontology + data, literals as the sources wrote them) once per
    dump; Turtle with the prefixes it uses, JSON-LD compacted with the published context (inline);
    gzip with a fixed mtime."""
    try:
        triples = sorted(store.rewrites().restore(store.query(ALL_TRIPLES)), key=str)  # type: ignore[arg-type]
    except OSError as exc:
        raise BackendError(f"query failed: {exc}") from None
    table = prefix_table(base_iri)
    out = []
    for file_name, format_name in DUMPS.items():
        fmt = formats.by_name("graph", format_name)
        data = jsonld.rdf_bytes(triples, format_name, table, None)  # the context inline: a dump stands alone
        if file_name.endswith(".gz"):
            out.append(Dump(file_name, gzip.compress(data, mtime=0), fmt.media_type, "application/gzip"))
        else:
            out.append(Dump(file_name, data, fmt.media_type))
    return out


def write_dumps(store: Store, out_dir: Path, base_iri: str) -> list[Path]:
    """Write every dump into ``out_dir`` (the same bytes ``/dumps/`` serves for the same store)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for dump in build_dumps(store, base_iri):
        path = out_dir / dump.name
        path.write_bytes(dump.data)
        written.append(path)
    return written


def dumps(app: Flask | None = None) -> dict[str, Dump]:
    """The app's dumps, built lazily on first use and kept in memory (the store is read-only)."""
    app = app or current_app
    with _lock:
        if "hcn_dumps" not in app.extensions:
            dumps = build_dumps(app.extensions["hcn_store"], app.extensions["hcn_settings"].base_iri)
            app.extensions["hcn_dumps"] = {d.name: d for d in dumps}
    return app.extensions["hcn_dumps"]


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    """One dump file from memory; only names in ``DUMPS`` exist (no file system access)."""
    found = dumps().get(name)
    if found is None:
        raise NotFound(f"no dump {name!r}; available: " + ", ".join(DUMPS))
    content_type = found.compress_format or f"{found.media_type}; charset=utf-8"
    response = Response(found.data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.name}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return caching.conditional(response, name, kind=caching.Kind.DUMP)


def links() -> Links:
    """Dataset IRI under the base, and absolute URLs of this server for endpoint and dumps."""
    root = root_url(request).rstrip("/")
    return Links(
        dataset=settings().base_iri + ".well-known/void#dataset",
        base_iri=settings().base_iri,
        sparql=root + url_for("sparql.sparql"),
        dumps={name: root + url_for("dataset.dump", name=name) for name in DUMPS},
        homepage=root + url_for("home.index"),
        changes=root + url_for("changes.feed"),
    )


@bp.route("/.well-known/void")
@bp.route("/.well-known/void.<ext>")
def void(ext: str | None = None) -> Response:
    """VoID + DCAT description of the dataset, negotiated between the RDF formats and an HTML page for browsers."""
    suffix = None if ext is None else by_name(DOCUMENT_OFFERS, ext, NotFound).name

    def triples() -> list[Triple]:
        described = links()
        return (describe_dataset(store(), described, list(dumps().values()), caching.version_of(), TITLE)
                + version_triples(described.dataset) + subsets(described.dataset))

    generic = url_for("dataset.void")
    def html(graph: list[Triple], common: dict[str, Any]) -> str:
        return render_template("void.html", view=void_page.build(links().dataset, graph, page_context()), **common)

    response = respond(Negotiated(generic, generic, DOCUMENT_OFFERS), suffix, triples, html, variant=head())
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Content-Location, Last-Modified, Vary"
    return response


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    """Every document: landing page, ontology, shapes, each listing and each resource document."""
    root = root_url(request).rstrip("/")
    prefix = settings().base_iri + "id/"
    query = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?s"
    rests = []
    for row in store().query(query):
        iri = row["s"].value  # type: ignore[index]
        if iri.startswith(prefix):
            try:
                rests.append(check_local(iri[len(prefix):]))
            except NotFound:
                continue
    kinds = sorted({rest.split("/", 1)[0] for rest in rests if "/" in rest})
    urls = [root + url_for("home.index"), root + url_for("resources.ontology"), root + url_for("resources.shapes")]
    urls += [root + url_for("resources.listing", kind=k) for k in kinds]
    urls += [root + url_for("resources.document", rest=r) for r in rests]
    release = caching.version_of().modified
    modified = release.date().isoformat() if release else None
    chunks = [urls[i:i + MAX_SITEMAP_URLS] for i in range(0, len(urls), MAX_SITEMAP_URLS)]
    raw = request.args.get("page")
    if raw is None and len(chunks) == 1:
        body = render_template("sitemap.xml", urls=urls, modified=modified)
    elif raw is None:  # too many URLs for one file: a sitemap index of the pages
        pages = [root + url_for("dataset.sitemap", page=n) for n in range(1, len(chunks) + 1)]
        body = render_template("sitemap.xml", sitemaps=pages, modified=modified)
    elif raw.isdigit() and 1 <= int(raw) <= len(chunks):
        body = render_template("sitemap.xml", urls=chunks[int(raw) - 1], modified=modified)
    else:
        raise NotFound(f"no sitemap page {raw!r}; pages 1 to {len(chunks)}")
    response = Response(body, content_type="application/xml; charset=utf-8")
    return caching.conditional(response, "sitemap", raw or "", str(MAX_SITEMAP_URLS), root, kind=caching.Kind.DESCRIPTION)


@bp.route("/context/v1.jsonld")
def context() -> Response:
    """The published JSON-LD context every compacted document and dump refers to (versioned path)."""
    body = json.dumps(jsonld.context_document(prefixes()), indent=1) + "\n"
    response = Response(body, content_type="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return caching.conditional(response, "context", root_url(request), kind=caching.Kind.CONTEXT)


@bp.route("/robots.txt")
def robots() -> Response:
    """Every crawler welcome; the sitemap named (sitemaps.org, RFC 9309)."""
    body = f"User-agent: *\nAllow: /\nSitemap: {url_for('dataset.sitemap', _external=True)}\n"
    response = Response(body, content_type="text/plain; charset=utf-8")
    return caching.conditional(response, "robots", root_url(request), kind=caching.Kind.DESCRIPTION)
