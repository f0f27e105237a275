"""The remote-mode suite: the embedded HTTP tests and the comparisons, for any real SPARQL server.

A test module for one engine (``tests/test_remote.py`` for Oxigraph, ``tests/test_remote_virtuoso.py``
for Virtuoso) defines a module fixture ``remote``: a started server with the shipped graph loaded by
``hcn load``, with ``query_url``, ``store_url``, ``update_url`` and ``environment`` (the ``HCN_*``
credentials ``hcn load`` needs, if any). It then takes everything here with
``globals().update(remote_suite.suite())``: the ``app``, ``client`` and ``live_server`` fixtures in
remote mode, the HTTP tests of the embedded suite (every test in the modules below that talks to the
server) under a ``test_<module>__`` prefix, and the tests comparing remote and embedded answers.
"""

from __future__ import annotations

import gzip
import inspect
import os
import re
import types
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from unittest import mock

import pytest
import test_api
import test_checklist
import test_dataset
import test_resources
import test_server
import test_sparql_protocol
from flask import Flask
from flask.testing import FlaskClient
from http_support import served
from rdflib import Graph
from rdflib.compare import isomorphic

from server import cli
from server.app import create_app

REPO = Path(__file__).resolve().parent.parent
SERVER_FIXTURES = {"app", "client", "live_server", "endpoint"}
#: Tests about the embedded store itself (its pool, its own apps), not about HTTP behaviour, and the
#: every-subject sweep (20 s over HTTP; ``test_sampled_documents_are_the_same_graphs`` samples it).
EMBEDDED_ONLY = {"test_row_cap_truncates_and_says_so", "test_runaway_query_stops_at_deadline_while_others_are_answered",
                 "test_paging_with_small_pages", "test_every_subject_dereferences_in_every_format"}


def shared_tests(module: types.ModuleType) -> dict[str, object]:
    """The module's tests that use the server fixtures, renamed ``test_<module>__<test>``."""
    short = module.__name__.removeprefix("test_")
    found = {}
    for name, obj in vars(module).items():
        if name.startswith("test_") and inspect.isfunction(obj) and name not in EMBEDDED_ONLY:
            if SERVER_FIXTURES & set(inspect.signature(obj).parameters):
                found[f"test_{short}__{name.removeprefix('test_')}"] = obj
    return found


class RemoteServer(Protocol):
    """What the suite needs of a started SPARQL server."""

    @property
    def query_url(self) -> str: ...
    @property
    def store_url(self) -> str: ...
    @property
    def update_url(self) -> str: ...
    @property
    def environment(self) -> dict[str, str]: ...


def hcn_load(server: RemoteServer, root: Path | None = None, *, atomic: bool = True) -> int:
    """``hcn load`` of ``root`` (the shipped graph by default) into ``server``, with its credentials."""
    args = (["--root", str(root)] if root else []) + ["load", "--endpoint", server.store_url]
    with mock.patch.dict(os.environ, server.environment):
        return cli.main(args + (["--update-endpoint", server.update_url] if atomic else []))


@pytest.fixture(scope="module")
def app(remote: RemoteServer) -> Flask:
    """The publisher in remote mode."""
    return create_app({"TESTING": True, "sparql_endpoint": remote.query_url})


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def live_server(app: Flask) -> Iterator[str]:
    with served(app) as url:
        yield url


@pytest.fixture(scope="module")
def embedded() -> FlaskClient:
    """The embedded publisher, to compare answers with."""
    return create_app({"TESTING": True, "pool_size": 0}).test_client()


def test_remote_backend_is_what_health_reports(client: FlaskClient, remote: RemoteServer) -> None:
    body = client.get("/health").get_json()
    assert body["ready"] and body["backend"]["kind"] == "remote"
    assert body["backend"]["endpoint"] == remote.query_url


def test_same_graph_sizes_and_statistics_as_embedded(app: Flask, client: FlaskClient, embedded: FlaskClient) -> None:
    local = embedded.application.extensions["hcn_store"]
    assert app.extensions["hcn_store"].graph_sizes() == local.graph_sizes()
    assert len(app.extensions["hcn_store"]) == len(local)
    assert client.get("/").data == embedded.get("/").data


@pytest.mark.parametrize("path", ["/doc/organisation/ostfold-fylkeskommune.ttl", "/ontology.ttl",
                                  "/dumps/healthy-cities.nt.gz", "/dumps/healthy-cities.ttl"])
def test_documents_and_dumps_are_the_same_graphs(client: FlaskClient, embedded: FlaskClient, path: str) -> None:
    ours, theirs = client.get(path), embedded.get(path)
    assert ours.status_code == theirs.status_code == 200
    assert ours.content_type == theirs.content_type
    data = [gzip.decompress(r.data) if path.endswith(".gz") else r.data for r in (ours, theirs)]
    fmt = "nt" if ".nt" in path else "turtle"
    assert isomorphic(Graph().parse(data=data[0], format=fmt), Graph().parse(data=data[1], format=fmt))


