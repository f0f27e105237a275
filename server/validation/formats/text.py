"""Compiler-style text: ``path:line[:column]: severity: message [focus ..., path ..., value ..., shape ...]``."""

from __future__ import annotations

from ..report import Finding, Report, by_file


def line(finding: Finding) -> str:
    """One finding as one line."""
    details = [f"{name} {value}" for name, value in (("focus", finding.focus), ("path", finding.path),
                                                       ("value", finding.value), ("shape", finding.shape)) if value]
    suffix = f" [{', '.join(details)}]" if details else ""
    return f"{finding.location}: {finding.severity}: {finding.message}{suffix}"


def render(report: Report, timing: bool = True) -> str:
    """Findings grouped by file and sorted by line, then the summary line."""
    lines = [line(f) for group in by_file(report.findings).values() for f in group]
    return "\n".join([*lines, report.summary(timing)]) + "\n"
