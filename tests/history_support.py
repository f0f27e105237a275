"""Scratch git repositories holding a copy of the shipped graph, and the edits the diff tests make.

Shared by ``test_diff.py`` (``hcn diff``) and ``test_change_feed.py`` (``/changes``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import rdflib

ROOT = Path(__file__).resolve().parents[1]
SANDNES = "https://w3id.org/healthy-cities/id/organisation/sandnes-kommune"
NEW_MEMBERSHIP = "https://w3id.org/healthy-cities/id/membership/sandnes-kommune-in-regions-for-health"
#: A membership a steward adds: appended to data/memberships.ttl (its prefixes are declared there).
MEMBERSHIP_BLOCK = """
membership:sandnes-kommune-in-regions-for-health a org:Membership ;
    rdfs:label "Sandnes kommune i Regions for Health"@nb , "Sandnes Municipality in Regions for Health"@en ;
    org:member organisation:sandnes-kommune ;
    org:organization network:who-european-healthy-cities-network ;
    org:role role:direct-member ;
    dcterms:source source:ostfold-healthy-cities-page .
"""
#: The only change inside a blank node: the end of interval:2014-2018 moves from 2018 to 2017.
END_2018 = 'time:hasEnd [ a time:Instant ; time:inXSDgYear "2018"^^xsd:gYear ]'
END_2017 = 'time:hasEnd [ a time:Instant ; time:inXSDgYear "2017"^^xsd:gYear ]'


def git(repo: Path, *args: str) -> str:
    env = os.environ | {"GIT_AUTHOR_NAME": "Steward", "GIT_AUTHOR_EMAIL": "steward@example.org",
                        "GIT_COMMITTER_NAME": "Steward", "GIT_COMMITTER_EMAIL": "steward@example.org"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def scratch_repo(path: Path) -> Path:
    """A git repository with the shipped ontology, data and shapes, committed once."""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / folder, path / folder)
    commit(path, "Import the Healthy Cities graph")
    return path


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(repo: Path, name: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) by ``new`` in ``repo/name``."""
    path = repo / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def rename_sandnes_and_add_membership(repo: Path) -> None:
    """A changed literal and an added membership: the two edits a steward's pull request makes."""
    edit(repo, "data/organisations.ttl", 'rdfs:label "Sandnes kommune"@nb', 'rdfs:label "Sandnes kommune (Rogaland)"@nb')
    with (repo / "data/memberships.ttl").open("a", encoding="utf-8") as out:
        out.write(MEMBERSHIP_BLOCK)


def hcn(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """This worktree's ``hcn`` (``python -m server.cli``), run in ``cwd`` with no HCN_ROOT."""
    env = {k: v for k, v in os.environ.items() if k != "HCN_ROOT"} | {"PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def served_graph(folder: Path) -> rdflib.Graph:
    """What the publisher serves in its default graph: the Turtle under ontology/ and data/, by rdflib."""
    graph = rdflib.Graph()
    for name in ("ontology", "data"):
        for path in sorted((folder / name).rglob("*.ttl")):
            graph.parse(path, format="turtle")
    return graph


def apply_patch(graph: rdflib.Graph, patch: str, blank_nodes: dict[str, rdflib.BNode]) -> None:
    """Apply RDF Patch ``A``/``D`` rows with rdflib; blank-node labels are shared across patches.

    Every deleted triple must be there: a patch that deletes what the harvester does not hold is wrong.
    """
    for line in patch.splitlines():
        kind, _, row = line.partition(" ")
        if kind not in ("A", "D"):
            assert kind in ("H", "TX", "TC", "PA"), line
            continue
        (triple,) = rdflib.Graph().parse(data=row, format="nt", bnode_context=blank_nodes)
        if kind == "A":
            graph.add(triple)
        else:
            assert triple in graph, f"the patch deletes a triple the graph lacks: {row}"
            graph.remove(triple)
