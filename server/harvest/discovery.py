"""A publisher's VoID/DCAT description read into what a harvest needs, and the best dump chosen.

Reads the terms ``/.well-known/void`` of this software publishes (``server.dataset.description``)
and any VoID or DCAT-AP catalogue like it: the ``dcat:Dataset`` with distributions, its
``dct:license``, ``dct:modified`` / ``dcat:version`` / ``owl:versionInfo`` (the release),
``void:sparqlEndpoint``, and per ``dcat:Distribution`` its ``dcat:downloadURL``,
``dcat:mediaType``, ``dcat:compressFormat``, ``dcat:byteSize`` and ``spdx:checksum`` (sha256);
and, where the publisher has one, its change feed (``server.harvest.feed``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pyoxigraph import NamedNode, RdfFormat, parse

from .feed import RDF_PATCH_SPEC

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
IANA = "https://www.iana.org/assignments/media-types/"
#: What a description may come as, best first (the Accept header of the request).
ACCEPT = "text/turtle, application/n-triples;q=0.9, application/ld+json;q=0.8, application/rdf+xml;q=0.7"
#: Dump media types this harvester parses, best first (N-Triples streams fastest and has no prefixes to go wrong).
PARSERS: dict[str, RdfFormat] = {
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
GZIP = ("application/gzip", "application/x-gzip")


class DiscoveryError(Exception):
    """The description is unparsable or offers no dump this harvester can read."""


@dataclass(frozen=True)
class Dump:
    """One ``dcat:Distribution``: where it is, what it is, and what its bytes must be."""

    url: str
    media_type: str
    gzip: bool = False
    byte_size: int | None = None
    sha256: str = ""


@dataclass(frozen=True)
class Offer:
    """The dataset a publisher describes, and its dumps."""

    dataset: str
    licence: str
    release: str
    endpoint: str
    dumps: tuple[Dump, ...]
    current: str = ""  # dcat:hasCurrentVersion: the release in a change feed these dumps are
    feed: str = ""  # the dcat:DataService serving the dataset's releases as RDF Patches
    triples: int | None = None  # void:triples

    def best_dump(self) -> Dump:
        """The dump to download: the most preferred format, gzip before plain; ``DiscoveryError`` if none parses."""
        usable = [d for d in self.dumps if d.media_type in PARSERS]
        if not usable:
            raise DiscoveryError(f"no dump in a format this harvester reads ({', '.join(PARSERS)}) "
                                 f"among {len(self.dumps)} distributions of {self.dataset}")
        order = list(PARSERS)
        return min(usable, key=lambda d: (order.index(d.media_type), not d.gzip, d.url))


def media_type(value: str) -> str:
    """``https://www.iana.org/assignments/media-types/text/turtle`` or ``text/turtle; charset=utf-8`` -> ``text/turtle``."""
    return value.removeprefix(IANA).split(";")[0].strip().lower()


def read_offer(body: bytes, content_type: str, url: str) -> Offer:
    """The dataset with the most distributions in a VoID/DCAT document fetched from ``url``."""
    fmt = PARSERS.get(media_type(content_type), RdfFormat.TURTLE)
    try:
        triples = list(parse(body, fmt, base_iri=url, without_named_graphs=True))
    except (SyntaxError, ValueError) as exc:
        raise DiscoveryError(f"{url}: the description does not parse as {fmt.name}: {exc}") from None
    about: dict[object, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        about[t.subject][t.predicate.value].append(t.object)
    datasets = [s for s, props in about.items() if NamedNode(DCAT + "Dataset") in props[RDF_TYPE]
                or NamedNode(VOID + "Dataset") in props[RDF_TYPE]]
    if not datasets:
        raise DiscoveryError(f"{url}: no dcat:Dataset or void:Dataset described")
    dataset = max(datasets, key=lambda s: len(about[s][DCAT + "distribution"]))
    props = about[dataset]
    dumps = tuple(_dump(about, about[d]) for d in props[DCAT + "distribution"] if about[d][DCAT + "downloadURL"])
    release = _first(props, DCAT + "version") or _first(props, OWL_VERSION) or _first(props, DCT + "modified")
    feeds = sorted(_first(p, DCAT + "endpointURL") for p in about.values()
                   if NamedNode(DCAT + "DataService") in p[RDF_TYPE] and dataset in p[DCAT + "servesDataset"]
                   and NamedNode(RDF_PATCH_SPEC) in p[DCT + "conformsTo"])
    triples = _first(props, VOID + "triples")
    return Offer(getattr(dataset, "value", str(dataset)), _first(props, DCT + "license"), release,
                 _first(props, VOID + "sparqlEndpoint"), dumps, _first(props, DCAT + "hasCurrentVersion"),
                 feeds[0] if feeds else "", int(triples) if triples.isdigit() else None)


def _dump(about: dict[object, dict[str, list]], props: dict[str, list]) -> Dump:
    compress = _first(props, DCAT + "compressFormat")
    size = _first(props, DCAT + "byteSize")
    return Dump(
        url=_first(props, DCAT + "downloadURL"),
        media_type=media_type(_first(props, DCAT + "mediaType")),
        gzip=media_type(compress) in GZIP if compress else False,
        byte_size=int(size) if size.isdigit() else None,
        sha256=next((_first(about[c], SPDX + "checksumValue").lower() for c in props[SPDX + "checksum"]
                     if NamedNode(SPDX + "checksumAlgorithm_sha256") in about[c][SPDX + "algorithm"]), ""),
    )


def _first(props: dict[str, list], predicate: str) -> str:
    values = props.get(predicate) or []
    return sorted(v.value for v in values)[0] if values else ""
