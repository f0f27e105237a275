"""``hcn diff``: the facts added and removed between revisions, folders or files, in three formats.

Each test edits a scratch repository holding the shipped graph (``history_support``) and runs this
worktree's ``hcn`` there as a steward or a CI job would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from history_support import (END_2017, END_2018, NEW_MEMBERSHIP, SANDNES, apply_patch, commit, edit, hcn,
                             rename_sandnes_and_add_membership, scratch_repo, served_graph)

FORMATS = ("text", "markdown", "rdf-patch")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return scratch_repo(tmp_path / "steward")


def reserialise(path: Path, fmt: str = "turtle") -> None:
    """Rewrite a Turtle file as rdflib writes it (N-Triples is Turtle too): other order, prefixes, blank nodes."""
    graph = rdflib.Graph().parse(path, format="turtle")
    path.write_text(graph.serialize(format=fmt), encoding="utf-8")


def reverse_statements(path: Path) -> None:
    """Keep the prefix lines first and put the statements (blocks between blank lines) in reverse order."""
    text = path.read_text(encoding="utf-8")
    blocks = text.strip().split("\n\n")
    head = [b for b in blocks if b.lstrip().startswith(("#", "@prefix"))]
    body = [b for b in blocks if b not in head]
    path.write_text("\n\n".join(head + body[::-1]) + "\n", encoding="utf-8")


def test_reserialising_and_reordering_is_no_change(repo: Path) -> None:
    reserialise(repo / "data/intervals.ttl", "nt")  # blank nodes: [ ... ] become _:N0123... labels
    reserialise(repo / "ontology/healthy-cities.ttl")
    reverse_statements(repo / "data/memberships.ttl")
    commit(repo, "Reformat")
    assert "[ a time:Instant" not in (repo / "data/intervals.ttl").read_text()
    for fmt in FORMATS:
        done = hcn("diff", "HEAD~1", "HEAD", "--format", fmt, cwd=repo)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "A " not in done.stdout and "D " not in done.stdout
    done = hcn("diff", "HEAD~1", "HEAD", cwd=repo / "data")  # the root is found from a subfolder
    assert done.returncode == 0 and "hcn diff: no changes (HEAD~1 → HEAD: " in done.stdout


def test_a_changed_literal_and_an_added_membership_in_all_three_formats(repo: Path) -> None:
    rename_sandnes_and_add_membership(repo)
    commit(repo, "Sandnes: county in its name; member of Regions for Health")

    text = hcn("diff", "HEAD~1", "HEAD", cwd=repo)
    assert text.returncode == 1, text.stderr
    assert ("Sandnes Municipality (organisation:sandnes-kommune)\n"
            '  - rdfs:label "Sandnes kommune"@nb\n'
            '  + rdfs:label "Sandnes kommune (Rogaland)"@nb\n') in text.stdout
    membership = text.stdout.split("Sandnes Municipality in Regions for Health "
                                   "(membership:sandnes-kommune-in-regions-for-health)\n")[1]
    assert "  + org:member organisation:sandnes-kommune\n" in membership
    assert "  + rdf:type org:Membership\n" in membership
    assert text.stdout.rstrip().endswith("hcn diff: 1 fact removed, 8 added, in 2 subjects (HEAD~1 → HEAD)")

    markdown = hcn("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo)
    assert markdown.returncode == 1
    assert markdown.stdout.startswith("### Facts changed: `HEAD~1` → `HEAD`\n\n**1 fact removed, 8 added")
    assert ("#### Sandnes Municipality (organisation:sandnes-kommune)\n\n```diff\n"
            '- rdfs:label "Sandnes kommune"@nb\n+ rdfs:label "Sandnes kommune (Rogaland)"@nb\n```') in markdown.stdout
    assert "+ org:role role:direct-member" in markdown.stdout
    assert "1 fact removed, 8 added" in markdown.stderr  # the summary also on stderr for CI logs

    patch = hcn("diff", "HEAD~1", "HEAD", "--format", "rdf-patch", cwd=repo)
    assert patch.returncode == 1
    lines = patch.stdout.splitlines()
    assert lines[0] == "TX ." and lines[-1] == "TC ."
    assert f'D <{SANDNES}> <http://www.w3.org/2000/01/rdf-schema#label> "Sandnes kommune"@nb .' in lines
    assert f'A <{SANDNES}> <http://www.w3.org/2000/01/rdf-schema#label> "Sandnes kommune (Rogaland)"@nb .' in lines
    assert f"A <{NEW_MEMBERSHIP}> <http://www.w3.org/ns/org#member> <{SANDNES}> ." in lines
    assert "PA org <http://www.w3.org/ns/org#> ." in lines
    assert not any(line.startswith("PA sdg ") for line in lines)  # only the prefixes the rows use
    assert [line[0] for line in lines if line[:2] in ("A ", "D ")] == ["D"] + ["A"] * 8


def test_a_change_inside_a_blank_node_shows_that_node_alone(repo: Path) -> None:
    edit(repo, "data/intervals.ttl", END_2018, END_2017)
    done = hcn("diff", "HEAD", cwd=repo)  # one revision: against the working tree
    assert done.returncode == 1, done.stderr
    assert done.stdout == (
        "--- HEAD\n+++ working tree\n\n2014–2018 (interval:2014-2018)\n"
        '  - time:hasEnd [ rdf:type time:Instant ; time:inXSDgYear "2018"^^xsd:gYear ]\n'
        '  + time:hasEnd [ rdf:type time:Instant ; time:inXSDgYear "2017"^^xsd:gYear ]\n\n'
        "hcn diff: 3 facts removed, 3 added, in 1 subject (HEAD → working tree)\n")
    patch = hcn("diff", "HEAD", "--format", "rdf-patch", cwd=repo).stdout
    removed = {m for m in re.findall(r"^D .*?(_:\w+)", patch, re.M)}
    added = {m for m in re.findall(r"^A .*?(_:\w+)", patch, re.M)}
    assert len(removed) == len(added) == 1 and removed != added


def test_labelled_blank_nodes_equal_anonymous_ones(repo: Path) -> None:
    edit(repo, "data/intervals.ttl", END_2018, "time:hasEnd _:end2018")
    with (repo / "data/intervals.ttl").open("a", encoding="utf-8") as out:
        out.write('\n_:end2018 time:inXSDgYear "2018"^^xsd:gYear ; a time:Instant .\n')
    done = hcn("diff", "HEAD", "--format", "markdown", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no changes (HEAD → working tree" in done.stdout


def test_rdf_patch_replayed_with_rdflib_gives_the_new_graph(repo: Path, tmp_path: Path) -> None:
    """From nothing to OLD, then OLD to NEW: the graph rdflib ends with is NEW, blank nodes included."""
    rename_sandnes_and_add_membership(repo)
    edit(repo, "data/intervals.ttl", END_2018, END_2017)
    reserialise(repo / "data/phases-and-vision.ttl")
    commit(repo, "Edits and a reformat")
    (tmp_path / "empty").mkdir()
    graph, labels = rdflib.Graph(), {}
    for old, new in ((str(tmp_path / "empty"), "HEAD~1"), ("HEAD~1", "HEAD")):
        done = hcn("diff", old, new, "--format", "rdf-patch", cwd=repo)
        assert done.returncode == 1, done.stderr
        apply_patch(graph, done.stdout, labels)
        if new == "HEAD~1":
            assert len(graph) == len(served_graph(Path(__file__).resolve().parents[1]))
    assert isomorphic(graph, served_graph(repo))


def test_folders_and_files_compare_like_revisions(repo: Path, tmp_path: Path) -> None:
    before = tmp_path / "before.ttl"
    before.write_bytes((repo / "data/memberships.ttl").read_bytes())
    reverse_statements(repo / "data/memberships.ttl")
    assert hcn("diff", str(before), "data/memberships.ttl", cwd=repo).returncode == 0
    with (repo / "data/memberships.ttl").open("a", encoding="utf-8") as out:
        out.write("""
