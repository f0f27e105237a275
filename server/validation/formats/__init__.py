"""Report formats: one ``render(report, timing)`` per format name."""

from __future__ import annotations

from collections.abc import Callable

from ..report import Report
from . import github, json_report, junit, sarif, text, turtle

Renderer = Callable[[Report, bool], str]

RENDERERS: dict[str, Renderer] = {
    "text": text.render,
    "json": lambda report, timing: json_report.render(report),
    "junit": lambda report, timing: junit.render(report),
    "sarif": lambda report, timing: sarif.render(report),
    "github": github.render,
    "turtle": lambda report, timing: turtle.render(report),
}
NAMES = tuple(RENDERERS)


def render(report: Report, name: str, timing: bool = True) -> str:
    """The report in format ``name``, ending with a newline."""
    output = RENDERERS[name](report, timing)
    return output if output.endswith("\n") or not output else output + "\n"
