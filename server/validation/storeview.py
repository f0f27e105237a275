"""A read-only rdflib ``Graph`` over the default graph of a pyoxigraph store.

Messages and lint look up a few terms each (a blank node's parents, a focus node's values);
this view answers them from the store, so no full rdflib copy of the data is needed. Terms
come out through the validator's :class:`Converter`, so they equal the terms pySHACL reported
(oxrdflib's store plugin writes plain literals as ``xsd:string``-typed ones, which would not),
literals as the files wrote them (see :meth:`Converter.preserve`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyoxigraph import DefaultGraph, Store
from rdflib import Graph, Literal, URIRef
from rdflib.store import Store as RdflibStore
from rdflib.term import Node

from .syntax import Converter, ox_term

Triple = tuple[Node, Node, Node]


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
        convert = self.converter
        first = None if subject is None else ox_term(subject)
        second = None if predicate is None else ox_term(predicate)
        for third in [None] if obj is None else convert.store_terms(obj):
            for quad in self.inner.quads_for_pattern(first, second, third, DefaultGraph()):
                yield convert.triple(quad), iter(())

    def __len__(self, context: Any = None) -> int:
        return len(self.inner)


def view(store: Store, converter: Converter) -> Graph:
    """An rdflib graph reading the store's default graph."""
    return Graph(store=StoreView(store, converter))
