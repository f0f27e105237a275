"""JUnit XML for CI test views: one test case per file, plus one failing test case per finding."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from ..report import Report, by_file
from .text import line


def render(report: Report) -> str:
    """``<testsuites>`` with one suite; passing files show as passing test cases."""
    groups = by_file(report.findings)
    suites = ET.Element("testsuites", name="hcn validate")
    cases = []
    for file in sorted(set(report.files) - set(groups)):
        cases.append(ET.Element("testcase", classname=file, name=f"{file}: conforms"))
    for file, findings in groups.items():
        for finding in findings:
            case = ET.Element("testcase", classname=file or "hcn validate",
                              name=f"{finding.location} {finding.rule} {finding.focus}".rstrip())
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.severity)
            failure.text = line(finding)
            cases.append(case)
    failures = sum(1 for case in cases if len(case))
    suite = ET.SubElement(suites, "testsuite", name="hcn validate", tests=str(len(cases)),
                          failures=str(failures), errors="0", skipped="0")
    suite.extend(cases)
    suites.set("tests", str(len(cases)))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
