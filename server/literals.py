"""Literals as written: which literals Oxigraph's store rewrites, and how to keep the written form.

Oxigraph's store keeps typed values, not text: ``"5"^^xsd:int`` comes back as ``"5"^^xsd:integer``,
``"1.50"`` as ``"1.5"``, ``"P1Y12M"`` as ``"P2Y"`` (other RDF terms). A literal the store would
rewrite can be kept verbatim as ``"text"^^<WRAP + its datatype>`` (a datatype it does not know).
The validator (``validation.syntax.Converter``) checks the wrapped terms; the embedded store keeps
them in a side graph so dumps and documents carry the source's terms (:class:`Rewrites`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Triple

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes whose literals Oxigraph's store rewrites to a canonical form (or another datatype).
NORMALISED = frozenset(XSD + name for name in (
    "boolean decimal float double integer int long short byte nonNegativeInteger positiveInteger "
    "nonPositiveInteger negativeInteger unsignedLong unsignedInt unsignedShort unsignedByte duration "
    "dayTimeDuration yearMonthDuration dateTime dateTimeStamp date time gYear gYearMonth gMonth gDay "
    "gMonthDay"
).split())
#: A literal the store would rewrite is kept as ``"text"^^<WRAP + its datatype>``, which it keeps as is.
WRAP = "urn:x-hcn:literal:"
#: Texts the store keeps as they are, by datatype (a subset of Oxigraph's canonical forms): no need to ask.
CANONICAL = {
    XSD + "integer": re.compile(r"0|-?[1-9][0-9]{0,17}"),
    XSD + "decimal": re.compile(r"0|-?(?:0\.[0-9]{0,17}[1-9]|[1-9][0-9]{0,15}(?:\.[0-9]{0,17}[1-9])?)"),
    XSD + "boolean": re.compile(r"true|false"),
}
#: Datatypes the store always rewrites (a valid value becomes an xsd:integer): no need to ask either.
DERIVED_INTEGERS = frozenset(XSD + name for name in (
    "int long short byte nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger "
    "unsignedLong unsignedInt unsignedShort unsignedByte").split())

Key = tuple[str, str]


def known_verdict(text: str, datatype: str) -> bool | None:
    """Whether the store rewrites ``"text"^^datatype``, when that is known without asking it (else None).

    >>> known_verdict("1.50", XSD + "decimal"), known_verdict("1.5", XSD + "decimal"), known_verdict("x", XSD + "string")
    (True, False, False)
    """
    if datatype not in NORMALISED:
        return False
    canonical = CANONICAL.get(datatype)
    if canonical is not None and canonical.fullmatch(text):
        return False
    if canonical is not None or datatype in DERIVED_INTEGERS:
        return True  # wrapping a literal the store would keep changes nothing
    return None


def store_forms(keys: list[Key]) -> list[Literal]:
    """The literal the store keeps for each (text, datatype), asked of Oxigraph itself, in one batch."""
    scratch, predicate = Store(), NamedNode(WRAP + "p")
    scratch.bulk_extend([Quad(BlankNode(f"n{number}"), predicate, Literal(text, datatype=NamedNode(datatype)))
                         for number, (text, datatype) in enumerate(keys)])
    forms: list[Literal] = [Literal("")] * len(keys)
    for quad in scratch.quads_for_pattern(None, None, None):
        forms[int(quad.subject.value[1:])] = quad.object  # type: ignore[assignment]
    return forms


def rewritten(keys: list[Key]) -> dict[Key, bool]:
    """For each (text, datatype) the store has to be asked about: does it rewrite it?"""
    return {key: (form.value, form.datatype.value) != key for key, form in zip(keys, store_forms(keys))}


def wrap(literal: Literal) -> Literal:
    """The literal under its private datatype (kept verbatim by the store)."""
    return Literal(literal.value, datatype=NamedNode(WRAP + literal.datatype.value))


def unwrap(literal: Literal) -> Literal:
    """The literal as the file wrote it, from its wrapped form."""
    return Literal(literal.value, datatype=NamedNode(literal.datatype.value[len(WRAP):]))


def to_keep(triples: Iterable[Triple | Quad]) -> Iterator[Triple | Quad]:
    """The triples whose literal object the store would rewrite (each (text, datatype) asked once)."""
    pending: list[Triple | Quad] = []
    verdicts: dict[Key, bool | None] = {}
    for triple in triples:
        obj = triple.object
        if not isinstance(obj, Literal) or obj.language:
            continue
        key = (obj.value, obj.datatype.value)
        if key not in verdicts:
            verdicts[key] = known_verdict(*key)
        if verdicts[key] is not False:
            pending.append(triple)
    asked = rewritten([k for k, v in verdicts.items() if v is None])
    for triple in pending:
        key = (triple.object.value, triple.object.datatype.value)  # type: ignore[union-attr]
        if verdicts[key] or asked.get(key):
            yield triple


class Rewrites:
    """The store's triple -> the source triples it stands for, where the store rewrote a literal.

    Built from the wrapped originals (:func:`wrap`) the store keeps in a side graph; :meth:`restore`
    puts the source's terms back into a list of triples (two source literals with one value, like
    ``"1.5"`` and ``"1.50"``, became one stored triple and come back as two).
    """

    def __init__(self, originals: Iterable[Triple]) -> None:
        written = [Triple(t.subject, t.predicate, unwrap(t.object)) for t in originals]  # type: ignore[arg-type]
        forms = store_forms([(t.object.value, t.object.datatype.value) for t in written])  # type: ignore[union-attr]
        self.table: dict[Triple, list[Triple]] = {}
        for triple, form in zip(written, forms):
            self.table.setdefault(Triple(triple.subject, triple.predicate, form), []).append(triple)

    def __bool__(self) -> bool:
        return bool(self.table)

    def restore(self, triples: Iterable[Triple]) -> list[Triple]:
        """``triples`` with each stored triple that stands for rewritten source triples replaced by them."""
        if not self.table:
            return list(triples)
        out: list[Triple] = []
        for triple in triples:
            out.extend(self.table.get(triple, (triple,)))
        return out
