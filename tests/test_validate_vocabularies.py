"""``hcn validate`` lints the terms of every known vocabulary: the reused ones and the ontology's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from server.validation import Options, validate
from server.validation import vocabularies as vocab
from server.validation.report import Finding

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY_RULES = {"unknown-term", "undefined-term"}
PREFIXES = """\
@prefix hc:      <https://w3id.org/healthy-cities/ontology#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema:  <https://schema.org/> .
@prefix sh:      <http://www.w3.org/ns/shacl#> .
@prefix ex:      <https://example.org/> .
"""


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
                if text in line and not line.lstrip().startswith("#"))


def vocabulary_findings(options: Options) -> list[Finding]:
    return [f for f in validate(options).findings if f.rule in VOCABULARY_RULES]


def about(findings: list[Finding], name: str) -> list[Finding]:
    return [f for f in findings if f.value == name]


def test_a_typo_in_org_is_an_error_at_its_line_with_a_suggestion(tmp_path: Path) -> None:
    data = write(tmp_path, "m.ttl", "ex:m a org:Membership ;\n    org:member ex:a ;\n"
                                    "    org:memberDurring ex:phase .\n")
    report = validate(Options(paths=[str(data)], root=ROOT))
    [finding] = about(report.findings, "org:memberDurring")
    assert finding.severity == "error" and finding.rule == "unknown-term"
    assert finding.location == f"{data}:{line_of(data, 'org:memberDurring')}"
    assert "did you mean org:memberDuring?" in finding.message
    assert finding.focus == "ex:m"
    assert report.exit_code == 2  # blocks a commit


def test_a_typo_in_dcterms_is_flagged_not_only_a_missing_source(tmp_path: Path) -> None:
    data = write(tmp_path, "s.ttl", 'ex:n a hc:Network ;\n    rdfs:label "N"@en , "N"@nb ;\n'
                                    "    dcterms:sorce ex:source .\n")
    findings = validate(Options(paths=[str(data)], root=ROOT)).findings
    [finding] = about(findings, "dcterms:sorce")
    assert finding.severity == "error" and finding.line == line_of(data, "dcterms:sorce")
    assert finding.message == ("dcterms:sorce is not a term of DCMI Metadata Terms; "
                               "did you mean dcterms:source?")


def test_a_typo_in_hc_is_an_error_without_the_ontology_folder(tmp_path: Path) -> None:
    data = write(tmp_path, "q.ttl", 'ex:obs hc:qoute "sitat"@nb .\n')
    assert not (tmp_path / "ontology").exists()
    [finding] = vocabulary_findings(Options(paths=[str(data)], root=tmp_path))  # no ontology/ anywhere here
    assert (finding.severity, finding.rule, finding.line) == ("error", "undefined-term", line_of(data, "hc:qoute"))
    assert finding.message == "hc:qoute is not defined in the ontology; did you mean hc:quote?"


def test_the_ontology_being_validated_defines_its_own_terms(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    with (ontology / "healthy-cities.ttl").open("a", encoding="utf-8") as out:
        out.write("\nhc:quotation a owl:DatatypeProperty .\n")
    data = write(tmp_path, "q.ttl", 'ex:obs hc:quotation "sitat"@nb .\n')
    assert vocabulary_findings(Options(paths=[str(data)], root=tmp_path)) == []
    # the built-in ontology does not define it
    assert about(vocabulary_findings(Options(paths=[str(data)], root=tmp_path / "elsewhere")), "hc:quotation")


def test_the_shipped_graph_has_no_vocabulary_findings() -> None:
    report = validate(Options(root=ROOT))
    assert report.files and report.triples
    assert [str(f) for f in report.findings if f.rule in VOCABULARY_RULES] == []


@pytest.mark.parametrize("severity", ["error", "violation", "warning", "info"])
def test_severity_is_configurable(tmp_path: Path, severity: str) -> None:
    data = write(tmp_path, "m.ttl", "ex:m org:memberDurring ex:phase ; hc:qoute ex:q .\n")
    findings = vocabulary_findings(Options(paths=[str(data)], root=ROOT, unknown_terms=severity))
    assert sorted(f.value for f in findings) == ["hc:qoute", "org:memberDurring"]
    assert {f.severity for f in findings} == {severity}


def test_off_checks_nothing_and_a_bad_value_is_refused(tmp_path: Path) -> None:
    data = write(tmp_path, "m.ttl", "ex:m org:memberDurring ex:phase .\n")
    assert vocabulary_findings(Options(paths=[str(data)], root=ROOT, unknown_terms="off")) == []
    with pytest.raises(ValueError, match="unknown_terms"):
        validate(Options(paths=[str(data)], root=ROOT, unknown_terms="fatal"))


def test_classes_objects_datatypes_and_nested_uses_are_checked(tmp_path: Path) -> None:
    data = write(tmp_path, "c.ttl", (
        "ex:c a skos:Concep ;\n"
        "    skos:inScheme ex:s ;\n"
        "    ex:kind org:FormalOrganisation ;\n"
        '    ex:year "2020"^^xsd:gYeer ;\n'
        "    ex:part [ a org:Membership ;\n"
        "        org:rol ex:member ] .\n"))
    findings = vocabulary_findings(Options(paths=[str(data)], root=ROOT))
    expected = {"skos:Concep": "skos:Concept", "org:FormalOrganisation": "org:FormalOrganization",
                "xsd:gYeer": "xsd:gYear", "org:rol": "org:role"}
    assert sorted(f.value for f in findings) == sorted(expected)
    for name, suggestion in expected.items():
        [finding] = about(findings, name)
        assert finding.line == line_of(data, name) and f"did you mean {suggestion}?" in finding.message
    assert about(findings, "org:rol")[0].focus == "ex:c / ex:part"


def test_shapes_are_checked_too(tmp_path: Path) -> None:
    shapes = write(tmp_path, "shapes.ttl", (
        "ex:S a sh:NodeShape ;\n    sh:targetClass org:Membership ;\n"
        "    sh:property [ sh:path dcterms:sorce ;\n        sh:minCont 1 ] .\n"))
    data = write(tmp_path, "d.ttl", "ex:m a org:Membership ; dcterms:source ex:s .\n")
    findings = vocabulary_findings(Options(paths=[str(data)], root=tmp_path, shapes=[str(shapes)]))
    assert {(f.value, f.file, f.line) for f in findings} == {
        ("dcterms:sorce", str(shapes), line_of(shapes, "dcterms:sorce")),
        ("sh:minCont", str(shapes), line_of(shapes, "sh:minCont"))}
    assert "did you mean sh:minCount?" in about(findings, "sh:minCont")[0].message


def test_one_finding_per_file_at_the_first_use_not_in_a_comment(tmp_path: Path) -> None:
    first = write(tmp_path, "a.ttl", "# org:memberDurring in a comment\n"
                                     'ex:a rdfs:comment "org:memberDurring in text" .\n'
                                     "ex:b org:memberDurring ex:p .\nex:c org:memberDurring ex:p .\n")
    second = write(tmp_path, "b.ttl", "ex:d rdfs:label \"d\"@en .\nex:e org:memberDurring ex:p .\n")
    findings = vocabulary_findings(Options(paths=[str(first), str(second)], root=ROOT))
    assert [(f.file, f.line, f.focus) for f in findings] == [
        (str(first), line_of(first, "ex:b org:memberDurring"), "ex:b"),
        (str(second), line_of(second, "org:memberDurring"), "ex:e")]


def test_schema_org_is_open_a_miss_is_at_most_a_warning(tmp_path: Path) -> None:
    data = write(tmp_path, "o.ttl", 'ex:o schema:foundingDat "2001"^^xsd:gYear ;\n'
                                    '    <http://schema.org/nmae> "O" ;\n    schema:url <https://example.org/> .\n')
    findings = vocabulary_findings(Options(paths=[str(data)], root=ROOT))
    assert sorted((f.value, f.severity) for f in findings) == [
        ("<http://schema.org/nmae>", "warning"), ("schema:foundingDat", "warning")]
    assert "did you mean schema:foundingDate?" in about(findings, "schema:foundingDat")[0].message
    assert "did you mean <http://schema.org/name>?" in about(findings, "<http://schema.org/nmae>")[0].message


def test_the_same_name_in_another_vocabulary_is_suggested(tmp_path: Path) -> None:
    data = write(tmp_path, "l.ttl", 'ex:l skos:label "l"@en .\n')
    [finding] = vocabulary_findings(Options(paths=[str(data)], root=ROOT))
    assert finding.message.endswith("did you mean skos:altLabel or rdfs:label?")


def test_term_lists_know_what_rdflib_leaves_out() -> None:
    known = vocab.for_ontology(Graph())  # no ontology validated: hc: from the built-in one
    for iri in ("http://www.w3.org/1999/02/22-rdf-syntax-ns#_12",  # container membership
                "http://www.w3.org/ns/dcat#DatasetSeries",  # DCAT 3
                "http://www.w3.org/2006/time#unitDecade",  # OWL-Time 2nd edition
                "http://www.w3.org/2001/XMLSchema#anyURI", "http://www.w3.org/2001/XMLSchema#anySimpleType",
                "https://schema.org/3DModel", "http://schema.org/Person",
                "http://www.w3.org/2003/01/geo/wgs84_pos#lat",  # the http namespace rdflib does not use
                "http://purl.org/dc/terms/ISO639-2", "http://www.w3.org/ns/shacl#in",
                "http://purl.org/dc/terms/",  # the namespace itself
                "https://schema.org/docs/faq.html",  # a page, not a term
                "https://w3id.org/healthy-cities/ontology#quote"):
        assert known.check(iri) is None, iri
    assert known.check("http://www.w3.org/1999/02/22-rdf-syntax-ns#_0") is not None
    assert vocab.builtin_ontology_dir().is_dir()


def test_a_typo_in_json_ld_is_located(tmp_path: Path) -> None:
    data = tmp_path / "m.jsonld"
    data.write_text('{\n  "@context": {"org": "http://www.w3.org/ns/org#", "ex": "https://example.org/"},\n'
                    '  "@id": "ex:m",\n  "@type": "org:Membership",\n  "org:memberDurring": {"@id": "ex:p"}\n}\n',
                    encoding="utf-8")
    [finding] = vocabulary_findings(Options(paths=[str(data)], root=ROOT))
    assert (finding.value, finding.file, finding.line, finding.focus) == ("org:memberDurring", str(data), 5, "ex:m")


def test_a_typo_in_the_ontology_itself_is_shown_even_as_context(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    reused = ontology / "reused-terms.ttl"
    reused.write_text(reused.read_text(encoding="utf-8") + '\ndcterms:sorce rdfs:label "kilde"@nb .\n',
                      encoding="utf-8")
    data = write(tmp_path, "d.ttl", 'ex:d rdfs:label "d"@en .\n')
    [finding] = vocabulary_findings(Options(paths=[str(data)], root=tmp_path))
    assert (finding.value, finding.file) == ("dcterms:sorce", str(reused))
    assert finding.line == line_of(reused, "dcterms:sorce")
    assert finding.severity == "error" and finding.focus == "dcterms:sorce"