def html_parts(html: bytes) -> Counter[bytes]:
    """Tags and text pieces of a page, in any order (the JSON-LD script left out)."""
    html = re.sub(rb'<script type="application/ld\+json".*?</script>', b"", html, flags=re.S)
    return Counter(part.strip(b" ,") for part in re.findall(rb"<[^>]+>|[^<]+", html))


def test_sampled_documents_are_the_same_graphs(app: Flask, client: FlaskClient, embedded: FlaskClient) -> None:
    paths = sorted({test_resources.local_path(iri) for iri in test_resources.subjects(app)})
    assert len(paths) > 100
    for path in paths[::15]:
        for media_type, fmt in test_resources.FORMATS.items():
            headers = {"Accept": media_type}
            ours, theirs = client.get(path, headers=headers, follow_redirects=True), embedded.get(
                path, headers=headers, follow_redirects=True)
            assert ours.status_code == theirs.status_code == 200, path
            if fmt is None:  # pages list some values (types, the JSON-LD) in store order: compare the parts
                assert html_parts(ours.data) == html_parts(theirs.data), path
            else:
                graphs = [Graph().parse(data=r.data, format=fmt) for r in (ours, theirs)]
                assert isomorphic(*graphs), (path, media_type)


def test_void_is_the_same_but_for_dump_checksums(client: FlaskClient, embedded: FlaskClient) -> None:
    """Dump bytes follow the store's triple order and blank-node labels; everything else is equal."""
    drop = ("http://spdx.org/rdf/terms#", "http://www.w3.org/ns/dcat#byteSize")

    def graph(c: FlaskClient) -> Graph:
        g = Graph().parse(data=c.get("/.well-known/void", headers={"Accept": "text/turtle"}).data, format="turtle")
        for triple in list(g):
            if any(str(part).startswith(drop) for part in triple):
                g.remove(triple)
        return g

    assert isomorphic(graph(client), graph(embedded))


#: Sorted in an order SPARQL defines: it leaves language-tagged literals unordered among themselves
#: (Oxigraph sorts them by lexical form, Virtuoso in an order of its own), so sort by their string, then tag.
SORTED_SELECT = test_sparql_protocol.SELECT.replace("ORDER BY ?s ?label", "ORDER BY ?s STR(?label) LANG(?label)")


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sorted_select_answers_are_byte_identical(client: FlaskClient, embedded: FlaskClient, fmt: str) -> None:
    assert SORTED_SELECT != test_sparql_protocol.SELECT
    query = {"query": SORTED_SELECT, "format": fmt}
    assert client.get("/sparql", query_string=query).data == embedded.get("/sparql", query_string=query).data


def test_load_replaces_the_release_atomically_and_leaves_no_staging_graph(
    remote: RemoteServer, client: FlaskClient, tmp_path: Path
) -> None:
    root = tmp_path / "release"
    for folder in ("ontology", "data", "shapes"):
        (root / folder).mkdir(parents=True)
    (root / "data" / "one.ttl").write_text("<https://w3id.org/healthy-cities/id/x/y> a <http://e/T> .\n")
    try:
        assert hcn_load(remote, root) == 0
        sizes = client.application.extensions["hcn_store"].graph_sizes()
        assert sorted(sizes.values()) == [0, 0, 1]
        graphs = client.get("/sparql", query_string={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"},
                            headers={"Accept": "text/csv"})
        assert b"staging" not in graphs.data
    finally:
        assert hcn_load(remote) == 0


def test_load_with_a_syntax_error_leaves_the_store_alone(
    remote: RemoteServer, app: Flask, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = app.extensions["hcn_store"].graph_sizes()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bad.ttl").write_text("<a> <b> .\n")
    code = hcn_load(remote, tmp_path, atomic=False)
    assert code == 2 and "bad.ttl" in capsys.readouterr().err
    assert app.extensions["hcn_store"].graph_sizes() == before


def test_load_without_update_endpoint_replaces_graph_by_graph(
    remote: RemoteServer, app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    before = app.extensions["hcn_store"].graph_sizes()
    assert hcn_load(remote, atomic=False) == 0
    assert "graph by graph" in capsys.readouterr().out
    assert app.extensions["hcn_store"].graph_sizes() == before


def suite() -> dict[str, object]:
    """The fixtures and tests an engine's module takes into its namespace (it adds ``remote``)."""
    found: dict[str, object] = {}
    for module in (test_server, test_sparql_protocol, test_resources, test_dataset, test_api, test_checklist):
        found.update(shared_tests(module))
    # Then the comparisons, in file order: the reloading tests last, as served dumps keep the first
    # load's blank-node labels.
    found.update({name: obj for name, obj in globals().items() if name.startswith("test_") and inspect.isfunction(obj)})
    # The embedded suite's module fixtures, so they resolve against the remote live server.
    found.update(endpoint=test_sparql_protocol.endpoint, expected_rows=test_sparql_protocol.expected_rows,
                 app=app, client=client, live_server=live_server, embedded=embedded)
    return found
