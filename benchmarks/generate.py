"""Seeded generator of realistic synthetic Turtle in the Healthy Cities ontology.

Networks (international and national, each with its programme of seven consecutive phases),
countries, thousands of municipalities with nb/en labels, national identifiers and sources,
memberships over one to three consecutive phases of a network (``org:memberDuring`` the phase), and
count observations dated by calendar-year intervals (``xsd:date`` ends). By default about 1% of the
entities carry a deliberate violation of the shapes in shapes/ (missing member, label without
language tag, missing English label, negative count, an interval that ends before it begins — the
SPARQL constraint — and a membership with two roles); ``--violations 0`` (or ``--clean``) writes
a graph that conforms, for the serving benchmark.

    python benchmarks/generate.py --triples 100000 --seed 1 --out /tmp/hc-100k.ttl
    python benchmarks/generate.py --triples 100000 --seed 1 --clean --out /tmp/hc-100k-clean.ttl

The file is validated together with the repository's ontology/ (for the vocabularies and classes).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

PREFIXES = """\
@prefix hc:      <https://w3id.org/healthy-cities/ontology#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema:  <https://schema.org/> .
@prefix role:    <https://w3id.org/healthy-cities/id/role/> .
@prefix measure: <https://w3id.org/healthy-cities/id/measure/> .
@prefix qualifier: <https://w3id.org/healthy-cities/id/qualifier/> .
@prefix idscheme: <https://w3id.org/healthy-cities/id/identifier-scheme/> .
@prefix g:       <https://w3id.org/healthy-cities/id/synthetic/> .

