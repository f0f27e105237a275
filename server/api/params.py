"""Typed parameters of named queries: the ``#+ param-NAME:`` header grammar and binding to RDF terms.

A parameter line names the API parameter, its type, and optional attributes separated by `` | ``::

    #+ param-measure: iri | enum: https://e/a, https://e/b | example: https://e/a | description: Which count

The parameter binds the query variable of the same name (or ``variable: otherName``) through the
engine's own substitution, so a value is always one parsed RDF term, never query text. An optional
parameter without a default leaves its variable free: the query's answer without it is unchanged.

>>> p = parse_param("year", "gYear | default: 2020 | description: The year")
>>> p.variable, p.default, p.required
('year', '2020', False)
>>> bind(p, "2019")
<Literal value=2019 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>
>>> bind(parse_param("n", "integer"), "+007")
<Literal value=7 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
>>> bind(parse_param("n", "integer"), "7 }")
Traceback (most recent call last):
  ...
server.api.params.ParameterError: parameter 'n': expected an integer (at most 4000 digits), got '7 }'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pyoxigraph import Literal, NamedNode

from ..errors import BadRequest

XSD = "http://www.w3.org/2001/XMLSchema#"
NAME = re.compile(r"[a-z][a-z0-9_]*")
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Query-string names the API itself uses; a parameter may not take them.
RESERVED = frozenset({"format"})
ATTRIBUTES = frozenset({"default", "enum", "example", "description", "variable", "required"})

Term = NamedNode | Literal


class ParameterError(BadRequest):
    """A value that does not fit its parameter; ``name`` says which (the HTML form shows it beside the field)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _iri(raw: str) -> Term:
    try:
        return NamedNode(raw)
    except ValueError as exc:
        raise ValueError(f"expected an absolute IRI ({exc})") from None


def _typed(datatype: str, lexical: str) -> Literal:
    return Literal(lexical, datatype=NamedNode(XSD + datatype))


def _integer(raw: str) -> Term:
    if not re.fullmatch(r"[+-]?[0-9]{1,4000}", raw):
        raise ValueError("expected an integer (at most 4000 digits)")
    return _typed("integer", str(int(raw)))


def _decimal(raw: str) -> Term:
    try:
        value = Decimal(raw.strip()) if raw.strip() == raw else Decimal("nan")
    except InvalidOperation:
        value = Decimal("nan")
    if not value.is_finite():
        raise ValueError("expected a decimal number")
    return _typed("decimal", format(value, "f"))


def _boolean(raw: str) -> Term:
    values = {"true": "true", "1": "true", "false": "false", "0": "false"}
    if raw.lower() not in values:
        raise ValueError("expected true or false")
    return _typed("boolean", values[raw.lower()])


def _date(raw: str) -> Term:
    try:
        parsed = date.fromisoformat(raw) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError("expected a date YYYY-MM-DD")
    return _typed("date", parsed.isoformat())


def _gyear(raw: str) -> Term:
    if not re.fullmatch(r"-?[0-9]{4,}", raw):
        raise ValueError("expected a year YYYY")
    return _typed("gYear", raw)


@dataclass(frozen=True)
class ParamType:
    """One parameter type: how a query-string value becomes a term, and its JSON Schema."""

    name: str
    parse: Callable[[str], Term]
    schema: Mapping[str, Any]


TYPES: dict[str, ParamType] = {
    t.name: t
    for t in (
        ParamType("iri", _iri, {"type": "string", "format": "iri"}),
        ParamType("string", lambda raw: Literal(raw), {"type": "string"}),
        ParamType("integer", _integer, {"type": "integer"}),
        ParamType("decimal", _decimal, {"type": "number"}),
        ParamType("boolean", _boolean, {"type": "boolean"}),
        ParamType("date", _date, {"type": "string", "format": "date"}),
        ParamType("gYear", _gyear, {"type": "string", "pattern": "^-?[0-9]{4,}$"}),
    )
}


