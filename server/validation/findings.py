"""SHACL results as findings: plain-words messages, and the file and line they are about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .names import Namer, ancestry
from .positions import Positions, object_forms
from .report import Finding
from .shacl import SPARQL_COMPONENT, Result, format_message

SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
NODE_KINDS = {
    SH.IRI: "an IRI", SH.Literal: "a literal", SH.BlankNode: "a blank node",
    SH.BlankNodeOrIRI: "an IRI or a blank node", SH.BlankNodeOrLiteral: "a blank node or a literal",
    SH.IRIOrLiteral: "an IRI or a literal",
}
#: Components described by one parameter: (parameter, how to show it, template).
TEMPLATES = {
    SH.ClassConstraintComponent: (SH["class"], "term", "{subject} must be an instance of {p}"),
    SH.PatternConstraintComponent: (SH.pattern, "raw", "{subject} does not match the pattern /{p}/"),
    SH.HasValueConstraintComponent: (SH.hasValue, "term", "needs {path} {p}"),
    SH.NodeConstraintComponent: (SH.node, "shape", "{subject} does not conform to {p}"),
    SH.NotConstraintComponent: (SH["not"], "shape", "{subject} must not conform to {p}"),
    SH.MinInclusiveConstraintComponent: (SH.minInclusive, "term", "{subject} must be at least {p}"),
    SH.MaxInclusiveConstraintComponent: (SH.maxInclusive, "term", "{subject} must be at most {p}"),
    SH.MinExclusiveConstraintComponent: (SH.minExclusive, "term", "{subject} must be greater than {p}"),
    SH.MaxExclusiveConstraintComponent: (SH.maxExclusive, "term", "{subject} must be less than {p}"),
    SH.MinLengthConstraintComponent: (SH.minLength, "raw", "{subject} must be at least {p} characters long"),
    SH.MaxLengthConstraintComponent: (SH.maxLength, "raw", "{subject} must be at most {p} characters long"),
    SH.EqualsConstraintComponent: (SH.equals, "term", "{subject} must equal the values of {p}"),
    SH.DisjointConstraintComponent: (SH.disjoint, "term", "{subject} must differ from the values of {p}"),
    SH.LessThanConstraintComponent: (SH.lessThan, "term", "{subject} must be less than the values of {p}"),
    SH.LessThanOrEqualsConstraintComponent: (SH.lessThanOrEquals, "term",
                                             "{subject} must not be greater than the values of {p}"),
    SH.QualifiedMinCountConstraintComponent: (SH.qualifiedMinCount, "raw", "needs at least {p} {path} conforming"),
    SH.QualifiedMaxCountConstraintComponent: (SH.qualifiedMaxCount, "raw", "allows at most {p} {path} conforming"),
}
COMBINATIONS = {SH.AndConstraintComponent: "all", SH.OrConstraintComponent: "at least one",
                SH.XoneConstraintComponent: "exactly one"}

@dataclass
class Context:
    """What describing a result needs: both graphs, names and positions."""

    data: Graph
    shapes: Graph
    namer: Namer
    positions: Positions
    #: Language of the messages shown (``sh:message`` in that language where the shapes give one).
    lang: str = "en"


def to_finding(result: Result, ctx: Context) -> Finding:
    """One finding for one SHACL result."""
    file, line = locate(result, ctx)
    return Finding(
        severity=SEVERITY.get(result.severity, "violation"),
        rule=rule_id(result.component, ctx.namer),
        message=describe(result, ctx),
        file=file, line=line,
        focus=ctx.namer.term(result.focus, ctx.data),
        path=path_text(ctx.shapes, result.path, ctx.namer),
        value=ctx.namer.term(result.value, ctx.data) if result.value is not None else "",
        shape=shape_text(ctx.shapes, result.shape, ctx.namer),
    )


def rule_id(component: Node, namer: Namer) -> str:
    """``sh:MinCountConstraintComponent`` style id of a constraint component."""
    text = str(component)
    return "sh:" + text[len(str(SH)):] if text.startswith(str(SH)) else namer.term(component)


def path_text(shapes: Graph, path: Node | None, namer: Namer) -> str:
    """A SHACL path in SPARQL property-path syntax with prefixed names."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return namer.iri(str(path))
    if (path, RDF.first, None) in shapes:
        return "/".join(path_text(shapes, step, namer) for step in Collection(shapes, path))
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, predicate)
        if inner is not None:
            text = path_text(shapes, inner, namer)
            return template.format(text if isinstance(inner, URIRef) else f"({text})")
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(shapes, s, namer) for s in Collection(shapes, alternatives)) + ")"
    return "[]"


def shape_text(shapes: Graph, shape: Node, namer: Namer) -> str:
    """A shape's name; an anonymous property shape as ``Parent/property[path]``."""
    if not isinstance(shape, BNode):
        return namer.term(shape)
    parent = shapes.value(None, SH.property, shape)
    path = path_text(shapes, shapes.value(shape, SH.path), namer)
    if parent is not None and path:
        return f"{shape_text(shapes, parent, namer)}/property[{path}]"
    return f"[{path}]" if path else "[]"


def in_language(messages: Iterable[str], lang: str = "en") -> str:
    """The message in ``lang``, else in English, else untagged, else the first; "" when there is none.

    >>> in_language([Literal("feil", lang="nb"), Literal("wrong", lang="en")], "nb")
    'feil'
    >>> in_language([Literal("feil", lang="nb"), Literal("wrong", lang="en")], "de")
    'wrong'
    """
    def rank(message: str) -> tuple[int, str]:
        language = getattr(message, "language", None)
        return (0 if language == lang else 1 if language == "en" else 2 if language is None else 3, str(message))

    ranked = sorted(messages, key=rank)
    return str(ranked[0]) if ranked else ""


