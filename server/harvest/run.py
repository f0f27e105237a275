"""One harvest run: each source in turn, downloaded only when it changed, checked, and swapped in whole.

Per source, from its VoID/DCAT description (or, with no description, a CONSTRUCT of a SPARQL
endpoint): conditional GET of the description (304: unchanged); the best dump; unchanged if its
sha256 is the one already loaded; when the graph held came from an earlier release of the
publisher's change feed, the patches since then instead of the dump (``feed``; the dump when they
do not fit); else a conditional GET of the dump (304: unchanged); its byte size and sha256 against
the description; gunzip; parse; validate with the engine of ``hcn validate``
(more SHACL violations than ``max_violations``, or any error, refuses it). Only then is the
source's N-Quads file replaced (write beside, fsync, rename), so a failure at any step leaves the
last good graph in place and is reported. The state and the harvest graph are rewritten after
each source.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

from ..graphs import HARVEST_FOLDER, HARVEST_GRAPH, SOURCE_GRAPH
from ..validation import Options, validate
from .config import Source
from .discovery import ACCEPT as DESCRIPTION_ACCEPT
from .discovery import PARSERS, DiscoveryError, Dump, read_offer
from .feed import FeedError, catch_up
from .fetch import FetchError, Fetched, get
from .provenance import harvest_graph
from .state import Loaded, SourceState, load_states, replace_file, save_states

#: Everything, from the default graph and every named graph of a plain SPARQL endpoint.
CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
#: How many findings of a refused or accepted source the report keeps, as text.
MAX_FINDINGS = 20


class Refused(Exception):
    """A source that cannot be taken this time; the arguments are the findings reported."""


@dataclass(frozen=True)
class Outcome:
    """What a run did with one source: ``loaded``, ``unchanged`` or ``failed``, and whether it downloaded data."""

    name: str
    outcome: str
    findings: tuple[str, ...]
    downloaded: bool
    triples: int


@dataclass(frozen=True)
class _Download:
    """Bytes as served (perhaps gzip) and what the publisher says about them."""

    body: bytes
    media_type: str
    gzip: bool
    url: str
    fetched: Fetched
    dataset: str
    licence: str
    release: str
    endpoint: str
    findings: tuple[str, ...] = ()
    triples: list | None = None  # already parsed: caught up through the change feed, ``body`` is empty
    sha256: str = ""  # of the dump these facts are, when not the body's own
    byte_size: int | None = None
    release_iri: str = ""

    @functools.cached_property
    def digest(self) -> str:
        """The sha256 recorded for these facts: the body's (hashed once), or that of the dump the feed
        caught up with."""
        return self.sha256 or hashlib.sha256(self.body).hexdigest()


def harvest(sources: list[Source], root: Path, base_iri: str, *,
            clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> list[Outcome]:
    """Harvest every source into ``root/harvest/``; return one outcome per source (failures included)."""
    folder = root / HARVEST_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    states = load_states(folder)
    outcomes = []
    for source in sources:
        previous = states.get(source.name) or SourceState(source.name)
        if previous.location != source.location:  # moved: the old validators mean nothing there
            previous = SourceState(source.name, loaded=previous.loaded, last_success=previous.last_success)
        graph_iri = f"{base_iri}graph/{SOURCE_GRAPH}{source.name}"
        state, outcome = _one(source, previous, folder / f"{source.name}.nq", graph_iri, stamp(clock()))
        states[source.name] = state
        outcomes.append(outcome)
        save_states(folder, states)
        replace_file(folder / f"{HARVEST_GRAPH}.nq", harvest_graph(states, base_iri))
    return outcomes


def stamp(moment: datetime) -> str:
    """An ``xsd:dateTime`` in UTC to the second.

    >>> stamp(datetime(2026, 3, 1, 2, 3, 4, 567, tzinfo=timezone.utc))
    '2026-03-01T02:03:04Z'
    """
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _one(source: Source, previous: SourceState, graph_file: Path, graph_iri: str,
         now: str) -> tuple[SourceState, Outcome]:
    state = replace(previous, location=source.location, last_attempt=now, findings=[])
    loaded = previous.loaded if graph_file.is_file() else None
    downloaded = False
    try:
        download = _download(source, state, loaded, graph_file,
                             conditional=loaded is not None and previous.outcome != "failed")
        downloaded = download is not None
        if download is not None and download.triples is None:
            state.dump_url, state.dump_etag, state.dump_modified = (download.url, download.fetched.etag,
                                                                    download.fetched.last_modified)
        if download is None or (loaded and download.digest == loaded.sha256):
            state.outcome, state.last_success = "unchanged", now
            return state, Outcome(source.name, "unchanged", (), downloaded, loaded.triples if loaded else 0)
        state.loaded, state.findings = _check_and_swap(source, download, graph_file, graph_iri, now)
    except (FetchError, DiscoveryError, Refused) as exc:
        state.outcome, state.findings = "failed", [str(a) for a in exc.args]
        return state, Outcome(source.name, "failed", tuple(state.findings), downloaded, 0)
    state.outcome, state.last_success = "loaded", now
    return state, Outcome(source.name, "loaded", tuple(state.findings), True, state.loaded.triples)


def _download(source: Source, state: SourceState, loaded: Loaded | None, graph_file: Path, *,
              conditional: bool) -> _Download | None:
    """The bytes to load, or None when the publisher says (304, the same checksum) that nothing changed."""
    if not source.void:
        url = source.endpoint + ("&" if "?" in source.endpoint else "?") + urlencode({"query": CONSTRUCT_ALL})
        fetched = get(url, "application/n-triples")
        return _Download(fetched.body, "application/n-triples", False, source.endpoint, fetched, source.endpoint,
                         source.licence, fetched.last_modified, source.endpoint)
    described = get(source.void, DESCRIPTION_ACCEPT, etag=state.void_etag if conditional else "",
                    last_modified=state.void_modified if conditional else "")
    if described.not_modified:
        return None
    state.void_etag, state.void_modified = described.etag, described.last_modified
    offer = read_offer(described.body, described.content_type, source.void)
    dump = offer.best_dump()
    if loaded and dump.sha256 == loaded.sha256:
        return None
    findings: tuple[str, ...] = ()
    if conditional and loaded and loaded.release_iri and offer.feed and offer.current not in ("", loaded.release_iri):
        try:
            caught = catch_up(offer.feed, loaded.release_iri, offer.current, _held(graph_file), offer.triples)
        except FeedError as exc:
            findings = (f"{offer.feed}: change feed not used ({exc}); the dump was downloaded",)
        else:
            return _Download(b"", "application/rdf-patch", False, offer.feed, Fetched(200), offer.dataset,
                             offer.licence or source.licence, offer.release, offer.endpoint,
                             (f"{offer.feed}: caught up from {loaded.release_iri} with {len(caught.patches)} "
                              "patches instead of the dump",),
                             caught.triples, dump.sha256, dump.byte_size, offer.current)
    same = conditional and dump.url == state.dump_url
    fetched = get(dump.url, "*/*", etag=state.dump_etag if same else "", last_modified=state.dump_modified if same else "")
    if fetched.not_modified:
        if dump.sha256:  # the description announces other bytes than those loaded
            raise Refused(f"{dump.url}: the description announces a new dump (sha256 {dump.sha256[:12]}…) "
                          "but the server answered 304 Not Modified for the one loaded")
        return None
    return _Download(fetched.body, dump.media_type, dump.gzip, dump.url, fetched, offer.dataset,
                     offer.licence or source.licence, offer.release, offer.endpoint,
                     findings + _verify(dump, fetched.body), release_iri=offer.current)


def _held(graph_file: Path) -> list:
    """The triples of the graph file served for a source (``FeedError`` when it cannot be read)."""
    try:
        return [q.triple for q in parse(path=graph_file, format=RdfFormat.N_QUADS)]
    except (OSError, SyntaxError) as exc:
        raise FeedError(f"the held graph cannot be read ({exc})") from None


def _verify(dump: Dump, body: bytes) -> tuple[str, ...]:
    """Byte size and sha256 against the description (``Refused`` on a mismatch); findings if it gives none."""
    if dump.byte_size is not None and len(body) != dump.byte_size:
        raise Refused(f"{dump.url}: {len(body)} bytes downloaded, the description says {dump.byte_size}")
    digest = hashlib.sha256(body).hexdigest()
    if dump.sha256 and digest != dump.sha256:
        raise Refused(f"{dump.url}: sha256 {digest} does not match the description's {dump.sha256}")
    return () if dump.sha256 else (f"{dump.url}: the description gives no sha256; the bytes are not verified",)


def _check_and_swap(source: Source, download: _Download, graph_file: Path, graph_iri: str,
                    now: str) -> tuple[Loaded, list[str]]:
    """Decompress, parse, validate; then replace the source's graph file. ``Refused`` before any write."""
    triples = download.triples if download.triples is not None else _parsed(download)
    counts, findings = _validate(source, triples)
    if counts["error"] or counts["violation"] > source.max_violations:
        summary = (f"refused: {counts['error']} errors, {counts['violation']} violations "
                   f"(at most {source.max_violations} accepted)")
        raise Refused(summary, *findings)
    graph = NamedNode(graph_iri)
    replace_file(graph_file, serialize([Quad(t.subject, t.predicate, t.object, graph) for t in triples],
                                       format=RdfFormat.N_QUADS) or b"")
    size = len(download.body) if download.byte_size is None else download.byte_size
    loaded = Loaded(download.dataset, download.url, download.media_type, now, download.digest, size,
                    download.release, download.licence, download.endpoint, len(triples), counts["violation"] == 0,
                    counts, list(source.shapes), download.release_iri)
    return loaded, [*download.findings, *findings]


