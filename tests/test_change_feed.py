"""The change feed: ``/changes`` lists the commits that changed the served data, each with its RDF Patch.

Apps are built over scratch repositories (``history_support``); the harvest replays the patches
with rdflib and must end with the graph of the working tree.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from flask import Flask
from rdflib.compare import isomorphic

from http_support import served
from history_support import (END_2017, END_2018, apply_patch, commit, edit, git, rename_sandnes_and_add_membership,
                             scratch_repo, served_graph)
from server.app import create_app
from server.dataset import changes

ATOM = "{http://www.w3.org/2005/Atom}"


def app_over(root: Path) -> Flask:
    return create_app({"TESTING": True, "root": str(root), "pool_size": 0})


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three releases; a shapes-only commit and a README commit are not releases."""
    path = scratch_repo(tmp_path_factory.mktemp("feed") / "steward")
    rename_sandnes_and_add_membership(path)
    commit(path, "Sandnes: county in its name; member of Regions for Health")
    (path / "README.md").write_text("notes\n", encoding="utf-8")
    commit(path, "Notes")
    with (path / "shapes/extra.ttl").open("w", encoding="utf-8") as out:
        out.write("@prefix sh: <http://www.w3.org/ns/shacl#> .\n")
    commit(path, "A shapes file")
    edit(path, "data/intervals.ttl", END_2018, END_2017)
    commit(path, "2014-2018 ends in 2017")
    return path


@pytest.fixture(scope="module")
def app(repo: Path) -> Flask:
    return app_over(repo)


def test_the_feed_lists_the_commits_that_changed_the_data_with_their_dates(app: Flask, repo: Path) -> None:
    response = app.test_client().get("/changes")
    assert response.status_code == 200 and response.mimetype == "application/json"
    feed = response.get_json()
    subjects = ["2014-2018 ends in 2017", "Sandnes: county in its name; member of Regions for Health",
                "Import the Healthy Cities graph"]
    assert [r["title"] for r in feed["releases"]] == subjects
    log = git(repo, "log", "--format=%H %cI", "--", "ontology", "data").split()
    assert [(r["id"], r["date"]) for r in feed["releases"]] == list(zip(log[::2], log[1::2]))
    assert [r["previous"] for r in feed["releases"]] == [log[2], log[4], None]
    assert feed["tracked"] is True and feed["uncommitted"] is False and feed["note"] == ""


def test_a_harvester_replaying_the_patches_gets_the_current_data(app: Flask, repo: Path) -> None:
    client = app.test_client()
    graph, labels = rdflib.Graph(), {}
    for release in reversed(client.get("/changes").get_json()["releases"]):
        response = client.get(release["patch"])
        assert response.status_code == 200 and response.mimetype == "application/rdf-patch"
        text = response.get_data(as_text=True)
        assert text.startswith(f"H id <https://w3id.org/healthy-cities/changes/{release['id']}> .\n")
        if release["previous"]:
            assert f"H prev <https://w3id.org/healthy-cities/changes/{release['previous']}> .\n" in text
        apply_patch(graph, text, labels)
    assert isomorphic(graph, served_graph(repo))
    newest = client.get(client.get("/changes").get_json()["releases"][0]["patch"]).get_data(as_text=True)
    assert sum(line[:2] in ("A ", "D ") for line in newest.splitlines()) == 6  # the blank node's 3 facts, out and in


