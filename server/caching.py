"""The caching policy: the data release, Cache-Control per kind of response, validators and 304s.

The policy (``docs/caching.md``) is plain functions of a response kind and the release, so every
way of answering (a Flask view, a direct ASGI route) builds the same headers: :func:`headers` gives
``Cache-Control`` plus, for bytes fixed by the release, a strong ``ETag`` and ``Last-Modified``;
:func:`not_modified` evaluates ``If-None-Match`` / ``If-Modified-Since`` as RFC 9110 section 13.2.2
says. :func:`conditional` and :func:`install` are the Flask glue (the latter sets the policy on any
response a view left without one and drops the ``Date`` header werkzeug adds, because every HTTP
server in front of the app sends its own: one ``Date`` per response).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from enum import Enum
from pathlib import Path
from typing import Any

from flask import Flask, Request, Response, current_app, request
from werkzeug.exceptions import NotFound
from werkzeug.http import http_date, parse_date, parse_etags, quote_etag, unquote_etag
from werkzeug.security import safe_join

from .errors import HcnError
from .httpheaders import set_all

log = logging.getLogger(__name__)

#: Seconds a cache may reuse bytes fixed by the release without asking again.
RELEASE_MAX_AGE = 3600
#: Seconds for responses about the running server or a missing resource.
SHORT_MAX_AGE = 60


class Kind(Enum):
    """What a response is, for its caching policy: ``value`` is its Cache-Control, ``fixed`` says
    whether the release determines its bytes (then it gets an ETag and Last-Modified)."""

    REDIRECT = ("public, max-age=%d" % RELEASE_MAX_AGE, False)  # 303 /id -> /doc (RFC 9110 15.4.4)
    DOCUMENT = ("public, max-age=%d" % RELEASE_MAX_AGE, True)  # /doc, listings, ontology, shapes, landing page
    DESCRIPTION = ("public, max-age=%d" % RELEASE_MAX_AGE, True)  # VoID, sitemap, service description, API docs
    DUMP = ("public, max-age=%d" % RELEASE_MAX_AGE, True)  # /dumps/*
    CONTEXT = ("public, max-age=%d" % RELEASE_MAX_AGE, True)  # the versioned JSON-LD context
    QUERY = ("public, max-age=%d" % RELEASE_MAX_AGE, True)  # GET /sparql and /api answers
    VOLATILE = ("no-store", False)  # answers using NOW(), RAND() ..., POST answers
    STATIC = ("public, max-age=86400", False)  # /static/*: part of the code, ETag from the file's bytes
    ERROR = ("no-store", False)  # 4xx / 5xx, except:
    MISSING = ("public, max-age=%d" % SHORT_MAX_AGE, False)  # 404, 410
    LIVE = ("no-store", False)  # /health, /metrics: the server's state now

    @property
    def cache_control(self) -> str:
        return self.value[0]

    @property
    def fixed(self) -> bool:
        return self.value[1]


@dataclass(frozen=True)
class DataVersion:
    """The data release served: content hash of the sources, and the version and date the data declares.

    ``digest`` is computed from file contents (names relative to the root, line endings normalised),
    ``modified`` and ``label`` from the loaded data (:func:`declared_release`): neither depends on
    file modification times, so every copy of the same data gives the same validators.
    """

    digest: str
    modified: datetime | None = None
    label: str | None = None

    @classmethod
    def from_files(cls, paths: Iterable[Path], root: Path | None = None) -> DataVersion:
        """sha256 over (relative name, bytes with LF line endings) of every file; no date yet."""
        sha = hashlib.sha256()
        for path in sorted(paths, key=lambda p: str(p.relative_to(root)) if root else p.name):
            name = (path.relative_to(root).as_posix()) if root else path.name
            data = path.read_bytes().replace(b"\r\n", b"\n")
            sha.update(f"{name}\0{len(data)}\0".encode())
            sha.update(data)
        return cls(sha.hexdigest())

    @functools.cached_property
    def last_modified(self) -> str | None:
        """``modified`` as an HTTP date (for Last-Modified), formatted once."""
        return None if self.modified is None else http_date(self.modified)

    def declared(self, label: str | None, modified: date | None) -> DataVersion:
        """This version with the release label and date declared in the data (midnight UTC)."""
        when = None if modified is None else datetime.combine(modified, time(), tzinfo=timezone.utc)
        return DataVersion(self.digest, when, label)

    def etag(self, *variant: str) -> str:
        """A strong ETag for one representation: data hash, software hash (the code and templates
        shape the bytes too) + what distinguishes the representation.

        >>> v = DataVersion("ab" * 32)
        >>> v.etag("ttl") != v.etag("html", "en")
        True
        """
        sha = hashlib.sha256(f"{self.digest}\0{software_digest()}".encode())
        for part in variant:
            sha.update(b"\0" + part.encode())
        return sha.hexdigest()[:32]


@functools.cache
def software_digest() -> str:
    """sha256 over this package's own files (code, templates, the shipped contract), read once: a new
    version that writes a representation differently gives it a new ETag, as RFC 9110 8.8.3 asks."""
    package = Path(__file__).parent
    sha = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        sha.update(f"{path.relative_to(package).as_posix()}\0".encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


#: The release the loaded data declares: the latest dcterms:modified of a dataset or ontology record,
#: and the version of the newest dataset record (docs/caching.md). Written without VALUES and without a
#: FILTER inside OPTIONAL: Virtuoso 7 answered that form without the version.
RELEASE_QUERY = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?modified ?version WHERE {
  {
    { ?record a dcat:Dataset } UNION { ?record a void:Dataset }
    ?record dcterms:modified ?modified .
    OPTIONAL { ?record dcat:version|owl:versionInfo ?version }
  }
  UNION { ?record a owl:Ontology ; dcterms:modified ?modified }
}"""


