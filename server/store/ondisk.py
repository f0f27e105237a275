"""On-disk cache of the embedded store: build once per data version, then open read-only in milliseconds.

Layout of ``HCN_STORE_PATH``::

    store_path/db/          RocksDB files of pyoxigraph's on-disk ``Store``
    store_path/VERSION      the data version (sha256 of the source files) the db was built from
    store_path/.lock        serializes builders (several servers starting at once)

A missing or different ``VERSION`` rebuilds the db in a temporary folder beside it (pyoxigraph's
bulk loader, in a child process: ``build_cache``), then swaps it in; a matching one skips parsing entirely.
Each serving process opens the db itself with ``Store.read_only`` (see ``EmbeddedStore._ox``).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import Store as OxStore

from ..config import Settings
from ..errors import ConfigError, DataError


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``folder/.lock`` for the duration of the block."""
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached_version(folder: Path) -> str | None:
    """The data version the cache under ``folder`` holds, or None when there is none."""
    try:
        return (folder / "VERSION").read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def ensure_cached(folder: Path, version: str, settings: Settings) -> Path:
    """The db folder under ``folder`` for ``version``, (re)built from ``settings.root`` first if stale.

    Nothing is opened in this process: the build runs in a fresh Python process, so no RocksDB
    handle or thread (nor pyoxigraph's loader threads) exists here when a server forks its workers.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):
            if not version or cached_version(folder) != version or not (folder / "db").is_dir():
                _build_in_subprocess(folder, version, settings)
    except OSError as exc:
        raise ConfigError(f"store path {folder}: {exc.strerror or exc}") from None
    return folder / "db"


def _build_in_subprocess(folder: Path, version: str, settings: Settings) -> None:
    """``python -m server.store.build_cache``; its one-line error (a bad source file) becomes a ``DataError``."""
    command = [sys.executable, "-m", f"{__package__}.build_cache", str(folder), version, str(settings.root), settings.base_iri]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode == 2:
        raise DataError(done.stderr.strip())
    if done.returncode != 0:
        raise ConfigError(f"building the on-disk store in {folder} failed: {done.stderr.strip()[-500:]}")


def rebuild(folder: Path, version: str, build: Callable[[OxStore], None]) -> None:
    """Build into ``db.building``, flush and close it, then replace ``db`` and write ``VERSION``."""
    staging = folder / "db.building"
    shutil.rmtree(staging, ignore_errors=True)
    (folder / "VERSION").unlink(missing_ok=True)
    store = OxStore(str(staging))
    build(store)
    store.flush()
    store.optimize()
    del store  # closes RocksDB before the folder moves
    shutil.rmtree(folder / "db", ignore_errors=True)
    os.replace(staging, folder / "db")
    (folder / "VERSION").write_text(version + "\n", encoding="ascii")
