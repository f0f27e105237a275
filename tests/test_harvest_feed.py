"""``hcn harvest`` catching up through a publisher's change feed instead of downloading its dump again.

The publisher is ``hcn serve`` over a git repository (its releases are commits, see
``test_change_feed``). The first run downloads the dump and remembers the release it is
(``dcat:hasCurrentVersion``); after two more releases the second run applies their two RDF Patches
and downloads no dump; after the history is rewritten (the release held is gone from the feed) the
third run falls back to the dump and says why. Each time the harvested graph must be isomorphic to
the publisher's files.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Dataset

from history_support import END_2017, END_2018, commit, edit, git, rename_sandnes_and_add_membership, scratch_repo
from test_harvest import ENV, Publisher, harvested, isomorphic, union


def publisher_files(folder: Path) -> Dataset:
    """What the publisher serves in its dumps: its ontology/ and data/ files."""
    return union(*sorted((folder / "ontology").glob("*.ttl")), *sorted((folder / "data").glob("*.ttl")))


def run(sources: Path, aggregate: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "server.cli", "harvest", str(sources), "--root", str(aggregate)],
                          env=ENV, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def patch_downloads(publisher: Publisher) -> int:
    """GETs of an RDF Patch this server answered with 200."""
    return sum(1 for line in publisher.log.read_text(encoding="utf-8", errors="replace").splitlines()
               if "GET /changes/" in line and ".rdfp" in line and '" 200 ' in line)


@pytest.fixture(scope="module")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Publisher]:
    served = Publisher(scratch_repo(tmp_path_factory.mktemp("feed") / "foxtrot"))
    served.start()
    try:
        served.ready()
        yield served
    finally:
        served.stop()


def republish(publisher: Publisher, change: object) -> None:
    """Stop the publisher, change its repository, start it again on the same port."""
    publisher.stop()
    change()  # type: ignore[operator]
    publisher.start()
    publisher.ready()


def test_a_harvester_follows_the_change_feed_and_falls_back_to_the_dump(publisher: Publisher, tmp_path: Path) -> None:
    sources, aggregate = tmp_path / "sources.toml", tmp_path / "aggregate"
    sources.write_text(f'[sources.foxtrot]\nurl = "{publisher.url}/"\n', encoding="utf-8")

    first = run(sources, aggregate)
    assert "\tloaded\t" in first and publisher.dump_downloads() == 1 and patch_downloads(publisher) == 0
    assert isomorphic(harvested(aggregate, "foxtrot"), publisher_files(publisher.folder))

    def two_releases() -> None:
        rename_sandnes_and_add_membership(publisher.folder)
        commit(publisher.folder, "Sandnes: county in its name; member of Regions for Health")
        edit(publisher.folder, "data/intervals.ttl", END_2018, END_2017)
        commit(publisher.folder, "2014-2018 ends in 2017")

    republish(publisher, two_releases)
    second = run(sources, aggregate)
    assert "\tloaded\t" in second and "caught up from" in second and "with 2 patches instead of the dump" in second
    assert publisher.dump_downloads() == 1 and patch_downloads(publisher) == 2
    assert isomorphic(harvested(aggregate, "foxtrot"), publisher_files(publisher.folder))

    def rewritten_history() -> None:  # the release held is amended away: the feed no longer lists it
        edit(publisher.folder, "data/organisations.ttl", '"Sandnes kommune (Rogaland)"@nb', '"Sandnes kommune"@nb')
        git(publisher.folder, "add", "-A")
        git(publisher.folder, "commit", "-q", "--amend", "-m", "2014-2018 ends in 2017; Sandnes as before")

    republish(publisher, rewritten_history)
    third = run(sources, aggregate)
    assert "\tloaded\t" in third and "change feed not used" in third and "is not in the feed" in third
    assert publisher.dump_downloads() == 2 and patch_downloads(publisher) == 2
    assert isomorphic(harvested(aggregate, "foxtrot"), publisher_files(publisher.folder))

    fourth = run(sources, aggregate)  # nothing new: neither patches nor the dump
    assert "\tunchanged\t" in fourth and publisher.dump_downloads() == 2 and patch_downloads(publisher) == 2


@pytest.mark.parametrize(("patch", "message"), [
    ("D <urn:x:a> <urn:x:p> <urn:x:missing> .\n", "deletes a fact the held graph lacks"),
    ("A <urn:x:a> <urn:x:p> <urn:x:b> .\n", "adds a fact the held graph already has"),
    ("TX .\nA <urn:x:a> <urn:x:p> <urn:x:c> .\nTA .\n", "aborts its transaction"),
    ("X <urn:x:a> .\n", "not an RDF Patch row"),
    ("A <urn:x:a> <urn:x:p> .\n", "does not parse as N-Triples"),
])
def test_a_patch_that_does_not_fit_the_held_graph_is_refused(patch: str, message: str) -> None:
    from pyoxigraph import NamedNode, Triple

    from server.harvest.feed import FeedError, apply_patch

    held = {Triple(NamedNode("urn:x:a"), NamedNode("urn:x:p"), NamedNode("urn:x:b"))}
    with pytest.raises(FeedError, match=message):
        apply_patch(set(held), patch, "http://publisher.example/changes/1.rdfp")


def test_a_patch_moves_blank_nodes_by_their_canonical_labels() -> None:
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple

    from server.changes.delta import canonical
    from server.harvest.feed import apply_patch

    node = BlankNode()
    held = canonical([Triple(NamedNode("urn:x:a"), NamedNode("urn:x:end"), node),
                      Triple(node, NamedNode("urn:x:year"), Literal("2018"))])
    label = next(t.object for t in held if isinstance(t.object, BlankNode))
    apply_patch(held, f"D _:{label.value} <urn:x:year> \"2018\" .\nA _:{label.value} <urn:x:year> \"2017\" .\n", "p")
    assert Triple(label, NamedNode("urn:x:year"), Literal("2017")) in held and len(held) == 2
