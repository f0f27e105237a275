"""Steward validation: Turtle syntax, then SHACL over ontology + data (no Flask here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import Graph
from rdflib.exceptions import Error as RdflibError

from .graphs import DEFAULT_GRAPHS, sources

OK, FINDINGS, UNUSABLE = 0, 1, 2


@dataclass(frozen=True)
class Outcome:
    """Exit code (0 conforms, 1 SHACL findings, 2 unusable input) and the text to print."""

    exit_code: int
    text: str


def validate(root: Path) -> Outcome:
    """Parse every source file under ``root`` with rdflib, then run pySHACL with the shapes graph."""
    files = sources(root)
    if not any(files.values()):
        return Outcome(UNUSABLE, f"{root}: error: no *.ttl files under ontology/, data/ or shapes/")
    data, shapes, errors = Graph(), Graph(), []
    for name, paths in files.items():
        target = data if name in DEFAULT_GRAPHS else shapes
        for path in paths:
            try:
                target.parse(path, format="turtle")
            except (SyntaxError, ValueError, OSError, RdflibError) as exc:
                errors.append(f"{path}: error: {exc}")
    if errors:
        return Outcome(UNUSABLE, "\n".join(errors))
    try:
        conforms, _, text = pyshacl.validate(data_graph=data, shacl_graph=shapes, advanced=True)
    except ReportableRuntimeError as exc:  # base of pySHACL's shape/constraint/rule load errors
        return Outcome(UNUSABLE, f"{root / 'shapes'}: error: {exc}")
    return Outcome(OK if conforms else FINDINGS, str(text).rstrip())
