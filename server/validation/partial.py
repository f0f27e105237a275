"""Links to resources no file describes: info outside a root, a violation with a "did you mean" inside.

``sh:class`` (and ``sh:node`` through it) needs the linked resource's type, which lives in another
file of the steward's repository. Validated alone, such a file would report every link as a
violation; instead each unresolved resource is reported once, as information.
"""

from __future__ import annotations

import difflib

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


#: Suggestions cost a pass over the subjects and a fuzzy match per candidate: bounded for large graphs.
MAX_HINTED = 50
MAX_CANDIDATES = 20_000


def dangling_hints(results: list[Result], store: Store) -> dict[URIRef, str]:
    """For each ``sh:class`` value that no triple describes: the described IRI it most likely means ("" if none).

    Candidates share the value's namespace (the IRI up to its last ``/`` or ``#``), so a typo in a slug
    (``organisation:sandnes-komune``) suggests ``organisation:sandnes-kommune``. Past ``MAX_HINTED``
    such values, or ``MAX_CANDIDATES`` in a namespace, no suggestion is made (the finding still says
    that no file describes the value).
    """
    dangling = sorted({r.value for r in results if r.component == SH.ClassConstraintComponent
                       and isinstance(r.value, URIRef)
                       and next(store.quads_for_pattern(NamedNode(str(r.value)), None, None), None) is None})
    if not dangling:
        return {}
    if len(dangling) > MAX_HINTED:
        return dict.fromkeys(dangling, "")
    namespaces = {value: str(value)[: max(str(value).rfind("/"), str(value).rfind("#")) + 1] for value in dangling}
    wanted = set(namespaces.values())
    candidates: dict[str, set[str]] = {namespace: set() for namespace in wanted}
    for quad in store.quads_for_pattern(None, None, None):
        subject = quad.subject
        if isinstance(subject, NamedNode):
            iri = subject.value
            namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
            if namespace in wanted:
                candidates[namespace].add(iri)
    hints = {}
    for value in dangling:
        pool = candidates[namespaces[value]]
        close = difflib.get_close_matches(str(value), sorted(pool), n=1, cutoff=0.8) if len(pool) <= MAX_CANDIDATES else []
        hints[value] = close[0] if close else ""
    return hints