@dataclass(frozen=True)
class Param:
    """A declared parameter of a named query."""

    name: str
    type: str
    variable: str
    description: str = ""
    default: str | None = None
    enum: tuple[str, ...] = ()
    example: str | None = None
    required: bool = False

    @property
    def schema(self) -> dict[str, Any]:
        """JSON Schema of the query-string value (typed; enum, default and example included)."""
        schema = dict(TYPES[self.type].schema)
        if self.enum:
            schema["enum"] = [_json_value(self.type, v) for v in self.enum]
        if self.default is not None:
            schema["default"] = _json_value(self.type, self.default)
        if self.example is not None:
            schema["examples"] = [_json_value(self.type, self.example)]
        return schema


def _json_value(type_name: str, raw: str) -> Any:
    """The JSON value of a header value of ``type_name`` (numbers and booleans unquoted)."""
    if type_name == "integer":
        return int(raw)
    if type_name == "decimal":
        return float(raw)
    if type_name == "boolean":
        return raw.lower() in ("true", "1")
    return raw


def parse_param(name: str, spec: str) -> Param:
    """Read one ``param-NAME`` header value; ``ValueError`` says what is wrong with it."""
    if not NAME.fullmatch(name) or name in RESERVED:
        raise ValueError(f"bad parameter name {name!r}: lower-case letters, digits, '_', not 'format'")
    type_name, *parts = [part.strip() for part in spec.split(" | ")]
    if type_name not in TYPES:
        raise ValueError(f"parameter {name!r}: unknown type {type_name!r}; use one of: {', '.join(TYPES)}")
    attrs: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition(":")
        if not sep or key.strip() not in ATTRIBUTES:
            raise ValueError(f"parameter {name!r}: bad attribute {part!r}; use one of: {', '.join(sorted(ATTRIBUTES))}")
        attrs[key.strip()] = value.strip()
    param = Param(
        name=name,
        type=type_name,
        variable=attrs.get("variable", name),
        description=attrs.get("description", ""),
        default=attrs.get("default"),
        enum=tuple(v.strip() for v in attrs["enum"].split(", ")) if attrs.get("enum") else (),
        example=attrs.get("example"),
        required=attrs.get("required", "false").lower() == "true",
    )
    if not VARIABLE.fullmatch(param.variable):
        raise ValueError(f"parameter {name!r}: bad variable name {param.variable!r}")
    for value in (*param.enum, param.default, param.example):
        if value is not None:
            try:
                bind(param, value)  # the header's own values must fit the type (and the enum)
            except BadRequest as exc:
                raise ValueError(str(exc)) from None
    return param


def bind(param: Param, raw: str) -> Term:
    """The RDF term for ``raw``; ``BadRequest`` naming the parameter when the value does not fit."""
    try:
        term = TYPES[param.type].parse(raw)
    except ValueError as exc:
        raise ParameterError(param.name, f"parameter {param.name!r}: {exc}, got {raw[:80]!r}") from None
    if param.enum and raw not in param.enum:
        raise ParameterError(param.name, f"parameter {param.name!r}: {raw[:80]!r} is not one of: {', '.join(param.enum)}")
    return term


def bind_all(params: Iterable[Param], given: Iterable[tuple[str, str]]) -> dict[str, Term]:
    """Variable -> term for the given ``(name, value)`` pairs plus defaults; unknown, repeated or missing -> 400.

    >>> p = parse_param("measure", "iri")
    >>> bind_all([p], [("measure", "http://e/m")])
    {'measure': <NamedNode value=http://e/m>}
    >>> bind_all([p], [("measur", "x")])
    Traceback (most recent call last):
      ...
    server.errors.BadRequest: unknown parameter 'measur'; this query takes: measure, format
    """
    declared = {p.name: p for p in params}
    values: dict[str, str] = {}
    for name, raw in given:
        if name in RESERVED:
            continue
        if name not in declared:
            known = ", ".join([*declared, *sorted(RESERVED)])
            raise BadRequest(f"unknown parameter {name[:80]!r}; this query takes: {known}")
        if name in values:
            raise BadRequest(f"parameter {name!r} given more than once")
        values[name] = raw
    bound: dict[str, Term] = {}
    for param in declared.values():
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise ParameterError(param.name, f"missing required parameter {param.name!r}")
            continue
        bound[param.variable] = bind(param, raw)
    return bound
