"""Helpful messages for malformed SPARQL, shared by ``/sparql``, ``/api/NAME`` and ``hcn query``.

The engine (pyoxigraph) reports where its parser gave up and what it would have accepted there,
which for a missing ``PREFIX`` is a screenful of Unicode ranges and for a misspelt keyword often a
position past the mistake. ``explain`` reads the query itself, outside strings, IRIs and comments,
and names the real mistakes first, each with its line and column:

* a prefix used but not declared, with the ``PREFIX`` line to add when the dataset knows it;
* a bare word that is no SPARQL keyword, with the nearest keyword (``SELEC`` -> ``SELECT``);
* an unterminated string, and brackets that are never closed or close the wrong kind;

then the line in question with a caret under the mistake, and the engine's own text last, whole,
for experts. Clients may offer the fix: every ``add PREFIX p: <iri>`` in the text is one line to add.

>>> print(explain("SELECT * { ?s org:member ?o }", "error at 1:18: expected one of Prefix not found",
...               {"org": "http://www.w3.org/ns/org#"}))
malformed query: line 1, column 15: prefix org: is not declared; add PREFIX org: <http://www.w3.org/ns/org#>
  SELECT * { ?s org:member ?o }
                ^
engine: error at 1:18: expected one of Prefix not found
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

#: Every keyword and built-in function name of the SPARQL 1.1 grammar (plus Oxigraph's ``LATERAL``
#: and RDF-star functions): a bare word outside this set is a mistake.
KEYWORDS: tuple[str, ...] = (
    "BASE", "PREFIX", "SELECT", "DISTINCT", "REDUCED", "AS", "CONSTRUCT", "WHERE", "DESCRIBE", "ASK",
    "FROM", "NAMED", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "VALUES",
    "OPTIONAL", "SERVICE", "SILENT", "BIND", "UNDEF", "MINUS", "UNION", "FILTER", "IN", "NOT", "EXISTS",
    "SEPARATOR", "GRAPH", "DEFAULT", "ALL", "LATERAL", "LOAD", "INTO", "CLEAR", "DROP", "CREATE", "ADD",
    "TO", "MOVE", "COPY", "INSERT", "DATA", "DELETE", "WITH", "USING",
    "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL",
    "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS",
    "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS",
    "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE",
    "IF", "STRLANG", "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX",
    "SUBSTR", "REPLACE", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT",
    "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ISTRIPLE", "TRUE", "FALSE", "A",
)
_KNOWN = frozenset(KEYWORDS)
#: The keywords worth suggesting for a misspelling (``A``, ``TO`` and the like match too much).
_SUGGESTIBLE = [k for k in KEYWORDS if len(k) > 2]

_TOKEN = re.compile(
    r'''(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')'''
    r'''|(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<comment>\#[^\n]*)'''
    r'''|(?P<var>[?$]\w+)|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)|(?P<blank>_:[\w.-]*)'''
    r'''|(?P<pname>(?:[^\W\d_][\w-]*(?:\.+[\w-]+)*)?:(?:[\w%:-]|\\.|\.(?=[\w%:-]))*)'''
    r'''|(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)'''
    r'''|(?P<word>[^\W\d][\w]*)|(?P<quote>["'])|(?P<open>[{(\[])|(?P<close>[})\]])'''
)
_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+)")
_PAIRS = {"{": "}", "(": ")", "[": "]"}


@dataclass(frozen=True)
class Problem:
    """One mistake in the query text: where it is (1-based, in characters) and what to do."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


def explain(query: str, engine_message: str, namespaces: Mapping[str, str]) -> str:
    """The whole message for a query the engine refused: problems, the line with a caret, the engine's text."""
    problems = find_problems(query, engine_message, namespaces)
    first = problems[0]
    lines = [f"malformed query: {first}"]
    source = query.splitlines()
    if 0 < first.line <= len(source):
        text = source[first.line - 1].expandtabs(1)
        lines += ["  " + text[:200], "  " + " " * min(first.column - 1, 200) + "^"]
    lines += [str(p) for p in problems[1:]]
    lines.append(f"engine: {engine_message}")
    return "\n".join(lines)


def find_problems(query: str, engine_message: str, namespaces: Mapping[str, str]) -> list[Problem]:
    """The mistakes found in the text, in order, else one at the engine's position; never empty."""
    where = _Positions(query)
    found = [*_undeclared_prefixes(query, where, namespaces), *_unknown_words(query, where),
             *_bracket_problems(query, where)]
    if found:
        return sorted(found, key=lambda p: (p.line, p.column))
    match = _ENGINE_POSITION.search(engine_message)
    line, column = (int(match[1]), int(match[2])) if match else (1, 1)
    return [Problem(line, column, _engine_summary(query, engine_message, line, column))]


