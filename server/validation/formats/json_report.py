"""JSON report; also the ``--baseline`` file format."""

from __future__ import annotations

import json

from ..report import Report

SCHEMA_VERSION = 1


def render(report: Report) -> str:
    """Findings with fingerprints and the counts; no timing, so runs compare byte for byte."""
    document = {
        "tool": "hcn validate",
        "version": SCHEMA_VERSION,
        "exitCode": report.exit_code,
        "failOn": report.fail_on,
        "files": report.files,
        "triples": report.triples,
        "shaclRan": report.shacl_ran,
        "shaclResults": report.shacl_results,
        # the SHACL report's sh:conforms: false with any result, warnings and infos included
        "shaclConforms": report.shacl_results == 0 if report.shacl_ran else None,
        "counts": report.counts(),
        "baselined": report.baselined,
        "findings": [f.to_dict() for f in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
