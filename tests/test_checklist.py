"""Walks the fact checklist of the sources (DOMAIN.md, "Facts in the sources"): one SPARQL ASK per
numbered fact, contradiction (C1-C3) and ambiguity (A1-A6), each of which must hold in the shipped
graph, so that no fact is silently dropped. Each ASK also checks the fact's source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

PREFIXES = """
PREFIX hc: <https://w3id.org/healthy-cities/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX id: <https://w3id.org/healthy-cities/id/>
PREFIX network: <https://w3id.org/healthy-cities/id/network/>
PREFIX organisation: <https://w3id.org/healthy-cities/id/organisation/>
PREFIX source: <https://w3id.org/healthy-cities/id/source/>
PREFIX role: <https://w3id.org/healthy-cities/id/role/>
PREFIX measure: <https://w3id.org/healthy-cities/id/measure/>
PREFIX qualifier: <https://w3id.org/healthy-cities/id/qualifier/>
PREFIX phase: <https://w3id.org/healthy-cities/id/phase/>
PREFIX status: <https://w3id.org/healthy-cities/id/status/>
"""

S000 = "source:sunne-kommuner-page"
S002 = "source:ostfold-healthy-cities-page"
EHCN = "network:who-european-healthy-cities-network"


def count_observation(entity: str, measure: str, value: int, qualifier: str, source: str) -> str:
    """ASK body: one dated observation of ``measure`` on ``entity`` with this value, qualifier and source."""
    return f"""?o a hc:CountObservation ; hc:observedEntity {entity} ; hc:measure measure:{measure} ;
        rdf:value {value} ; hc:qualifier qualifier:{qualifier} ; dcterms:source {source} ;
        dcterms:temporal ?period . ?period time:hasBeginning|time:hasEnd ?instant ."""


CHECKLIST: dict[str, str] = {
    "1 Sunne kommuner is the Norwegian national network in the WHO European Healthy Cities Network": f"""
        network:sunne-kommuner a hc:NationalNetwork ; hc:parentNetwork {EHCN} ; hc:operatesIn organisation:norway ;
            dcterms:source {S000} , {S002} .""",
    "2 all national networks work for good, healthy, safe communities and link to the phases": f"""
        {EHCN} hc:nationalNetworkAim ?aim . network:sunne-kommuner hc:hasAim ?aim .
        ?aim dcterms:source {S000} ; dcterms:description ?d . FILTER(CONTAINS(?d, "godt, sunt og trygt") && CONTAINS(?d, "faser"))
        FILTER NOT EXISTS {{ {EHCN} hc:hasAim ?aim }}""",
    "3 over 30 national networks and 100 individual member cities": f"""
        {count_observation(EHCN, "national-networks", 30, "more-than", S000)}
        {count_observation(EHCN, "direct-members", 100, "exact", S000).replace("?o", "?o2").replace("?period", "?p2").replace("?instant", "?i2")}""",
    "4 over 1300 European municipalities represented": count_observation(EHCN, "cities-represented", 1300, "more-than", S000),
    "5 about 100 cities and regions are direct members": count_observation(EHCN, "direct-members", 100, "approximately", S002),
    "6 through its 30 national networks more than 1200 European cities": f"""
        {count_observation(EHCN, "national-networks", 30, "exact", S002)}
        {count_observation(EHCN, "cities-represented", 1200, "more-than", S002).replace("?o", "?o2").replace("?period", "?p2").replace("?instant", "?i2")}""",
    "7 in Norway Sandnes kommune and Østfold fylkeskommune are direct members": f"""
        ?m1 org:member organisation:sandnes-kommune ; org:organization {EHCN} ; org:role role:direct-member ; dcterms:source {S002} .
        ?m2 org:member organisation:ostfold-fylkeskommune ; org:organization {EHCN} ; org:role role:direct-member ; dcterms:source {S002} .
        organisation:sandnes-kommune a hc:Municipality . organisation:ostfold-fylkeskommune a hc:CountyMunicipality .""",
    "8 Østfold fylkeskommune member since 2006": f"""
        ?m org:member organisation:ostfold-fylkeskommune ; org:organization {EHCN} ; org:memberDuring ?i ; dcterms:source {S002} .
        ?i time:hasBeginning/time:inXSDgYear "2006"^^xsd:gYear . FILTER NOT EXISTS {{ ?i time:hasEnd ?end }}""",
    "9 national networks give political, strategic and technical support and a platform for exchange": f"""
        {EHCN} hc:nationalNetworkAim ?aim . network:sunne-kommuner hc:hasAim ?aim . ?aim dcterms:source {S002} ; dcterms:description ?d .
        FILTER(LANG(?d) = "nb" && CONTAINS(?d, "politisk, strategisk og teknisk støtte") && CONTAINS(?d, "erfaringsutveksling")
               && CONTAINS(?d, "nasjonal ressurs av erfaring og kompetanse"))
        FILTER NOT EXISTS {{ {EHCN} hc:hasAim ?aim }}""",
    "10 the secretariat sits at Akershus fylkeskommune with a daily manager and an adviser; contact about membership": f"""
        ?sec org:unitOf network:sunne-kommuner ; hc:hostedBy organisation:akershus-fylkeskommune ; dcterms:source {S002} , {S000} ;
            dcterms:description ?d .
        ?p1 org:postIn ?sec ; org:role role:daily-manager . ?p2 org:postIn ?sec ; org:role role:adviser .
        FILTER(LANG(?d) = "nb" && CONTAINS(?d, "medlemskap"))
        # hosting the secretariat is not membership: the source does not say Akershus is a member (issue #17)
        FILTER NOT EXISTS {{ ?m org:member organisation:akershus-fylkeskommune ; org:organization network:sunne-kommuner }}""",
    "11 purpose: societal development promoting public health, incl. reducing social inequalities": f"""
        network:sunne-kommuner hc:hasAim ?aim . ?aim dcterms:source {S002} ; hc:aimTheme id:theme\\/social-inequalities-in-health ;
            dcterms:description ?d . FILTER(CONTAINS(?d, "samfunnsutvikling som fremmer folkehelse"))""",
    "12 emphasis on citizenship, inclusion and co-creation": f"""
        network:sunne-kommuner hc:hasAim ?aim . ?aim dcterms:source {S002} ; dcterms:description ?d .
        FILTER(CONTAINS(?d, "medborgerskap, inkludering og samskaping"))""",
    "13 membership audience: elected representatives or employees of a municipality or county": f"""
        network:sunne-kommuner hc:membershipAudience ?a ; dcterms:source {S000} .
        FILTER(LANG(?a) = "nb" && CONTAINS(?a, "folkevalgte") && CONTAINS(?a, "fylkeskommune"))""",
    "14 30 years of experience; operates locally, nationally and internationally": f"""
        {count_observation(EHCN, "years-of-experience", 30, "exact", S000)}
        {EHCN} hc:hasAim ?aim . ?aim dcterms:source {S000} ; dcterms:description ?d .
        FILTER(CONTAINS(?d, "lokalt, nasjonalt og internasjonalt"))""",
    "15 phases of 4 years": count_observation(EHCN, "phase-length-years", 4, "exact", S002),
    "16 phase V = 2009-2013, recently concluded": f"""
        phase:v a hc:Phase ; hc:phaseNumber 5 ; hc:phaseOf {EHCN} ; dcterms:source {S002} ;
            time:hasBeginning/time:inXSDgYear "2009"^^xsd:gYear ; time:hasEnd/time:inXSDgYear "2013"^^xsd:gYear .
        {S002} hc:writingPeriod/time:hasBeginning/time:inXSDgYear "2014"^^xsd:gYear .""",
    "17 Østfold's phase V commitments: holistic work and reducing inequalities, and the three core themes": f"""
        ?c a hc:Commitment ; hc:committedParty organisation:ostfold-fylkeskommune ; hc:duringPhase phase:v ; dcterms:source {S002} ;
            hc:committedTo ?holistic , ?inequality ;
            hc:coreTheme id:theme\\/caring-and-supportive-environments , id:theme\\/healthy-living , id:theme\\/healthy-urban-environment-and-design .
        ?holistic a hc:Aim ; rdfs:label "Arbeide helhetlig med folkehelse"@nb ; dcterms:source {S002} .
        ?inequality a hc:Aim ; hc:aimTheme id:theme\\/social-inequalities-in-health ; dcterms:source {S002} .
        phase:v hc:coreTheme id:theme\\/caring-and-supportive-environments , id:theme\\/healthy-living , id:theme\\/healthy-urban-environment-and-design .
        id:theme\\/healthy-living skos:prefLabel "Sunn livsstil"@nb .
        FILTER NOT EXISTS {{ ?c hc:coreTheme id:theme\\/social-inequalities-in-health }}""",
    "18 Østfold collaborates with UCL Institute of Health Equity on social inequalities in health": f"""
        ?p a hc:Partnership ; hc:partner organisation:ostfold-fylkeskommune , organisation:ucl-institute-of-health-equity ;
            hc:topic id:theme\\/social-inequalities-in-health ; hc:withinNetwork {EHCN} ; dcterms:source {S002} .
        organisation:ucl-institute-of-health-equity a hc:ResearchInstitution ; org:subOrganizationOf organisation:university-college-london .""",
    "19 phase VI = 2014-2018 with its two strategic goals": f"""
        phase:vi hc:phaseNumber 6 ; dcterms:source {S002} ;
            time:hasBeginning/time:inXSDgYear "2014"^^xsd:gYear ; time:hasEnd/time:inXSDgYear "2018"^^xsd:gYear ;
            hc:strategicGoal ?g1 , ?g2 .
        ?g1 skos:prefLabel "Forbedre helsen for alle og redusere sosiale ulikheter i helse"@nb ; dcterms:source {S002} .
        ?g2 skos:prefLabel "Forbedre lederskap og jobbe for mer deltakerorientert styring av helsefeltet"@nb ; dcterms:source {S002} .""",
    "20 vision 2019-2024 'Healthier and happier cities for all', based on the UN SDGs": f"""
        ?v a hc:Vision ; rdfs:label "Healthier and happier cities for all"@en ; hc:visionOf {EHCN} ; dcterms:source {S000} ;
            hc:buildsOn <http://metadata.un.org/sdg> ; dcterms:temporal ?t ; dcterms:description ?d .
        ?t time:hasBeginning/time:inXSDgYear "2019"^^xsd:gYear ; time:hasEnd/time:inXSDgYear "2024"^^xsd:gYear .
        <http://metadata.un.org/sdg/3> skos:inScheme <http://metadata.un.org/sdg> ; skos:prefLabel "Good health and well-being"@en .
        FILTER(CONTAINS(?d, "folkehelse og bærekraftig utvikling"))""",
    "21 a healthy population is a goal in itself and a precondition for a sustainable society": f"""
        ?v a hc:Vision ; hc:hasAim ?aim . ?aim dcterms:source {S000} ; dcterms:description ?d .
        FILTER(CONTAINS(?d, "mål i seg selv") && CONTAINS(?d, "forutsetning for et bærekraftig samfunn"))""",
    "22 the 6 Ps, each with a one-line description": f"""
        ?v a hc:Vision ; hc:strategicGoal ?people , ?places , ?participation , ?prosperity , ?peace , ?planet .
        ?people skos:prefLabel "People"@en ; hc:order 1 ; skos:definition "Investere i menneskene som utgjør lokalsamfunnene våre"@nb ; dcterms:source {S000} .
        ?places skos:prefLabel "Places"@en ; hc:order 2 ; skos:definition "Skape nærmiljø som fremmer god helse og livskvalitet"@nb .
        ?participation skos:prefLabel "Participation"@en ; hc:order 3 ; skos:definition "Styrke medvirkning og samskaping for økt helse og trivsel"@nb .
        ?prosperity skos:prefLabel "Prosperity"@en ; hc:order 4 ; skos:definition "Skape fremgangsrike og fruktbare lokalsamfunn"@nb .
        ?peace skos:prefLabel "Peace"@en ; hc:order 5 ; skos:definition "Fremme demokrati og sikkerhet gjennom inkluderende samfunn"@nb .
        ?planet skos:prefLabel "Planet"@en ; hc:order 6 ; skos:definition "Sikre vår felles fremtid gjennom bærekraftig forbruk og produksjon"@nb .""",
    "23 current strategy: Copenhagen Consensus of Mayors 2018": f"""
        ?v a hc:Vision ; hc:setOutIn ?doc . ?doc a hc:StrategyDocument ; dcterms:issued "2018"^^xsd:gYear ; dcterms:source {S000} ;
            dcterms:title "Copenhagen Consensus of Mayors 2018: Healthier and happier cities for all"@en .""",
    "24 RHN established 1992, recently revitalised": f"""
        network:regions-for-health-network a hc:InternationalNetwork ; schema:foundingDate "1992"^^xsd:gYear ; dcterms:source {S002} ;
            org:changedBy ?e . ?e a org:ChangeEvent ; dcterms:source {S002} .""",
    "25 RHN translates Health 2020 into practice": f"""
        network:regions-for-health-network hc:implementsStrategy ?h ; hc:hasAim ?aim .
        ?h rdfs:label "Health 2020"@en ; dcterms:source {S002} . ?aim dcterms:source {S002} .""",
    "26 Norway signed Health 2020 as one of 53 member states": f"""
        ?h rdfs:label "Health 2020"@en ; hc:signatory organisation:norway .
        {count_observation("?h", "signatory-states", 53, "exact", S002)}""",
    "27 Health 2020 focuses on reducing inequalities and health in all we do": f"""
        ?h rdfs:label "Health 2020"@en ; hc:hasAim ?a1 , ?a2 .
        ?a1 hc:aimTheme id:theme\\/social-inequalities-in-health ; dcterms:source {S002} .
        ?a2 rdfs:label "Helse i alt vi gjør"@nb ; dcterms:source {S002} .""",
    "28 the seven expectations of RHN member regions": f"""
        {{ SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
            ?e a hc:MemberExpectation ; hc:expectationOf network:regions-for-health-network ; dcterms:source {S002} ; hc:order ?o }} }}
        FILTER(?n = 7)
        ?last hc:expectationOf network:regions-for-health-network ; hc:order 7 ; rdfs:label ?l . FILTER(CONTAINS(?l, "minst ett"))""",
    "29 the RHN steering group is chaired by one of the participating regions": f"""
        ?g org:unitOf network:regions-for-health-network ; dcterms:source {S002} .
        ?post org:postIn ?g ; org:role role:steering-group-chair ; hc:heldByMemberOf network:regions-for-health-network .""",
    "30 Norwegian safe communities build on WHO Safe Communities; model in more than 25 countries; regional networks on all continents": f"""
        network:trygge-lokalsamfunn hc:buildsOn network:safe-communities ; dcterms:source {S002} .
        FILTER NOT EXISTS {{ network:trygge-lokalsamfunn hc:parentNetwork ?parent }}
        network:safe-communities dcterms:description ?d . FILTER(CONTAINS(?d, "alle verdensdeler"))
        {count_observation("network:safe-communities", "countries", 25, "more-than", S002)}""",
    "31 the Norwegian model is adapted to Norwegian framework conditions and municipal cycles": f"""
        network:trygge-lokalsamfunn dcterms:description ?d ; dcterms:source {S002} .
        FILTER(LANG(?d) = "nb" && CONTAINS(?d, "norske rammevilkår og kommune-sykluser"))""",
    "32 four basic principles": f"""
        {{ SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ network:trygge-lokalsamfunn hc:hasPrinciple ?p . ?p a hc:Principle ; dcterms:source {S002} }} }}
        FILTER(?n = 4)
        network:trygge-lokalsamfunn hc:hasPrinciple ?a , ?b , ?c , ?d .
        ?a skos:prefLabel "Tverrsektorielt samarbeid"@nb . ?b skos:prefLabel "Kunnskapsbaserte tilnærminger"@nb .
        ?c skos:prefLabel "Medvirkning"@nb . ?d skos:prefLabel "Livsløpsperspektiv"@nb .""",
    "33 eight criteria with sub-points guide injury prevention": f"""
        {count_observation("network:trygge-lokalsamfunn", "criteria", 8, "exact", S002)}
        ?scheme a skos:ConceptScheme ; skos:definition ?d . FILTER(CONTAINS(?d, "underpunkter") && CONTAINS(?d, "skadeforebyggende"))""",
    "34 the listed criteria under Etablering and Sertifisering, 'Iversetting' as spelled": f"""
        {{ SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ network:trygge-lokalsamfunn hc:hasCriterion ?c . ?c dcterms:source {S002} ; hc:stage ?s }} }}
        FILTER(?n = 7)
        ?k skos:prefLabel "Kartlegging av risikofaktorer"@nb ; hc:stage ?est . ?est skos:prefLabel "Etablering"@nb .
        ?e skos:prefLabel "Evaluere og rapportere"@nb ; hc:stage ?cert . ?cert skos:prefLabel "Sertifisering"@nb .
        ?i skos:hiddenLabel "Iversetting"@nb ; skos:prefLabel "Iverksetting"@nb ; hc:stage ?cert .""",
    "35 eight Østfold municipalities have or are working toward safe-community status": f"""
        {{ SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{
            VALUES ?name {{ "Fredrikstad kommune"@nb "Spydeberg kommune"@nb "Rakkestad kommune"@nb "Halden kommune"@nb
                            "Askim kommune"@nb "Trøgstad kommune"@nb "Hvaler kommune"@nb "Råde kommune"@nb }}
            ?m a hc:Municipality ; rdfs:label ?name .
            ?p a hc:ProgrammeParticipation ; hc:participant ?m ; hc:withinNetwork network:trygge-lokalsamfunn ;
               hc:status status:certified-or-working-toward ; dcterms:source {S002} }} }}
        FILTER(?n = 8)
        FILTER NOT EXISTS {{ ?other hc:withinNetwork network:trygge-lokalsamfunn ; hc:participant ?x .
                             FILTER(?x NOT IN (organisation:fredrikstad-kommune, organisation:spydeberg-kommune,
                                organisation:rakkestad-kommune, organisation:halden-kommune, organisation:askim-kommune,
                                organisation:trogstad-kommune, organisation:hvaler-kommune, organisation:rade-kommune)) }}""",
    "36 Østfold fylkeskommune takes part as an observer": f"""
        ?m org:member organisation:ostfold-fylkeskommune ; org:organization network:trygge-lokalsamfunn ;
           org:role role:observer ; dcterms:source {S002} .""",
    "C1 the count contradictions stay as separate observations": f"""
        {{ SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{
            ?o hc:observedEntity {EHCN} ; hc:measure ?m ; dcterms:source ?s .
            FILTER(?m IN (measure:national-networks, measure:direct-members, measure:cities-represented) && ?s IN ({S000}, {S002})) }} }}
        FILTER(?n = 6)""",
    "C2 phase length: 4 years stated, the phases' own years span five": f"""
        {count_observation(EHCN, "phase-length-years", 4, "exact", S002)}
        {count_observation(EHCN, "phase-length-years", 5, "approximately", "source:who-phases-page").replace("?o", "?o2").replace("?period", "?p2").replace("?instant", "?i2")}""",
    "C3 '30 years' is relative to an unstated date of writing": f"""
        ?o hc:measure measure:years-of-experience ; dcterms:temporal ?t ; skos:editorialNote ?n ; dcterms:source {S000} .
        {S000} hc:writingPeriod ?t ; hc:datingEvidence ?e .""",
    "A1 status per municipality is not given: none is claimed certified": """
        FILTER NOT EXISTS { ?p hc:status status:certified }
        FILTER NOT EXISTS { ?p hc:status status:working-toward }
        status:certified skos:broader status:certified-or-working-toward .""",
    "A2 the observer role is recorded with a note on its reading": """
        ?m org:role role:observer ; org:organization network:trygge-lokalsamfunn ; skos:editorialNote ?n .
        FILTER NOT EXISTS { ?x org:member organisation:ostfold-fylkeskommune ; org:role role:observer ;
                              org:organization network:who-european-healthy-cities-network }""",
    "A3 eight criteria claimed, seven listed under two headings: both kept, with a note": """
        ?scheme skos:editorialNote ?n . ?c skos:inScheme ?scheme ; a hc:Criterion .
        ?st a hc:CriterionStage . FILTER(CONTAINS(?n, "åtte"))""",
    "A4 no RHN membership is asserted for Sunne kommuner or Østfold": """
        FILTER NOT EXISTS { ?m org:organization network:regions-for-health-network }""",
    "A5 the seed pages are dated by evidence, not by a stated date": f"""
        {S000} hc:writingPeriod ?a ; hc:datingEvidence ?ea . {S002} hc:writingPeriod ?b ; hc:datingEvidence ?eb .
        FILTER NOT EXISTS {{ {S000} dcterms:date ?d }} FILTER NOT EXISTS {{ {S002} dcterms:date ?d2 }}""",
    "A6 Askim, Spydeberg and Trøgstad merged into Indre Østfold in 2020": """
        ?e a org:ChangeEvent ; org:resultingOrganization organisation:indre-ostfold-kommune ; dcterms:date "2020"^^xsd:gYear ;
           org:originalOrganization organisation:askim-kommune , organisation:spydeberg-kommune , organisation:trogstad-kommune ;
           dcterms:source ?s .
        ?p hc:participant organisation:askim-kommune ; skos:editorialNote ?n .""",
}


@pytest.mark.parametrize("fact", list(CHECKLIST), ids=[key.split(" ")[0] for key in CHECKLIST])
def test_fact_is_in_the_graph(app: Flask, fact: str) -> None:
    store = app.extensions["hcn_store"]
    answer = store.query(PREFIXES + "ASK {" + CHECKLIST[fact] + "}")
    assert bool(answer), f"fact {fact!r} is not in the graph"


def test_checklist_covers_every_numbered_fact() -> None:
    numbered = {key.split(" ")[0] for key in CHECKLIST}
    expected = {str(n) for n in range(1, 37)} | {"C1", "C2", "C3"} | {f"A{n}" for n in range(1, 7)}
    assert numbered == expected


# --------------------------------------------------------------------------------------------------
# Exact lists: where a source lists things (themes, goals, principles, criteria, members, the 6 Ps,
# the eight Østfold municipalities, the secretariat's staff), the graph holds exactly the listed items,
# not just at least them, and where the source orders them, hc:order gives the source's order.
# Each query answers ?label (nb unless said) and, for ordered lists, ?order.

ORDERED = True
UNORDERED = False

EXACT_LISTS: dict[str, tuple[str, bool, list[str]]] = {
    "phase V core themes (002: «disse tre kjernetema»)": ("""
        SELECT ?label ?order WHERE { phase:v hc:coreTheme ?t . ?t skos:prefLabel ?label . OPTIONAL { ?t hc:order ?order } FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["Omsorgsfulle og støttende miljøer", "Sunn livsstil", "Sunt bymiljø og -design"]),
    "Østfold's phase V core themes: the three, no more": ("""
        SELECT ?label ?order WHERE { ?c a hc:Commitment ; hc:committedParty organisation:ostfold-fylkeskommune ; hc:coreTheme ?t .
            ?t skos:prefLabel ?label . OPTIONAL { ?t hc:order ?order } FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["Omsorgsfulle og støttende miljøer", "Sunn livsstil", "Sunt bymiljø og -design"]),
    "Østfold's phase V commitments besides the core themes": ("""
        SELECT ?label ?order WHERE { ?c a hc:Commitment ; hc:committedParty organisation:ostfold-fylkeskommune ; hc:committedTo ?a .
            ?a rdfs:label ?label . OPTIONAL { ?a hc:order ?order } FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["Arbeide helhetlig med folkehelse", "Reduksjon av sosial ulikhet i helse"]),
    "Østfold has one commitment, in phase V": ("""
        SELECT ?label WHERE { ?c a hc:Commitment ; hc:committedParty ?party ; hc:duringPhase ?p . ?p rdfs:label ?label . FILTER(LANG(?label) = "nb") }""",
        UNORDERED, ["Fase V (2009–2013)"]),
    "themes: the three core themes and social inequalities in health, nothing else": ("""
        SELECT ?label WHERE { ?t a hc:Theme ; skos:prefLabel ?label . FILTER(LANG(?label) = "nb") }""",
        UNORDERED, sorted(["Omsorgsfulle og støttende miljøer", "Sunn livsstil", "Sunt bymiljø og -design", "Sosiale ulikheter i helse"])),
    "phase VI strategic goals": ("""
        SELECT ?label ?order WHERE { phase:vi hc:strategicGoal ?g . ?g skos:prefLabel ?label . OPTIONAL { ?g hc:order ?order } FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["Forbedre helsen for alle og redusere sosiale ulikheter i helse",
                  "Forbedre lederskap og jobbe for mer deltakerorientert styring av helsefeltet"]),
    "the 6 Ps of the vision": ("""
        SELECT ?label ?order WHERE { ?v a hc:Vision ; hc:strategicGoal ?g . ?g skos:prefLabel ?label . OPTIONAL { ?g hc:order ?order } FILTER(LANG(?label) = "en") }""",
        ORDERED, ["People", "Places", "Participation", "Prosperity", "Peace", "Planet"]),
    "the 6 Ps in their scheme": ("""
        SELECT ?label ?order WHERE { ?g skos:inScheme id:scheme\\/six-ps ; skos:prefLabel ?label . OPTIONAL { ?g hc:order ?order } FILTER(LANG(?label) = "en") }""",
        ORDERED, ["People", "Places", "Participation", "Prosperity", "Peace", "Planet"]),
    "the 6 Ps as phase VII's goals": ("""
        SELECT ?label ?order WHERE { phase:vii hc:strategicGoal ?g . ?g skos:prefLabel ?label . OPTIONAL { ?g hc:order ?order } FILTER(LANG(?label) = "en") }""",
        ORDERED, ["People", "Places", "Participation", "Prosperity", "Peace", "Planet"]),
    "the four principles of the safe-communities model": ("""
        SELECT ?label ?order WHERE { network:trygge-lokalsamfunn hc:hasPrinciple ?p . ?p skos:prefLabel ?label . OPTIONAL { ?p hc:order ?order } FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["Tverrsektorielt samarbeid", "Kunnskapsbaserte tilnærminger", "Medvirkning", "Livsløpsperspektiv"]),
    "principles: none outside the model": ("""
        SELECT ?label ?order WHERE { ?p a hc:Principle ; skos:prefLabel ?label . OPTIONAL { ?p hc:order ?order } FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["Tverrsektorielt samarbeid", "Kunnskapsbaserte tilnærminger", "Medvirkning", "Livsløpsperspektiv"]),
    "the listed criteria, each with its heading": ("""
        SELECT ?label ?order WHERE { network:trygge-lokalsamfunn hc:hasCriterion ?c . ?c skos:prefLabel ?name ; hc:stage ?s . OPTIONAL { ?c hc:order ?order }
            ?s skos:prefLabel ?stage . FILTER(LANG(?name) = "nb" && LANG(?stage) = "nb") BIND(CONCAT(?stage, ": ", ?name) AS ?label) }""",
        ORDERED, ["Etablering: Kartlegging av risikofaktorer", "Etablering: Prioritering av innsatsområder",
                  "Etablering: Forankring i planverk", "Sertifisering: Organisering av videre arbeid",
                  "Sertifisering: Medvirkning og informasjon", "Sertifisering: Iverksetting",
                  "Sertifisering: Evaluere og rapportere"]),
    "criteria: none outside the model": ("""
        SELECT ?label ?order WHERE { ?c a hc:Criterion ; skos:prefLabel ?label . OPTIONAL { ?c hc:order ?order } FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["Kartlegging av risikofaktorer", "Prioritering av innsatsområder", "Forankring i planverk",
                  "Organisering av videre arbeid", "Medvirkning og informasjon", "Iverksetting", "Evaluere og rapportere"]),
    "the two headings (stages) of the criteria": ("""
        SELECT ?label ?order WHERE { ?s a hc:CriterionStage ; skos:prefLabel ?label . OPTIONAL { ?s hc:order ?order } FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["Etablering", "Sertifisering"]),
    "the eight Østfold municipalities, in the source's order": ("""
        SELECT ?label ?order WHERE { ?p a hc:ProgrammeParticipation ; hc:withinNetwork network:trygge-lokalsamfunn ; hc:participant ?m . OPTIONAL { ?p hc:order ?order }
            ?m rdfs:label ?label . FILTER(LANG(?label) = "nb") }""",
        ORDERED, [f"{name} kommune" for name in
                  ("Fredrikstad", "Spydeberg", "Rakkestad", "Halden", "Askim", "Trøgstad", "Hvaler", "Råde")]),
    "programme participations: the eight, none elsewhere": ("""
        SELECT ?label WHERE { ?p a hc:ProgrammeParticipation ; hc:participant ?m . ?m rdfs:label ?label . FILTER(LANG(?label) = "nb") }""",
        UNORDERED, sorted(f"{name} kommune" for name in
                          ("Fredrikstad", "Spydeberg", "Rakkestad", "Halden", "Askim", "Trøgstad", "Hvaler", "Råde"))),
    "direct members of Healthy Cities in Norway: Sandnes kommune and Østfold fylkeskommune": ("""
        SELECT ?label WHERE { ?m a org:Membership ; org:organization network:who-european-healthy-cities-network ;
            org:role role:direct-member ; org:member ?o . ?o rdfs:label ?label . FILTER(LANG(?label) = "nb") }""",
        UNORDERED, ["Sandnes kommune", "Østfold fylkeskommune"]),
    "every membership in the graph: the two direct members and the observer": ("""
        SELECT ?label WHERE { ?m a org:Membership ; org:member ?o ; org:organization ?n ; org:role ?r .
            ?o rdfs:label ?on . ?n rdfs:label ?nn . ?r skos:prefLabel ?rn .
            FILTER(LANG(?on) = "nb" && LANG(?nn) = "en" && LANG(?rn) = "en") BIND(CONCAT(?on, " – ", ?rn, " – ", ?nn) AS ?label) }""",
        UNORDERED, sorted(["Sandnes kommune – direct member – WHO European Healthy Cities Network",
                           "Østfold fylkeskommune – direct member – WHO European Healthy Cities Network",
                           "Østfold fylkeskommune – observer – Trygge lokalsamfunn"])),
    "the secretariat's staff: a daily manager and an adviser": ("""
        SELECT ?label ?order WHERE { ?sec org:unitOf network:sunne-kommuner . ?post org:postIn ?sec ; org:role ?r .
            OPTIONAL { ?post hc:order ?order } ?r skos:prefLabel ?label . FILTER(LANG(?label) = "nb") }""",
        ORDERED, ["daglig leder", "rådgiver"]),
    "posts: the secretariat's two and the RHN steering group's chair": ("""
        SELECT ?label WHERE { ?post a org:Post ; org:role ?r . ?r skos:prefLabel ?label . FILTER(LANG(?label) = "en") }""",
        UNORDERED, sorted(["general manager", "adviser", "steering-group chair"])),
    "the seven expectations of RHN member regions": ("""
        SELECT ?label ?order WHERE { ?e hc:expectationOf network:regions-for-health-network ; rdfs:label ?label . OPTIONAL { ?e hc:order ?order } FILTER(LANG(?label) = "en") }""",
        ORDERED, ["Will and ability to take decisions in the public health field",
                  "Resources allocated to the public health field",
                  "Ability to create and develop partnerships for public health",
                  "Share knowledge and experience with others",
                  "Monitor the health status of the region",
                  "Deliver concrete results transferable to other European regions",
                  "Engage in at least one of the areas of action of the work programme under development"]),
    "the two parts of Health 2020 the source names": ("""
        SELECT ?label WHERE { ?h rdfs:label "Health 2020"@en ; hc:hasAim ?a . ?a rdfs:label ?label . FILTER(LANG(?label) = "nb") }""",
        UNORDERED, ["Helse i alt vi gjør", "Redusere sosiale ulikheter i helse"]),
}


def _rows(app: Flask, query: str, ordered: bool) -> list[tuple[str, int | None]]:
    """(label, position) per answer row; the position is None for unordered lists."""
    store = app.extensions["hcn_store"]
    return [(row["label"].value, int(row["order"].value) if ordered and row["order"] is not None else None)
            for row in store.query(PREFIXES + query)]


@pytest.mark.parametrize("name", list(EXACT_LISTS), ids=list(EXACT_LISTS))
def test_listed_facts_are_exactly_the_sources_list(app: Flask, name: str) -> None:
    query, ordered, expected = EXACT_LISTS[name]
    rows = _rows(app, query, ordered)
    if ordered:
        assert all(o is not None for _, o in rows), f"{name}: an item has no hc:order: {rows}"
        assert sorted(o for _, o in rows) == list(range(1, len(rows) + 1)), f"{name}: positions are not 1..n: {rows}"
        assert [label for label, _ in sorted(rows, key=lambda r: r[1])] == expected
    else:
        assert sorted(label for label, _ in rows) == sorted(expected)


# --------------------------------------------------------------------------------------------------
# The HTML pages list what the sources list in the sources' order (hc:order), not by IRI or label.

PAGE_LISTS: dict[str, tuple[str, str, list[str]]] = {
    "principles on the network's page": ("/doc/network/trygge-lokalsamfunn", "has principle",
        ["Cross-sectoral cooperation", "Knowledge-based approaches", "Participation", "Life-course perspective"]),
    "criteria on the network's page": ("/doc/network/trygge-lokalsamfunn", "has criterion",
        ["Mapping of risk factors", "Prioritisation of areas of action", "Anchoring in planning documents",
         "Organisation of further work", "Participation and information", "Implementation", "Evaluate and report"]),
    "the 6 Ps on the vision's page": ("/doc/vision/healthier-and-happier-cities-for-all", "strategic goal",
        ["People", "Places", "Participation", "Prosperity", "Peace", "Planet"]),
    "the 6 Ps on phase VII's page": ("/doc/phase/vii", "strategic goal",
        ["People", "Places", "Participation", "Prosperity", "Peace", "Planet"]),
    "phase VI's goals on its page": ("/doc/phase/vi", "strategic goal",
        ["Improve health for all and reduce social inequalities in health",
         "Improve leadership and work for more participatory governance of the health field"]),
    "Østfold's commitments on the commitment's page": ("/doc/commitment/ostfold-fylkeskommune-phase-v", "committed to",
        ["Working holistically with public health", "Reduction of social inequality in health"]),
    "core themes on the commitment's page": ("/doc/commitment/ostfold-fylkeskommune-phase-v", "core theme",
        ["Caring and supportive environments", "Healthy living", "Healthy urban environment and design"]),
    "posts on the secretariat's page": ("/doc/organisation/sunne-kommuner-secretariat", "has post",
        ["General manager of the Sunne kommuner secretariat", "Adviser in the Sunne kommuner secretariat"]),
}


def _page_values(html: str, predicate: str) -> list[str]:
    """The linked values of one property row (by its English label) on a resource page."""
    row = re.search(r"<dt>\s*<a[^>]*>" + re.escape(predicate) + r"</a>\s*</dt>\s*<dd>(.*?)</dd>", html, re.DOTALL)
    assert row, f"no row {predicate!r}"
    return re.findall(r"<li><a [^>]*>([^<]*)</a></li>", row.group(1))


@pytest.mark.parametrize("name", list(PAGE_LISTS), ids=list(PAGE_LISTS))
def test_pages_list_in_the_sources_order(client: FlaskClient, name: str) -> None:
    path, predicate, expected = PAGE_LISTS[name]
    response = client.get(path + "?lang=en", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert _page_values(response.get_data(as_text=True), predicate) == expected


def test_a_schemes_page_lists_its_concepts_in_the_sources_order(client: FlaskClient) -> None:
    html = client.get("/doc/scheme/safe-community-principles?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    incoming = html[html.index('class="incoming"'):]
    names = list(dict.fromkeys(re.findall(r"<li><a [^>]*>([^<]*)</a>", incoming)))
    assert names == ["Cross-sectoral cooperation", "Knowledge-based approaches", "Participation", "Life-course perspective"]


# --------------------------------------------------------------------------------------------------
# docs/crosswalk.md: every sentence of both seed pages, in order, with the resources that carry it;
# and, the other way, every resource with the sentences it rests on.

CROSSWALK = Path(__file__).resolve().parent.parent / "docs" / "crosswalk.md"
ID = "https://w3id.org/healthy-cities/id/"
ID_KINDS = ("network", "organisation", "membership", "phase", "vision", "goal", "theme", "scheme", "principle",
            "criterion", "stage", "aim", "commitment", "partnership", "expectation", "observation", "document",
            "interval", "source", "post", "participation", "event", "identifier")
CURIE = re.compile(r"`((?:" + "|".join(ID_KINDS) + r"):[a-z0-9-]+|<http://metadata\.un\.org/sdg>)`")
SEEDS = {"000": f"{ID}source/sunne-kommuner-page", "002": f"{ID}source/ostfold-healthy-cities-page"}


def _crosswalk_part1() -> list[tuple[str, str, str]]:
    """(sentence number, sentence, carried-by cell) for every row of part 1, in the page's order."""
    text = CROSSWALK.read_text(encoding="utf-8")
    return [(m[1], m[2], m[3]) for m in re.finditer(r"^\| (00[02]\.\d+) \| (.*?) \| (.*) \|$", text, re.M)]


def _crosswalk_part2() -> dict[str, set[str]]:
    """Resource -> the sentence numbers part 2 lists for it."""
    text = CROSSWALK.read_text(encoding="utf-8")
    part2 = text[text.index("## Part 2"):text.index("## Part 3")]
    return {m[1]: set(re.findall(r"00[02]\.\d+", m[2])) for m in re.finditer(r"^\| `([^`]+)` \| ([^|]*) \|", part2, re.M)}


def _curie(iri: str) -> str:
    return iri[len(ID):].replace("/", ":", 1) if iri.startswith(ID) else f"<{iri}>"


@pytest.mark.parametrize("seed", list(SEEDS))
def test_crosswalk_quotes_every_sentence_of_the_page_in_order(app: Flask, seed: str) -> None:
    store = app.extensions["hcn_store"]
    kept = next(iter(store.query(PREFIXES + f"SELECT ?t WHERE {{ <{SEEDS[seed]}> hc:sourceText ?t }}")))["t"].value
    rows = [r for r in _crosswalk_part1() if r[0].startswith(seed + ".")]
    assert [r[0] for r in rows] == [f"{seed}.{n}" for n in range(1, len(rows) + 1)]
    squeeze = lambda s: re.sub(r"[\s\u00a0]+", "", s)  # noqa: E731
    assert squeeze("".join(r[1] for r in rows)) == squeeze(kept)


def test_crosswalk_names_every_resource_that_cites_a_seed_page(app: Flask) -> None:
    store = app.extensions["hcn_store"]
    cited = {_curie(row["s"].value) for row in store.query(
        PREFIXES + f"SELECT DISTINCT ?s WHERE {{ ?s dcterms:source ?seed FILTER(?seed IN (<{SEEDS['000']}>, <{SEEDS['002']}>)) }}")}
    named = {c for _, _, cell in _crosswalk_part1() for c in CURIE.findall(cell)}
    assert cited - named == set()


def test_crosswalk_part2_is_part1_turned_around(app: Flask) -> None:
    store = app.extensions["hcn_store"]
    by_resource: dict[str, set[str]] = {}
    for number, _, cell in _crosswalk_part1():
        for curie in CURIE.findall(cell):
            by_resource.setdefault(curie, set()).add(number)
    part2 = _crosswalk_part2()
    assert {k: v for k, v in part2.items() if v != by_resource.get(k)} == {}
    assert set(by_resource) - set(part2) == set()
    # and every resource the crosswalk names exists in the graph
    for curie in by_resource:
        iri = curie[1:-1] if curie.startswith("<") else ID + curie.replace(":", "/", 1)
        assert bool(store.query(f"ASK {{ <{iri}> ?p ?o }}")), curie
