"""Source files and the named graph each one goes into."""

from __future__ import annotations

from pathlib import Path

#: Source folder -> named-graph name; the SPARQL default graph is the union of DEFAULT_GRAPHS.
FOLDERS: tuple[str, ...] = ("ontology", "data", "shapes")
DEFAULT_GRAPHS: tuple[str, ...] = ("ontology", "data")


def source_files(root: Path, folder: str) -> list[Path]:
    """Every ``*.ttl`` under ``root/folder``, recursive and sorted; empty if the folder is missing."""
    base = root / folder
    return sorted(p for p in base.rglob("*.ttl") if p.is_file()) if base.is_dir() else []


def sources(root: Path) -> dict[str, list[Path]]:
    """Map each graph name to its source files, in ``FOLDERS`` order."""
    return {folder: source_files(root, folder) for folder in FOLDERS}
