"""Which files a run reads, in which role, and which of them are only context.

With no paths, the root's graph is validated: its data, ontology and shapes folders (or those its
``hcn.toml`` names). With paths, those files are validated and, inside a root, the rest of the
root's data is read as context: its findings are not reported, but ``sh:class`` and friends see
the resources it describes. The ontology and the shapes come from ``--ontology``/``--shapes``, else
the root, else the Healthy Cities contract shipped with hcn (``builtin``); the built-in ontology
comes with the built-in shapes, never beside a steward's own shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import contract
from ..project import BUILTIN, load_project
from .report import Finding
from .sources import Source, display_path, expand

ROLES = ("ontology", "data", "shapes")
BUILTIN_FOLDERS = {"ontology": contract.ONTOLOGY, "shapes": contract.SHAPES}


@dataclass
class Selection:
    """The sources of one run and what the summary says about them."""

    sources: list[Source] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    #: Files read for context only: their findings are counted, not shown.
    context: set[str] = field(default_factory=set)
    #: Paths were given outside any root: links to resources no file describes are not violations.
    partial: bool = False
    #: Where the root, the shapes and the ontology came from, for the summary line.
    setup: str = ""


def select(paths: list[str], root: Path | None, shapes: list[str], ontology: list[str]) -> Selection:
    """The files for a run over ``paths`` (or the root's graph when empty)."""
    selection = Selection(partial=bool(paths) and root is None)
    project = load_project(root) if root is not None else None
    if not paths and (project is None or not project.defines_graph()):
        where = display_path(root) if root is not None else display_path(Path.cwd())
        selection.problems.append(Finding(
            "error", "input", "no ontology/, data/ or shapes/ folder here (nor an hcn.toml naming them), nor in a "
            "parent folder of this repository; run inside the data repository, give --root, or give files "
            "to validate", file=where or "."))
        return selection
    explicit = {"ontology": ontology, "shapes": shapes}
    specs: dict[str, list[str]] = {}
    for role in ("shapes", "ontology"):
        specs[role] = list(explicit[role]) or (project.specs(role) if project else [])
    specs["shapes"] = specs["shapes"] or [BUILTIN]
    if not specs["ontology"] and specs["shapes"] == [BUILTIN]:
        specs["ontology"] = [BUILTIN]  # the contract comes whole: the built-in shapes expect their ontology
    data_specs = project.specs("data") if project else []
    root_data, root_problems = expand(data_specs, "data") if data_specs else ([], [])
    given_files: set[Path] = set()
    if paths:
        given, problems = expand(list(paths), "data")
        selection.problems.extend(problems)
        given_files = {s.path.absolute() for s in given}
        context = [s for s in root_data if s.path.absolute() not in given_files]
        selection.context.update(s.display for s in context)
        selection.sources.extend(given)
        selection.sources.extend(context)
    else:
        selection.problems.extend(root_problems)
        selection.sources.extend(root_data)
    seen = {s.path.absolute() for s in selection.sources}
    for role in ("ontology", "shapes"):
        found, problems = expand([_builtin(spec, role) for spec in specs[role]], role)
        selection.problems.extend(problems)
        if BUILTIN in specs[role] or (paths and role == "ontology"):  # the contract, or the ontology beside paths
            selection.context.update(s.display for s in found if s.path.absolute() not in given_files)
        selection.sources.extend(s for s in found if role == "shapes" or s.path.absolute() not in seen)
        seen.update(s.path.absolute() for s in found if role != "shapes")
    selection.setup = _describe(root, specs)
    return selection


def _builtin(spec: str, role: str) -> str:
    return str(BUILTIN_FOLDERS[role]) if spec == BUILTIN else spec


def _folder(path: Path) -> str:
    shown = display_path(path) or "."
    return shown + "/" if path.is_dir() else shown


def _describe(root: Path | None, specs: dict[str, list[str]]) -> str:
    """``root R; shapes S; ontology O`` with ``built-in`` for the shipped contract."""
    def named(role: str) -> str:
        if specs[role] == [BUILTIN]:
            return "built-in Healthy Cities " + role
        if not specs[role]:
            return "none"
        return ", ".join("built-in" if s == BUILTIN else _folder(Path(s)) for s in specs[role])

    where = display_path(root) if root is not None else "none (files given outside a repository)"
    return f"root {where or '.'}; shapes {named('shapes')}; ontology {named('ontology')}"
