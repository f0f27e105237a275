"""Term lists of the vocabularies the ontology reuses, and of the project's own ontology, offline.

Reused vocabularies (ORG, DCTERMS, OWL-Time, SKOS, PROV, schema.org, RDF/RDFS/OWL, XSD, SHACL,
DCAT, VoID, FOAF, ...) take their terms from rdflib's generated ``DefinedNamespace`` classes, plus
the few terms those lists lack (:data:`EXTRA_TERMS`). Nothing is fetched at run time.

A vocabulary is *closed* when its list is complete (a published, versioned specification): a term
outside it is a typo. schema.org and the other *open* vocabularies grow between releases (and
rdflib does not claim its lists of them are complete), so a term missing from the shipped snapshot
may be new rather than wrong.

The project's own namespaces (``vann:preferredNamespaceUri`` of an ontology) are closed too: their
terms are the IRIs the ontology describes. They come from the ontology files being validated, or,
for a namespace those do not declare, from the built-in ontology (:func:`builtin_ontology_dir`).

Sources and licences
--------------------
Only term names are shipped (no definitions). rdflib (BSD-3-Clause, (c) the RDFLib team) generated
its lists from the vocabularies' own documents, named in each class's docstring in
``rdflib/namespace/_*.py``:

- W3C documents (W3C Document License; the newer ones also CC BY 4.0): RDF, RDFS, OWL 2, XSD
  datatypes (from the XML Schema 1.1 datatypes schema), SHACL, ORG, SKOS, PROV-O, OWL-Time, DCAT,
  VoID (W3C Interest Group Note), RDF Data Cube, CSVW, ODRL 2.2, PROF, SOSA/SSN, WGS84 Geo.
- DCMI Metadata Terms, DC elements 1.1, DCMI Type, DCAM: DCMI, CC BY 4.0.
- schema.org (snapshot of 2021-12-01 in rdflib 7): CC BY-SA 3.0.
- FOAF 0.99: CC BY 1.0.
- VANN (vocab.org), DOAP, GeoSPARQL (OGC) and Brick: under the terms of their own documents
  (named in rdflib's class docstrings); only their term names are used here.

:data:`EXTRA_TERMS` were read from these documents (each line of it names its source):

- DCAT 3 (W3C Recommendation 2024; ``dcat/rdf/dcat3.ttl`` of github.com/w3c/dxwg at 4fe75d5,
  CC BY 4.0): the terms new since rdflib's DCAT 2 list.
- OWL-Time 2nd edition (W3C 2022; ``time/rdf/time.ttl`` of github.com/w3c/sdw at 6409f50,
  CC BY 4.0): the units rdflib's 2017 list lacks.
- XML Schema 1.1 Part 2 (W3C Document License): the special types ``anyType``, ``anySimpleType``,
  ``anyAtomicType`` and ``error``.
- RDF 1.2 Concepts (W3C): ``rdf:reifies`` and ``rdf:dirLangString``.
- schema.org: ``3DModel``, ``True``, ``False``, ``yield``, which rdflib leaves out (they are not
  Python names).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import rdflib.namespace as rdflib_namespaces
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.namespace import DefinedNamespace

HERE = Path(__file__).resolve().parent
VANN_NAMESPACE = URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")
VANN_PREFIX = URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")
#: Local names that can be vocabulary terms; anything else (``docs/faq.html``) is a page, not a term.
TERM_LIKE = re.compile(r"[\w\-]+")

#: prefix, rdflib class, title, closed (None: as rdflib's ``_fail`` says), more namespaces for the same terms.
REUSED: tuple[tuple[str, str, str, bool | None, tuple[str, ...]], ...] = (
    ("rdf", "RDF", "RDF", True, ()),
    ("rdfs", "RDFS", "RDF Schema", None, ()),
    ("owl", "OWL", "OWL 2", None, ()),
    ("xsd", "XSD", "XML Schema datatypes", True, ()),
    ("sh", "SH", "SHACL", None, ()),
    ("org", "ORG", "the W3C Organization Ontology", None, ()),
    ("dcterms", "DCTERMS", "DCMI Metadata Terms", None, ()),
    ("dc", "DC", "the Dublin Core elements 1.1", None, ()),
    ("dcmitype", "DCMITYPE", "the DCMI Type Vocabulary", None, ()),
    ("dcam", "DCAM", "the DCMI Abstract Model", None, ()),
    ("time", "TIME", "OWL-Time", True, ()),
    ("skos", "SKOS", "SKOS", None, ()),
    ("prov", "PROV", "PROV-O", None, ()),
    ("dcat", "DCAT", "DCAT 3", True, ()),
    ("void", "VOID", "VoID", None, ()),
    ("foaf", "FOAF", "FOAF", None, ()),
    ("vann", "VANN", "VANN", None, ()),
    ("qb", "QB", "the RDF Data Cube vocabulary", None, ()),
    ("csvw", "CSVW", "CSVW", None, ()),
    ("odrl", "ODRL2", "ODRL 2.2", None, ()),
    ("doap", "DOAP", "DOAP", None, ()),
    ("prof", "PROF", "the Profiles Vocabulary", None, ()),
    ("sosa", "SOSA", "SOSA", None, ()),
    ("ssn", "SSN", "SSN", None, ()),
    ("geo", "GEO", "GeoSPARQL", None, ()),
    # rdflib's WGS namespace is spelt https; the vocabulary's own is http (kept both)
    ("wgs", "WGS", "the W3C WGS84 Geo Positioning vocabulary", True, ("http://www.w3.org/2003/01/geo/wgs84_pos#",)),
    ("schema", "SDO", "schema.org", None, ("http://schema.org/",)),
    ("brick", "BRICK", "Brick", None, ()),
)
#: Terms of reused vocabularies missing from rdflib's lists (sources and licences: module docstring).
EXTRA_TERMS: tuple[str, ...] = (
    # DCAT 3 (w3c/dxwg dcat/rdf/dcat3.ttl), new since DCAT 2
    *(f"http://www.w3.org/ns/dcat#{t}" for t in (
        "DatasetSeries", "first", "hasCurrentVersion", "hasVersion", "inCatalog", "inSeries", "isDistributionOf",
        "isVersionOf", "last", "next", "nextVersion", "prev", "previousVersion", "resource", "seriesMember",
        "version")),
    # OWL-Time 2nd edition (w3c/sdw time/rdf/time.ttl)
    *(f"http://www.w3.org/2006/time#{t}" for t in ("unitCentury", "unitDecade", "unitMillenium")),
    # XML Schema 1.1 special types
    *(f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("anyType", "anySimpleType", "anyAtomicType", "error")),
    # RDF 1.2
    *(f"http://www.w3.org/1999/02/22-rdf-syntax-ns#{t}" for t in ("reifies", "dirLangString")),
    # schema.org names that are not Python names
    *(f"https://schema.org/{t}" for t in ("3DModel", "True", "False", "yield")),
)
#: Local names a closed vocabulary accepts beyond its list: RDF's container membership properties.
PATTERNS = {"rdf": re.compile(r"_[1-9][0-9]*")}


@dataclass(frozen=True)
class Vocabulary:
    """One vocabulary: its namespaces, its terms (local names) and whether the list is complete."""

    prefix: str
    title: str
    namespaces: tuple[str, ...]
    terms: frozenset[str] = field(repr=False)
    closed: bool = True
    own: bool = False
    pattern: re.Pattern[str] | None = field(default=None, compare=False)

    def knows(self, local: str) -> bool:
        """Whether ``local`` is one of its terms (the namespace IRI itself counts as known)."""
        return (not local or local in self.terms or not TERM_LIKE.fullmatch(local)
                or (self.pattern is not None and self.pattern.fullmatch(local) is not None))

    def closest(self, local: str) -> str | None:
        """The term most like ``local``: the same name in other letter case, else the closest by difflib."""
        lower = local.lower()
        same = sorted(t for t in self.terms if t.lower() == lower)
        if same:
            return same[0]
        found = difflib.get_close_matches(local, sorted(self.terms), n=1, cutoff=0.6)
        return found[0] if found else None


@dataclass(frozen=True)
class Unknown:
    """A used IRI in a known vocabulary's namespace that is not one of its terms."""

    iri: str
    vocabulary: Vocabulary
    suggestions: tuple[str, ...]  # full IRIs, best first


