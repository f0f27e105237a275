"""Table-driven tests of document negotiation (CONNEG.md): real-world Accept headers, format=, suffixes."""

from __future__ import annotations

import pytest

from server import negotiation as n
from server.errors import BadRequest, NotAcceptable, NotFound

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RAPPER = (
    "application/rdf+xml, text/rdf;q=0.6, application/x-turtle;q=0.8, application/turtle;q=0.8, text/turtle, "
    "text/n3;q=0.3, text/rdf+n3;q=0.3, application/rdf+n3;q=0.3, application/n-triples;q=0.1, text/plain;q=0.1, "
    "application/rss+xml;q=0.8, application/atom+xml;q=0.8, text/html;q=0.6, application/xhtml+xml;q=0.4"
)
SPARQLWRAPPER_RDFXML = "application/rdf+xml"
SPARQLWRAPPER_TURTLE = "application/turtle,text/turtle"
SPARQLWRAPPER_JSONLD = "application/ld+json,application/x-json+ld"

CASES = [
    # (Accept, format=, suffix) -> expected media type, or an error class
    (None, None, None, "text/turtle"),
    ("", None, None, "text/turtle"),
    ("*/*", None, None, "text/turtle"),
    (BROWSER, None, None, "text/html"),
    (FIREFOX, None, None, "text/html"),
    (RAPPER, None, None, "text/turtle"),
    (SPARQLWRAPPER_RDFXML, None, None, "application/rdf+xml"),
    (SPARQLWRAPPER_TURTLE, None, None, "text/turtle"),
    (SPARQLWRAPPER_JSONLD, None, None, "application/ld+json"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', None, None, "application/ld+json"),
    ("text/html;q=0.5, text/turtle", None, None, "text/turtle"),
    ("*/*;q=0.1, application/n-triples", None, None, "application/n-triples"),
    ("text/turtle;q=0", None, None, NotAcceptable),
    ("text/turtle;q=0, */*;q=0.5", None, None, "application/n-triples"),
    ("text/*", None, None, "text/turtle"),
    ("text/*;q=0.5, text/html", None, None, "text/html"),
    ("application/json", None, None, "application/ld+json"),
    ("application/xml", None, None, "application/rdf+xml"),
    ("text/plain", None, None, "application/n-triples"),
    ("text/n3", None, None, "text/turtle"),
    ("application/xhtml+xml", None, None, "text/html"),
    ("TEXT/HTML", None, None, "text/html"),
    ("image/png", None, None, NotAcceptable),
    ("text/turtle;q=0, application/n-triples;q=0, application/ld+json;q=0, application/rdf+xml;q=0, text/html;q=0", None, None, NotAcceptable),
    ("*/*;q=0", None, None, NotAcceptable),
    ("garbage;;;,,", None, None, "text/turtle"),
    (BROWSER, "ttl", None, "text/turtle"),
    (BROWSER, "jsonld", None, "application/ld+json"),
    ("image/png", "nt", None, "application/n-triples"),
    (None, "html", None, "text/html"),
    (None, "bogus", None, BadRequest),
    (BROWSER, "html", "rdf", "application/rdf+xml"),
    (None, None, "nt", "application/n-triples"),
    (None, None, "jsonld", "application/ld+json"),
    (None, None, "bogus", NotFound),
]


@pytest.mark.parametrize(("accept", "fmt", "suffix", "expected"), CASES)
def test_document_negotiation_table(accept: str | None, fmt: str | None, suffix: str | None, expected: object) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):  # type: ignore[call-overload]
            n.choose(n.DOCUMENT_OFFERS, accept, fmt, suffix)
    else:
        assert n.choose(n.DOCUMENT_OFFERS, accept, fmt, suffix).media_type == expected


def test_rdf_only_offers_refuse_html() -> None:
    with pytest.raises(NotAcceptable, match="text/turtle"):
        n.choose(n.RDF_OFFERS, "text/html")


@pytest.mark.parametrize(
    ("path", "expected"),
    [("organisation/x.ttl", ("organisation/x", "ttl")), ("a/b.c", ("a/b.c", None)), ("a/2014-2018", ("a/2014-2018", None)),
     ("x.HTML", ("x", "html"))],
)
def test_split_suffix(path: str, expected: tuple[str, str | None]) -> None:
    assert n.split_suffix(path, n.DOCUMENT_OFFERS) == expected


@pytest.mark.parametrize(("accept", "html"), [(BROWSER, True), ("*/*", False), (None, False), ("text/plain", False)])
def test_error_pages_follow_accept(accept: str | None, html: bool) -> None:
    assert n.prefers_html(accept) is html
