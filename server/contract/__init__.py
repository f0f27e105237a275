"""The Healthy Cities contract that travels with the tool: the ontology and the SHACL shapes.

Installed packages carry copies of the repository's ``ontology/`` and ``shapes/`` folders here, so a
steward's repository that holds only data validates against them (``hcn validate --shapes builtin``).

May import: nothing.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ONTOLOGY = HERE / "ontology"
SHAPES = HERE / "shapes"