class Vocabularies:
    """The known vocabularies, looked up by namespace (the longest matching namespace wins)."""

    def __init__(self, vocabularies: Iterable[Vocabulary]) -> None:
        self.vocabularies = list(vocabularies)
        self._by_namespace = {ns: v for v in reversed(self.vocabularies) for ns in v.namespaces}
        spaces = sorted(self._by_namespace, key=len, reverse=True)
        self._namespace = re.compile("|".join(re.escape(ns) for ns in spaces)) if spaces else None
        self._by_local: dict[str, list[str]] | None = None

    @property
    def namespaces(self) -> list[str]:
        return sorted(self._by_namespace)

    def vocabulary_of(self, iri: str) -> tuple[Vocabulary, str] | None:
        """The vocabulary whose namespace ``iri`` is in, and the local name; None outside them all."""
        match = self._namespace.match(iri) if self._namespace is not None else None
        if match is None:
            return None
        return self._by_namespace[match.group()], iri[match.end():]

    def short(self, iri: str) -> str:
        """``prefix:local`` with the vocabulary's usual prefix for its main namespace, else ``<iri>``."""
        found = self.vocabulary_of(iri)
        if found is None or not found[0].prefix or not iri.startswith(found[0].namespaces[0]) \
                or not TERM_LIKE.fullmatch(found[1]):
            return f"<{iri}>"
        return f"{found[0].prefix}:{found[1]}"

    def check(self, iri: str) -> Unknown | None:
        """None when ``iri`` is a known term or outside every known namespace, else what is wrong."""
        found = self.vocabulary_of(iri)
        if found is None:
            return None
        vocabulary, local = found
        if vocabulary.knows(local):
            return None
        return Unknown(iri, vocabulary, self._suggest(iri, vocabulary, local))

    def _suggest(self, iri: str, vocabulary: Vocabulary, local: str) -> tuple[str, ...]:
        namespace = iri[: len(iri) - len(local)]
        out = []
        closest = vocabulary.closest(local)
        if closest is not None:
            out.append(namespace + closest)
        elsewhere = [t for t in self._locals().get(local, []) if not t.startswith(namespace)]
        out.extend(elsewhere[:1])  # the same name in another vocabulary: skos:label -> rdfs:label
        return tuple(out)

    def _locals(self) -> dict[str, list[str]]:
        if self._by_local is None:
            self._by_local = {}
            for vocabulary in self.vocabularies:
                for term in sorted(vocabulary.terms):
                    self._by_local.setdefault(term, []).append(vocabulary.namespaces[0] + term)
        return self._by_local


