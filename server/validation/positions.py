"""Where things are written: subject blocks and triple lines, found by re-scanning the sources.

rdflib and pyoxigraph keep no positions, so each file is scanned once for the lines where a
subject starts a block at column 0 (Turtle, TriG default graph, N-Triples); a triple's line is then
found inside its subject's block by looking for the written forms of its predicate and object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from .syntax import Parsed

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBJECT = re.compile(
    r"<(?P<iri>[^>\s]*)>"
    r"|_:(?P<blank>(?:[^\s;,.()\[\]]|\.(?=[^\s;,.]))+)"
    r"|(?P<prefix>[A-Za-z][\w\-.]*)?:(?P<local>(?:[^\s;,.()\[\]\\]|\\.|\.(?=[^\s;,.]))*)"
)
BLOCK_START = re.compile(r"^[^\s#@\[\]().;,\"'{}]", re.M)
DIRECTIVE = re.compile(r"(?:PREFIX|BASE|GRAPH)\b", re.I)
LONG_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''", re.S)


@dataclass(frozen=True)
class Block:
    """Lines ``first..last`` (1-based) of one subject's description, and their character offsets."""

    first: int
    start: int
    end: int


@dataclass
class FileIndex:
    """Subject blocks of one file, keyed by the subject's IRI or ``_:`` + graph-wide blank-node id."""

    parsed: Parsed
    blocks: dict[str, list[Block]] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.parsed.source.display

    def lines(self, block: Block) -> list[str]:
        """The text lines of one block."""
        return self.parsed.text[block.start:block.end].split("\n")


def index_file(parsed: Parsed) -> FileIndex:
    """Scan one file for subject blocks (a few hundred ms for a million lines)."""
    index = FileIndex(parsed)
    text = parsed.text
    if parsed.source.path.suffix.lower() == ".jsonld":
        return index
    skip = [m.span() for m in LONG_STRING.finditer(text)] if ('"""' in text or "'''" in text) else []
    starts: list[tuple[int, str]] = []
    line, last, span_at = 1, 0, 0
    for match in BLOCK_START.finditer(text):
        pos = match.start()
        while span_at < len(skip) and skip[span_at][1] <= pos:
            span_at += 1
        if span_at < len(skip) and skip[span_at][0] <= pos:
            continue
        line += text.count("\n", last, pos)
        last = pos
        if DIRECTIVE.match(text, pos):
            starts.append((pos, ""))
            continue
        key = _subject_key(parsed, SUBJECT.match(text, pos))
        starts.append((pos, key))
        if key:
            index.blocks.setdefault(key, []).append(Block(line, pos, 0))
    # fill in block ends: the start of the next block (or directive), else the end of the file
    ends = {pos: nxt for (pos, _), (nxt, _) in zip(starts, starts[1:])}
    for key, blocks in index.blocks.items():
        index.blocks[key] = [Block(b.first, b.start, ends.get(b.start, len(text)) - 1) for b in blocks]
    return index


def _subject_key(parsed: Parsed, match: re.Match[str] | None) -> str:
    if match is None:
        return ""
    if match.group("iri") is not None:
        iri = match.group("iri")
        return urljoin(parsed.base_iri, iri) if ":" not in iri else iri
    if match.group("blank") is not None:
        return "_:" + parsed.blank(match.group("blank"))
    namespace = parsed.prefixes.get(match.group("prefix") or "")
    return namespace + match.group("local").replace("\\", "") if namespace is not None else ""


def iri_forms(iri: str, prefixes: dict[str, str], predicate: bool = False) -> list[str]:
    """Ways ``iri`` may be written in a file with these prefixes, longest first."""
    forms = [f"<{iri}>"] + [f"{p}:{iri[len(ns):]}" for p, ns in prefixes.items() if iri.startswith(ns)]
    if predicate and iri == RDF_TYPE:
        forms.append("a")
    return sorted(forms, key=len, reverse=True)


@lru_cache(maxsize=4096)
def _token(form: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w:<>\-.\"'])" + re.escape(form) + r"(?![\w:\-]|\.[\w])")


@lru_cache(maxsize=4096)
def _predicate(form: str) -> re.Pattern[str]:
    return re.compile(r"(?:^\s*|;\s*|^\S+\s+|\[\s*)" + re.escape(form) + r"(?=\s)", re.M)


class Positions:
    """Finds the file and line of a subject, or of one of its triples, across all files."""

    def __init__(self, indexes: list[FileIndex]) -> None:
        self.indexes = indexes

    def blocks(self, key: str) -> list[tuple[FileIndex, Block]]:
        """Every block describing ``key``, in file then line order."""
        return [(index, block) for index in self.indexes for block in index.blocks.get(key, [])]

    def files_of(self, key: str) -> list[str]:
        """Files in which ``key`` starts a block."""
        return [index.display for index in self.indexes if key in index.blocks]

    def locate(self, key: str, predicate: str = "", obj: list[str] | None = None) -> tuple[str, int]:
        """``(file, line)`` of the triple (or the subject block when the triple is not found); ``("", 0)``."""
        blocks = self.blocks(key)
        for index, block in blocks if predicate else []:
            line = _triple_line(index, block, predicate, obj or [])
            if line:
                return index.display, line
        if blocks:
            return blocks[0][0].display, blocks[0][1].first
        return "", 0


def _triple_line(index: FileIndex, block: Block, predicate: str, obj_forms: list[str]) -> int:
    text = index.parsed.text[block.start:block.end]
    for form in iri_forms(predicate, index.parsed.prefixes, predicate=True):
        for match in _predicate(form).finditer(text):
            at = match.end()
            for obj in obj_forms:
                found = _find_object(text, obj, at, index.parsed.prefixes)
                if found >= 0:
                    return block.first + text.count("\n", 0, found)
            return block.first + text.count("\n", 0, at)
    return 0


def _find_object(text: str, obj: str, at: int, prefixes: dict[str, str]) -> int:
    if obj.startswith("iri:"):
        for form in iri_forms(obj[4:], prefixes):
            match = _token(form).search(text, at)
            if match:
                return match.start()
        return -1
    return text.find(obj, at)


def object_forms(kind: str, value: str) -> list[str]:
    """Search strings for an object: ``iri:<iri>`` markers for IRIs, literal text, ``[``/``(`` for blanks."""
    if kind == "iri":
        return [f"iri:{value}"]
    if kind == "blank":
        return ["[", "(", "_:"]
    first = value.split("\n", 1)[0]
    return [f'"{first}', f"'{first}", first] if first else ['""']
