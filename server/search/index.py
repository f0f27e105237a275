"""An in-memory search index over names, alternative and hidden labels and definitions.

Built once when the app loads (the data does not change while it is served) from two SPARQL queries,
so the embedded store and a remote one build it alike; queried with no store access at all.

Text is *folded* before it is compared: case-folded, ``æ`` -> ``ae``, ``ø`` -> ``o``, ``å`` -> ``a``,
other accents dropped, punctuation read as a space, so "ostfold" finds Østfold and "tromso" Tromsø.
A query ranks its hits in four tiers: the whole name (``exact``), the start of a name (``prefix``),
every query word starting a word of a name (``words``), or of a definition (``definition``); within
a tier names come before alternative labels, then shorter texts first. Each subject is a hit once,
at its best tier.

Structures, all sized by the number of texts: names (folded) in one sorted list, so an exact match
and a prefix are two binary searches; a word -> postings table with its sorted vocabulary, so a
query word that is a prefix of many words is a range; the texts themselves in tier order, so a
lower entry number is a better hit and ranking is taking the smallest numbers.

>>> index = SearchIndex.build([("http://e/t", LABEL, "Tromsø kommune", "nb"),
...                            ("http://e/o", LABEL, "Østfold", "nb")], [("http://e/t", "http://e/M")])
>>> [(h.iri, h.rank) for h in index.search("tromso", 10).hits]
[('http://e/t', 'prefix')]
>>> [(h.iri, h.rank) for h in index.search("OSTFOLD", 10).hits]
[('http://e/o', 'exact')]
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode

from ..store import Store, TriplePatterns

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
LABEL = RDFS + "label"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

NAME, ALTERNATIVE, HIDDEN, DEFINITION = 0, 1, 2, 3
#: The properties searched, each with its field: names (also used to show a hit) before alternative
#: and hidden labels, labels before definitions.
PROPERTIES: dict[str, int] = {
    LABEL: NAME, SKOS + "prefLabel": NAME, DCTERMS + "title": NAME, "https://schema.org/name": NAME,
    "http://xmlns.com/foaf/0.1/name": NAME,
    SKOS + "altLabel": ALTERNATIVE, SKOS + "notation": ALTERNATIVE,
    SKOS + "hiddenLabel": HIDDEN,
    SKOS + "definition": DEFINITION, RDFS + "comment": DEFINITION, DCTERMS + "description": DEFINITION,
}
_VALUES = " ".join(f"<{p}>" for p in PROPERTIES)
TEXTS_QUERY = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_VALUES} }} ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o)) }}"
KINDS_QUERY = "SELECT DISTINCT ?s ?k WHERE { ?s a ?k FILTER(isIRI(?s) && isIRI(?k)) }"
RANKS = ("exact", "prefix", "words", "definition")
#: A query word that begins more vocabulary words than this matches the most frequent of them only.
MAX_EXPANSION = 400
#: Names found by prefix beyond this many (in alphabetical order) are not looked at.
MAX_PREFIX = 5000
#: Matching subjects are counted up to this many.
MAX_TOTAL = 1000

_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "œ": "oe", "ð": "d", "đ": "d", "þ": "th", "ł": "l",
                          "ı": "i", "ß": "ss"})
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents, Norwegian letters spelt out; punctuation and spacing kept.

    >>> fold("Østfold fylkeskommune"), fold("Tromsø"), fold("Ærøy-Å"), fold("Café NOËL")
    ('ostfold fylkeskommune', 'tromso', 'aeroy-a', 'cafe noel')
    """
    if text.isascii():
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS)))


def words(text: str) -> list[str]:
    """The folded words of ``text``.

    >>> words("Fase VI (2014–2018)")
    ['fase', 'vi', '2014', '2018']
    """
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Hit:
    """One subject found: at which tier, through which text, and what it is."""

    iri: str
    rank: str
    property: str
    text: str
    lang: str
    names: Mapping[str, str]
    kinds: tuple[str, ...]  # the most specific first: the hit is grouped under kinds[0]