def declared_release(rows: Iterable[Mapping[str, Any]]) -> tuple[str | None, date | None]:
    """(version, date) from the rows of :data:`RELEASE_QUERY`: the latest date, and the version of
    the latest dated dataset record; (None, None) when the data declares no date."""
    latest: date | None = None
    version: tuple[date, str] | None = None
    for row in rows:
        try:  # a remote store may answer rows that miss a variable or bind it to something odd: skipped
            when = date.fromisoformat(row["modified"].value[:10])
            label = row["version"]
        except (KeyError, IndexError, AttributeError, TypeError, ValueError):
            continue
        latest = max(latest or when, when)
        if label is not None and (version is None or when >= version[0]):
            version = (when, label.value)
    return (version[1] if version else None), latest


def release_of(store: Any) -> tuple[str | None, date | None]:
    """The release ``store`` declares (:func:`declared_release`); (None, None) when the store cannot
    answer at start-up: the app then serves without Last-Modified until restarted."""
    try:
        return declared_release(store.query(RELEASE_QUERY))
    except HcnError as exc:
        log.warning("release not read at start-up (%s); serving without a declared release", exc)
        return None, None


def headers(kind: Kind, version: DataVersion | None = None, *variant: str) -> dict[str, str]:
    """Cache-Control for ``kind``; with a ``version`` and a kind the release fixes, ETag and Last-Modified.

    >>> headers(Kind.ERROR)
    {'Cache-Control': 'no-store'}
    >>> sorted(headers(Kind.DUMP, DataVersion("00" * 32, datetime(2026, 1, 2, tzinfo=timezone.utc)), "x"))
    ['Cache-Control', 'ETag', 'Last-Modified']
    """
    out = {"Cache-Control": kind.cache_control}
    if version is not None and kind.fixed:
        out["ETag"] = quote_etag(version.etag(*variant))
        if version.last_modified is not None:
            out["Last-Modified"] = version.last_modified
    return out


def not_modified(method: str, request_headers: Mapping[str, str], response_headers: Mapping[str, str]) -> bool:
    """Whether a GET/HEAD answers 304 (RFC 9110 13.1.2, 13.1.3, 13.2.2): If-None-Match when present
    (weak comparison), else If-Modified-Since against Last-Modified."""
    if method not in ("GET", "HEAD"):
        return False
    etag = response_headers.get("ETag")
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        if etag is None:
            return False
        tags = parse_etags(if_none_match)
        return tags.star_tag or tags.contains_weak(unquote_etag(etag)[0] or "")
    since = parse_date(request_headers.get("If-Modified-Since"))
    if since is None:
        return False
    last = parse_date(response_headers.get("Last-Modified"))
    return last is not None and last <= since


def version_of(app: Flask | None = None) -> DataVersion:
    """The data version registered on ``app`` (default: the current app)."""
    return (app or current_app).extensions["hcn_version"]


def conditional(response: Response, *variant: str, kind: Kind = Kind.DOCUMENT, req: Request | None = None,
                version: DataVersion | None = None) -> Response:
    """Set the policy's headers for ``kind`` and the release (default: the current app's), and make the
    response a 304 if the client has it (``req``: default the current request)."""
    req = req or request
    set_all(response.headers, headers(kind, version or version_of(), *variant).items())
    if response.status_code == 200 and not_modified(req.method, req.headers, response.headers):
        response.status_code = 304  # werkzeug drops the content headers on output
        response.response = []
    return response


def kind_of(response: Response, endpoint: str | None) -> Kind:
    """The policy for a response its view left without Cache-Control: by status, then by route."""
    if response.status_code in (404, 410):
        return Kind.MISSING
    if response.status_code >= 400:
        return Kind.ERROR
    if response.status_code in (301, 302, 303, 307, 308):
        return Kind.REDIRECT
    if endpoint == "static":
        return Kind.STATIC
    if endpoint and endpoint.startswith(("health.", "metrics.")):
        return Kind.LIVE
    return Kind.VOLATILE


@functools.lru_cache(maxsize=64)
def _static(folder: str, filename: str) -> tuple[bytes, str]:
    """A static file's bytes and content hash (the folder ships with the code: read once)."""
    path = safe_join(folder, filename)
    if path is None or not Path(path).is_file():
        raise NotFound()
    data = Path(path).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:32]


def install(app: Flask) -> None:
    """Register the fallback policy, the single-Date rule and static files validated by their content."""

    def static(filename: str) -> Response:
        data, digest = _static(str(app.static_folder), filename)
        response = Response(data, mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream")
        response.headers.update({"Cache-Control": Kind.STATIC.cache_control, "ETag": quote_etag(digest)})
        if not_modified(request.method, request.headers, response.headers):
            response.status_code, response.response = 304, []
        return response

    app.view_functions["static"] = static

    @app.after_request
    def policy(response: Response) -> Response:
        return finish(response, request.endpoint)


def finish(response: Response, endpoint: str | None) -> Response:
    """The policy for what the view left open (Flask's hook, and the production front's direct
    routes): Cache-Control by :func:`kind_of`, no validators on errors, no ``Date`` of our own."""
    response.headers.pop("Date", None)  # werkzeug's make_conditional adds one; the HTTP server adds its own
    if "Cache-Control" not in response.headers or response.status_code >= 400:
        response.headers["Cache-Control"] = kind_of(response, endpoint).cache_control
        if response.status_code >= 400:
            for name in ("ETag", "Last-Modified"):
                response.headers.pop(name, None)
    return response
