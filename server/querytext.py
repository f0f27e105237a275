"""Pure checks on SPARQL text, used only to explain or refuse a request, never to build queries."""

from __future__ import annotations

import re
from itertools import accumulate

# Comments, string literals and IRIs, which may contain keywords that are not keywords. Literals are
# matched as "unrolled loops" (runs of plain characters between escapes): the same matches as one
# alternation per character, 30x faster on a long literal.
_OPAQUE = re.compile(
    r'''"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""|\'\'\'[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*\'\'\''''
    r'''|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|<[^<>"{}|^`\\\s]*>|\#[^\n]*''',
)
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*\S*\s*)*", re.IGNORECASE)
_UPDATE = re.compile(r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.IGNORECASE)


def _blank_opaque(sparql: str) -> str:
    """Replace comments, literals and IRIs by ``<>`` so keywords inside them are ignored."""
    return _OPAQUE.sub(" <> ", sparql)


def looks_like_update(sparql: str) -> bool:
    """True when the text is a SPARQL Update request.

    >>> looks_like_update("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }")
    True
    >>> looks_like_update('SELECT * { ?s ?p "INSERT" }')
    False
    """
    body = _PROLOGUE.sub("", _blank_opaque(sparql), count=1)
    return _UPDATE.match(body) is not None


def uses_service(sparql: str) -> bool:
    """True when the query contains a federated ``SERVICE`` clause.

    Most queries never spell "service" at all: one case-insensitive scan rules them out before
    comments, literals and IRIs are blanked for the exact check.

    >>> uses_service("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service("SELECT ?service { ?service a <http://x/SERVICE> }")
    False
    """
    return "service" in sparql.lower() and _SERVICE.search(_blank_opaque(sparql)) is not None


_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_VOLATILE_NAMES = ("now", "rand", "uuid", "bnode")


def is_volatile(sparql: str) -> bool:
    """True when the query calls a function whose value changes between evaluations (``NOW()``,
    ``RAND()``, ``UUID()``, ``STRUUID()``, ``BNODE()``; matched anywhere in the text, to be safe).

    Most queries spell none of the names: a lower-cased scan rules them out before the pattern runs
    (the pattern alone took 9 us on a 300-character lookup).

    >>> is_volatile("SELECT (now () AS ?t) {}"), is_volatile("SELECT ?nowhere { ?nowhere ?p ?o }")
    (True, False)
    """
    lowered = sparql.lower()
    return any(name in lowered for name in _VOLATILE_NAMES) and _VOLATILE.search(sparql) is not None


_FROM = re.compile(r"(?<![\w?$:.-])FROM(?![\w:-])", re.IGNORECASE)
_BRACKETS = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}
#: Every byte but the six brackets (ASCII: no byte of a multi-byte UTF-8 sequence is one of them).
_NOT_BRACKETS = bytes(b for b in range(256) if chr(b) not in _BRACKETS)
_STEP = tuple(_BRACKETS.get(chr(b), 0) for b in range(256))

#: Deeper nesting is refused before parsing: pyoxigraph's recursive parser overflows the stack
#: (a segfault) somewhere between 1,000 and 10,000 levels.
MAX_NESTING = 200


def has_dataset_clause(sparql: str) -> bool:
    """True when the query names its own dataset with ``FROM`` / ``FROM NAMED``.

    >>> has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT ?from { ?from <http://x/FROM> 'FROM' }")
    False
    """
    return "from" in sparql.lower() and _FROM.search(_blank_opaque(sparql)) is not None


def nesting_depth(sparql: str) -> int:
    """Deepest nesting of ``{}``, ``()`` and ``[]`` outside literals, IRIs and comments.

    Closing brackets count down even where nothing opened them, as in a running count: ``)(`` is 0.
    The brackets are picked out by ``bytes.translate`` and counted by ``accumulate`` (no loop in
    Python: several times faster than one, more so the longer the text).

    >>> nesting_depth("SELECT * { { ?s ?p '{{{' } FILTER((1)) }")
    3
    >>> nesting_depth(")(( ]"), nesting_depth("SELECT * WHERE"), nesting_depth("# {{{")
    (1, 0, 0)
    """
    brackets = _blank_opaque(sparql).encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets), initial=0))
