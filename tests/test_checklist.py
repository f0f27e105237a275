"""Walks the fact checklist of the sources (DOMAIN.md, "Facts in the sources"): one SPARQL ASK per
numbered fact, contradiction (C1-C3) and ambiguity (A1-A6), each of which must hold in the shipped
graph, so that no fact is silently dropped. Each ASK also checks the fact's source."""

from __future__ import annotations

import pytest
from flask import Flask

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