@dataclass(frozen=True)
class Found:
    """The best ``limit`` hits in rank order, and how many subjects match."""

    hits: list[Hit]
    total: int
    more: bool = False  # more than ``total`` (= MAX_TOTAL) subjects match


class SearchIndex:
    """Texts of the searched properties, folded and indexed; read-only once built."""

    def __init__(self) -> None:
        self._subjects: list[str] = []
        self._entry_subject = array("I")
        self._entry_property = array("B")
        self._entry_text: list[str] = []
        self._entry_lang: list[str] = []
        self._keys: list[str] = []  # folded words of each entry, joined by single spaces
        self._names: list[str] = []  # folded names, alternative and hidden labels, sorted
        self._name_entries = array("I")  # the entry of each of _names
        self._postings: dict[str, array[int]] = {}
        self._vocabulary: list[str] = []  # the keys of _postings, sorted
        self._labels: dict[int, dict[str, str]] = {}  # subject -> language -> name
        self._kinds: dict[int, tuple[str, ...]] = {}
        self._properties: list[str] = list(PROPERTIES)
        #: Names of the kinds (classes) by language, for grouping.
        self.kind_names: dict[str, dict[str, str]] = {}

    def __len__(self) -> int:
        """Number of texts indexed."""
        return len(self._entry_text)

    @classmethod
    def build(cls, texts: Iterable[tuple[str, str, str, str]], types: Iterable[tuple[str, str]]) -> SearchIndex:
        """From (subject IRI, property IRI, text, language) rows and (subject IRI, class IRI) rows."""
        index = cls()
        ids: dict[str, int] = {}
        raw: list[tuple[int, int, str, int, str, str, int]] = []
        prop_ids = {p: i for i, p in enumerate(index._properties)}
        for subject, prop, text, lang in dict.fromkeys(texts):  # a triple in two graphs comes twice
            key = " ".join(words(text))
            if prop in PROPERTIES and key:
                sid = ids.setdefault(subject, len(ids))
                raw.append((PROPERTIES[prop], len(key), key, sid, text, lang, prop_ids[prop]))
        raw.sort(key=lambda row: row[:4])
        index._subjects = list(ids)
        names: list[tuple[str, int]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for entry, (field, _, key, sid, text, lang, prop) in enumerate(raw):
            index._entry_subject.append(sid)
            index._entry_property.append(prop)
            index._entry_text.append(text)
            index._entry_lang.append(lang)
            index._keys.append(key)
            if field != DEFINITION:
                names.append((key, entry))
            if field == NAME:
                index._labels.setdefault(sid, {}).setdefault(lang, text)
            for word in set(key.split()):
                postings[word].append(entry)
        names.sort()
        index._names = [key for key, _ in names]
        index._name_entries = array("I", (entry for _, entry in names))
        index._postings = {word: array("I", entries) for word, entries in postings.items()}
        index._vocabulary = sorted(index._postings)
        kinds: dict[int, set[str]] = defaultdict(set)
        instances: dict[str, int] = defaultdict(int)
        for subject, kind in types:
            instances[kind] += 1
            sid = ids.get(subject)
            if sid is not None:
                kinds[sid].add(kind)
        # a subject's kinds, the most specific first: named kinds before unnamed, then the fewest instances
        index.kind_names = {k: index._labels.get(ids[k], {}) for k in instances if k in ids}
        def specific(kind: str) -> tuple[bool, int, str]:
            return (not index.kind_names.get(kind), instances[kind], kind)
        index._kinds = {sid: tuple(sorted(k, key=specific)) for sid, k in kinds.items()}
        return index

    def search(self, query: str, limit: int) -> Found:
        """The best ``limit`` subjects for ``query``, and how many match (counted up to ``MAX_TOTAL``).

        Every tier is a stream of entries, best first, read only as far as needed: past the hits,
        until ``MAX_TOTAL`` subjects are counted.
        """
        terms = words(query)
        if not terms:
            return Found([], 0)
        key = " ".join(terms)
        start = bisect_left(self._names, key)
        exact_end = bisect_right(self._names, key, start)
        prefix_end = min(bisect_left(self._names, key + "\U0010ffff", exact_end), exact_end + MAX_PREFIX)
        tiers = [(0, sorted(self._name_entries[start:exact_end])), (1, sorted(self._name_entries[exact_end:prefix_end])),
                 (2, self._word_matches(terms))]
        hits: list[Hit] = []
        seen: set[int] = set()
        for rank, entries in tiers:
            for entry in entries:
                sid = self._entry_subject[entry]
                if sid in seen:
                    continue
                seen.add(sid)
                if len(hits) < limit:
                    field = PROPERTIES[self._properties[self._entry_property[entry]]]
                    hits.append(self._hit(sid, entry, 3 if rank == 2 and field == DEFINITION else rank))
                if len(seen) > MAX_TOTAL:
                    return Found(hits, MAX_TOTAL, more=True)
        return Found(hits, len(seen))

    def _word_matches(self, terms: list[str]) -> Iterator[int]:
        """Entries with a word starting with each of ``terms``, in increasing order: the postings of the
        rarest term's words merged, each entry checked against the other terms in its folded text."""
        expansions = []
        for term in dict.fromkeys(terms):
            lo = bisect_left(self._vocabulary, term)
            hi = bisect_left(self._vocabulary, term + "\U0010ffff", lo)
            if lo == hi:
                return iter(())
            found = self._vocabulary[lo:hi]
            if len(found) > MAX_EXPANSION:
                found = heapq.nlargest(MAX_EXPANSION, found, key=lambda w: len(self._postings[w]))
            lists = [self._postings[w] for w in found]
            expansions.append((sum(map(len, lists)), term, lists))
        expansions.sort(key=lambda row: row[0])
        _, _, rarest = expansions[0]
        merged: Iterator[int] = iter(rarest[0]) if len(rarest) == 1 else heapq.merge(*rarest)
        others = [(term, " " + term) for _, term, _ in expansions[1:]]
        if not others:
            return merged
        keys = self._keys
        return (e for e in merged if all(keys[e].startswith(t) or inner in keys[e] for t, inner in others))

    def _hit(self, sid: int, entry: int, tier: int) -> Hit:
        return Hit(
            iri=self._subjects[sid],
            rank=RANKS[tier],
            property=self._properties[self._entry_property[entry]],
            text=self._entry_text[entry],
            lang=self._entry_lang[entry],
            names=self._labels.get(sid, {}),
            kinds=self._kinds.get(sid, ()),
        )


def from_store(store: Store) -> SearchIndex:
    """The index of the store's default graph (ontology + data), read once: by triple patterns where
    the store matches them itself (the embedded one, several times faster), else by two SPARQL queries."""
    if isinstance(store, TriplePatterns):
        texts: Iterable[tuple[str, str, str, str]] = (
            (t.subject.value, t.predicate.value, t.object.value, t.object.language or "")
            for prop in PROPERTIES for t in store.triples(None, NamedNode(prop), None)
            if isinstance(t.subject, NamedNode) and isinstance(t.object, Literal))
        kinds: Iterable[tuple[str, str]] = (
            (t.subject.value, t.object.value) for t in store.triples(None, RDF_TYPE, None)
            if isinstance(t.subject, NamedNode) and isinstance(t.object, NamedNode))
    else:
        # a remote store may answer rows that miss a variable or bind it to another kind of term: skipped
        texts = ((row["s"].value, row["p"].value, row["o"].value, row["o"].language or "")  # type: ignore[index]
                 for row in store.query(TEXTS_QUERY)  # type: ignore[union-attr]
                 if _terms(row, ("s", NamedNode), ("p", NamedNode), ("o", Literal)))
        kinds = ((row["s"].value, row["k"].value) for row in store.query(KINDS_QUERY)  # type: ignore[union-attr]
                 if _terms(row, ("s", NamedNode), ("k", NamedNode)))
    return SearchIndex.build(texts, kinds)


def _terms(row: Any, *expected: tuple[str, type]) -> bool:
    """True when each named variable of ``row`` is bound to a term of the expected kind."""
    try:
        return all(isinstance(row[name], kind) for name, kind in expected)
    except (KeyError, IndexError, TypeError):
        return False
