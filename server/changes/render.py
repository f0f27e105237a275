"""A delta as text (terminal), Markdown (pull-request comment, CI job summary) or RDF Patch.

Text and Markdown group the changed facts by subject, each headed by its label (``rdfs:label`` or
``skos:prefLabel``, English first) and its CURIE from the files' own prefixes (and rdf, rdfs,
xsd, owl); a changed blank node is shown in place as Turtle's ``[ p o ; ... ]``. RDF Patch
(https://afs.github.io/rdf-patch/) writes one transaction: ``PA`` rows for the prefixes used, then
``D`` rows, then ``A`` rows, every term in full N-Triples form so any reader applies it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from .delta import Delta, Term

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: A PR comment holds 65,536 characters; past this many subjects Markdown points to the full text.
MARKDOWN_SUBJECTS = 150
FORMATS = ("text", "markdown", "rdf-patch")
#: W3C namespaces every RDF file uses, for the CURIEs of files that do not declare them.
CORE_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}
_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")

Row = tuple[str, str, str]  # sign, predicate, object as shown


def render(delta: Delta, fmt: str, headers: Mapping[str, str] | None = None) -> str:
    """The delta in ``fmt`` (one of ``FORMATS``); ``headers`` become RDF Patch ``H`` rows."""
    if fmt == "rdf-patch":
        return rdf_patch(delta, headers or {})
    view = _View(delta)
    return view.markdown() if fmt == "markdown" else view.text()


def summary(delta: Delta) -> str:
    """One line: how many facts were removed and added in how many subjects, or that nothing changed."""
    if not delta.changed:
        return f"no changes ({delta.old.name} → {delta.new.name}: {len(delta.after)} facts)"
    subjects = set(_nest(delta.removed)) | set(_nest(delta.added))  # as shown: nested blank nodes in place
    return (f"{_count(len(delta.removed), 'fact')} removed, {len(delta.added)} added, in "
            f"{_count(len(subjects), 'subject')} ({delta.old.name} → {delta.new.name})")


def rdf_patch(delta: Delta, headers: Mapping[str, str]) -> str:
    """RDF Patch: headers, ``TX``, ``PA`` for the prefixes in use, ``D`` rows, ``A`` rows, ``TC``."""
    removed, added = sorted(map(str, delta.removed)), sorted(map(str, delta.added))
    used = "\n".join(removed + added)
    lines = [f"H {name} {value} ." for name, value in headers.items()]
    lines.append("TX .")
    lines += [f"PA {prefix} <{iri}> ." for prefix, iri in sorted(delta.prefixes().items())
              if prefix and f"<{iri}" in used]
    lines += [f"D {row} ." for row in removed] + [f"A {row} ." for row in added]
    lines.append("TC .")
    return "\n".join(lines) + "\n"


class _View:
    """Labels, CURIEs and the changed facts grouped by subject, for the two human formats."""

    def __init__(self, delta: Delta) -> None:
        self.delta = delta
        declared = delta.prefixes()
        core = {p: iri for p, iri in CORE_PREFIXES.items() if p not in declared and iri not in declared.values()}
        self.prefixes = sorted({**core, **declared}.items(), key=lambda item: -len(item[1]))
        self.labels = _labels(delta.before | delta.after)

    def groups(self) -> list[tuple[str, list[Row]]]:
        """``(heading, rows)`` per changed subject, sorted by heading; rows by property, removals first."""
        rows: dict[NamedNode | BlankNode, list[Row]] = defaultdict(list)
        for sign, triples in (("-", self.delta.removed), ("+", self.delta.added)):
            for subject, facts in _nest(triples).items():
                rows[subject] += [(sign, self.show(p), self.show_nested(o)) for p, o in facts]
        grouped = [(self.heading(subject), sorted(r, key=lambda row: (row[1], row[0] == "+", row[2])))
                   for subject, r in rows.items()]
        return sorted(grouped, key=lambda group: group[0].casefold())

    def heading(self, subject: NamedNode | BlankNode) -> str:
        """``Label (curie)``, the CURIE alone, or ``_:label`` for a blank node no other changed fact points to."""
        label = self.labels.get(subject)
        return f"{label} ({self.show(subject)})" if label else self.show(subject)

    def show_nested(self, value: Term | list[tuple[NamedNode, Any]]) -> str:
        """A term, or a nested blank node as Turtle's ``[ p o ; p o ]``."""
        if isinstance(value, list):
            return "[ " + " ; ".join(sorted(f"{self.show(p)} {self.show_nested(o)}" for p, o in value)) + " ]"
        return self.show(value)

    def show(self, term: NamedNode | BlankNode | Literal | Triple) -> str:
        """A term as a steward reads it: CURIE, quoted literal with CURIE datatype, ``[]`` for blank nodes."""
        if isinstance(term, NamedNode):
            return self.curie(term.value)
        if isinstance(term, BlankNode):
            return f"_:{term.value}"
        if isinstance(term, Literal):
            quoted = str(Literal(term.value))
            if term.language:
                return f"{quoted}@{term.language}"
            return quoted if term.datatype.value == XSD_STRING else f"{quoted}^^{self.curie(term.datatype.value)}"
        return str(term)

    def curie(self, iri: str) -> str:
        """``prefix:local`` with the longest matching prefix of the files, else ``<iri>``."""
        for prefix, namespace in self.prefixes:
            local = iri[len(namespace):]
            if iri.startswith(namespace) and (local == "" or _LOCAL.match(local)):
                return f"{prefix}:{local}"
        return f"<{iri}>"

    def text(self) -> str:
        """Subjects with indented ``-``/``+`` rows, then the summary line."""
        lines = [f"--- {self.delta.old.name}", f"+++ {self.delta.new.name}"] if self.delta.changed else []
        for heading, rows in self.groups():
            lines += ["", heading] + [f"  {sign} {p} {o}" for sign, p, o in rows]
        if lines:
            lines.append("")
        lines.append(f"hcn diff: {summary(self.delta)}")
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """A heading, the summary in bold, and one ``diff`` block per subject (at most ``MARKDOWN_SUBJECTS``)."""
        old, new = self.delta.old.name, self.delta.new.name
        lines = [f"### Facts changed: `{old}` → `{new}`", "", f"**{_escape(summary(self.delta))}**"]
        groups = self.groups()
        for heading, rows in groups[:MARKDOWN_SUBJECTS]:
            body = "\n".join(f"{sign} {p} {o}" for sign, p, o in rows)
            fence = "`" * max(3, _longest_backtick_run(body) + 1)
            lines += ["", f"#### {_escape(heading)}", "", f"{fence}diff", body, fence]
        if len(groups) > MARKDOWN_SUBJECTS:
            lines += ["", f"… and {len(groups) - MARKDOWN_SUBJECTS} more subjects: run `hcn diff {old} {new}` to see all."]
        return "\n".join(lines) + "\n"


