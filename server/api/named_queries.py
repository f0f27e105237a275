"""Run a named query (or any ``.rq`` file) with bound parameters: ``hcn query`` for the embedded store
or a remote SPARQL endpoint.

Embedded: the engine substitutes the terms (``Job.substitutions``), exactly as ``/api/{name}`` does.
Remote: a trailing ``VALUES`` block is built from the parsed terms in N-Triples syntax (pyoxigraph
escapes them), so a value can only ever be one RDF term, never query text.

>>> from pyoxigraph import Literal, NamedNode
>>> values_clause({"m": NamedNode("http://e/x"), "n": Literal('a" } #')})
'VALUES (?m ?n) { (<http://e/x> "a\\\\" } #") }'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.error import URLError

from .. import formats
from ..errors import BackendError, BadRequest, HcnError, NotFound
from ..store import Store
from ..store.execute import Job, ListSink, execute
from ..store.results import plain_value
from .examples import Example, parse_example, read_examples
from .params import Term, bind_all

NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KINDS: tuple[formats.Kind, ...] = ("results", "graph")


def looks_like_name(text: str) -> bool:
    """True for a kebab-case word (a named query), False for query text.

    >>> looks_like_name("six-ps"), looks_like_name("ASK { ?s ?p ?o }")
    (True, False)
    """
    return bool(NAME.fullmatch(text))


def load(root: Path, *, name: str | None = None, file: Path | None = None, text: str | None = None) -> Example:
    """The named query ``name`` under ``root``, else the query in ``file`` or ``text`` (header parsed alike)."""
    if name is not None:
        queries = {q.name: q for q in read_examples(root)}
        if name not in queries:
            raise NotFound(f"no named query {name!r}; known: {', '.join(sorted(queries))}")
        return queries[name]
    try:
        source = file.read_text(encoding="utf-8") if file is not None else text or ""
        return parse_example(file.stem if file is not None else "query", source)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"{file or 'query'}: {exc}") from None


def parse_assignments(pairs: Sequence[str]) -> list[tuple[str, str]]:
    """``["k=v", ...]`` from ``--param`` options as ``(name, value)`` pairs; the value may contain ``=``."""
    out = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise BadRequest(f"--param wants NAME=VALUE, got {pair!r}")
        out.append((name, value))
    return out


def bind(query: Example, pairs: Sequence[str]) -> dict[str, Term]:
    """Variable -> term for ``--param`` options: the same checks (unknown, type, enum) as the API."""
    return bind_all(query.params, parse_assignments(pairs))


def choices(format_name: str | None) -> dict[str, str | HcnError]:
    """Format per result kind (default json / ttl), or the error for a kind the format does not fit."""
    out: dict[str, str | HcnError] = {}
    for kind in KINDS:
        if format_name is None:
            out[kind] = formats.offers(kind)[0].names[0]
        elif format_name == "records" and kind == "results":
            out[kind] = "records"
        else:
            try:
                out[kind] = formats.by_name(kind, format_name).names[0]
            except HcnError as exc:
                out[kind] = exc
    return out


def run_local(store: Store, query: Example, bound: Mapping[str, Term], format_name: str | None) -> bytes:
    """Answer ``query`` with the embedded store, no row cap; bytes in the chosen format."""
    sink = ListSink()
    execute(store.query, Job(query.query, choices=choices(format_name), substitutions=dict(bound)), sink)
    return b"".join(sink)


def values_clause(bound: Mapping[str, Term]) -> str:
    """A trailing ``VALUES`` block binding each variable to its term (N-Triples syntax)."""
    names = " ".join(f"?{name}" for name in bound)
    terms = " ".join(str(term) for term in bound.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def run_remote(endpoint: str, query: Example, bound: Mapping[str, Term], format_name: str | None) -> bytes:
    """Answer ``query`` at a SPARQL endpoint through SPARQLWrapper; records are made from SPARQL JSON."""
    from SPARQLWrapper import SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    text = query.query + ("\n" + values_clause(bound) if bound else "")
    graph = query.form in ("CONSTRUCT", "DESCRIBE")
    wanted = format_name or ("ttl" if graph else "json")
    client = SPARQLWrapper(endpoint)
    client.setQuery(text)
    client.setReturnFormat(_wrapper_format(wanted, graph))
    try:
        data: bytes = client.query().response.read()
    except SPARQLWrapperException as exc:
        raise BadRequest(f"{endpoint}: {exc}") from None
    except (URLError, OSError) as exc:
        raise BackendError(f"{endpoint}: {exc}") from None
    return records_from_json(data) if wanted == "records" else data


def _wrapper_format(name: str, graph: bool) -> str:
    """SPARQLWrapper's return-format constant for a ``--format`` name."""
    table = {"json": "json", "records": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}
    if graph:
        table = {"ttl": "turtle", "nt": "n3", "jsonld": "json-ld", "rdf": "rdf+xml"}
    if name not in table:
        raise BadRequest(f"format {name!r} does not fit this query; use one of: {', '.join(table)}")
    return table[name]


def records_from_json(data: bytes) -> bytes:
    """SPARQL JSON results -> flat records (the API's ``application/json``)."""
    try:
        results = json.loads(data)
        variables = results["head"]["vars"]
        rows = [
            {v: None if v not in b else plain_value(b[v]["value"], b[v].get("datatype")) for v in variables}
            for b in results["results"]["bindings"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackendError(f"the endpoint did not answer SPARQL JSON: {exc}") from None
    return (json.dumps(rows, ensure_ascii=False) + "\n").encode("utf-8")
