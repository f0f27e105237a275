"""One side of a comparison, parsed: a git revision of the root's folders, a folder, or one file.

A folder that is a root (``ontology/``, ``data/`` or an ``hcn.toml``) is read as the publisher
reads it: the Turtle under its ontology and data folders. Any other folder gives every Turtle file
under it; a file is read in the format its extension names. Blank nodes are kept apart per file,
and relative IRIs resolve against the file's path inside its side (``file:///data/x.ttl``), so the
same file at two revisions or in two folders gives the same terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pyoxigraph import RdfFormat, Triple, parse

from ..project import BUILTIN, CONFIG_FILE, load_project
from . import git
from .git import ChangeInputError

#: The folders whose facts are compared: what the publisher serves in its default graph and dumps.
ROLES = ("ontology", "data")
_POSITION = re.compile(r"^Parser error at line (\d+) column (\d+): ")


@dataclass(frozen=True)
class Snapshot:
    """The facts of one side: its name as given, its triples and the prefixes its files declare."""

    name: str
    triples: frozenset[Triple]
    prefixes: dict[str, str] = field(default_factory=dict)
    files: int = 0


def read_side(spec: str, root: Path | None) -> Snapshot:
    """``spec`` as a file or folder if one exists at that path, else as a git revision of ``root``'s repository."""
    path = Path(spec)
    try:
        if path.is_file():
            return parse_files(spec, [(spec, path.read_bytes(), PurePosixPath(path.name))])
        if path.is_dir():
            return parse_files(spec, _folder_files(path))
    except OSError as exc:
        raise ChangeInputError(f"{spec}: {exc.strerror or exc}") from None
    if root is None:
        raise ChangeInputError(f"{spec!r} is not a file or folder, and no root (ontology/, data/ or hcn.toml) "
                               "was found to read it as a git revision; run inside the data repository or give --root")
    return read_revision(spec, root)


def served_paths(root: Path) -> list[Path]:
    """The folders (or files) the root's configuration names for the ontology and the data."""
    project = load_project(root)
    return [Path(spec) for role in ROLES for spec in project.specs(role) if spec != BUILTIN]


def read_revision(revision: str, root: Path, paths: list[Path] | None = None) -> Snapshot:
    """The Turtle under ``paths`` (default: the root's served folders) as committed at ``revision``."""
    top = git.toplevel(root)
    if top is None:
        raise ChangeInputError(f"{revision!r} is not a file or folder, and {root} is not in a git repository")
    commit = git.resolve(top, revision)
    return snapshot_at(revision, top, commit, root, paths)


def snapshot_at(name: str, top: Path, commit: str, root: Path, paths: list[Path] | None = None) -> Snapshot:
    """The facts at ``commit`` of the repository ``top``, under ``paths`` (default: the served folders of ``root``)."""
    relative = [p.resolve().relative_to(top.resolve()).as_posix() for p in (paths or served_paths(root))]
    base = root.resolve().relative_to(top.resolve())
    found = git.files_at(top, commit, relative)
    files = [(f"{name}:{p}", data, PurePosixPath(p).relative_to(base.as_posix()) if base.parts else PurePosixPath(p))
             for p, data in sorted(found.items()) if p.endswith(".ttl")]
    return parse_files(name, files)


def _folder_files(folder: Path) -> list[tuple[str, bytes, PurePosixPath | Path]]:
    """A root's served folders, else every Turtle file under ``folder``."""
    base = folder.resolve()
    is_root = (base / CONFIG_FILE).is_file() or any((base / role).is_dir() for role in ROLES)
    paths = served_paths(base) if is_root else [base]
    files = sorted({f for p in paths for f in ([p] if p.is_file() else p.rglob("*.ttl")) if f.is_file()})
    return [(str(f), f.read_bytes(), f.relative_to(base)) for f in files]


def parse_files(name: str, files: Iterable[tuple[str, bytes, PurePosixPath | Path]]) -> Snapshot:
    """Parse ``(display name, bytes, path inside the side)`` triples; ``ChangeInputError`` with file:line:column."""
    triples: set[Triple] = set()
    prefixes: dict[str, str] = {}
    count = 0
    for display, data, inside in files:
        fmt = RdfFormat.from_extension(inside.suffix.lstrip(".")) if inside.suffix else None
        if fmt is None:
            raise ChangeInputError(f"{display}: unknown RDF format (use .ttl, .nt, .nq, .trig, .jsonld or .rdf)")
        parser = parse(input=data, format=fmt, base_iri="file:///" + Path(inside).as_posix(),
                       rename_blank_nodes=True)
        try:
            triples.update(quad.triple for quad in parser)
        except SyntaxError as exc:
            raise ChangeInputError(_located(display, exc)) from None
        for prefix, iri in parser.prefixes.items():
            prefixes.setdefault(prefix, iri)
        count += 1
    return Snapshot(name, frozenset(triples), prefixes, count)


def _located(display: str, exc: SyntaxError) -> str:
    """``file:line:column: message`` from pyoxigraph's syntax error."""
    message = str(exc.msg if exc.msg else exc)
    match = _POSITION.match(message)
    if match:
        return f"{display}:{match[1]}:{match[2]}: {message[match.end():]}"
    if exc.lineno:
        return f"{display}:{exc.lineno}: {message}"
    return f"{display}: {message}"
