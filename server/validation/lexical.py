"""Lexical forms of the XSD datatypes, as XML Schema 1.1 Part 2 defines them.

rdflib flags ill-typed literals only for the datatypes it converts to Python values, and pyoxigraph
keeps an unparsable ``"20x06"^^xsd:gYear`` as it is, so a steward's typo in a year or a date would
pass every check. This module says whether a lexical form belongs to its datatype's lexical space.

>>> valid("2006", XSD + "gYear"), valid("20x06", XSD + "gYear"), valid("2006-13-01", XSD + "date")
(True, False, False)
>>> valid("anything", "http://example.org/own-type") is None
True
"""

from __future__ import annotations

import re

XSD = "http://www.w3.org/2001/XMLSchema#"

_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_ZONE = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_FLOAT = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_DURATION = r"-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"

#: Datatype local name -> the regular expression of its lexical space (whole string).
PATTERNS: dict[str, re.Pattern[str]] = {name: re.compile(f"(?:{pattern})\\Z") for name, pattern in {
    "gYear": _YEAR + _ZONE,
    "gYearMonth": f"{_YEAR}-{_MONTH}{_ZONE}",
    "gMonth": f"--{_MONTH}{_ZONE}",
    "gMonthDay": f"--{_MONTH}-{_DAY}{_ZONE}",
    "gDay": f"---{_DAY}{_ZONE}",
    "date": f"{_YEAR}-{_MONTH}-{_DAY}{_ZONE}",
    "dateTime": f"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_ZONE}",
    "dateTimeStamp": f"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))",
    "time": _TIME + _ZONE,
    "duration": _DURATION,
    "yearMonthDuration": r"-?P(?=[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?",
    "dayTimeDuration": r"-?P(?=[0-9T])(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?",
    "boolean": r"true|false|1|0",
    "decimal": _DECIMAL,
    "integer": _INTEGER,
    "float": _FLOAT,
    "double": _FLOAT,
}.items()}

#: Integer types with their inclusive bounds (None = unbounded).
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None), "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}


def valid(lexical: str, datatype: str) -> bool | None:
    """Whether ``lexical`` is in the lexical space of ``datatype``; None for datatypes not checked here."""
    if not datatype.startswith(XSD):
        return None
    name = datatype[len(XSD):]
    text = lexical.strip(" \t\n\r")  # XSD's whitespace facet "collapse" for these types
    if name in INTEGER_RANGES:
        if not PATTERNS["integer"].match(text):
            return False
        low, high = INTEGER_RANGES[name]
        value = int(text)
        return (low is None or value >= low) and (high is None or value <= high)
    pattern = PATTERNS.get(name)
    if pattern is None:
        return None
    if not pattern.match(text):
        return False
    if name in ("date", "dateTime", "dateTimeStamp"):
        return _real_day(text)
    return True


def _real_day(text: str) -> bool:
    """February 30th and April 31st match the pattern but are no day (years are astronomical: 0000 is leap)."""
    match = re.match(r"(-?[0-9]+)-([0-9]{2})-([0-9]{2})", text)
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return day <= days
