"""Files validated outside any root: links to resources no given file describes are not violations.

``sh:class`` (and ``sh:node`` through it) needs the linked resource's type, which lives in another
file of the steward's repository. Validated alone, such a file would report every link as a
violation; instead each unresolved resource is reported once, as information.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, Store
from rdflib import SH, URIRef

from .findings import Context, to_finding
from .report import Finding
from .shacl import Result


def split_unresolved(results: list[Result], store: Store) -> tuple[list[Result], list[Result]]:
    """Results that stand, and ``sh:class`` results whose value is an IRI no triple describes."""
    described: dict[URIRef, bool] = {}
    kept, unresolved = [], []
    for result in results:
        value = result.value
        if result.component == SH.ClassConstraintComponent and isinstance(value, URIRef):
            if value not in described:
                described[value] = next(store.quads_for_pattern(NamedNode(str(value)), None, None), None) is not None
            if not described[value]:
                unresolved.append(result)
                continue
        kept.append(result)
    return kept, unresolved


def unresolved_findings(results: list[Result], ctx: Context) -> list[Finding]:
    """One ``info`` finding per unresolved resource, at its first use."""
    findings: dict[str, Finding] = {}
    for result in results:
        first = to_finding(result, ctx)
        if first.value in findings:
            continue
        findings[first.value] = Finding(
            "info", "unresolved-link",
            f"{first.value} is not described in the files given, so its type was not checked; validate inside "
            "the repository (or give the file that describes it) to check this link",
            file=first.file, line=first.line, focus=first.focus, path=first.path, value=first.value)
    return list(findings.values())