def test_the_feed_as_atom_and_html(app: Flask) -> None:
    client = app.test_client()
    atom = client.get("/changes", headers={"Accept": "application/atom+xml"})
    assert atom.mimetype == "application/atom+xml" and "Accept" in atom.headers["Vary"]
    root = ET.fromstring(atom.data)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries][0] == "2014-2018 ends in 2017"
    assert root.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    patch = entries[0].find(f"{ATOM}link[@type='application/rdf-patch']")
    assert patch is not None and client.get(patch.get("href")).status_code == 200
    html = client.get("/changes", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.mimetype == "text/html" and "Sandnes: county in its name" in html.get_data(as_text=True)
    assert client.get("/changes.atom").mimetype == "application/atom+xml"


def test_pages_link_to_each_other(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "PAGE_SIZE", 2)
    client = app.test_client()
    first = client.get("/changes.json")
    assert len(first.get_json()["releases"]) == 2 and first.get_json()["pages"] == 2
    assert '<http://localhost/changes.json?page=2>; rel="next"' in first.headers["Link"]
    second = client.get(first.get_json()["links"]["next"])
    assert [r["title"] for r in second.get_json()["releases"]] == ["Import the Healthy Cities graph"]
    for bad in ("3", "0", "x"):
        assert client.get(f"/changes?page={bad}").status_code == 404


def test_unknown_releases_and_formats(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/changes/0123456789abcdef0123456789abcdef01234567.rdfp").status_code == 404
    assert client.get("/changes/HEAD.rdfp").status_code == 404
    assert client.get("/changes", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/changes.png").status_code == 404


def test_the_dataset_description_advertises_the_feed(app: Flask) -> None:
    graph = rdflib.Graph().parse(data=app.test_client().get("/.well-known/void.ttl").data, format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    services = set(graph.subjects(dcat.endpointURL, rdflib.URIRef("http://localhost/changes")))
    assert len(services) == 1
    (service,) = services
    assert (service, rdflib.RDF.type, dcat.DataService) in graph
    assert (service, rdflib.URIRef("http://purl.org/dc/terms/conformsTo"),
            rdflib.URIRef("https://afs.github.io/rdf-patch/")) in graph


def test_the_dataset_description_names_the_current_release_and_the_one_before(app: Flask, repo: Path) -> None:
    """A harvester reads from VoID/DCAT which release is served, what came before and where its patch is."""
    client = app.test_client()
    graph = rdflib.Graph().parse(data=client.get("/.well-known/void.ttl").data, format="turtle")
    dcat, dct = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://purl.org/dc/terms/")
    newest, previous = client.get("/changes").get_json()["releases"][:2]
    release = rdflib.URIRef(newest["iri"])
    dataset = rdflib.URIRef("https://w3id.org/healthy-cities/.well-known/void#dataset")
    assert (dataset, dcat.hasCurrentVersion, release) in graph and (dataset, dcat.hasVersion, release) in graph
    assert (release, dcat.isVersionOf, dataset) in graph
    assert (release, dcat.previousVersion, rdflib.URIRef(previous["iri"])) in graph
    assert graph.value(release, dct.issued).toPython().isoformat() == newest["date"]
    (patch,) = graph.objects(release, rdflib.RDFS.seeAlso)
    assert client.get(str(patch)).get_data(as_text=True).startswith(f"H id <{newest['iri']}> .")
    # the release IRI, dereferenced here, leads to the same patch
    redirect = client.get(rdflib.URIRef(newest["iri"]).replace("https://w3id.org/healthy-cities", ""))
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith(f"/changes/{newest['id']}.rdfp")
    assert client.get("/changes/0123456789abcdef0123456789abcdef01234567").status_code == 404


def test_without_git_the_feed_says_there_is_no_history(repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    for folder in ("ontology", "data"):
        shutil.copytree(repo / folder, plain / folder)
    client = app_over(plain).test_client()
    feed = client.get("/changes").get_json()
    assert feed["tracked"] is False and feed["releases"] == []
    assert "not in a git repository" in feed["note"]
    assert "not in a git repository" in client.get("/changes.html").get_data(as_text=True)
    assert "hasVersion" not in client.get("/.well-known/void.ttl").get_data(as_text=True)


def test_uncommitted_changes_are_flagged(tmp_path: Path) -> None:
    repo = scratch_repo(tmp_path / "dirty")
    edit(repo, "data/intervals.ttl", END_2018, END_2017)
    feed = app_over(repo).test_client().get("/changes").get_json()
    assert feed["uncommitted"] is True and "uncommitted changes" in feed["note"]
    assert len(feed["releases"]) == 1
    dirty = app_over(repo).test_client().get("/.well-known/void.ttl")
    assert "dcat:hasVersion" in dirty.text and "dcat:hasCurrentVersion" not in dirty.text  # the served data is newer
    commit(repo, "2014-2018 ends in 2017")  # the same files, now a release: other bytes, another ETag
    clean = app_over(repo).test_client().get("/.well-known/void.ttl")
    assert "dcat:hasCurrentVersion" in clean.text and clean.headers["ETag"] != dirty.headers["ETag"]


def test_the_feed_over_real_http(app: Flask) -> None:
    with served(app) as url:
        request = urllib.request.Request(url + "/changes", headers={"Accept": "application/atom+xml"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.headers.get_content_type() == "application/atom+xml"
            entries = ET.fromstring(response.read()).findall(f"{ATOM}entry")
        href = entries[-1].find(f"{ATOM}link").get("href")
        assert href.startswith(url + "/changes/")
        with urllib.request.urlopen(href, timeout=60) as response:
            etag = response.headers["ETag"]
            assert "immutable" in response.headers["Cache-Control"]
            assert response.read().decode().splitlines()[-1] == "TC ."
        again = urllib.request.Request(href, headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(again, timeout=60)
        assert not_modified.value.code == 304
        with urllib.request.urlopen(url + "/changes.json", timeout=60) as response:
            assert len(json.loads(response.read())["releases"]) == 3
