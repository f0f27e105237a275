"""Short, stable names for terms in messages: prefixed names, and blank nodes by their named ancestor."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

MAX_DEPTH = 8


class Namer:
    """Compacts IRIs with the prefixes the sources declare (shortest prefix wins, then alphabetical).

    >>> Namer({"ex": "http://example.org/"}).iri("http://example.org/a")
    'ex:a'
    """

    def __init__(self, prefixes: dict[str, str]) -> None:
        by_namespace: dict[str, str] = {}
        for prefix, namespace in sorted(prefixes.items(), key=lambda item: (len(item[0]), item[0])):
            if namespace:
                by_namespace.setdefault(namespace, prefix)
        self.namespaces = sorted(by_namespace.items(), key=lambda item: len(item[0]), reverse=True)

    def iri(self, iri: str) -> str:
        """``prefix:local`` when a declared namespace fits and the local part is plain, else ``<iri>``."""
        for namespace, prefix in self.namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                    return f"{prefix}:{local}"
        return f"<{iri}>"

    def term(self, node: Node | None, graph: Graph | None = None) -> str:
        """A node as written in Turtle; blank nodes as ``[]`` (or their path from a named ancestor)."""
        if node is None:
            return ""
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, Literal):
            text = node.n3()
            if node.datatype is not None and not node.language:
                text = f'"{node}"^^{self.iri(str(node.datatype))}'
            return text if len(text) <= 80 else text[:77] + "..."
        if isinstance(node, BNode) and graph is not None:
            chain = ancestry(graph, node)
            if chain:
                root, steps = chain
                return " / ".join([self.iri(str(root))] + [self.iri(str(p)) for p in steps])
        return "[]"


def ancestry(graph: Graph, node: BNode) -> tuple[URIRef, list[URIRef]] | None:
    """The nearest named ancestor of a blank node and the predicates leading down to it."""
    steps: list[URIRef] = []
    seen = {node}
    current: Node = node
    for _ in range(MAX_DEPTH):
        parents = sorted(graph.subject_predicates(current), key=lambda sp: (isinstance(sp[0], BNode), sp))
        if not parents:
            return None
        parent, predicate = parents[0]
        steps.insert(0, predicate)  # type: ignore[arg-type]
        if isinstance(parent, URIRef):
            return parent, steps
        if parent in seen:
            return None
        seen.add(parent)
        current = parent
    return None
