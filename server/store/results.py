"""Streaming writers for SELECT results (JSON, XML, CSV, TSV) over any iterable of solutions.

pyoxigraph serializes a whole ``QuerySolutions`` but cannot serialize a capped slice of one, so the
row cap needs writers of our own. They yield text pieces row by row and never hold the result.

>>> from pyoxigraph import Literal, NamedNode
>>> rows = [{"s": NamedNode("http://e/a"), "o": Literal("x, y", language="en")}]
>>> "".join(write_csv(["s", "o"], rows))
's,o\\r\\nhttp://e/a,"x, y"\\r\\n'
>>> "".join(write_tsv(["s", "o"], rows))
'?s\\t?o\\n<http://e/a>\\t"x, y"@en\\n'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, Triple

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Row = Mapping[str, Any]
Writer = Callable[[list[str], Iterable[Row]], Iterator[str]]


def _get(row: Row, name: str) -> Any:
    """The term bound to ``name``, or None when unbound."""
    return row[name]


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Triple):
        parts = ("subject", "predicate", "object")
        return {"type": "triple", "value": {p: _json_term(getattr(term, p)) for p in parts}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


_enc = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C string escaper, as json.dumps(ensure_ascii=False)


def _json_term_text(term: Any) -> str:
    """``json.dumps(_json_term(term), ensure_ascii=False)``, built directly (5x faster on big results)."""
    kind = type(term)
    if kind is NamedNode:
        return '{"type": "uri", "value": ' + _enc(term.value) + "}"
    if kind is Literal:
        if term.language:
            return '{"type": "literal", "value": ' + _enc(term.value) + ', "xml:lang": ' + _enc(term.language) + "}"
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return '{"type": "literal", "value": ' + _enc(term.value) + "}"
        return '{"type": "literal", "value": ' + _enc(term.value) + ', "datatype": ' + _enc(datatype) + "}"
    if kind is BlankNode:
        return '{"type": "bnode", "value": ' + _enc(term.value) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False)


def write_json(variables: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """SPARQL 1.1 Query Results JSON; one piece per batch of rows (per-piece overhead dominated before)."""
    yield '{"head":{"vars":[' + ", ".join(map(_enc, variables)) + ']},"results":{"bindings":['
    keys = [_enc(v) + ": " for v in variables]
    batch: list[str] = []
    separator = ""
    for row in rows:
        # a QuerySolution iterates its values in variable order: 8x cheaper than lookups by name
        values = row if type(row) is QuerySolution else [_get(row, v) for v in variables]
        batch.append(separator + "{" + ", ".join(
            key + _json_term_text(t) for key, t in zip(keys, values) if t is not None) + "}")
        separator = ","
        if len(batch) >= 256:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)
    yield "]}}\n"


def _xml_term(term: Any) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Triple):
        parts = ("subject", "predicate", "object")
        return "<triple>" + "".join(f"<{p}>{_xml_term(getattr(term, p))}</{p}>" for p in parts) + "</triple>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def write_xml(variables: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """SPARQL Query Results XML Format."""
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    yield f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}"><head>{head}</head><results>'
    for row in rows:
        bindings = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v in variables if (t := _get(row, v)) is not None
        )
        yield f"<result>{bindings}</result>"
    yield "</results></sparql>\n"


def _csv_field(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, (NamedNode, Literal)):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(variables: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """SPARQL 1.1 CSV: plain values, RFC 4180 quoting, CRLF line ends."""
    yield ",".join(variables) + "\r\n"  # variable names never need quoting
    for row in rows:
        yield ",".join(_csv_field(_get(row, v)) for v in variables) + "\r\n"


def write_tsv(variables: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """SPARQL 1.1 TSV: terms in N-Triples syntax (pyoxigraph's ``str``), unbound = empty."""
    yield "\t".join(f"?{v}" for v in variables) + "\n"
    for row in rows:
        yield "\t".join("" if (t := _get(row, v)) is None else str(t) for v in variables) + "\n"


INTEGERS = frozenset(
    XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                      "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort")
)
NUMBERS = frozenset(XSD + t for t in ("decimal", "double", "float"))


def plain_value(value: str, datatype: str | None = None) -> Any:
    """A JSON value for a term's lexical form: int, float or bool by datatype, else the string itself.

    >>> plain_value("12", XSD + "integer"), plain_value("1.5", XSD + "decimal"), plain_value("x")
    (12, 1.5, 'x')
    >>> plain_value("INF", XSD + "double"), plain_value("1", XSD + "boolean")
    ('INF', True)
    """
    try:
        if datatype in INTEGERS:
            return int(value)
        if datatype in NUMBERS and value.strip().lower() not in ("inf", "+inf", "-inf", "nan"):
            return float(value)
    except ValueError:
        return value
    if datatype == XSD + "boolean":
        return value in ("true", "1")
    return value


def _plain(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        return plain_value(term.value, term.datatype.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, NamedNode) else str(term)


def write_records(variables: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """Flat JSON records ``[{"var": value, ...}]``: every variable in every record, null when unbound."""
    yield "["
    separator = ""
    for row in rows:
        yield separator + json.dumps({v: _plain(_get(row, v)) for v in variables}, ensure_ascii=False)
        separator = ","
    yield "]\n"


#: ``format=`` canonical name -> writer (``records`` is the named-query API's plain JSON).
WRITERS: dict[str, Writer] = {
    "json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv, "records": write_records
}
