"""Source files and the named graph each one goes into.

Besides the three folders of Turtle, a root may hold ``harvest/`` (written by ``hcn harvest``):
one N-Quads file per harvested source, whose quads name their own graph
(``<base>graph/source/<name>``), and ``harvest.nq`` with the provenance and report graph
(``<base>graph/harvest``). Every source graph joins the SPARQL default graph; the report graph,
like the shapes, is a named graph only.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Source folder -> named-graph name; the SPARQL default graph is the union of DEFAULT_GRAPHS.
FOLDERS: tuple[str, ...] = ("ontology", "data", "shapes")
DEFAULT_GRAPHS: tuple[str, ...] = ("ontology", "data")
#: Folder of harvested sources under a root, the graph-name prefix of a source, and the report graph.
HARVEST_FOLDER = "harvest"
SOURCE_GRAPH = "source/"
HARVEST_GRAPH = "harvest"


def source_files(root: Path, folder: str) -> list[Path]:
    """Every ``*.ttl`` under ``root/folder``, recursive and sorted; empty if the folder is missing."""
    base = root / folder
    return sorted(p for p in base.rglob("*.ttl") if p.is_file()) if base.is_dir() else []


def sources(root: Path) -> dict[str, list[Path]]:
    """Map each graph name to its source files, in ``FOLDERS`` order."""
    return {folder: source_files(root, folder) for folder in FOLDERS}


_PREFIX_LINE = re.compile(rb"^[ \t]*(?:@prefix|PREFIX)[ \t]+([A-Za-z][\w.-]*|):[ \t]*<([^>\s]*)>", re.M | re.I)


def declared_prefixes(root: Path) -> dict[str, str]:
    """Prefix -> namespace as the source files declare them (``@prefix`` / ``PREFIX`` lines), the
    first declaration of a prefix winning, in ``FOLDERS`` order; the dataset's own vocabulary of names."""
    found: dict[str, str] = {}
    for paths in sources(root).values():
        for path in paths:
            try:
                text = path.read_bytes()
            except OSError:
                continue
            for match in _PREFIX_LINE.finditer(text):
                found.setdefault(match[1].decode("utf-8", "replace"), match[2].decode("utf-8", "replace"))
    return found


def harvested_files(root: Path) -> list[Path]:
    """The N-Quads files of ``root/harvest/`` (sources and report), sorted; empty without a harvest."""
    base = root / HARVEST_FOLDER
    return sorted(p for p in base.glob("*.nq") if p.is_file()) if base.is_dir() else []


def harvested_graphs(root: Path) -> dict[str, Path]:
    """Graph name (as for ``Settings.graph_iri``) -> its N-Quads file under ``root/harvest/``:
    ``source/<name>`` for ``<name>.nq`` (what ``hcn harvest`` writes), ``harvest`` for the report.

    >>> harvested_graphs(Path("/nowhere"))
    {}
    """
    return {(HARVEST_GRAPH if p.stem == HARVEST_GRAPH else SOURCE_GRAPH + p.stem): p for p in harvested_files(root)}


def all_files(root: Path) -> list[Path]:
    """Every file the served graph is loaded from (what the data version hashes)."""
    return [p for paths in sources(root).values() for p in paths] + harvested_files(root)
