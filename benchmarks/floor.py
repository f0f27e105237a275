"""The "Python floor" of benchmarks/run.py: the least a Python SPARQL endpoint over pyoxigraph can do.

Not a server anyone should run: no deadline, no negotiation beyond two formats, no error pages, no
logs, no limits. It is a bare ASGI app on gunicorn's uvicorn workers (httptools, uvloop), the same
HTTP stack as ``hcn serve --production``, that answers ``POST /query`` (``application/sparql-query``)
right on the event loop with an in-memory ``pyoxigraph.Store``: SELECT/ASK as SPARQL JSON, CONSTRUCT
as Turtle, both written by pyoxigraph. What ours costs above this is what our features and structure
cost; what this costs above Oxigraph's own server is what Python and its HTTP stack cost.

    gunicorn --preload -w 2 -k uvicorn_worker.UvicornWorker --reuse-port \\
        --bind 127.0.0.1:8000 'floor:app("data.ttl")'
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from pyoxigraph import QueryResultsFormat, QueryTriples, RdfFormat, Store

JSON_TYPE = b"application/sparql-results+json"
TURTLE_TYPE = b"text/turtle"


def app(path: str) -> Any:
    """The ASGI app over the Turtle file at ``path`` (loaded into the default graph, once)."""
    store = Store()
    store.bulk_load(path=path, format=RdfFormat.TURTLE)

    async def endpoint(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if scope["method"] == "GET":
            query = parse_qs(scope["query_string"].decode("latin-1")).get("query", [""])[0]
        else:
            query = body.decode("utf-8")
        try:
            result = store.query(query)
            if isinstance(result, QueryTriples):
                data, content_type = result.serialize(format=RdfFormat.TURTLE) or b"", TURTLE_TYPE
            else:
                data, content_type = result.serialize(format=QueryResultsFormat.JSON) or b"", JSON_TYPE
            status = 200
        except (SyntaxError, OSError, ValueError) as exc:
            data, content_type, status = str(exc).encode(), b"text/plain", 400
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    return endpoint
