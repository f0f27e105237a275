"""The harvest report (``/harvest``): per harvested source, last success, last attempt and findings.

Read from the harvest graph that ``hcn harvest`` writes (``<base>graph/harvest``; see
``server.harvest.provenance``): HTML for people, the graph itself as RDF. A server that serves
no harvest answers 404. The same graph makes each source a ``void:subset`` of the aggregate's
dataset in ``/.well-known/void`` (:func:`subsets`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, Response, render_template, url_for
from pyoxigraph import NamedNode, Triple

from .. import negotiation
from ..errors import NotFound
from ..graphs import HARVEST_GRAPH
from ..linkeddata.publishing import Negotiated, cached, respond, settings, store

bp = Blueprint("harvest_report", __name__)

VOID_SUBSET = NamedNode("http://rdfs.org/ns/void#subset")
VOID_DATASET = NamedNode("http://rdfs.org/ns/void#Dataset")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PREFIXES = """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
"""
_ACTIVITIES = _PREFIXES + """SELECT ?g ?a ?when ?used ?outcome ?finding WHERE { GRAPH <%s> {
  ?a dct:subject ?g ; prov:startedAtTime ?when ; prov:used ?used .
  OPTIONAL { ?a dct:description ?outcome } OPTIONAL { ?a rdfs:comment ?finding } } }"""
_LOADED = _PREFIXES + """SELECT ?g ?triples ?retrieved ?sha ?validation ?release ?licence ?from WHERE { GRAPH <%s> {
  ?g a void:Dataset ; void:triples ?triples ; prov:generatedAtTime ?retrieved ; prov:wasDerivedFrom ?from ;
     spdx:checksum/spdx:checksumValue ?sha ; prov:wasGeneratedBy/prov:generated/dct:description ?validation .
  OPTIONAL { ?g dcat:version ?release } OPTIONAL { ?g dct:license ?licence } } }"""


def harvest_graph_iri() -> str:
    """The harvest graph's IRI under the configured base."""
    return settings().graph_iri(HARVEST_GRAPH)


def harvest_triples() -> list[Triple]:
    """Every triple of the harvest graph (empty when this server serves no harvest), read once per app."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{harvest_graph_iri()}> {{ ?s ?p ?o }} }}"
    return cached("hcn_harvest", lambda: list(store().query(query)))  # type: ignore[arg-type]


def subsets(dataset: str) -> list[Triple]:
    """The harvest graph plus ``<dataset> void:subset <source graph>`` for each source loaded."""
    triples = harvest_triples()
    loaded = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == VOID_DATASET}
    return [Triple(NamedNode(dataset), VOID_SUBSET, g) for g in sorted(loaded, key=str)] + triples


def rows() -> list[dict[str, Any]]:
    """One row per source, sorted by graph: name, graph, source URL, last success, last attempt, outcome, findings."""
    table: dict[str, dict[str, Any]] = defaultdict(lambda: {"findings": set()})
    for r in store().query(_ACTIVITIES % harvest_graph_iri()):
        row = table[r["g"].value]  # type: ignore[index]
        kind = r["a"].value.rsplit("#", 1)[-1]  # type: ignore[index]
        row[kind] = r["when"].value  # type: ignore[index]
        row["used"] = r["used"].value  # type: ignore[index]
        if r["outcome"] is not None:  # type: ignore[index]
            row["outcome"] = r["outcome"].value  # type: ignore[index]
        if r["finding"] is not None:  # type: ignore[index]
            row["findings"].add(r["finding"].value)  # type: ignore[index]
    for r in store().query(_LOADED % harvest_graph_iri()):
        table[r["g"].value].update(  # type: ignore[index]
            {k: r[k].value for k in ("triples", "retrieved", "sha", "validation", "release", "licence", "from")  # type: ignore[index]
             if r[k] is not None})  # type: ignore[index]
    out = []
    for graph, row in sorted(table.items()):
        findings = sorted(row.pop("findings"))
        out.append({**row, "graph": graph, "name": graph.rsplit("/", 1)[-1],
                    "findings": sorted(findings, key=lambda f: not f.startswith("refused"))})
    return out


@bp.route("/harvest")
@bp.route("/harvest.<ext>")
def report(ext: str | None = None) -> Response:
    """The harvest report, negotiated: HTML table, or the harvest graph in an RDF format."""
    suffix = None if ext is None else negotiation.by_name(negotiation.DOCUMENT_OFFERS, ext, NotFound).name
    if not harvest_triples():
        raise NotFound("this server serves no harvest: run `hcn harvest` into its root first")

    def html(triples: list[Triple], common: dict[str, Any]) -> str:
        return render_template("harvest.html", sources=rows(), graph_iri=harvest_graph_iri(), **common)

    generic = url_for("harvest_report.report")
    return respond(Negotiated(generic, generic), suffix, harvest_triples, html)