def shape_message(shapes: Graph, node: Node, lang: str = "en") -> str:
    """The shape's own ``sh:message`` in ``lang`` (see :func:`in_language`), or ""."""
    return in_language((m for m in shapes.objects(node, SH.message) if isinstance(m, Literal)), lang)


def describe(result: Result, ctx: Context) -> str:
    """The steward-facing message: ``sh:message`` when the shape gives one, else plain words."""
    if result.component == SPARQL_COMPONENT:
        if result.templates:
            show = lambda node: ctx.namer.term(node, ctx.data) if not isinstance(node, Literal) else str(node)  # noqa: E731
            return format_message(in_language(result.templates, ctx.lang), dict(result.bindings), show)
        if result.messages:
            return in_language(result.messages, ctx.lang)
        return f"fails the SPARQL constraint of {shape_text(ctx.shapes, result.shape, ctx.namer)}"
    own = shape_message(ctx.shapes, result.shape, ctx.lang)
    if own:
        return own
    return plain_words(result, ctx) or (in_language(result.messages, ctx.lang) or "does not conform")


def plain_words(result: Result, ctx: Context) -> str:  # noqa: C901 - one branch per component
    """"needs exactly 1 org:member, found 0" and friends, one per constraint component."""
    shapes, shape, comp, n = ctx.shapes, result.shape, result.component, ctx.namer
    path = path_text(shapes, result.path, n)
    value = n.term(result.value, ctx.data) if result.value is not None else "the value"
    subject = f"{path} value {value}" if path else value
    param = lambda p: shapes.value(shape, p)  # noqa: E731
    if comp in (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent):
        low, high = param(SH.minCount), param(SH.maxCount)
        found = count_values(ctx.data, result.focus, result.path)
        found_text = f", found {found}" if found is not None else ""
        if low is not None and low == high:
            return f"needs exactly {low} {path}{found_text}"
        if comp == SH.MinCountConstraintComponent:
            return f"needs at least {low} {path}{found_text}"
        return f"allows at most {high} {path}{found_text}"
    if comp == SH.DatatypeConstraintComponent:
        datatype = param(SH.datatype)
        if isinstance(result.value, Literal) and result.value.ill_typed:
            return f"{subject} is not a valid {n.term(result.value.datatype)}"
        if datatype == RDF.langString:
            return f"{subject} needs a language tag"
        return f"{subject} must be of datatype {n.term(datatype)}"
    if comp in TEMPLATES:
        parameter, how, template = TEMPLATES[comp]
        value_of = param(parameter)
        shown = {"term": n.term(value_of), "raw": str(value_of), "shape": shape_text(shapes, value_of, n)}[how]
        text = template.format(subject=subject, path=path or "the value", p=shown)
        if comp in (SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent):
            text += f" to {shape_text(shapes, param(SH.qualifiedValueShape), n)}"
        return text
    if comp == SH.NodeKindConstraintComponent:
        return f"{subject} must be {NODE_KINDS.get(param(SH.nodeKind), n.term(param(SH.nodeKind)))}"
    if comp == SH.InConstraintComponent:
        options = ", ".join(n.term(o) for o in Collection(shapes, param(SH["in"])))
        return f"{subject} is not one of: {options}"
    if comp == SH.LanguageInConstraintComponent:
        allowed = ", ".join(str(x) for x in Collection(shapes, param(SH.languageIn)))
        has = isinstance(result.value, Literal) and result.value.language
        return f"{subject} {'has a language tag not in' if has else 'needs a language tag, one of'} {allowed}"
    if comp == SH.UniqueLangConstraintComponent:
        return f"has more than one {path} in the same language"
    if comp == SH.ClosedConstraintComponent:
        return f"{path} is not allowed here (closed shape)"
    if comp in COMBINATIONS:
        return f"{subject} must conform to {COMBINATIONS[comp]} of the listed shapes"
    return ""


def count_values(data: Graph, focus: Node, path: Node | None) -> int | None:
    """How many values ``focus`` has for a predicate path (None for complex paths)."""
    if isinstance(path, URIRef):
        return len(set(data.objects(focus, path)))
    return None


def locate(result: Result, ctx: Context) -> tuple[str, int]:
    """The line of the offending triple where it exists, else the focus node's block."""
    focus, path, value = result.focus, result.path, result.value
    key = node_key(focus)
    if key and isinstance(path, URIRef):
        file, line = ctx.positions.locate(key, str(path), node_forms(value))
        if line:
            return file, line
    inverse = ctx.shapes.value(path, SH.inversePath) if isinstance(path, BNode) else None
    if isinstance(inverse, URIRef) and value is not None and node_key(value):
        file, line = ctx.positions.locate(node_key(value), str(inverse), node_forms(focus))
        if line:
            return file, line
    if key and ctx.positions.blocks(key):
        return ctx.positions.locate(key)
    if isinstance(focus, BNode):
        chain = ancestry(ctx.data, focus)
        if chain:
            root, steps = chain
            return ctx.positions.locate(str(root), str(steps[0]), ["[", "("])
    return ctx.positions.locate(key) if key else ("", 0)


def node_key(node: Node | None) -> str:
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    return ""


def node_forms(node: Node | None) -> list[str]:
    if node is None:
        return []
    if isinstance(node, URIRef):
        return object_forms("iri", str(node))
    if isinstance(node, BNode):
        return object_forms("blank", "")
    return object_forms("literal", str(node))
