"""Where a steward's graph lives: the root found the way git finds a repository, and its folders.

From the working directory upward, the first folder that holds ``ontology/``, ``data/`` or
``shapes/``, an ``hcn.toml``, or a ``pyproject.toml`` with a ``[tool.hcn]`` table is the root. The
walk stops at the top of a git repository (a folder holding ``.git``), so a stray ``data/`` above
the repository is never taken. The configuration names other folders when the defaults do not fit::

    # hcn.toml (or [tool.hcn] in pyproject.toml); paths relative to the root
    data = ["graph", "more/graph"]
    shapes = "rules"          # or "builtin": the Healthy Cities shapes shipped with hcn
    ontology = "vocab"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .graphs import FOLDERS

CONFIG_FILE = "hcn.toml"
BUILTIN = "builtin"


@dataclass(frozen=True)
class Project:
    """A root and, per role (``ontology``, ``data``, ``shapes``), the paths configured for it.

    A role missing from ``folders`` uses its default folder under the root.
    """

    root: Path
    folders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    config: Path | None = None

    def specs(self, role: str) -> list[str]:
        """The paths for ``role``: configured ones (``builtin`` kept as is), else the default folder if present."""
        if role in self.folders:
            return [spec if spec == BUILTIN else str(self.root / spec) for spec in self.folders[role]]
        default = self.root / role
        return [str(default)] if default.is_dir() else []


    def defines_graph(self) -> bool:
        """True when the root has a configuration or at least one of the three folders."""
        return self.config is not None or any((self.root / name).is_dir() for name in FOLDERS)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that is a root (see the module docstring), or None."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if _config_file(folder) is not None or any((folder / name).is_dir() for name in FOLDERS):
            return folder
        if (folder / ".git").exists():
            return None
    return None


def load_project(root: Path) -> Project:
    """The project at ``root``, with the folders its configuration names; ``ConfigError`` if it is malformed."""
    config = _config_file(root)
    if config is None:
        return Project(root.resolve())
    table = _read_table(config)
    unknown = set(table) - set(FOLDERS)
    if unknown:
        raise ConfigError(f"{config}: unknown keys {', '.join(sorted(unknown))}; expected {', '.join(FOLDERS)}")
    folders = {role: _paths(config, role, value) for role, value in table.items()}
    if folders.get("data") and BUILTIN in folders["data"]:
        raise ConfigError(f"{config}: data cannot be 'builtin'; only ontology and shapes ship with hcn")
    return Project(root.resolve(), folders, config)


def _config_file(folder: Path) -> Path | None:
    """``hcn.toml``, or a ``pyproject.toml`` that has a ``[tool.hcn]`` table."""
    if (folder / CONFIG_FILE).is_file():
        return folder / CONFIG_FILE
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            if "hcn" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                return pyproject
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
    return None


def _read_table(config: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{config}: {exc}") from None
    table = document.get("tool", {}).get("hcn", {}) if config.name == "pyproject.toml" else document
    if not isinstance(table, dict):
        raise ConfigError(f"{config}: [tool.hcn] must be a table")
    return table


def _paths(config: Path, role: str, value: Any) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"{config}: {role} must be a path or a list of paths")
    return tuple(values)