"""
SYLLABLES = ["ber", "gen", "os", "lo", "trond", "heim", "sta", "van", "dram", "men", "fred", "rik", "ska",
             "sand", "nes", "mol", "de", "ha", "mar", "lil", "le", "ham", "mer", "kongs", "berg", "vik", "ås"]
ROLES = ["member", "direct-member", "observer", "adviser"]
MEASURES = ["members", "cities-represented", "countries", "national-networks"]
QUALIFIERS = ["exact", "at-least", "more-than", "approximately"]
VIOLATION_RATE = 0.01
#: The WHO European Healthy Cities phases (number, first year, last year); every network reuses them.
PHASES = [(1, 1987, 1992), (2, 1993, 1997), (3, 1998, 2002), (4, 2003, 2008), (5, 2009, 2013),
          (6, 2014, 2018), (7, 2019, 2024)]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"]
YEARS = range(1987, 2026)


class Generator:
    """Writes entity blocks and counts their triples."""

    def __init__(self, seed: int, violation_rate: float = VIOLATION_RATE) -> None:
        self.random = random.Random(seed)
        self.violation_rate = violation_rate
        self.triples = 0
        self.violations = 0
        self.sources: list[str] = []
        self.intervals: list[str] = []
        self.networks: list[str] = []
        self.orgs: list[str] = []
        self.phases: dict[str, list[str]] = {}  # network -> its phases in order
        self.memberships = 0

    def block(self, subject: str, pairs: list[tuple[str, str]]) -> str:
        for _, obj in pairs:  # one triple per object, plus those inside [ ... ] blank nodes
            self.triples += 1 + obj.count(" , ") + (obj.count(";") + 1 if obj.startswith("[") else 0)
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        return f"{subject} {body} .\n\n"

    def broken(self) -> bool:
        hit = self.random.random() < self.violation_rate
        self.violations += hit
        return hit

    def name(self) -> str:
        return "".join(self.random.choice(SYLLABLES) for _ in range(self.random.randint(2, 3))).capitalize()

    def labels(self, nb: str, en: str) -> list[tuple[str, str]]:
        if self.broken():
            return [("rdfs:label", f'"{nb}"')]  # no language tag, no English label
        return [("rdfs:label", f'"{nb}"@nb , "{en}"@en')]

    def source(self, n: int) -> str:
        subject = f"g:source-{n}"
        self.sources.append(subject)
        return self.block(subject, [("a", "hc:WebSource , hc:Source"),
                                    *self.labels(f"Kilde {n}", f"Source {n}"),
                                    ("dcterms:title", f'"Source page {n}"'),
                                    ("schema:url", f"<https://example.org/pages/{n}>"),
                                    ("dcterms:source", subject)])

    def interval(self, n: int) -> str:
        subject = f"g:interval-{n}"
        self.intervals.append(subject)
        start = self.random.randint(1988, 2020)
        end = start + self.random.randint(0, 8)
        if self.broken():
            start, end = end + 1, start  # ends before it begins: the SPARQL constraint
        return self.block(subject, [("a", "time:ProperInterval"), *self.labels(f"{start}–{end}", f"{start}–{end}"),
                                    ("time:hasBeginning", f'[ a time:Instant ; time:inXSDgYear "{start}"^^xsd:gYear ]'),
                                    ("time:hasEnd", f'[ a time:Instant ; time:inXSDgYear "{end}"^^xsd:gYear ]'),
                                    ("dcterms:source", self.random.choice(self.sources))])

    def country(self, n: int) -> str:
        subject = f"g:country-{n}"
        self.orgs.append(subject)
        return self.block(subject, [("a", "hc:Country , org:FormalOrganization , org:Organization"),
                                    *self.labels(f"Land {n}", f"Country {n}"),
                                    ("dcterms:source", self.random.choice(self.sources))])

    def network(self, n: int, country: str) -> str:
        subject = f"g:network-{n}"
        parent = self.networks[0] if self.networks else None
        self.networks.append(subject)
        kind = "hc:NationalNetwork" if parent else "hc:InternationalNetwork"
        pairs = [("a", f"{kind} , hc:Network , org:OrganizationalCollaboration , org:Organization"),
                 *self.labels(f"Nettverk {n}", f"Network {n}"),
                 # founded before its first phase (1987), as memberships in its phases must lie within its
                 # existence (hcsh:MembershipPeriodShape); the draw is the same, so the sequence is too
                 ("schema:foundingDate", f'"{self.random.randint(1988, 2015) - 30}"^^xsd:gYear'),
                 ("dcterms:source", self.random.choice(self.sources))]
        if parent:
            pairs += [("hc:parentNetwork", parent), ("hc:operatesIn", country)]
        return self.block(subject, pairs) + "".join(self.phase(subject, n, k) for k in range(len(PHASES)))

    def phase(self, network: str, n: int, k: int) -> str:
        """Phase ``k`` (0-based) of network ``n``: a proper interval that meets the next phase."""
        number, start, end = PHASES[k]
        subject = f"g:phase-{n}-{number}"
        self.phases.setdefault(network, []).append(subject)
        pairs = [("a", "hc:Phase , time:ProperInterval"),
                 ("rdfs:label", f'"Fase {ROMAN[k]} ({start}–{end})"@nb , "Phase {ROMAN[k]} ({start}–{end})"@en'),
                 ("skos:notation", f'"{ROMAN[k]}"'), ("hc:phaseNumber", str(number)), ("hc:phaseOf", network),
                 ("time:hasBeginning", f'[ a time:Instant ; time:inXSDgYear "{start}"^^xsd:gYear ]'),
                 ("time:hasEnd", f'[ a time:Instant ; time:inXSDgYear "{end}"^^xsd:gYear ]')]
        if k + 1 < len(PHASES):
            pairs.append(("time:intervalMeets", f"g:phase-{n}-{number + 1}"))
        pairs.append(("dcterms:source", self.random.choice(self.sources)))
        return self.block(subject, pairs)

    def year(self, year: int) -> str:
        """A calendar year as an interval with ``xsd:date`` ends: what observations are dated by."""
        return self.block(f"g:year-{year}", [
            ("a", "time:ProperInterval"), ("rdfs:label", f'"år {year}"@nb , "year {year}"@en'),
            ("time:hasBeginning", f'[ a time:Instant ; time:inXSDDate "{year}-01-01"^^xsd:date ]'),
            ("time:hasEnd", f'[ a time:Instant ; time:inXSDDate "{year}-12-31"^^xsd:date ]'),
            ("dcterms:source", self.random.choice(self.sources))])

    def municipality(self, n: int) -> str:
        subject, identifier = f"g:municipality-{n}", f"g:identifier-{n}"
        self.orgs.append(subject)
        name = self.name()
        org = self.block(subject, [("a", "hc:Municipality , org:FormalOrganization , org:Organization"),
                                   *self.labels(f"{name} kommune", f"{name} Municipality"),
                                   ("hc:nationalIdentifier", identifier),
                                   ("dcterms:source", self.random.choice(self.sources))])
        number = f"{n % 10000:04d}"
        ident = self.block(identifier, [("a", "hc:NationalIdentifier"),
                                        *self.labels(f"kommunenummer {number}", f"municipality number {number}"),
                                        ("skos:notation", f'"{number}"'),
                                        ("hc:identifierScheme", "idscheme:kommunenummer"),
                                        ("dcterms:temporal", self.random.choice(self.intervals)),
                                        ("dcterms:source", self.random.choice(self.sources))])
        return org + ident

    def memberships_of(self, member: str) -> str:
        """One to three memberships of ``member`` in consecutive phases of one network."""
        network = self.random.choice(self.networks)
        phases = self.phases[network]
        first = self.random.randrange(len(phases))
        count = min(self.random.randint(1, 3), len(phases) - first)
        role = self.random.choice(ROLES)
        return "".join(self.membership(member, network, phases[first + k], role) for k in range(count))

    def membership(self, member: str, network: str, phase: str, role: str) -> str:
        n = self.memberships
        self.memberships += 1
        pairs = [("a", "org:Membership"), *self.labels(f"Medlemskap {n}", f"Membership {n}")]
        if not self.broken():
            pairs.append(("org:member", member))
        role = f"role:{role}"
        if self.broken():
            role += f" , role:{ROLES[(ROLES.index(role[5:]) + 1) % len(ROLES)]}"
        pairs += [("org:organization", network), ("org:role", role), ("org:memberDuring", phase),
                  ("dcterms:source", self.random.choice(self.sources))]
        return self.block(f"g:membership-{n}", pairs)

    def observation(self, n: int) -> str:
        value = -self.random.randint(1, 50) if self.broken() else self.random.randint(0, 1500)
        return self.block(f"g:observation-{n}", [
            ("a", "hc:CountObservation"), *self.labels(f"Telling {n}", f"Count {n}"),
            ("hc:observedEntity", self.random.choice(self.networks)),
            ("hc:measure", f"measure:{self.random.choice(MEASURES)}"),
            ("rdf:value", str(value)),
            ("hc:qualifier", f"qualifier:{self.random.choice(QUALIFIERS)}"),
            ("dcterms:temporal", f"g:year-{self.random.choice(YEARS)}"),
            ("dcterms:source", self.random.choice(self.sources))])

    def blocks(self, target: int) -> Iterator[str]:
        """Blocks until about ``target`` triples: fixed scaffolding, then a mix of entities."""
        for n in range(max(5, target // 2000)):
            yield self.source(n)
        for n in range(max(5, target // 1000)):
            yield self.interval(n)
        for year in YEARS:
            yield self.year(year)
        countries = max(2, target // 50000)
        for n in range(countries):
            yield self.country(n)
        for n in range(max(3, target // 20000)):
            yield self.network(n, f"g:country-{n % countries}")
        n = 0
        while self.triples < target:
            yield self.municipality(n)
            yield self.memberships_of(self.orgs[-1])
            if n % 2 == 0:
                yield self.observation(n)
            n += 1


def generate(triples: int, seed: int, violation_rate: float = VIOLATION_RATE) -> tuple[str, Generator]:
    """The Turtle text of about ``triples`` triples, and the generator (with its counts)."""
    generator = Generator(seed, violation_rate)
    text = PREFIXES + "".join(generator.blocks(triples))
    return text, generator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10000, help="about how many triples (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--violations", type=float, default=VIOLATION_RATE, metavar="RATE",
                        help=f"share of entities with a deliberate violation (default {VIOLATION_RATE}; 0 = conforms)")
    parser.add_argument("--clean", action="store_const", const=0.0, dest="violations",
                        help="no deliberate violations (same as --violations 0)")
    parser.add_argument("--out", type=Path, required=True, help="output Turtle file")
    args = parser.parse_args(argv)
    text, generator = generate(args.triples, args.seed, args.violations)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {generator.triples} triples, {generator.violations} deliberate violations", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
