"""The facts added and removed between two snapshots, blank nodes compared canonically.

Triples without blank nodes compare as they are. Triples with blank nodes are split into
components (blank nodes linked by a triple belong together, with every triple mentioning them);
each component is canonicalised on its own with RDF Dataset Canonicalization (RDFC-1.0, by
pyoxigraph) and its blank nodes relabelled ``<hash of the canonical form><copy>n<index>``. A
component is the same on both sides exactly when its canonical form is, so re-serialising or
reordering a file changes nothing, an edit inside one ``[ ... ]`` shows as that component removed
and re-added, and the other blank nodes keep their labels (canonicalising the whole graph at once
would renumber them all after any change). The labels are stable across releases, so the RDF
Patch of one release deletes blank nodes by the labels the previous patches added.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, DefaultGraph, Literal, NamedNode, Quad, Triple

from .sources import Snapshot

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class Delta:
    """Both snapshots and their canonical triples; what was removed and added follows from them."""

    old: Snapshot
    new: Snapshot
    before: frozenset[Triple]
    after: frozenset[Triple]

    @property
    def removed(self) -> frozenset[Triple]:
        """Canonical triples of ``old`` that ``new`` lacks."""
        return self.before - self.after

    @property
    def added(self) -> frozenset[Triple]:
        """Canonical triples of ``new`` that ``old`` lacks."""
        return self.after - self.before

    @property
    def changed(self) -> bool:
        """True when any fact was added or removed."""
        return self.before != self.after

    def prefixes(self) -> dict[str, str]:
        """Prefixes declared by the files of either side (the new side's win)."""
        return {**self.old.prefixes, **self.new.prefixes}


def compare(old: Snapshot, new: Snapshot) -> Delta:
    """Canonicalise both sides' blank nodes so that the same facts compare equal."""
    return Delta(old, new, frozenset(canonical(old.triples)), frozenset(canonical(new.triples)))


def canonical(triples: Iterable[Triple]) -> set[Triple]:
    """The triples with every blank-node component relabelled canonically (see the module docstring)."""
    ground: set[Triple] = set()
    components = _components(triples, ground)
    copies: Counter[str] = Counter()
    for form, labelled in sorted((_canonical_form(c) for c in components), key=lambda pair: pair[0]):
        digest = hashlib.sha256(form.encode()).hexdigest()[:16]
        copy = copies[digest]
        copies[digest] += 1
        ground.update(_relabel(t, f"b{digest}c{copy}n") for t in labelled)
    return ground


def _components(triples: Iterable[Triple], ground: set[Triple]) -> list[list[Triple]]:
    """Fill ``ground`` with the triples without blank nodes; return the others grouped by component."""
    parent: dict[BlankNode, BlankNode] = {}

    def find(node: BlankNode) -> BlankNode:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    with_blanks: list[tuple[Triple, list[BlankNode]]] = []
    for triple in triples:
        blanks = [term for term in (triple.subject, triple.object) if isinstance(term, BlankNode)]
        if not blanks:
            ground.add(triple)
            continue
        with_blanks.append((triple, blanks))
        first = find(blanks[0])
        for other in blanks[1:]:
            parent[find(other)] = first
    groups: dict[BlankNode, list[Triple]] = defaultdict(list)
    for triple, blanks in with_blanks:
        groups[find(blanks[0])].append(triple)
    return list(groups.values())


def _canonical_form(component: list[Triple]) -> tuple[str, list[Triple]]:
    """RDFC-1.0 of one component: its sorted canonical N-Triples and its canonically labelled triples."""
    dataset = Dataset(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in component)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    labelled = [quad.triple for quad in dataset]
    return "".join(sorted(f"{t} .\n" for t in labelled)), labelled


def _relabel(triple: Triple, prefix: str) -> Triple:
    """``_:c14n3`` becomes ``_:{prefix}3``: unique across components, the same for the same component."""
    def term(node: Term) -> Term:
        return BlankNode(prefix + node.value.removeprefix("c14n")) if isinstance(node, BlankNode) else node

    return Triple(term(triple.subject), triple.predicate, term(triple.object))
