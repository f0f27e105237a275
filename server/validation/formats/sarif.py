"""SARIF 2.1.0 for code-scanning views (GitHub code scanning, GitLab, VS Code SARIF viewer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ... import __version__
from ..report import Finding, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "violation": "error", "warning": "warning", "info": "note"}
RULES = {
    "syntax": "The file is not valid RDF syntax.",
    "input": "The file cannot be read as RDF text.",
    "shapes": "The shapes graph cannot be used.",
    "ill-typed-literal": "A literal's text is not valid for its datatype.",
    "undefined-term": "A term in the ontology's namespace is used but not defined in the ontology.",
    "unknown-term": "A term in a reused vocabulary's namespace is not in that vocabulary's term list.",
    "unresolved-link": "A link to a resource that no file given describes (validated outside a repository).",
    "missing-language-tag": "Text has no language tag where the shapes expect one.",
    "missing-language": "Text is missing in one of the languages the shapes list.",
    "subject-spread": "One subject is described in several files.",
}


def _uri(file: str) -> str:
    return Path(file).as_uri() if file.startswith("/") else file


def _result(finding: Finding, rule_index: int, fallback: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "partialFingerprints": {"hcnFinding/v1": finding.fingerprint},
        "properties": {k: v for k, v in (("severity", finding.severity), ("focus", finding.focus),
                                          ("path", finding.path), ("value", finding.value),
                                          ("shape", finding.shape)) if v},
    }
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(finding.file or fallback)}}
    region = {"startLine": finding.line or 1}  # a finding about a whole file points at its first line
    if finding.column:
        region["startColumn"] = finding.column
    location["region"] = region
    result["locations"] = [{"physicalLocation": location}]
    return result


def render(report: Report) -> str:
    """One run, its rules (the ids that occur) and one result per finding."""
    rule_ids = sorted({f.rule for f in report.findings})
    index = {rule: n for n, rule in enumerate(rule_ids)}
    rules = [{"id": rule, "shortDescription": {"text": RULES.get(rule, f"SHACL constraint {rule}")}}
             for rule in rule_ids]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "hcn validate", "version": __version__,
                                "informationUri": "https://w3id.org/healthy-cities/", "rules": rules}},
            "results": [_result(f, index[f.rule], report.files[0] if report.files else ".") for f in report.findings],
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