def _parsed(download: _Download) -> list:
    """The dump's triples, gunzipped and parsed with fresh blank nodes (``Refused`` when it cannot be)."""
    data = download.body
    if download.gzip:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise Refused(f"{download.url}: not valid gzip ({exc})") from None
    fmt = PARSERS[download.media_type]
    try:
        return [q.triple for q in parse(data, fmt, base_iri=download.url, without_named_graphs=True,
                                        rename_blank_nodes=True)]
    except (SyntaxError, ValueError) as exc:
        raise Refused(f"{download.url}: does not parse as {fmt.name}: {exc}") from None


def _validate(source: Source, triples: list) -> tuple[dict[str, int], list[str]]:
    """``hcn validate``'s engine over the triples (as N-Triples): counts per severity and the first findings."""
    with tempfile.TemporaryDirectory(prefix="hcn-harvest-") as tmp:
        path = Path(tmp) / f"{source.name}.nt"
        path.write_bytes(serialize(triples, format=RdfFormat.N_TRIPLES) or b"")
        report = validate(Options(paths=[str(path)], root=None, shapes=source.shapes, ontology=source.ontology,
                                  unknown_terms="warning"))
    findings = [f"{f.severity}: {f.message}" + (f" [{f.focus}]" if f.focus else "")
                for f in report.findings[:MAX_FINDINGS]]
    return report.counts(), findings
