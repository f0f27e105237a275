"""Parse every source with pyoxigraph, collecting every syntax error and ill-typed literal."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, parse
from pyoxigraph import Literal as OxLiteral
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..literals import NORMALISED, WRAP, known_verdict, rewritten
from .report import Finding
from . import lexical
from .sources import Source, file_uri

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
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

    cases = _capitalised_tags(text)
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
        if cases and isinstance(o, OxLiteral) and o.language in cases:
            o = OxLiteral(o.value, datatype=NamedNode(f"{WRAP}@{cases[o.language]}"))
            quad = Quad(s, quad.predicate, o, quad.graph_name)
        if isinstance(s, BlankNode) or isinstance(o, BlankNode):
            quad = Quad(rename(s), quad.predicate, rename(o))
        elif not isinstance(quad.graph_name, DefaultGraph):  # TriG / JSON-LD named graphs: validate the union
            quad = Quad(s, quad.predicate, o)
        receive(quad)
        parsed.count += 1
    parsed.prefixes = dict(parser.prefixes or {})
    return parsed


LANGUAGE_TAG = re.compile(r"[\"']@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)")


def _capitalised_tags(text: str) -> dict[str, str]:
    """Language tags the text writes with capitals, by the lowercase form the parser gives them.

    The parser lowercases tags (``"Oslo"@EN`` comes out ``@en``); rdflib, and so plain pySHACL,
    keeps them as written, so literals with such a tag are kept as written (wrapped like the
    literals of :meth:`Converter.preserve`). A tag written in two ways in one file keeps the first.
    """
    found: dict[str, str] = {}
    for match in LANGUAGE_TAG.finditer(text) if re.search(r"[\"']@[a-zA-Z0-9-]*[A-Z]", text) else ():
        tag = match.group(1)
        found.setdefault(tag.lower(), tag)
    return {lower: tag for lower, tag in found.items() if tag != lower}


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


CACHE_LIMIT = 200_000


class Converter:
    """pyoxigraph terms to rdflib terms (IRIs interned), and the store's form of literals.

    Oxigraph's store keeps typed values, not text: ``"5"^^xsd:int`` comes back as
    ``"5"^^xsd:integer``, ``"1.50"`` as ``"1.5"``, ``"1"^^xsd:boolean`` as ``"true"``. Checking
    would then see other terms than the file has. :meth:`preserve` gives every literal the store
    would change a private datatype that carries the original one, so the store keeps it verbatim;
    :meth:`term` unwraps it, and rdflib then reads the file's text exactly as its own parser does
    (so pySHACL sees what plain pySHACL sees). Which literals change is asked of Oxigraph itself,
    a batch at a time, with the answers cached by (text, datatype).
    """

    def __init__(self) -> None:
        self.iris: dict[str, URIRef] = {}
        self._changes: dict[tuple[str, str], bool] = {}
        self._wrappers: dict[str, NamedNode] = {}
        #: How many literals the store holds wrapped, and under which predicates.
        self.wrapped = 0
        self.wrapped_predicates: set[str] = set()
        #: Language tags written with capitals (the parser lowercases them), by their lowercase form.
        self.cases: dict[str, set[str]] = {}
        #: Wrapped literals whose text rdflib reads differently ("01"^^xsd:integer is 1): by what rdflib reads,
        #: worked out (from ``_unread``) only when a lookup needs it.
        self._respelled: dict[tuple[str, str], set[str]] = {}
        self._unread: dict[str, list[str]] = {}
        self._kept: set[tuple[str, str]] = set()

    def term(self, term: OxTerm) -> Node:
        """The rdflib term for one pyoxigraph term (a wrapped literal as the file wrote it)."""
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
        if datatype.startswith(WRAP):
            original = datatype[len(WRAP):]
            if original.startswith("@"):
                return Literal(term.value, lang=original[1:])
            return Literal(term.value, datatype=self._iri(original))
        return Literal(term.value, datatype=self.term(term.datatype))

    def _iri(self, value: str) -> URIRef:
        iri = self.iris.get(value)
        if iri is None:
            iri = self.iris[value] = URIRef(value)
        return iri

    def triple(self, quad: Quad) -> tuple[Node, Node, Node]:
        """The rdflib triple of one quad."""
        return self.term(quad.subject), self.term(quad.predicate), self.term(quad.object)

    def ill_typed(self, term: OxTerm) -> Literal | None:
        """The rdflib literal when ``term`` is a typed literal whose text is not valid for its datatype."""
        if not isinstance(term, OxLiteral) or term.language or term.datatype.value == XSD_STRING:
            return None
        literal = self.term(term)
        if literal.ill_typed or lexical.valid(term.value, term.datatype.value) is False:  # type: ignore[union-attr]
            return literal  # type: ignore[return-value]
        return None

    # --- the store's form of literals -------------------------------------------------------------

    def preserve(self, quads: list[Quad]) -> list[Quad]:
        """``quads`` with every literal the store would rewrite wrapped (in place; also returned)."""
        changes = self._changes
        if len(changes) > CACHE_LIMIT:
            changes.clear()
        todo: dict[tuple[str, str], None] = {}
        found: list[tuple[int, tuple[str, str]]] = []
        for index, quad in enumerate(quads):
            obj = quad.object
            if not isinstance(obj, OxLiteral):
                continue
            datatype = obj.datatype.value
            if datatype not in NORMALISED:
                if datatype.startswith(WRAP):  # a language tag with capitals, wrapped by the parser
                    self.wrapped += 1
                    self.wrapped_predicates.add(quad.predicate.value)
                    tag = datatype[len(WRAP) + 1:]
                    self.cases.setdefault(tag.lower(), set()).add(tag)
                continue
            key = (obj.value, datatype)
            verdict = changes.get(key)
            if verdict is None:
                verdict = known_verdict(*key)
                if verdict is None:
                    todo[key] = None
                else:
                    changes[key] = verdict
                    if verdict:
                        self._note_changed(key)
            if verdict is not False:
                found.append((index, key))
        self._ask_store(list(todo))
        for index, key in found:
            if changes[key]:
                quad = quads[index]
                quads[index] = Quad(quad.subject, quad.predicate, self._wrapped(*key), quad.graph_name)
                self.wrapped_predicates.add(quad.predicate.value)
        return quads

    def _ask_store(self, keys: list[tuple[str, str]]) -> None:
        """Note for each (text, datatype) whether a store round trip changes it (Oxigraph decides)."""
        if not keys:
            return
        for key, changed in rewritten(keys).items():
            self._changes[key] = changed
            if changed:
                self._note_changed(key)

    def changes(self, text: str, datatype: str) -> bool:
        """Whether the store would rewrite this literal (so it is kept wrapped)."""
        verdict = known_verdict(text, datatype)
        if verdict is not None:
            return verdict
        if (text, datatype) not in self._changes:
            self._ask_store([(text, datatype)])
        return self._changes[(text, datatype)]

    def _note_changed(self, key: tuple[str, str]) -> None:
        if key not in self._kept:
            self._kept.add(key)
            self._unread.setdefault(key[1], []).append(key[0])

    def _wrapped(self, text: str, datatype: str) -> OxLiteral:
        wrapper = self._wrappers.get(datatype)
        if wrapper is None:
            wrapper = self._wrappers[datatype] = NamedNode(WRAP + datatype)
        self.wrapped += 1
        return OxLiteral(text, datatype=wrapper)

    def store_terms(self, node: Node) -> list[OxTerm]:
        """Every store term that :meth:`term` turns into ``node`` (several literals can read the same)."""
        if isinstance(node, Literal) and node.language:
            tag = node.language.lower()
            return [OxLiteral(str(node), language=tag),
                    *(OxLiteral(str(node), datatype=NamedNode(f"{WRAP}@{case}")) for case in sorted(self.cases.get(tag, ())))]
        if not isinstance(node, Literal) or node.datatype is None:
            return [ox_term(node)]
        datatype = str(node.datatype)
        if datatype not in NORMALISED or not self.wrapped:
            return [ox_term(node)]
        for text in self._unread.pop(datatype, ()):
            read = str(Literal(text, datatype=node.datatype))
            if read != text:
                self._respelled.setdefault((read, datatype), set()).add(text)
        texts = {str(node), *self._respelled.get((str(node), datatype), ())}
        wrapper = NamedNode(WRAP + datatype)
        return [OxLiteral(text, datatype=wrapper if self.changes(text, datatype) else NamedNode(datatype))
                for text in sorted(texts)]


def ox_term(node: Node) -> OxTerm:
    """The pyoxigraph term for an rdflib term, as written (see :meth:`Converter.store_terms`)."""
    if isinstance(node, URIRef):
        return NamedNode(str(node))
    if isinstance(node, BNode):
        return BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return OxLiteral(str(node), language=node.language)
        datatype = NamedNode(str(node.datatype)) if node.datatype is not None else None
        return OxLiteral(str(node), datatype=datatype)
    raise TypeError(f"not an RDF term: {node!r}")


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
