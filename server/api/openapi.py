"""The OpenAPI 3.1 document of the named-query API, generated from the ``queries/*.rq`` headers.

Pure functions over ``Example`` values: no Flask, no store. One GET operation per query, its
``param-`` lines as typed query parameters, every result format as a response content type.

>>> from .examples import parse_example
>>> q = parse_example("n", "#+ title: N\\n#+ param-k: integer\\nSELECT ?k (COUNT(?x) AS ?n) { ?x ?p ?k } GROUP BY ?k")
>>> projection(q.query)
['k', 'n']
>>> op = document([q])["paths"]["/api/n"]["get"]
>>> [p.get("name", p.get("$ref")) for p in op["parameters"]], op["parameters"][0]["schema"]
(['k', '#/components/parameters/format'], {'type': 'integer'})
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from .. import __version__
from ..search import api as search_api
from .examples import Example

FORMAT_NAMES = ["json", "records", "csv", "tsv", "html"]
TEXT = {"schema": {"type": "string"}}
ERRORS = {
    "400": "Bad request: an unknown parameter, a value of the wrong type or outside the allowed values, "
    "an unknown format; the message names the parameter",
    "404": "No such named query",
    "406": "None of the offered media types is acceptable",
    "503": "The store is busy or failed; retry later",
    "504": "The query ran past the deadline and was stopped",
}
TERM = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"enum": ["uri", "literal", "bnode", "triple"]},
        "value": {},
        "xml:lang": {"type": "string"},
        "datatype": {"type": "string"},
    },
}
SPARQL_RESULTS = {
    "type": "object",
    "description": "SPARQL 1.1 Query Results JSON Format",
    "required": ["head", "results"],
    "properties": {
        "head": {"type": "object", "required": ["vars"], "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
        "results": {
            "type": "object",
            "required": ["bindings"],
            "properties": {
                "bindings": {"type": "array", "items": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Term"}}}
            },
        },
    },
}
VALUE = {"type": ["string", "number", "boolean", "null"]}


def projection(query: str) -> list[str]:
    """The variables of the outer SELECT clause, in order (``[]`` for ``SELECT *`` or no SELECT)."""
    text = re.sub(r"(?m)^\s*#.*$", "", query)
    match = re.search(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*(?:\bWHERE\b|\{)", text, re.S | re.I)
    if not match or match.group(1).strip() == "*":
        return []
    found = re.findall(r"\(.*?\bAS\s+[?$](\w+)\s*\)|[?$](\w+)", match.group(1), re.S | re.I)
    return [alias or plain for alias, plain in found]


def records_schema(query: Example) -> dict[str, Any]:
    """Flat records: an array of objects, one property per projected variable (null when unbound)."""
    item: dict[str, Any] = {"type": "object", "additionalProperties": VALUE}
    columns = projection(query.query)
    if columns:
        item["properties"] = {name: VALUE for name in columns}
    return {"type": "array", "items": item}


def parameters(query: Example) -> list[dict[str, Any]]:
    """The query's typed parameters plus ``format``."""
    out: list[dict[str, Any]] = []
    for param in query.params:
        entry: dict[str, Any] = {"name": param.name, "in": "query", "required": param.required, "schema": param.schema}
        if param.description:
            entry["description"] = param.description
        if param.example is not None:
            entry["example"] = param.schema["examples"][0]
        out.append(entry)
    out.append({"$ref": "#/components/parameters/format"})
    return out


def operation(query: Example, max_rows: int) -> dict[str, Any]:
    """The GET operation of one named query."""
    cap = f" At most {max_rows} rows (header X-Result-Truncated says whether more existed)." if max_rows else ""
    content = {
        "application/sparql-results+json": {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
        "application/json": {"schema": records_schema(query)},
        "text/csv": TEXT,
        "text/tab-separated-values": TEXT,
        "text/html": TEXT,
    }
    responses: dict[str, Any] = {
        "200": {"description": "The answer, in the format chosen by format= or Accept." + cap, "content": content},
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
    }
    responses.update({code: {"$ref": f"#/components/responses/{code}"} for code in ERRORS})
    return {
        "operationId": re.sub(r"-(\w)", lambda m: m.group(1).upper(), query.name),
        "summary": query.title,
        "description": query.description,
        "tags": list(query.tags),
        "parameters": parameters(query),
        "responses": responses,
    }


def listing(queries: Iterable[Example]) -> dict[str, Any]:
    """The ``/api/`` answer: each query's name, title, description, tags and parameters."""
    return {
        "queries": [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "tags": list(q.tags),
                "path": f"/api/{q.name}",
                "parameters": [
                    {"name": p.name, "type": p.type, "required": p.required, "description": p.description, "schema": p.schema}
                    for p in q.params
                ],
            }
            for q in queries
        ]
    }


def document(queries: Sequence[Example], *, max_rows: int = 0) -> dict[str, Any]:
    """The OpenAPI 3.1 document: ``/api/`` and one path per named query."""
    paths: dict[str, Any] = {
        "/api/": {
            "get": {
                "operationId": "listQueries",
                "summary": "The named queries and their parameters",
                "responses": {
                    "200": {"description": "The list", "content": {"application/json": {"schema": {"type": "object"}}, "text/html": TEXT}},
                    "304": {"description": "Not modified"},
                    "406": {"$ref": "#/components/responses/406"},
                },
            }
        }
    }
    for query in queries:
        paths[f"/api/{query.name}"] = {"get": operation(query, max_rows)}
    paths["/search"] = {"get": search_api.operation()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Healthy Cities knowledge graph: named queries and search",
            "version": __version__,
            "description": "Each named SPARQL query in queries/*.rq as a GET operation. Parameters are bound "
            "as RDF terms; leaving an optional parameter out leaves the query unfiltered. Formats: format= "
            "(json, records, csv, tsv, html) or Accept. Responses carry an ETag; If-None-Match gives 304. "
            "/search finds things by name or definition.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {"SparqlResults": SPARQL_RESULTS, "Term": TERM},
            "parameters": {
                "format": {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "description": "Result format; overrides Accept. json = SPARQL JSON, records = flat JSON records.",
                    "schema": {"type": "string", "enum": FORMAT_NAMES},
                }
            },
            "responses": {
                code: {"description": text, "content": {"text/plain": TEXT, "text/html": TEXT}}
                for code, text in ERRORS.items()
            },
        },
    }


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Flattened operations for the docs page: path, operation, and parameters with ``$ref`` resolved."""
    shared = doc["components"]["parameters"]
    rows = []
    for path, item in doc["paths"].items():
        op = item["get"]
        params = [shared[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p for p in op.get("parameters", [])]
        example = {p["name"]: p["example"] for p in params if "example" in p}
        rows.append({"path": path, "op": op, "params": params, "example": example})
    return rows
