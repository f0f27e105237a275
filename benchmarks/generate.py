"""Seeded generator of realistic synthetic Turtle in the Healthy Cities ontology.

Networks (international and national), countries, thousands of municipalities with nb/en labels,
national identifiers and sources, memberships with OWL-Time intervals, and dated count
observations; about 1% of the entities carry a deliberate violation of the shapes in shapes/
(missing member, label without language tag, missing English label, negative count, an interval
that ends before it begins — the SPARQL constraint — and a membership with two roles).

    python benchmarks/generate.py --triples 100000 --seed 1 --out /tmp/hc-100k.ttl

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


class Generator:
    """Writes entity blocks and counts their triples."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.triples = 0
        self.violations = 0
        self.sources: list[str] = []
        self.intervals: list[str] = []
        self.networks: list[str] = []
        self.orgs: list[str] = []

    def block(self, subject: str, pairs: list[tuple[str, str]]) -> str:
        for _, obj in pairs:  # one triple per object, plus those inside [ ... ] blank nodes
            self.triples += 1 + obj.count(" , ") + (obj.count(";") + 1 if obj.startswith("[") else 0)
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        return f"{subject} {body} .\n\n"

    def broken(self) -> bool:
        hit = self.random.random() < VIOLATION_RATE
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
                 ("schema:foundingDate", f'"{self.random.randint(1988, 2015)}"^^xsd:gYear'),
                 ("dcterms:source", self.random.choice(self.sources))]
        if parent:
            pairs += [("hc:parentNetwork", parent), ("hc:operatesIn", country)]
        return self.block(subject, pairs)

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

    def membership(self, n: int, member: str) -> str:
        period = self.interval(len(self.intervals))  # each membership has its own period
        pairs = [("a", "org:Membership"), *self.labels(f"Medlemskap {n}", f"Membership {n}")]
        if not self.broken():
            pairs.append(("org:member", member))
        role = f"role:{self.random.choice(ROLES)}"
        if self.broken():
            role += f" , role:{ROLES[(ROLES.index(role[5:]) + 1) % len(ROLES)]}"
        pairs += [("org:organization", self.random.choice(self.networks)), ("org:role", role),
                  ("org:memberDuring", self.intervals[-1]),
                  ("dcterms:source", self.random.choice(self.sources))]
        return period + self.block(f"g:membership-{n}", pairs)

    def observation(self, n: int) -> str:
        value = -self.random.randint(1, 50) if self.broken() else self.random.randint(0, 1500)
        return self.block(f"g:observation-{n}", [
            ("a", "hc:CountObservation"), *self.labels(f"Telling {n}", f"Count {n}"),
            ("hc:observedEntity", self.random.choice(self.networks)),
            ("hc:measure", f"measure:{self.random.choice(MEASURES)}"),
            ("rdf:value", str(value)),
            ("hc:qualifier", f"qualifier:{self.random.choice(QUALIFIERS)}"),
            ("dcterms:temporal", self.random.choice(self.intervals)),
            ("dcterms:source", self.random.choice(self.sources))])

    def blocks(self, target: int) -> Iterator[str]:
        """Blocks until about ``target`` triples: fixed scaffolding, then a mix of entities."""
        for n in range(max(5, target // 2000)):
            yield self.source(n)
        for n in range(max(5, target // 1000)):
            yield self.interval(n)
        yield self.country(0)
        for n in range(max(3, target // 20000)):
            yield self.network(n, "g:country-0")
        n = 0
        while self.triples < target:
            yield self.municipality(n)
            yield self.membership(n, self.orgs[-1])
            if n % 2 == 0:
                yield self.observation(n)
            n += 1


def generate(triples: int, seed: int) -> tuple[str, Generator]:
    """The Turtle text of about ``triples`` triples, and the generator (with its counts)."""
    generator = Generator(seed)
    text = PREFIXES + "".join(generator.blocks(triples))
    return text, generator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10000, help="about how many triples (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output Turtle file")
    args = parser.parse_args(argv)
    text, generator = generate(args.triples, args.seed)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {generator.triples} triples, {generator.violations} deliberate violations", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
