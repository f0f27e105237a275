"""The harvest graph (``<base>graph/harvest``): per source, its graph's provenance and the last attempt.

For a source ``n`` whose graph ``G = <base>graph/source/n`` is loaded::

    G a void:Dataset, dcat:Dataset, prov:Entity ; dct:title "n" ;
      dct:source <the publisher's dataset> ;          # which has void:sparqlEndpoint <its endpoint>
      prov:wasDerivedFrom <the dump, or the endpoint> ; prov:generatedAtTime "retrieved" ;
      dct:license <...> ; dcat:version "the publisher's release" ; dcat:byteSize n ; void:triples n ;
      spdx:checksum G#checksum ; prov:wasGeneratedBy G#harvest ; dct:conformsTo <shapes> (if it conforms) .
    G#harvest a prov:Activity ; prov:used <the dump> ; prov:endedAtTime "retrieved" ;
      prov:generated G#validation .
    G#validation a sh:ValidationReport ; sh:conforms true|false ; dct:description "0 violations, ..." .

and for every source, loaded or not, the last attempt and the last success (``G#last-attempt``,
``G#last-success``): ``prov:Activity`` with ``dct:subject G``, ``prov:used`` the source's URL,
``prov:startedAtTime``, ``dct:description`` the outcome (loaded, unchanged, failed) and one
``rdfs:comment`` per finding.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from ..graphs import HARVEST_GRAPH, SOURCE_GRAPH
from .state import SourceState

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
PROV = "http://www.w3.org/ns/prov#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: What ``builtin`` shapes are called in the graph: the contract's shapes page.
BUILTIN_SHAPES = "https://w3id.org/healthy-cities/shapes"


def harvest_graph(states: dict[str, SourceState], base_iri: str) -> bytes:
    """N-Quads of the harvest graph for every source's state."""
    graph = NamedNode(f"{base_iri}graph/{HARVEST_GRAPH}")
    quads: list[Quad] = []

    def add(s: str, p: str, o: NamedNode | Literal) -> None:
        quads.append(Quad(NamedNode(s), NamedNode(p), o, graph))

    def typed(value: str | int, datatype: str) -> Literal:
        return Literal(str(value), datatype=NamedNode(XSD + datatype))

    for name, state in sorted(states.items()):
        g = f"{base_iri}graph/{SOURCE_GRAPH}{name}"
        for fragment, when, outcome in (("last-attempt", state.last_attempt, state.outcome),
                                        ("last-success", state.last_success, "")):
            if not when:
                continue
            activity = f"{g}#{fragment}"
            add(activity, RDF_TYPE, NamedNode(PROV + "Activity"))
            add(activity, DCT + "subject", NamedNode(g))
            add(activity, DCT + "title", Literal(f"{fragment.replace('-', ' ')} to harvest {name}"))
            add(activity, PROV + "used", NamedNode(state.location))
            add(activity, PROV + "startedAtTime", typed(when, "dateTime"))
            if outcome:
                add(activity, DCT + "description", Literal(outcome))
                for finding in state.findings:
                    add(activity, RDFS_COMMENT, Literal(finding))
        loaded = state.loaded
        if loaded is None:
            continue
        for kind in ("void", "dcat"):
            add(g, RDF_TYPE, NamedNode((VOID if kind == "void" else DCAT) + "Dataset"))
        add(g, RDF_TYPE, NamedNode(PROV + "Entity"))
        add(g, DCT + "title", Literal(name))
        if loaded.dataset.startswith(("http://", "https://")):
            add(g, DCT + "source", NamedNode(loaded.dataset))
            if loaded.endpoint:
                add(loaded.dataset, VOID + "sparqlEndpoint", NamedNode(loaded.endpoint))
        add(g, PROV + "wasDerivedFrom", NamedNode(loaded.download))
        add(g, PROV + "generatedAtTime", typed(loaded.retrieved, "dateTime"))
        if loaded.licence:
            add(g, DCT + "license", NamedNode(loaded.licence))
        if loaded.release:
            add(g, DCAT + "version", Literal(loaded.release))
        add(g, DCAT + "byteSize", typed(loaded.byte_size, "nonNegativeInteger"))
        add(g, VOID + "triples", typed(loaded.triples, "integer"))
        add(g, SPDX + "checksum", NamedNode(g + "#checksum"))
        add(g + "#checksum", RDF_TYPE, NamedNode(SPDX + "Checksum"))
        add(g + "#checksum", SPDX + "algorithm", NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(g + "#checksum", SPDX + "checksumValue", typed(loaded.sha256, "hexBinary"))
        add(g, PROV + "wasGeneratedBy", NamedNode(g + "#harvest"))
        add(g + "#harvest", RDF_TYPE, NamedNode(PROV + "Activity"))
        add(g + "#harvest", PROV + "used", NamedNode(loaded.download))
        add(g + "#harvest", PROV + "endedAtTime", typed(loaded.retrieved, "dateTime"))
        add(g + "#harvest", PROV + "generated", NamedNode(g + "#validation"))
        add(g + "#validation", RDF_TYPE, NamedNode(SH + "ValidationReport"))
        add(g + "#validation", SH + "conforms", typed("true" if loaded.conforms else "false", "boolean"))
        counts = ", ".join(f"{loaded.counts.get(s, 0)} {s}s" for s in ("error", "violation", "warning", "info"))
        add(g + "#validation", DCT + "description", Literal(counts))
        for shapes in loaded.shapes:
            iri = BUILTIN_SHAPES if shapes == "builtin" else f"file://{shapes}"
            if loaded.conforms:
                add(g, DCT + "conformsTo", NamedNode(iri))
    return serialize(quads, format=RdfFormat.N_QUADS) or b""
