"""The query UI at ``/sparql`` for browsers: YASGUI (vendored, offline) plus the named queries."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for

from .. import formats
from ..api.examples import Example, read_examples
from ..config import Settings
from ..display import COMMON_PREFIXES

#: Prefixes the editor starts with and the result table abbreviates; ``hc`` etc. follow the base IRI.
W3C_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
}
#: Dataset-agnostic first query (questions about this dataset live in queries/*.rq).
STARTER = "SELECT ?class (COUNT(?thing) AS ?things)\nWHERE { ?thing a ?class }\nGROUP BY ?class\nORDER BY DESC(?things)\nLIMIT 25"


def prefixes(settings: Settings) -> dict[str, str]:
    """Prefixes for the editor: the dataset's own namespaces, then common W3C ones."""
    return {"hc": f"{settings.base_iri}ontology#", "id": f"{settings.base_iri}id/", **W3C_PREFIXES}


def starter_query(settings: Settings) -> str:
    """The editor's initial text: the prefixes, then a small query."""
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes(settings).items()]
    return "\n".join(lines) + "\n\n" + STARTER


def page_config(settings: Settings, query: str | None) -> dict[str, Any]:
    """Everything sparql.js needs, passed as one JSON object (``tojson``, so never hand-built HTML)."""
    return {
        "endpoint": url_for("sparql.sparql", _external=True),
        "baseIri": settings.base_iri,
        "localBase": url_for("home.index"),
        "query": query or starter_query(settings),
        "runOnLoad": query is not None,
        "prefixes": prefixes(settings),
        "displayPrefixes": {**COMMON_PREFIXES, **prefixes(settings)},  # compact names in result cells
        "formats": {kind: [[f.names[0], f.media_type] for f in formats.offers(kind)] for kind in ("results", "graph")},
    }


def render(settings: Settings, query: str | None) -> str:
    """The query page; ``query`` (from a shared ``?query=`` link) is loaded and run."""
    examples = read_examples(settings.root)
    return render_template(
        "sparql.html",
        config=page_config(settings, query),
        example_groups=groups(examples),
        example_queries={e.name: e.query for e in examples},
        timeout_s=settings.query_timeout_s,
        max_rows=settings.max_rows,
        fair_use=fair_use(),
    )


def groups(examples: list[Example]) -> list[tuple[str, list[Example]]]:
    """Examples grouped by their first tag (groups and titles in alphabetical order; untagged last)."""
    by_tag: dict[str, list[Example]] = {}
    for example in sorted(examples, key=lambda e: e.title.casefold()):
        by_tag.setdefault(example.tags[0] if example.tags else "other", []).append(example)
    return sorted(by_tag.items(), key=lambda item: (item[0] == "other", item[0]))


def fair_use() -> str:
    """The endpoint's per-client limits and memory budget, in words."""
    from ..operations.admission import Admission

    admission: Admission = current_app.extensions["hcn_admission"]
    return admission.fair_use(current_app.extensions["hcn_store"].memory_budget_mb)