def suggest(word: str) -> str | None:
    """The keyword ``word`` is most likely a misspelling of, if any is close.

    >>> suggest("SELEC"), suggest("limt"), suggest("WHRE"), suggest("membership")
    ('SELECT', 'LIMIT', 'WHERE', None)
    """
    close = difflib.get_close_matches(word.upper(), _SUGGESTIBLE, n=1, cutoff=0.7)
    return close[0] if close else None


class _Positions:
    """Character offset -> (line, column), both 1-based."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def _tokens(query: str) -> Iterator[re.Match[str]]:
    """Every token the scanner knows (whitespace and stray punctuation are skipped), up to and including
    an unterminated string's opening quote (past it nothing can be read as the author meant)."""
    for token in _TOKEN.finditer(query):
        yield token
        if token.lastgroup == "quote":
            return


def _undeclared_prefixes(query: str, where: _Positions, namespaces: Mapping[str, str]) -> list[Problem]:
    """One problem per prefix used but never declared, at its first use."""
    declared: set[str] = set()
    used: dict[str, int] = {}
    after_prefix = False
    for token in _tokens(query):
        kind = token.lastgroup
        if kind == "pname":
            prefix = token[0].split(":", 1)[0]
            if after_prefix:
                declared.add(prefix)
            else:
                used.setdefault(prefix, token.start())
        after_prefix = kind == "word" and token[0].upper() == "PREFIX"
    problems = []
    for prefix, offset in used.items():
        if prefix in declared:
            continue
        if prefix in namespaces:
            fix = f"add PREFIX {prefix}: <{namespaces[prefix]}>"
        else:
            fix = f"declare it with PREFIX {prefix}: <namespace IRI> (this dataset does not use {prefix}:)"
        problems.append(Problem(*where(offset), f"prefix {prefix}: is not declared; {fix}"))
    return problems


def _unknown_words(query: str, where: _Positions) -> list[Problem]:
    """Bare words that are no SPARQL keyword (with the nearest keyword when one is close), and a
    ``GROUP`` or ``ORDER`` without its ``BY``."""
    problems = []
    previous: re.Match[str] | None = None
    for token in _tokens(query):
        word, before, previous = token[0], previous, token
        if before is not None and before[0].upper() in ("GROUP", "ORDER") and word.upper() != "BY":
            keyword = before[0].upper()
            problems.append(Problem(*where(before.start()), f"{keyword} needs BY: {keyword} BY {word}"))
        if token.lastgroup != "word" or word.upper() in _KNOWN:
            continue
        keyword = suggest(word)
        hint = (f"did you mean {keyword}?" if keyword else
                f"write a variable (?{word}), a prefixed name (prefix:{word}) or an IRI (<...>)")
        problems.append(Problem(*where(token.start()), f"{word} is not a SPARQL keyword; {hint}"))
    return problems


def _bracket_problems(query: str, where: _Positions) -> list[Problem]:
    """An unterminated string, a closing bracket of the wrong kind or with nothing open, or one never closed."""
    stack: list[re.Match[str]] = []
    for token in _tokens(query):
        kind, text = token.lastgroup, token[0]
        if kind == "quote":
            return [Problem(*where(token.start()), f"the string that starts here with {text} is never closed")]
        if kind == "open":
            stack.append(token)
        elif kind == "close":
            if not stack:
                return [Problem(*where(token.start()), f"{text} closes nothing: there is no open bracket before it")]
            opened = stack.pop()
            if _PAIRS[opened[0]] != text:
                line, column = where(opened.start())
                return [Problem(*where(token.start()),
                                f"{text} here closes the {opened[0]} opened at line {line}, column {column}; "
                                f"expected {_PAIRS[opened[0]]}")]
    if stack:
        opened = stack[-1]
        return [Problem(*where(opened.start()), f"this {opened[0]} is never closed; add {_PAIRS[opened[0]]}")]
    return []


def _engine_summary(query: str, engine_message: str, line: int, column: int) -> str:
    """What the engine expected at its position, in a line: its list if short and readable, else the text there."""
    expected = engine_message.split("expected", 1)[1].strip() if "expected" in engine_message else ""
    items = [i.strip() for i in expected.removeprefix("one of").split(",")]
    near = _text_at(query, line, column)
    shown = f"unexpected {near!r}" if near else "the engine read to the end and could not finish the query"
    if expected and len(items) <= 8 and not any(c in expected for c in "[]\\"):
        return f"{shown}; expected {', '.join(items) if len(items) > 1 else items[0]}"
    return f"{shown}; look for a missing or extra term just before this point"


def _text_at(query: str, line: int, column: int) -> str:
    """The word or character at ``line``:``column``, or ``""`` past the end."""
    source = query.splitlines()
    if not 0 < line <= len(source):
        return ""
    rest = source[line - 1][column - 1:].lstrip()
    match = re.match(r"\S+?(?=[\s{}()\[\],;.]|$)|\S", rest)
    return match[0][:40] if match else ""
