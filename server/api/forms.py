"""The HTML side of the named-query API: result cells shown by label, parameter forms that offer labels.

A form field for an IRI parameter is a choice of labelled IRIs (the enum, or the resources filed
under the same path as the example, e.g. every ``/id/organisation/...``); the form sends the IRI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, request

from ..config import Settings
from ..display import COMMON_PREFIXES, LABEL_PROPERTIES, Labels, Term, json_term, pick, safe_iri
from ..store import Store
from .params import Param

#: Labels in English where there is one (the API's pages are English; the ETag does not vary by language).
LANG = "en"
#: At most this many choices in a drop-down; beyond, the field is free text with suggestions.
MAX_CHOICES = 200
_LABELS = """SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?l
  FILTER(?p IN ({properties}) && isLiteral(?l)) }}"""
_UNDER = """SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}")) }}
ORDER BY ?s LIMIT {limit}"""


@dataclass(frozen=True)
class Field:
    """One parameter as a form field: its current value, labelled choices and the error beside it."""

    param: Param
    value: str
    choices: list[tuple[str, str]]
    error: str | None = None

    @property
    def free_text(self) -> bool:
        """Typed in (with suggestions) rather than chosen from a drop-down."""
        return not self.choices or len(self.choices) > MAX_CHOICES

    @property
    def value_label(self) -> str:
        """The label of the current value when it is one of the choices, else the value itself."""
        return dict(self.choices).get(self.value, self.value)


def labels_for(store: Store, iris: Iterable[str]) -> Labels:
    """rdfs:label / skos:prefLabel of the given IRIs, by language (one query)."""
    wanted = sorted({iri for iri in iris if safe_iri(iri)})
    if not wanted:
        return {}
    query = _LABELS.format(values=" ".join(f"<{i}>" for i in wanted), properties=", ".join(f"<{p}>" for p in LABEL_PROPERTIES))
    out: Labels = {}
    for row in store.query(query):
        out.setdefault(row["s"].value, {}).setdefault(row["l"].language or "", row["l"].value)  # type: ignore[index,union-attr]
    return out


def prefixes(settings: Settings) -> dict[str, str]:
    """Compact names for the vocabularies, ``hc:`` included."""
    return {**COMMON_PREFIXES, "hc": settings.base_iri + "ontology#"}


def local_link(settings: Settings, iri: str) -> str:
    """IRIs of this dataset open this server's pages; others link to themselves."""
    if iri.startswith(settings.base_iri):
        return request.script_root + "/" + iri[len(settings.base_iri):]
    return iri


def table(store: Store, settings: Settings, results: Mapping[str, Any]) -> tuple[list[str], list[list[Term | None]]]:
    """Variables and rows of a SPARQL JSON answer as shown: IRIs by label, literals with badges."""
    variables: list[str] = results["head"]["vars"]
    bindings = results["results"]["bindings"]
    iris = (b["value"] for binding in bindings for b in binding.values() if b.get("type") == "uri")
    labels, lang = labels_for(store, iris), LANG
    rows = [
        [json_term(binding.get(v), labels, prefixes(settings), lambda i: local_link(settings, i), lang) for v in variables]
        for binding in bindings
    ]
    return variables, rows


def choices(store: Store, param: Param) -> list[str]:
    """The IRIs an IRI parameter may take: its enum, else the resources under its example's path."""
    if param.type != "iri":
        return []
    if param.enum:
        return list(param.enum)
    if not param.example or "/" not in param.example or not safe_iri(param.example):
        return []
    prefix = param.example.rsplit("/", 1)[0] + "/"
    cache = current_app.extensions.setdefault("hcn_api_choices", {})  # the store is read-only
    if prefix not in cache:
        query = _UNDER.format(prefix=prefix, limit=MAX_CHOICES + 1)  # safe_iri: no quote or backslash in it
        cache[prefix] = [row["s"].value for row in store.query(query)]  # type: ignore[index,union-attr]
    return cache[prefix]


def fields(store: Store, params: Iterable[Param], given: Mapping[str, str], errors: Mapping[str, str]) -> list[Field]:
    """The form's fields, each with the value given, its labelled choices (sorted by label) and any error."""
    params = list(params)
    options = {p.name: choices(store, p) for p in params}
    labels, lang = labels_for(store, (i for values in options.values() for i in values)), LANG
    out = []
    for p in params:
        labelled = [(iri, pick(labels.get(iri, {}), lang) or iri) for iri in options[p.name]]
        if not p.enum:
            labelled.sort(key=lambda pair: pair[1].casefold())
        out.append(Field(p, given.get(p.name, ""), labelled, errors.get(p.name)))
    return out
