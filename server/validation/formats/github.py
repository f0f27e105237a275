"""GitHub Actions workflow commands: ``::error file=...,line=...,title=...::message``."""

from __future__ import annotations

from ..report import Finding, Report
from .text import line as text_line

LEVEL = {"error": "error", "violation": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One workflow command for one finding."""
    props = []
    if finding.file:
        props.append(f"file={_property(finding.file)}")
    if finding.line:
        props.append(f"line={finding.line}")
    if finding.column:
        props.append(f"col={finding.column}")
    props.append(f"title={_property(f'{finding.severity}: {finding.rule}')}")
    message = text_line(finding).split(": ", 2)[-1] if finding.file else finding.message
    return f"::{LEVEL[finding.severity]} {','.join(props)}::{_data(message)}"


def render(report: Report, timing: bool = True) -> str:
    """One annotation per finding (the summary goes to stderr, as for every machine format)."""
    return "".join(annotation(f) + "\n" for f in report.findings)
