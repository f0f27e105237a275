"""XSD lexical spaces (for ill-typed literals rdflib lets through) and message language choice."""

from __future__ import annotations

import doctest

import pytest

from server.validation import findings, lexical
from server.validation.lexical import XSD, valid


@pytest.mark.parametrize(("text", "datatype", "expected"), [
    ("2006", "gYear", True), ("20x06", "gYear", False), ("2019-03-08", "gYear", False), ("-0044", "gYear", True),
    ("2006-05", "gYearMonth", True), ("2006-5", "gYearMonth", False),
    ("2024-02-29", "date", True), ("2023-02-29", "date", False), ("1900-02-29", "date", False),
    ("0000-02-29", "date", True), ("2019-3-8", "date", False), ("2019-03-08Z", "date", True),
    ("2020-01-01T00:00:00+00:00", "dateTime", True), ("2020-01-01 00:00:00", "dateTime", False),
    ("24:00:00", "time", True), ("25:00:00", "time", False),
    ("P1Y12M", "duration", True), ("P", "duration", False), ("PT", "duration", False), ("P1DT", "duration", False),
    ("1.50", "decimal", True), ("1.5e3", "decimal", False), ("1e1", "double", True), ("INF", "float", True),
    ("5", "int", True), ("99999999999", "int", False), ("-1", "nonNegativeInteger", False), ("256", "unsignedByte", False),
    ("1", "boolean", True), ("yes", "boolean", False), (" 7 ", "integer", True),
    ("anything", "string", None),
])
def test_lexical_spaces(text: str, datatype: str, expected: bool | None) -> None:
    assert valid(text, XSD + datatype) is expected


def test_other_datatypes_are_not_judged() -> None:
    assert valid("x", "http://example.org/own") is None


@pytest.mark.parametrize("module", [lexical, findings])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]
