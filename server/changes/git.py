"""The little of git that changes need, through the ``git`` command: revisions, files at a revision, log.

Every failure is a ``ChangeInputError`` naming the revision or the folder, never a traceback.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import BadRequest


class ChangeInputError(BadRequest):
    """A side of a comparison cannot be read: unknown revision, no repository, unparsable file."""


@dataclass(frozen=True)
class Commit:
    """One commit: full id, committer date (what the history says, not a file's mtime) and subject line."""

    id: str
    date: datetime
    subject: str


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise ChangeInputError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChangeInputError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def toplevel(folder: Path) -> Path | None:
    """The work tree holding ``folder``, or None when it is not inside a git repository."""
    try:
        return Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip())
    except ChangeInputError:
        return None


def resolve(repo: Path, revision: str) -> str:
    """The full commit id ``revision`` names; ``ChangeInputError`` saying so when it names none."""
    if revision.startswith("-"):
        raise ChangeInputError(f"unknown revision {revision!r}")
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}").decode().strip()
    except ChangeInputError:
        raise ChangeInputError(f"unknown revision {revision!r}: not a commit, branch or tag of {repo}") from None


def files_at(repo: Path, commit: str, paths: list[str]) -> dict[str, bytes]:
    """``{path: bytes}`` of every file under ``paths`` (relative to the top of ``repo``) at ``commit``."""
    if not paths:
        return {}
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths).decode("utf-8", "replace")
    blobs = []
    for entry in filter(None, listing.split("\0")):
        meta, _, path = entry.partition("\t")
        if meta.split()[1] == "blob":
            blobs.append((path, meta.split()[2]))
    if not blobs:
        return {}
    out = _git(repo, "cat-file", "--batch", stdin="".join(f"{sha}\n" for _, sha in blobs).encode())
    found: dict[str, bytes] = {}
    at = 0
    for path, _ in blobs:  # each answer: "<sha> blob <size>\n<bytes>\n", in the order asked
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        found[path] = out[header_end + 1: header_end + 1 + size]
        at = header_end + 1 + size + 1
    return found


def log(repo: Path, paths: list[str]) -> list[Commit]:
    """The commits of HEAD's history that changed anything under ``paths``, newest first."""
    if not paths:
        return []
    try:
        text = _git(repo, "log", "--format=%H%x09%cI%x09%s", "HEAD", "--", *paths).decode("utf-8", "replace")
    except ChangeInputError:  # a repository without any commit yet
        return []
    commits = []
    for line in text.splitlines():
        sha, date, subject = line.split("\t", 2)
        commits.append(Commit(sha, datetime.fromisoformat(date), subject))
    return commits


def is_dirty(repo: Path, paths: list[str]) -> bool:
    """True when the work tree differs from HEAD under ``paths`` (changed or untracked files)."""
    return bool(paths) and bool(_git(repo, "status", "--porcelain", "--untracked-files=all", "--", *paths).strip())
