"""Steward validation: syntax, SHACL and lint findings for Turtle (and other RDF) files in a repo.

The one public entry point is :func:`validate`; ``hcn validate`` is a thin wrapper around it.

May import: the shared top-level modules only (no Flask, no store): it runs where the steward's files are.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pyoxigraph import BlankNode, Quad
from rdflib import SH, BNode, Literal, URIRef

from . import lint
from .findings import Context, locate, to_finding
from .formats.turtle import report_graph
from .loading import Graphs, Loader
from .names import Namer
from .positions import Positions, index_file
from .partial import dangling_hints, split_unresolved, unresolved_findings
from .selection import select
from .report import BaselineError, Finding, Report, apply_baseline, load_baseline
from .shacl import Result, ShapesError, UnsupportedFeature
from .shacl import validate as run_shacl
from .sources import Source, read
from .storeview import view
from .syntax import Parsed, parse_text, quiet_rdflib

__all__ = ["BaselineError", "Finding", "Options", "Report", "UnsupportedFeature", "validate"]

@dataclass(frozen=True)
class Options:
    """What to validate; the defaults validate ``root``'s ontology/, data/ and shapes/ folders."""

    paths: Sequence[str] = ()
    #: The steward's repository (see ``server.project``); None = the paths lie outside any root.
    root: Path | None = Path(".")
    shapes: Sequence[str] = ()
    ontology: Sequence[str] = ()
    fail_on: str = "violation"
    baseline: Path | None = None
    lint: bool = True
    #: Severity of a term missing from a closed vocabulary (error|violation|warning|info), or "off".
    unknown_terms: str = "error"
    #: Language of shape messages (``sh:message`` tagged so; English where the shapes give none).
    lang: str = "en"


def validate(options: Options) -> Report:
    """Check every file (syntax, ill-typed literals), then SHACL and lint over the whole graph.

    Bad input never raises: it becomes ``error`` findings (exit code 2). Only malformed shapes
    (:class:`ShapesError`, reported as an error finding) and :class:`UnsupportedFeature` stop a run.
    """
    started = time.perf_counter()
    report = Report(fail_on=options.fail_on)
    selection = select(list(options.paths), options.root, list(options.shapes), list(options.ontology))
    report.setup = selection.setup
    report.findings.extend(selection.problems)
    with quiet_rdflib():
        parsed, graphs = _parse_all(selection.sources, report)
        _check_graph(parsed, graphs, report, options, partial=selection.partial)
    _hide_context(report, selection.context)
    report.sort()
    if options.baseline is not None:
        apply_baseline(report, load_baseline(options.baseline))
    report.elapsed_s = time.perf_counter() - started
    return report


def _hide_context(report: Report, context: set[str]) -> None:
    """Findings in context files (the rest of the root, the ontology, the built-in contract) are counted, not shown."""
    kept = [f for f in report.findings if f.severity == "error" or f.file not in context]
    report.context_hidden = len(report.findings) - len(kept)
    report.findings = kept


def _parse_all(sources: list[Source], report: Report) -> tuple[list[Parsed], Graphs]:
    parsed, loader = [], Loader()
    for number, source in enumerate(sources):
        report.files.append(source.display)
        text, problem = read(source)
        if problem is not None:
            report.findings.append(problem)
            continue
        result = parse_text(source, number, text or "", loader.receiver(source.role))
        report.findings.extend(result.errors)
        report.triples += result.count
        parsed.append(result)
    return parsed, loader.finish()


def _check_graph(parsed: list[Parsed], graphs: Graphs, report: Report, options: Options, *, partial: bool) -> None:
    store, shapes, converter = graphs.store, graphs.shapes, graphs.converter
    prefixes: dict[str, str] = {}
    for source in parsed:
        for prefix, namespace in source.prefixes.items():
            prefixes.setdefault(prefix, namespace)
    ctx = Context(view(store, converter), shapes, Namer(prefixes), Positions([index_file(p) for p in parsed]),
                  lang=options.lang)
    ill_typed = [_ill_typed(quad, literal, ctx) for quad, literal in graphs.ill_typed]
    shacl: list[Finding] = []
    has_errors = any(f.severity == "error" for f in report.findings)
    if not has_errors and len(shapes):
        try:
            results = run_shacl(store, shapes, converter, prefixes=_data_prefixes(parsed))
        except ShapesError as exc:
            report.findings.append(Finding("error", "shapes", f"the shapes cannot be used: {exc}",
                                           file=_shapes_display(parsed)))
        else:
            report.shacl_ran = True
            if partial:
                results, unresolved = split_unresolved(results, store)
                report.findings.extend(unresolved_findings(unresolved, ctx))
            report.shacl_results = len(results)
            shacl = [to_finding(r, ctx) for r in results]
            shacl = _with_hints(shacl, results, dangling_hints(results, store), ctx)
            report.shacl_graph = report_graph(results, shapes)
    elif not has_errors:
        report.findings.append(Finding("error", "input", "no shapes to validate against (give --shapes)"))
    report.findings.extend(shacl)
    report.findings.extend(lint.drop_duplicates_of(shacl, ill_typed))
    if options.lint:
        found = lint.undefined_terms(graphs.ontology, store, ctx, options.unknown_terms) + lint.spread_subjects(ctx)
        if len(shapes):
            found += lint.missing_languages(ctx)
        report.findings.extend(lint.drop_duplicates_of(shacl, found))


def _ill_typed(quad: Quad, literal: Literal, ctx: Context) -> Finding:
    """A finding for a literal whose text is not valid for its datatype (``"2001-13-01"^^xsd:date``)."""
    subject = quad.subject
    focus = BNode(subject.value) if isinstance(subject, BlankNode) else URIRef(subject.value)
    path = URIRef(quad.predicate.value)
    where = Result(focus=focus, shape=BNode(), component=SH.DatatypeConstraintComponent, severity=SH.Violation,
                   path=path, value=literal)
    file, line = locate(where, ctx)  # a blank node's literal is found through its named ancestor
    value = ctx.namer.term(literal)
    return Finding("violation", "ill-typed-literal", f"{value} is not a valid {ctx.namer.term(literal.datatype)}",
                   file=file, line=line, focus=ctx.namer.term(focus, ctx.data),
                   path=ctx.namer.iri(quad.predicate.value), value=value)


def _data_prefixes(parsed: list[Parsed]) -> list[tuple[str, str]]:
    """The ``@prefix`` declarations of the data and ontology files (the data graph's), in order."""
    return [(prefix, namespace) for source in parsed if source.source.role != "shapes"
            for prefix, namespace in source.prefixes.items()]


#: The hint added to a finding about a link to an undescribed resource, per message language.
HINT_WORDS = {"en": ("no file describes", "did you mean"), "nb": ("ingen fil beskriver", "mente du")}


def _with_hints(found: list[Finding], results: list[Result], hints: dict[URIRef, str], ctx: Context) -> list[Finding]:
    """Findings about links to undescribed resources say so, with the likely intended IRI."""
    if not hints:
        return found
    hinted = []
    for finding, result in zip(found, results, strict=True):
        if result.value in hints:
            nearest = hints[result.value]  # type: ignore[index]
            words = HINT_WORDS.get(ctx.lang, HINT_WORDS["en"])
            extra = f"; {words[0]} {finding.value}" + (f": {words[1]} {ctx.namer.iri(nearest)}?" if nearest else "")
            finding = replace(finding, message=finding.message + extra)
        hinted.append(finding)
    return hinted


def _shapes_display(parsed: list[Parsed]) -> str:
    files = [p.source.display for p in parsed if p.source.role == "shapes"]
    return files[0] if len(files) == 1 else ""
