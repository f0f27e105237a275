"""Changes between releases of a graph: ``hcn diff`` and the change feed's patches.

Owns: ``git`` (reading a repository's files at a revision, and which commits changed them),
``sources`` (a side of a comparison: a git revision, a folder or a file, parsed), ``delta`` (the
facts added and removed, blank nodes compared by RDF Dataset Canonicalization), ``render`` (text,
Markdown and RDF Patch) and ``releases`` (the commits that changed the served data, each with its
patch from the one before). No Flask and no store: the views in ``dataset`` serve what this computes.

May import: the shared top-level modules (``errors``, ``graphs``, ``project``). Never ``store``,
``validation``, the views, ``app`` or ``cli``.
"""

from .delta import Delta, compare
from .sources import Snapshot, read_side

__all__ = ["Delta", "Snapshot", "compare", "read_side"]
