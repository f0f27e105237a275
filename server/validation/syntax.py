"""Parse every source with pyoxigraph, collecting every syntax error and ill-typed literal."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, parse
from pyoxigraph import Literal as OxLiteral
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .report import Finding
from .sources import Source, file_uri

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
MAX_ERRORS_PER_FILE = 50

OxTerm = NamedNode | BlankNode | OxLiteral


@dataclass
class Parsed:
    """One source after parsing: its text, how many quads it holds, its prefixes and syntax errors."""

    source: Source
    number: int
    text: str
    count: int = 0
    prefixes: dict[str, str] = field(default_factory=dict)
    base_iri: str = ""
    errors: list[Finding] = field(default_factory=list)

    def blank(self, label: str) -> str:
        """The graph-wide identifier of the blank node written ``_:label`` (or generated) in this file."""
        return f"f{self.number}x{label}"


def parse_text(source: Source, number: int, text: str, receive: Callable[[Quad], None]) -> Parsed:
    """Stream every quad of ``text`` to ``receive`` (blank nodes made unique per file; named graphs
    merged into the default graph) and collect every syntax error (the parser resumes after each one).
    """
    parsed = Parsed(source, number, text, base_iri=file_uri(source.path))
    parser = parse(input=text, format=source.format, base_iri=parsed.base_iri)
    blanks: dict[str, BlankNode] = {}

    def rename(term: OxTerm) -> OxTerm:
        if isinstance(term, BlankNode):
            node = blanks.get(term.value)
            if node is None:
                node = blanks[term.value] = BlankNode(parsed.blank(term.value))
            return node
        return term

    iterator = iter(parser)
    while True:
        try:
            quad = next(iterator)
        except StopIteration:
            break
        except SyntaxError as exc:
            parsed.errors.append(_syntax_finding(source, exc, text))
            if len(parsed.errors) >= MAX_ERRORS_PER_FILE:
                parsed.errors.append(Finding("error", "syntax", f"more than {MAX_ERRORS_PER_FILE} errors; "
                                             "stopped reading this file", file=source.display))
                break
            continue
        s, o = quad.subject, quad.object
        if isinstance(s, BlankNode) or isinstance(o, BlankNode):
            quad = Quad(rename(s), quad.predicate, rename(o))
        elif not isinstance(quad.graph_name, DefaultGraph):  # TriG / JSON-LD named graphs: validate the union
            quad = Quad(s, quad.predicate, o)
        receive(quad)
        parsed.count += 1
    parsed.prefixes = dict(parser.prefixes or {})
    return parsed


#: Messages of a statement that lacks its closing ``;``, ``,`` or ``.``: the parser only notices at the
#: next token, often on a later line, so the mistake is at the end of the statement before it.
_UNTERMINATED = ("A dot is expected at the end of statements", "Unexpected end")


def _syntax_finding(source: Source, exc: SyntaxError, text: str = "") -> Finding:
    message = str(exc.msg)
    if message.startswith("Parser error "):  # "Parser error at line 4 column 8: <message>", "... between ...: "
        message = message.split(": ", 1)[-1]
    line, column = exc.lineno or 0, exc.offset or 0
    if message in _UNTERMINATED and text:
        moved = _end_of_previous_statement(text, line, column)
        if moved is not None:
            line, column = moved
            message = ("Missing ';' or '.' at the end of this statement" if message != "Unexpected end"
                       else "Missing '.' at the end of the last statement")
            message += f" (the parser stopped at line {exc.lineno}: {exc.msg.split(': ', 1)[-1]})"
    return Finding("error", "syntax", message, file=source.display, line=line, column=column)


def _end_of_previous_statement(text: str, line: int, column: int) -> tuple[int, int] | None:
    """Where a missing terminator belongs when the parser stumbled at ``line``:``column``: the end of
    the last non-blank, non-comment line before it, if the error is at the first token of its line
    (or at the end of the file); None to keep the parser's position."""
    lines = text.splitlines()
    if line < 1:
        return None
    if line <= len(lines):
        before = lines[line - 1][: max(column - 1, 0)]
        if before.strip():  # the error is inside the line: the parser's position is right
            return None
    for number in range(min(line - 1, len(lines)), 0, -1):
        code = _without_comment(lines[number - 1]).rstrip()
        if code:
            return number, len(code) + 1
    return None


def _without_comment(line: str) -> str:
    """``line`` up to a ``#`` comment (a ``#`` inside a string or an IRI does not start one)."""
    quote = ""
    in_iri = False
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif quote:
            if char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif in_iri:
            in_iri = char != ">"
        elif char in "\"'":
            quote = char
        elif char == "<":
            in_iri = True
        elif char == "#":
            return line[:index]
    return line


class Converter:
    """pyoxigraph terms to rdflib terms, with IRIs interned."""

    def __init__(self) -> None:
        self.iris: dict[str, URIRef] = {}

    def term(self, term: OxTerm) -> Node:
        """The rdflib term for one pyoxigraph term."""
        if isinstance(term, NamedNode):
            iri = self.iris.get(term.value)
            if iri is None:
                iri = self.iris[term.value] = URIRef(term.value)
            return iri
        if isinstance(term, BlankNode):
            return BNode(term.value)
        datatype = term.datatype.value
        if term.language:
            return Literal(term.value, lang=term.language)
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=self.term(term.datatype))

    def triple(self, quad: Quad) -> tuple[Node, Node, Node]:
        """The rdflib triple of one quad."""
        return self.term(quad.subject), self.term(quad.predicate), self.term(quad.object)

    def ill_typed(self, term: OxTerm) -> Literal | None:
        """The rdflib literal when ``term`` is a typed literal whose text is not valid for its datatype."""
        if not isinstance(term, OxLiteral) or term.language or term.datatype.value == XSD_STRING:
            return None
        literal = self.term(term)
        return literal if literal.ill_typed else None  # type: ignore[union-attr]


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's per-literal warnings (with tracebacks) while we collect them as findings."""
    logger = logging.getLogger("rdflib.term")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous
