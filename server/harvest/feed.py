"""Catching up through a publisher's change feed instead of downloading its whole dump again.

A publisher running this software names, in its VoID/DCAT, the release it serves
(``dcat:hasCurrentVersion``) and a change feed (a ``dcat:DataService`` conforming to RDF Patch,
``server.dataset.changes``). When the graph a harvester holds came from an earlier release of that
feed, the patches since then turn it into the current release: the feed's JSON pages are read
newest first back to the release held, then each release's RDF Patch is applied, oldest first, to
the held graph with its blank nodes labelled canonically (the labels the patches use, see
``server.changes.delta``). Anything that does not fit exactly — the held release missing from the
feed, a patch deleting a fact the graph lacks or adding one it has, a transaction aborted, a
resulting triple count other than the description's ``void:triples`` — is a :class:`FeedError`,
and the harvester downloads the dump instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, RdfFormat, Triple, parse

from ..changes.delta import canonical
from .fetch import FetchError, get

#: ``dcterms:conformsTo`` of a feed whose releases come with RDF Patches.
RDF_PATCH_SPEC = "https://afs.github.io/rdf-patch/"
#: More releases than this behind: the dump is the cheaper download.
MAX_PATCHES = 200
#: Feed pages read at most while looking for the release held.
MAX_PAGES = 20


class FeedError(Exception):
    """The feed cannot bring the held graph to the current release (the message says why)."""


@dataclass(frozen=True)
class CaughtUp:
    """The held graph brought to the current release, and the patches applied (oldest first)."""

    triples: list[Triple]
    patches: tuple[str, ...]


def catch_up(feed: str, held: str, current: str, triples: Iterable[Triple], expected: int | None) -> CaughtUp:
    """Apply the feed's patches from release ``held`` to release ``current`` to ``triples``."""
    releases = releases_since(feed, held, current)
    graph = canonical(triples)
    for release in releases:
        try:
            text = get(release["patch"], "application/rdf-patch").body.decode("utf-8")
        except (FetchError, UnicodeDecodeError) as exc:
            raise FeedError(f"patch of release {release['iri']}: {exc}") from None
        apply_patch(graph, text, release["patch"])
    if expected is not None and len(graph) != expected:
        raise FeedError(f"after {len(releases)} patches the graph has {len(graph)} triples, "
                        f"the description says {expected}")
    fresh: dict[str, BlankNode] = {}  # new labels: sources never share a blank node
    return CaughtUp([_relabel(t, fresh) for t in graph], tuple(r["patch"] for r in releases))


def releases_since(feed: str, held: str, current: str) -> list[dict[str, str]]:
    """The releases after ``held`` up to ``current``, oldest first, read from the feed's JSON pages."""
    newer: list[dict[str, str]] = []
    url: str | None = feed
    for _ in range(MAX_PAGES):
        if url is None:
            break
        try:
            page = json.loads(get(url, "application/json").body)
            items, url = page["releases"], page.get("links", {}).get("next")
            for item in items:
                if item["iri"] == held:
                    newer.reverse()
                    if not newer or newer[-1]["iri"] != current:
                        raise FeedError(f"the feed's newest release is not {current}, the one the description names")
                    if len(newer) > MAX_PATCHES:
                        raise FeedError(f"{len(newer)} releases behind (more than {MAX_PATCHES})")
                    return newer
                newer.append({"iri": item["iri"], "patch": item["patch"]})
        except FetchError as exc:
            raise FeedError(str(exc)) from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise FeedError(f"{url}: not a change feed this harvester reads ({exc.__class__.__name__}: {exc})") from None
    raise FeedError(f"release {held} is not in the feed")


def apply_patch(graph: set[Triple], text: str, url: str) -> None:
    """Apply one RDF Patch's ``D`` and ``A`` rows to ``graph`` strictly: every deleted fact must be
    there and every added one new, else :class:`FeedError` (the graph is then not to be used)."""
    rows: dict[str, list[str]] = {"D": [], "A": []}
    for number, line in enumerate(text.splitlines(), 1):
        kind, _, row = line.partition(" ")
        if kind in rows:
            rows[kind].append(row)
        elif kind == "TA":
            raise FeedError(f"{url}: the patch aborts its transaction")
        elif kind not in ("H", "TX", "TC", "PA", "PD", ""):
            raise FeedError(f"{url}:{number}: not an RDF Patch row: {line[:80]!r}")
    try:
        deleted, added = ([q.triple for q in parse("\n".join(rows[k]) + "\n", RdfFormat.N_TRIPLES)] for k in "DA")
    except SyntaxError as exc:
        raise FeedError(f"{url}: a row does not parse as N-Triples ({exc})") from None
    for triple in deleted:
        if triple not in graph:
            raise FeedError(f"{url}: deletes a fact the held graph lacks: {triple}")
        graph.remove(triple)
    for triple in added:
        if triple in graph:
            raise FeedError(f"{url}: adds a fact the held graph already has: {triple}")
        graph.add(triple)


def _relabel(triple: Triple, fresh: dict[str, BlankNode]) -> Triple:
    def term(t):  # type: ignore[no-untyped-def]
        return fresh.setdefault(t.value, BlankNode()) if isinstance(t, BlankNode) else t

    return Triple(term(triple.subject), triple.predicate, term(triple.object))
