"""The caching policy over real HTTP: every response kind from an ``hcn serve`` process, two servers
over two clones of the same commit made at different times, and an HTTP cache library in front.

The per-kind table is ``test_caching.KINDS`` (checked there through the Flask test client); here the
same expectations hold for what goes over the wire, validators included.
"""

from __future__ import annotations

import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cachecontrol import CacheControl

from history_support import commit, git, scratch_repo
from test_caching import KINDS
from test_harvest import Publisher

ROOT = Path(__file__).resolve().parent.parent
ACCEPT = "text/turtle, application/sparql-results+json;q=0.9, */*;q=0.1"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """Status and headers of a GET (redirects not followed)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": ACCEPT, **(headers or {})}), timeout=60) as r:
            r.read()
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, dict(exc.headers)


@pytest.fixture(scope="module")
def clones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Publisher, Publisher]]:
    """``hcn serve`` over two clones of one commit, the second cloned later and its files touched."""
    tmp = tmp_path_factory.mktemp("clones")
    origin = scratch_repo(tmp / "origin")
    shutil.copytree(ROOT / "queries", origin / "queries")  # the named queries of /api/
    commit(origin, "Named queries")
    first = tmp / "first"
    git(tmp, "clone", "-q", str(origin), str(first))
    time.sleep(1.1)
    second = tmp / "second"
    git(tmp, "clone", "-q", str(origin), str(second))
    for path in second.rglob("*.ttl"):
        os.utime(path, (2_000_000_000, 2_000_000_000))
    servers = (Publisher(first), Publisher(second))
    for server in servers:
        server.start()
    try:
        for server in servers:
            server.ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_every_kind_over_http_and_the_same_validators_from_both_clones(clones: tuple[Publisher, Publisher]) -> None:
    first, second = clones
    host = {"Host": "data.example.org"}  # replicas behind one name: pages naming the server's URL agree too
    for path, (kind, fixed) in KINDS.items():
        status, headers = fetch(first.url + path, host)
        assert headers.get("Cache-Control") == kind.cache_control, (path, status, headers)
        other = fetch(second.url + path, host)[1]
        if fixed:
            assert headers["ETag"] and headers["Last-Modified"], path
            assert (other["ETag"], other["Last-Modified"]) == (headers["ETag"], headers["Last-Modified"]), path
            assert fetch(second.url + path, {**host, "If-None-Match": headers["ETag"]})[0] == 304, path
        else:
            assert "Last-Modified" not in headers or kind.name == "STATIC", path


def test_an_http_cache_keeps_and_revalidates(clones: tuple[Publisher, Publisher]) -> None:
    """CacheControl (the cache of pip and many crawlers) in front of ``requests``: a fresh response is
    served from the cache without a request; ``max-age=0`` revalidates with the ETag and gets 304."""
    server = clones[0]
    session = CacheControl(requests.Session())
    url = server.url + "/doc/organisation/ostfold-fylkeskommune.ttl"

    def requests_seen() -> int:
        return server.log.read_text(encoding="utf-8", errors="replace").count("GET /doc/organisation/ostfold-fylkeskommune.ttl")

    before = requests_seen()
    first = session.get(url, timeout=60)
    assert first.status_code == 200 and not getattr(first, "from_cache", False)
    again = session.get(url, timeout=60)
    assert again.from_cache and again.content == first.content and requests_seen() == before + 1
    revalidated = session.get(url, headers={"Cache-Control": "max-age=0"}, timeout=60)
    assert revalidated.status_code == 200 and revalidated.content == first.content
    log = server.log.read_text(encoding="utf-8", errors="replace").splitlines()
    assert requests_seen() == before + 2 and '" 304 ' in [line for line in log if "ostfold-fylkeskommune.ttl" in line][-1]
    redirect = session.get(server.url + "/id/organisation/ostfold-fylkeskommune", allow_redirects=False, timeout=60)
    assert redirect.status_code == 303 and "max-age" in redirect.headers["Cache-Control"]
    error = session.get(server.url + "/sparql", params={"query": "SELEC"}, timeout=60)
    assert error.status_code == 400 and session.get(error.url, timeout=60).from_cache is False  # no-store
