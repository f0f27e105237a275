"""What to harvest: a SOURCES.toml, or publishers' base URLs given on the command line.

::

    shapes = ["builtin"]        # defaults for every source: the shapes and ontology to validate with
    max_violations = 0          # a source with more SHACL violations is refused (its last good graph stays)

    [sources.norway]            # the name becomes the graph <base>graph/source/norway
    url = "https://norway.example/"              # reads https://norway.example/.well-known/void
    [sources.sweden]
    void = "https://sweden.example/catalog.ttl"  # a VoID or DCAT document elsewhere
    [sources.legacy]            # no VoID: CONSTRUCT every triple of a plain SPARQL endpoint
    endpoint = "http://127.0.0.1:7878/query"
    licence = "https://creativecommons.org/licenses/by/4.0/"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..errors import ConfigError

WELL_KNOWN_VOID = ".well-known/void"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_KEYS = {"url", "void", "endpoint", "licence", "shapes", "ontology", "max_violations"}


@dataclass(frozen=True)
class Source:
    """One publisher: where its description (``void``) or SPARQL endpoint is, and its quality gate."""

    name: str
    void: str = ""
    endpoint: str = ""
    licence: str = ""
    shapes: tuple[str, ...] = ("builtin",)
    ontology: tuple[str, ...] = ("builtin",)
    max_violations: int = 0

    @property
    def location(self) -> str:
        """The URL the harvest starts from."""
        return self.void or self.endpoint


def read_sources(args: list[str]) -> list[Source]:
    """Sources from one ``.toml`` file, or from publishers' base URLs (named after host and port)."""
    if len(args) == 1 and args[0].endswith(".toml"):
        return _from_toml(Path(args[0]))
    if not args:
        raise ConfigError("give a SOURCES.toml or at least one publisher URL")
    sources = []
    for url in args:
        _check_url(url, "source URL")
        parts = urlsplit(url)
        name = re.sub(r"[^a-z0-9]+", "-", f"{parts.hostname}-{parts.port or ''}".lower()).strip("-")
        sources.append(Source(name, void=_void_url(url)))
    _check_unique(sources)
    return sources


def _from_toml(path: Path) -> list[Source]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    defaults = {k: v for k, v in document.items() if k != "sources"}
    table = document.get("sources")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{path}: no [sources.NAME] tables")
    sources = [_source(path, name, {**defaults, **entry}) for name, entry in table.items()]
    _check_unique(sources)
    return sources


def _source(path: Path, name: str, entry: Any) -> Source:
    where = f"{path}: [sources.{name}]"
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{where}: a name is lower-case letters, digits and '-'")
    if not isinstance(entry, dict) or set(entry) - _KEYS:
        raise ConfigError(f"{where}: unknown keys {sorted(set(entry) - _KEYS)}; expected {sorted(_KEYS)}")
    given = [key for key in ("url", "void", "endpoint") if entry.get(key)]
    if len(given) != 1:
        raise ConfigError(f"{where}: give exactly one of url, void, endpoint")
    for key in given + (["licence"] if entry.get("licence") else []):
        _check_url(entry[key], f"{where} {key}")
    limit = entry.get("max_violations", 0)
    if not isinstance(limit, int) or limit < 0:
        raise ConfigError(f"{where}: max_violations must be a whole number >= 0")
    return Source(
        name,
        void=_void_url(entry["url"]) if "url" in given else entry.get("void", ""),
        endpoint=entry.get("endpoint", ""),
        licence=entry.get("licence", ""),
        shapes=_paths(where, "shapes", entry.get("shapes", ["builtin"]), path.parent),
        ontology=_paths(where, "ontology", entry.get("ontology", ["builtin"]), path.parent),
        max_violations=limit,
    )


def _paths(where: str, key: str, value: Any, base: Path) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"{where}: {key} must be a path, a list of paths, or 'builtin'")
    return tuple(v if v == "builtin" else str((base / v).resolve()) for v in values)


def _void_url(base: str) -> str:
    """A publisher's ``/.well-known/void`` (RFC 8615), from its base URL."""
    return urljoin(base if base.endswith("/") else base + "/", "/" + WELL_KNOWN_VOID)


def _check_url(url: Any, what: str) -> None:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or not urlsplit(url).hostname:
        raise ConfigError(f"{what} must be an http(s) URL: {url!r}")


def _check_unique(sources: list[Source]) -> None:
    names = [s.name for s in sources]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"sources named twice: {', '.join(twice)}")
