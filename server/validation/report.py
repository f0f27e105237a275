"""Findings, their order, the report of one run, and baselines of known findings."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

#: Severities from most to least severe; ``error`` is unusable input (exit 2), never SHACL.
SEVERITIES: tuple[str, ...] = ("error", "violation", "warning", "info")
RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
OK, FINDINGS, UNUSABLE, INTERNAL = 0, 1, 2, 3


class BaselineError(ValueError):
    """The baseline file is missing or not a JSON report of ``hcn validate``."""


@dataclass(frozen=True)
class Finding:
    """One thing to tell the steward, located as precisely as the sources allow.

    >>> Finding("violation", "sh:MinCountConstraintComponent", "needs 1", file="a.ttl", line=3).location
    'a.ttl:3'
    """

    severity: str
    rule: str
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    focus: str = ""
    path: str = ""
    value: str = ""
    shape: str = ""

    @property
    def location(self) -> str:
        """``file:line:column`` with the parts that are known."""
        parts = [self.file or "<input>"]
        if self.line:
            parts += [str(self.line)] + ([str(self.column)] if self.column else [])
        return ":".join(parts)

    @property
    def fingerprint(self) -> str:
        """Stable identity across edits elsewhere in the file: no line or column in it."""
        key = "\x1f".join((self.rule, self.file, self.focus, self.path, self.value, self.shape, self.message))
        if not self.focus:  # syntax and input errors have nothing else to tell them apart
            key += f"\x1f{self.line}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def sort_key(self) -> tuple[Any, ...]:
        """Files in name order, then lines, then severity and the rest for ties."""
        return (self.file, self.line, self.column, RANK[self.severity], self.rule, self.focus, self.path,
                self.value, self.shape, self.message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping, fingerprint included."""
        return {**asdict(self), "fingerprint": self.fingerprint}


@dataclass
class Report:
    """Everything one run found; formatters read this and nothing else."""

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    triples: int = 0
    shacl_ran: bool = False
    shacl_results: int = 0
    baselined: int = 0
    context_hidden: int = 0
    #: Where the root, the shapes and the ontology came from (``server.validation.selection``).
    setup: str = ""
    fail_on: str = "violation"
    elapsed_s: float | None = None
    shacl_graph: Graph | None = None

    def sort(self) -> None:
        """Sort findings and drop duplicates: the same message about the same value at the same place is
        said once, even when two constraints of one shape (say sh:datatype and sh:minInclusive) share it."""
        kept: dict[tuple[Any, ...], Finding] = {}
        for finding in sorted(set(self.findings), key=Finding.sort_key):
            said = (finding.file, finding.line, finding.column, finding.severity, finding.focus, finding.path,
                    finding.value, finding.message)
            kept.setdefault(said, finding)
        self.findings = list(kept.values())

    def counts(self) -> dict[str, int]:
        """Number of findings per severity, every severity present."""
        counted = Counter(f.severity for f in self.findings)
        return {name: counted.get(name, 0) for name in SEVERITIES}

    @property
    def exit_code(self) -> int:
        """2 for unusable input, 1 for findings at or above ``fail_on``, else 0."""
        counts = self.counts()
        if counts["error"]:
            return UNUSABLE
        threshold = RANK[self.fail_on]
        return FINDINGS if any(counts[s] for s in SEVERITIES if RANK[s] <= threshold) else OK

    def summary(self, timing: bool = True) -> str:
        """One line: files, triples, counts per severity, baselined findings, elapsed time."""
        counts = self.counts()
        words = ", ".join(f"{n} {s}{'' if n == 1 or s == 'info' else 's'}" for s, n in counts.items())
        setup = f" ({self.setup})" if self.setup else ""
        text = f"hcn validate: {len(self.files)} files, {self.triples} triples{setup}: {words}"
        if self.baselined:
            text += f" ({self.baselined} known in the baseline, hidden)"
        if self.context_hidden:
            text += f" ({self.context_hidden} in context files, not shown)"
        if not self.shacl_ran:
            text += "; SHACL not run (fix the errors first)"
        if timing and self.elapsed_s is not None:
            text += f" in {self.elapsed_s:.2f} s"
        return text


def by_file(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by file, in sort order."""
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        groups.setdefault(finding.file, []).append(finding)
    return groups


def load_baseline(path: Path) -> Counter[str]:
    """Fingerprints (with multiplicity) of a previous ``--format json`` report."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = document["findings"]
        return Counter(entry["fingerprint"] if "fingerprint" in entry else _rebuild(entry).fingerprint
                       for entry in entries)
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.__class__.__name__}: {exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise BaselineError(f"{path}: not a JSON report of hcn validate ({exc.__class__.__name__}: {exc})") from exc


def _rebuild(entry: dict[str, Any]) -> Finding:
    names = Finding.__dataclass_fields__
    return Finding(**{k: v for k, v in entry.items() if k in names})


def apply_baseline(report: Report, known: Counter[str]) -> None:
    """Hide findings already in the baseline (each known fingerprint hides as many as it counts)."""
    remaining = Counter(known)
    kept = []
    for finding in report.findings:
        if finding.severity != "error" and remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            report.baselined += 1
        else:
            kept.append(finding)
    report.findings = kept


