"""Validators for conditional requests: one data version per loaded dataset, ETag + Last-Modified, 304.

Usable by any blueprint: compute a ``DataVersion`` once when the data is loaded, then call
``conditional(response, version, variant...)`` on each representation before returning it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.wrappers import Request


@dataclass(frozen=True)
class DataVersion:
    """Hash and modification time of the loaded source files, fixed for the life of the app."""

    digest: str
    modified: datetime

    @classmethod
    def from_files(cls, paths: Iterable[Path], root: Path | None = None) -> DataVersion:
        """sha256 over (relative name, bytes) of every file; ``modified`` = newest mtime (UTC, whole seconds)."""
        sha = hashlib.sha256()
        newest = 0.0
        for path in sorted(paths):
            name = str(path.relative_to(root)) if root else path.name
            data = path.read_bytes()
            sha.update(f"{name}\0{len(data)}\0".encode())
            sha.update(data)
            newest = max(newest, path.stat().st_mtime)
        return cls(sha.hexdigest(), datetime.fromtimestamp(int(newest), tz=timezone.utc))

    def etag(self, *variant: str) -> str:
        """A strong ETag for one representation: data hash + what distinguishes the representation.

        >>> v = DataVersion("ab" * 32, datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> v.etag("ttl") != v.etag("html", "en")
        True
        """
        sha = hashlib.sha256(self.digest.encode())
        for part in variant:
            sha.update(b"\0" + part.encode())
        return sha.hexdigest()[:32]


def version_of(app: Flask | None = None) -> DataVersion:
    """The data version registered on ``app`` (default: the current app)."""
    return (app or current_app).extensions["hcn_version"]


def conditional(response: Response, *variant: str, req: Request | None = None,
                version: DataVersion | None = None) -> Response:
    """Set ETag and Last-Modified from the data version (default: the current app's), and turn the
    response into 304 if the client has it (``req``: default the current request)."""
    version = version or version_of()
    response.set_etag(version.etag(*variant))
    response.last_modified = version.modified
    return response.make_conditional(req or request)
