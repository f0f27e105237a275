"""The on-disk store cache (``HCN_STORE_PATH``): built once per data version, reopened read-only after."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.app import create_app
from server.store import ondisk

REPO = Path(__file__).resolve().parent.parent
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the shipped graph that the test may edit."""
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(REPO / folder, tmp_path / "src" / folder)
    return tmp_path / "src"


def count(app: object) -> str:
    response = app.test_client().get("/sparql", query_string={"query": COUNT, "format": "csv"})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.data
    return response.get_data(as_text=True).split()[1]


def test_cache_is_built_reused_and_rebuilt_when_sources_change(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "store"
    memory = create_app({"TESTING": True, "root": root, "pool_size": 0})
    first = create_app({"TESTING": True, "root": root, "store_path": str(cache), "pool_size": 1})
    assert ondisk.cached_version(cache) == first.extensions["hcn_version"].digest
    assert count(first) == count(memory)  # answered by a forked query worker over the on-disk store
    assert first.test_client().get("/health").get_json()["backend"]["storage"] == "disk"
    first.extensions["hcn_store"]._pool.close()

    def no_rebuild(*args: object) -> None:
        raise AssertionError("the cache should have been reused")

    with monkeypatch.context() as patch:
        patch.setattr(ondisk, "_build_in_subprocess", no_rebuild)
        again = create_app({"TESTING": True, "root": root, "store_path": str(cache), "pool_size": 0})
        assert len(again.extensions["hcn_store"]) == len(memory.extensions["hcn_store"])

    with (root / "data" / "extra.ttl").open("w") as extra:
        extra.write("<https://w3id.org/healthy-cities/id/x/y> a <http://example.org/T> .\n")
    changed = create_app({"TESTING": True, "root": root, "store_path": str(cache), "pool_size": 0})
    digest = changed.extensions["hcn_version"].digest
    assert ondisk.cached_version(cache) == digest != first.extensions["hcn_version"].digest
    assert int(count(changed)) == int(count(memory)) + 1


def test_a_syntax_error_leaves_no_half_built_cache(root: Path, tmp_path: Path) -> None:
    from server.errors import DataError

    (root / "data" / "broken.ttl").write_text("<a> <b> .\n")
    with pytest.raises(DataError, match="broken.ttl"):
        create_app({"TESTING": True, "root": root, "store_path": str(tmp_path / "store"), "pool_size": 0})
    assert ondisk.cached_version(tmp_path / "store") is None


def test_gunicorn_workers_open_the_disk_store_themselves_and_exit_cleanly(tmp_path: Path) -> None:
    """Regression: a RocksDB handle carried across gunicorn's fork hung queries and aborted worker exits."""
    import os
    import signal
    import subprocess
    import sys
    import urllib.parse
    import urllib.request

    from oxigraph_support import free_port, wait_for

    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("hcn")), "serve", "--production", "--port", str(port),
         "--workers", "2", "--store-path", str(tmp_path / "store")],
        env={k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health/ready", timeout_s=20)
        for _ in range(6):  # reaches both workers, in-process (documents) and through the pool (/sparql)
            url = f"http://127.0.0.1:{port}/doc/organisation/ostfold-fylkeskommune.ttl"
            assert urllib.request.urlopen(url, timeout=5).status == 200
            query = urllib.parse.urlencode({"query": COUNT, "format": "csv"})
            assert urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?{query}", timeout=5).status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "SIGABRT" not in errors and "SIGSEGV" not in errors and "terminate called" not in errors, errors


def test_loading_in_chunks_gives_the_same_dump_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are parsed and inserted a chunk at a time: blank-node labels (by file and order of
    appearance) and the written literals come out as from one pass, so dumps keep their bytes."""
    from server.store import embedded

    def dump(chunk: int) -> bytes:
        monkeypatch.setattr(embedded, "LOAD_CHUNK", chunk)
        app = create_app({"TESTING": True, "pool_size": 0})
        response = app.test_client().get("/dumps/healthy-cities.ttl")
        assert response.status_code == 200, response.data
        return response.get_data()

    whole = dump(10**9)
    assert b"_:" in whole  # the shipped graph has blank nodes to label
    assert dump(7) == whole
