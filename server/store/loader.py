"""Push ontology, data and shapes (and a harvest's source and report graphs) into a remote store's
named graphs (Graph Store Protocol).

How a release replaces the previous one:

1. Every source file is parsed here, with the same parser and base IRI as the embedded store, so a
   syntax error stops the load before the server is touched, and relative IRIs resolve the same.
   A root written by ``hcn harvest`` adds each ``harvest/*.nq`` file as the graph it is served as
   (``graphs.harvested_graphs``), in the same swap.
2. With an update endpoint (atomic): each folder is ``PUT`` as N-Triples into a fresh staging graph
   ``<base>graph/staging/<token>/<folder>``, then ONE SPARQL Update request moves all three into
   place (``MOVE GRAPH staging TO GRAPH target``; ``DROP SILENT`` for an empty folder). Oxigraph runs
   an update request in one transaction, so queries see the old release or the new one, never a mix.
   If the update fails, the staging graphs are dropped and the old release stays.
3. Without one: each graph is replaced by a ``PUT`` of its own (atomic per graph only).
"""

from __future__ import annotations

import base64
import http.client
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pyoxigraph import RdfFormat, parse, serialize

from ..config import Settings
from ..errors import DataError, HcnError
from ..graphs import harvested_graphs, sources
from .transport import transport_error

N_TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Target:
    """Where a release goes: the Graph Store Protocol URL, the optional update URL, credentials
    (``auth`` is ``basic``, sent with every request, or ``digest``, answered to the server's challenge)."""

    store_url: str
    update_url: str = ""
    user: str = ""
    password: str = ""
    auth: str = "basic"
    timeout_s: float = 300.0

    def headers(self, content_type: str) -> dict[str, str]:
        """Request headers, with HTTP Basic credentials when a user is set and the scheme is basic."""
        headers = {"Content-Type": content_type, "User-Agent": "hcn-load"}
        if self.user and self.auth.lower() == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return headers

    def opener(self) -> urllib.request.OpenerDirector:
        """urllib's opener, answering digest challenges when the scheme is digest (Virtuoso's ``-auth`` URLs)."""
        if not self.user or self.auth.lower() != "digest":
            return urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, [self.store_url, self.update_url or self.store_url], self.user, self.password)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))


def read_graph(paths: list[Path]) -> tuple[bytes, int]:
    """N-Triples of every file (parsed with its file IRI as base) and the triple count."""
    triples: list[Any] = []
    for path in paths:
        try:
            triples.extend(parse(path=path, format=RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                                 rename_blank_nodes=True))  # as the embedded store does: no clash across files
        except SyntaxError as exc:
            raise DataError(f"{path}: {exc}") from None
        except OSError as exc:
            raise DataError(f"{path}: {exc.strerror or exc}") from None
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b"", len(triples)


def read_quads(path: Path) -> tuple[bytes, int]:
    """N-Triples of the quads of one harvested N-Quads file (its one graph) and the triple count."""
    try:
        triples = [q.triple for q in parse(path=path, format=RdfFormat.N_QUADS)]
    except SyntaxError as exc:
        raise DataError(f"{path}: {exc}") from None
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b"", len(triples)


def _send(target: Target, url: str, method: str, body: bytes, content_type: str) -> None:
    request = urllib.request.Request(url, data=body, method=method, headers=target.headers(content_type))
    try:
        with target.opener().open(request, timeout=target.timeout_s) as response:
            response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise transport_error(exc, url) from None


def put_graph(target: Target, graph_iri: str, body: bytes) -> None:
    """Replace one graph on the server (``PUT store?graph=IRI``, N-Triples)."""
    separator = "&" if "?" in target.store_url else "?"
    _send(target, f"{target.store_url}{separator}graph={quote(graph_iri, safe='')}", "PUT", body, N_TRIPLES)


def update(target: Target, text: str) -> None:
    """One SPARQL Update request (``application/sparql-update``)."""
    _send(target, target.update_url, "POST", text.encode("utf-8"), "application/sparql-update")


def load_release(settings: Settings, root: Path, target: Target | None = None) -> list[tuple[str, int]]:
    """Replace the ontology, data and shapes graphs from ``root`` (and the harvest's graphs, if it has
    one); returns (graph IRI, triples) per graph."""
    target = target or Target(settings.sparql_store_endpoint, settings.sparql_update_endpoint,
                              settings.sparql_user, settings.sparql_password, settings.sparql_auth)
    if not target.store_url:
        raise DataError("no Graph Store Protocol endpoint: pass --endpoint or set HCN_SPARQL_STORE_ENDPOINT")
    graphs = {name: read_graph(paths) for name, paths in sources(root).items()}
    graphs.update({name: read_quads(path) for name, path in harvested_graphs(root).items()})
    if not target.update_url:
        for name, (body, _) in graphs.items():
            put_graph(target, settings.graph_iri(name), body)
        return [(settings.graph_iri(name), count) for name, (_, count) in graphs.items()]
    staging = f"{settings.base_iri}graph/staging/{uuid.uuid4().hex[:12]}/"
    swap = []
    try:
        for name, (body, count) in graphs.items():
            if count:
                put_graph(target, staging + name, body)
                swap.append(f"MOVE GRAPH <{staging + name}> TO GRAPH <{settings.graph_iri(name)}>")
            else:
                swap.append(f"DROP SILENT GRAPH <{settings.graph_iri(name)}>")
        update(target, " ;\n".join(swap))
    except HcnError:
        _drop_quietly(target, [staging + name for name in graphs])
        raise
    return [(settings.graph_iri(name), count) for name, (_, count) in graphs.items()]


def _drop_quietly(target: Target, graph_iris: list[str]) -> None:
    """Best-effort clean-up of staging graphs after a failed load (the original error is what counts)."""
    try:
        update(target, " ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in graph_iris))
    except HcnError:
        pass
