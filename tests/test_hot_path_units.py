"""Helpers of the hot path that replace a costlier library call: each gives the library's answer."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse, serialize
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from server import addressing
from server.httpheaders import set_all, vary_on
from server.linkeddata.jsonld import declared_as_used, used_prefixes

PREFIXES = {"ex": "http://example.org/", "exa": "http://example.org/a/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "xsd": "http://www.w3.org/2001/XMLSchema#", "skos": "http://www.w3.org/2004/02/skos/core#"}
EX = "http://example.org/"


@pytest.mark.parametrize("triples", [
    [Triple(NamedNode(EX + "a/x"), NamedNode(PREFIXES["rdfs"] + "label"), Literal("no skos: here, only in text"))],
    [Triple(NamedNode(EX + "s"), NamedNode(EX + "p"), Literal("7", datatype=NamedNode(PREFIXES["xsd"] + "integer")))],
    [Triple(NamedNode("http://other.org/s"), NamedNode("http://other.org/p"), NamedNode("http://other.org/o"))],
])
def test_turtle_declares_what_its_body_uses_and_means_the_same(triples: list[Triple]) -> None:
    data = declared_as_used(serialize(triples, format=RdfFormat.TURTLE, prefixes=PREFIXES) or b"")
    declared = {line.split()[1].rstrip(b":").decode() for line in data.splitlines() if line.startswith(b"@prefix")}
    assert declared <= set(used_prefixes(triples, PREFIXES)) | {"skos"}  # skos: only by the chance in the literal
    body = data.split(b"\n", len(declared))[-1]
    assert all(f"{name}:".encode() in body for name in declared)
    assert {q.triple for q in parse(data, format=RdfFormat.TURTLE)} == set(triples)


def test_vary_and_header_sets_match_werkzeug() -> None:
    ours, theirs = Response("x"), Response("x")
    for fields in (("Accept",), ("Accept", "accept-language"), ("Accept-Language", "Origin")):
        vary_on(ours.headers, *fields)
        theirs.vary.update(fields)
    assert ours.headers["Vary"] == theirs.headers["Vary"]
    headers = Headers([("A", "1"), ("b", "2")])
    set_all(headers, [("B", "3"), ("C", "4")])
    assert headers.to_wsgi_list() == [("A", "1"), ("B", "3"), ("C", "4")]


@pytest.mark.parametrize("builder", [
    {"base_url": "http://one.example/"}, {"base_url": "https://two.example:8443/mount/"},
    {"base_url": "http://xn--sster-zua.example/"}, {"base_url": "http://[::1]:8080/"},
])
def test_the_remembered_root_is_werkzeugs(builder: dict[str, str]) -> None:
    environ = EnvironBuilder(path="/doc/x", **builder).get_environ()
    first, second = addressing.root_url(Request(environ)), addressing.root_url(Request(dict(environ)))
    assert first == second == Request(environ).url_root