def builtin_ontology_dir() -> Path:
    """Where the ontology that ships with hcn lives: the term list for its namespace when the
    ontology being validated does not declare it. The one place to change when it moves into the package.
    """
    return HERE.parent.parent / "ontology"


def for_ontology(ontology: Graph) -> Vocabularies:
    """The reused vocabularies, and the own namespaces of ``ontology`` and of the built-in ontology."""
    own = own_vocabularies(ontology)
    declared = {ns for v in own for ns in v.namespaces}
    own += [v for v in builtin_vocabularies() if not declared.intersection(v.namespaces)]
    return Vocabularies([*own, *reused()])


def own_vocabularies(ontology: Graph) -> list[Vocabulary]:
    """One closed vocabulary per ``vann:preferredNamespaceUri`` of ``ontology``: the IRIs it describes."""
    declared = {str(ns): ontology.value(s, VANN_PREFIX) for s, ns in ontology.subject_objects(VANN_NAMESPACE)}
    namespaces = sorted(declared)
    if not namespaces:
        return []
    subjects = {str(s) for s in ontology.subjects() if isinstance(s, URIRef)}
    subjects.update(str(o) for o in ontology.subjects(RDF.type, OWL.Ontology))
    return [Vocabulary(prefix=str(declared[ns] or ""), title="the ontology", namespaces=(ns,), own=True,
                       terms=frozenset(s[len(ns):] for s in subjects if s.startswith(ns)))
            for ns in namespaces]


@lru_cache(maxsize=1)
def builtin_vocabularies() -> tuple[Vocabulary, ...]:
    """The own vocabularies of the built-in ontology (none when it is not there)."""
    folder = builtin_ontology_dir()
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else []:
        graph.parse(path, format="turtle")
    return tuple(own_vocabularies(graph))


@lru_cache(maxsize=1)
def reused() -> tuple[Vocabulary, ...]:
    """The reused vocabularies: rdflib's term lists plus ``extra-terms.txt``."""
    extra = _extra_terms()
    out = []
    for prefix, name, title, closed, more in REUSED:
        cls: type[DefinedNamespace] = getattr(rdflib_namespaces, name)
        namespace = str(cls._NS)
        terms = {str(t)[len(namespace):] for t in dir(cls)} | set(cls._extras) | extra.get(namespace, set())
        out.append(Vocabulary(prefix=prefix, title=title, namespaces=(namespace, *more), terms=frozenset(terms),
                              closed=bool(cls._fail) if closed is None else closed, pattern=PATTERNS.get(prefix)))
    return tuple(out)


def _extra_terms() -> dict[str, set[str]]:
    """:data:`EXTRA_TERMS` grouped by the namespace of a reused vocabulary."""
    namespaces = sorted((str(getattr(rdflib_namespaces, name)._NS) for _, name, *_ in REUSED), key=len, reverse=True)
    out: dict[str, set[str]] = {}
    for iri in EXTRA_TERMS:
        namespace = next(ns for ns in namespaces if iri.startswith(ns))
        out.setdefault(namespace, set()).add(iri[len(namespace):])
    return out
