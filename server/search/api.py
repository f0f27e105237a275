"""What ``/search`` takes and answers, as its OpenAPI operation: one source for the views and ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from .index import RANKS

#: Longest ``q`` in characters, and the allowed and default ``limit``.
MAX_QUERY = 200
LIMITS = range(1, 101)
DEFAULT_LIMIT = 20
PARAMETERS = ("q", "limit", "lang", "format")

HIT = {
    "type": "object",
    "required": ["iri", "href", "label", "rank", "matched", "kinds"],
    "properties": {
        "iri": {"type": "string", "format": "iri"},
        "href": {"type": "string", "description": "The page to link to (local for this dataset's IRIs)"},
        "label": {"type": "string", "description": "The name in lang, else in English, Norwegian or any language"},
        "rank": {"enum": list(RANKS), "description": "exact name, start of a name, words of a name, words of a definition"},
        "matched": {
            "type": "object",
            "properties": {"property": {"type": "string"}, "text": {"type": "string"}, "lang": {"type": ["string", "null"]}},
        },
        "kinds": {"type": "array", "items": {"type": "string"}, "description": "rdf:type, the most specific first"},
    },
}
RESULTS = {
    "type": "object",
    "required": ["query", "lang", "limit", "total", "groups"],
    "properties": {
        "query": {"type": "string"},
        "lang": {"enum": ["en", "nb"]},
        "limit": {"type": "integer"},
        "total": {"type": "integer", "description": "Subjects that match in all (at most limit are listed)"},
        "groups": {
            "type": "array",
            "description": "The hits grouped by their most specific kind, groups in the order of their best hit",
            "items": {
                "type": "object",
                "properties": {"kind": {"type": ["string", "null"]}, "label": {"type": "string"},
                               "hits": {"type": "array", "items": HIT}},
            },
        },
    },
}


def operation() -> dict[str, Any]:
    """The OpenAPI GET operation of ``/search`` (error responses referenced from the document's components)."""
    return {
        "operationId": "search",
        "summary": "Search names, alternative names and definitions",
        "description": "Accent- and case-insensitive (ostfold finds Østfold; æ, ø, å match ae, o, a); hits ranked "
        "exact name, then start of a name, then words, grouped by kind.",
        "tags": ["search"],
        "parameters": [
            {"name": "q", "in": "query", "required": True, "example": "ostfold",
             "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY}},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": LIMITS.start, "maximum": LIMITS.stop - 1, "default": DEFAULT_LIMIT}},
            {"name": "lang", "in": "query", "required": False, "description": "Language of the labels shown "
             "(default: Accept-Language, else en)", "schema": {"enum": ["en", "nb"]}},
            {"name": "format", "in": "query", "required": False, "description": "Overrides Accept",
             "schema": {"enum": ["json", "html"]}},
        ],
        "responses": {
            "200": {"description": "The best hits", "content": {"application/json": {"schema": RESULTS},
                                                               "text/html": {"schema": {"type": "string"}}}},
            "304": {"description": "Not modified (If-None-Match matched the ETag)"},
            "400": {"$ref": "#/components/responses/400"},
            "406": {"$ref": "#/components/responses/406"},
            "503": {"$ref": "#/components/responses/503"},
        },
    }
