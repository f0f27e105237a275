"""Releases of the served data: the commits that changed its folders, and each one's patch.

A release is a commit of HEAD's history that changed a file under the served folders; its date is
the committer date, the same on every clone. Its change set is the delta from the release before
(from nothing for the first one), so replaying the patches in order rebuilds the data, blank nodes
included (their canonical labels are stable, see ``delta``). When the folders are not in a git
repository there are no releases, and ``History.tracked`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import git
from .delta import Delta, compare
from .sources import Snapshot, snapshot_at


@dataclass(frozen=True)
class Release:
    """One release: commit id, commit date, the commit's subject line, the previous release's id."""

    id: str
    date: datetime
    subject: str
    previous: str | None


@dataclass(frozen=True)
class History:
    """The releases of ``paths`` under ``root``, newest first, read once from git."""

    root: Path
    paths: tuple[Path, ...]
    top: Path | None
    releases: tuple[Release, ...]
    uncommitted: bool

    @property
    def tracked(self) -> bool:
        """True when the folders are in a git repository (there may still be no commit yet)."""
        return self.top is not None

    def find(self, release_id: str) -> Release | None:
        """The release with this full commit id, or None."""
        return next((r for r in self.releases if r.id == release_id), None)

    def delta(self, release: Release) -> Delta:
        """The change set of ``release``: from the previous release's facts (none for the first) to its own."""
        assert self.top is not None
        new = snapshot_at(release.id, self.top, release.id, self.root, list(self.paths))
        if release.previous is None:
            return compare(Snapshot("(nothing)", frozenset()), new)
        old = snapshot_at(release.previous, self.top, release.previous, self.root, list(self.paths))
        return compare(old, new)


def read_history(root: Path, paths: list[Path]) -> History:
    """The releases of the files under ``paths`` (folders of ``root``) and whether the work tree differs."""
    top = git.toplevel(root)
    if top is None:
        return History(root, tuple(paths), None, (), False)
    relative = [p.resolve().relative_to(top.resolve()).as_posix() for p in paths]
    commits = git.log(top, relative)
    releases = tuple(Release(c.id, c.date, c.subject, commits[i + 1].id if i + 1 < len(commits) else None)
                     for i, c in enumerate(commits))
    return History(root, tuple(paths), top, releases, git.is_dirty(top, relative))
