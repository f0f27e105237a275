"""A read-only rdflib ``Graph`` over the default graph of a pyoxigraph store.

Messages and lint look up a few terms each (a blank node's parents, a focus node's values);
this view answers them from the store, so no full rdflib copy of the data is needed. Terms
come out through the validator's :class:`Converter`, so they equal the terms pySHACL reported
(oxrdflib's store plugin writes plain literals as ``xsd:string``-typed ones, which would not).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Store
from pyoxigraph import Literal as OxLiteral
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store as RdflibStore
from rdflib.term import Node

from .syntax import Converter, OxTerm

Triple = tuple[Node, Node, Node]


def ox_term(node: Node | None) -> OxTerm | None:
    """The pyoxigraph term for an rdflib term (None stays None: a wildcard)."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return NamedNode(str(node))
    if isinstance(node, BNode):
        return BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return OxLiteral(str(node), language=node.language)
        datatype = NamedNode(str(node.datatype)) if node.datatype is not None else None
        return OxLiteral(str(node), datatype=datatype)
    raise TypeError(f"not an RDF term: {node!r}")


class StoreView(RdflibStore):
    """rdflib store interface (reads only) over a pyoxigraph store's default graph."""

    def __init__(self, store: Store, converter: Converter) -> None:
        super().__init__()
        self.inner = store
        self.converter = converter

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[Triple, Iterator[Any]]]:
        """Matching triples, each with an empty context iterator."""
        subject, predicate, obj = triple_pattern
        if isinstance(subject, Literal) or not isinstance(predicate, (URIRef, type(None))):
            return
        pattern = (ox_term(subject), ox_term(predicate), ox_term(obj), DefaultGraph())
        for quad in self.inner.quads_for_pattern(*pattern):
            yield self.converter.triple(quad), iter(())

    def __len__(self, context: Any = None) -> int:
        return len(self.inner)


def view(store: Store, converter: Converter) -> Graph:
    """An rdflib graph reading the store's default graph."""
    return Graph(store=StoreView(store, converter))