membership:sandnes-kommune-in-regions-for-health a org:Membership .""")
    done = hcn("diff", str(before), "data/memberships.ttl", cwd=repo)
    assert done.returncode == 1 and "membership:sandnes-kommune-in-regions-for-health\n  + rdf:type org:Membership" in done.stdout
    other = tmp_path / "other"
    other.mkdir()
    for folder in ("ontology", "data"):
        (other / folder).symlink_to(repo / folder)
    assert hcn("diff", str(other), str(repo), cwd=tmp_path).returncode == 0  # a root folder: its ontology and data


@pytest.mark.parametrize("case", ["unknown revision", "bad Turtle at a revision", "bad Turtle file", "no repository"])
def test_bad_input_exits_2_with_a_clear_message(repo: Path, tmp_path: Path, case: str) -> None:
    cwd = repo
    if case == "unknown revision":
        args, message = ("no-such-branch", "HEAD"), "hcn diff: error: unknown revision 'no-such-branch'"
    elif case == "bad Turtle at a revision":
        edit(repo, "data/sdg.ttl", "@prefix skos:", "@prefix skos")
        commit(repo, "Break a prefix line")
        line = 1 + (repo / "data/sdg.ttl").read_text().split("@prefix skos ")[0].count("\n")
        args, message = ("HEAD~1", "HEAD"), f"hcn diff: error: HEAD:data/sdg.ttl:{line}:"
    elif case == "bad Turtle file":
        bad = tmp_path / "bad.ttl"
        bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b .\n", encoding="utf-8")
        args, message = (str(bad), "data/sdg.ttl"), f"hcn diff: error: {bad}:3:"
    else:
        cwd = tmp_path / "nowhere"
        cwd.mkdir()
        args, message = ("HEAD~1", "HEAD"), "is not a file or folder, and no root"
    done = hcn("diff", *args, cwd=cwd)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
