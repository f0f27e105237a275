"""Which files to read: paths, folders and globs to RDF files, each with its format and bytes."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from .report import Finding

#: File suffix -> pyoxigraph format; the only suffixes ``hcn validate`` reads.
FORMATS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".jsonld": RdfFormat.JSON_LD,
    ".trig": RdfFormat.TRIG,
}
GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Source:
    """One RDF file: where it is, how it is shown in messages, its format and its role."""

    path: Path
    display: str
    format: RdfFormat
    role: str  # "data", "ontology" or "shapes"


def display_path(path: Path) -> str:
    """The path relative to the working directory when inside it, else absolute; always with ``/``."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def expand(specs: list[str], role: str) -> tuple[list[Source], list[Finding]]:
    """Files named by ``specs`` (files, folders searched recursively, globs), or findings saying why not.

    Files given explicitly must have a known suffix; folders and globs keep the files that have one.
    """
    found: dict[Path, Source] = {}
    problems: list[Finding] = []
    for spec in specs:
        paths, problem = _expand_one(spec)
        if problem:
            problems.append(Finding("error", "input", problem, file=spec))
        for path in paths:
            fmt = FORMATS.get(path.suffix.lower())
            if fmt is None:
                problems.append(Finding("error", "input", f"unsupported file type {path.suffix or '(none)'!r}; "
                                        f"expected one of {', '.join(FORMATS)}", file=display_path(path)))
            else:
                found.setdefault(path.absolute(), Source(path, display_path(path), fmt, role))
    return sorted(found.values(), key=lambda s: s.display), problems


def _expand_one(spec: str) -> tuple[list[Path], str]:
    path = Path(spec)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in FORMATS and p.is_file())
        return files, "" if files else f"no RDF files ({', '.join('*' + s for s in FORMATS)}) in this folder"
    if path.is_file():
        return [path], ""
    if GLOB_CHARS & set(spec):
        matches = sorted(Path(m) for m in glob.glob(spec, recursive=True))
        files = [m for m in matches if m.is_file() and m.suffix.lower() in FORMATS]
        return files, "" if files else "this pattern matches no RDF files"
    if path.exists():
        return [], "not a regular file or folder"
    return [], "no such file or folder"


def read(source: Source) -> tuple[str | None, Finding | None]:
    """The file's text, or a finding saying why it cannot be read as RDF text."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        return None, Finding("error", "input", f"cannot read: {exc.strerror or exc}", file=source.display)
    if b"\0" in data[:8192]:
        return None, Finding("error", "input", "binary file (NUL bytes), not RDF text", file=source.display)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded (save the file as UTF-8)"
        return None, Finding("error", "input", message, file=source.display, line=line, column=column)
    return text.removeprefix("\ufeff"), None


def file_uri(path: Path) -> str:
    """Base IRI for relative IRIs in a file: its ``file:`` URI."""
    return Path(os.path.abspath(path)).as_uri()