def _nest(triples: Iterable[Triple]) -> dict[NamedNode | BlankNode, list[tuple[NamedNode, Any]]]:
    """Facts by subject, a blank node that exactly one of the facts points to nested in its place.

    A component compares as a whole (see ``delta``), so a changed blank node brings all its facts
    along and ``[ ... ]`` shows it completely; cycles and shared blank nodes stay subjects of their own.
    """
    by_subject: dict[NamedNode | BlankNode, list[Triple]] = defaultdict(list)
    for t in triples:
        by_subject[t.subject].append(t)
    incoming = Counter(t.object for t in triples if isinstance(t.object, BlankNode))
    nestable = {node for node, n in incoming.items() if n == 1 and node in by_subject}
    placed: set[BlankNode] = set()

    def value(term: Term) -> Any:
        if term in nestable and term not in placed:
            placed.add(term)  # type: ignore[arg-type]
            return [(t.predicate, value(t.object)) for t in by_subject[term]]
        return term

    out: dict[NamedNode | BlankNode, list[tuple[NamedNode, Any]]] = {}
    tops = [s for s in by_subject if s not in nestable]
    tops += sorted(nestable, key=str)  # blank nodes on a cycle: whichever the others did not reach
    for subject in tops:
        if subject not in placed:
            placed.add(subject)  # type: ignore[arg-type]
            out[subject] = [(t.predicate, value(t.object)) for t in by_subject[subject]]
    return out


def _labels(triples: Iterable[Triple]) -> dict[NamedNode | BlankNode, str]:
    """Each subject's label: ``rdfs:label`` or ``skos:prefLabel``, English, then untagged, then any."""
    ranked: dict[NamedNode | BlankNode, tuple[tuple[int, str], str]] = {}
    for t in triples:
        if t.predicate.value in (RDFS_LABEL, SKOS_PREF_LABEL) and isinstance(t.object, Literal):
            language = t.object.language or ""
            rank = (0 if language.startswith("en") else 1 if not language else 2, language + t.object.value)
            if t.subject not in ranked or rank < ranked[t.subject][0]:  # type: ignore[index,operator]
                ranked[t.subject] = (rank, t.object.value)  # type: ignore[index]
    return {subject: label for subject, (_, label) in ranked.items()}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _escape(text: str) -> str:
    """Markdown's special characters backslash-escaped (a heading shows the label as written)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)
