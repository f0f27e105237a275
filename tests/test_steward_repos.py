"""Stewards in their own repositories: the root is found like git's, the contract travels with the tool.

Each test builds a scratch repository outside this one and runs the ``hcn`` console script there,
as a steward's CI or pre-commit would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HCN = str(Path(sys.executable).parent / "hcn")
MEMBERSHIPS = "data/memberships.ttl"


def hcn(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hcn`` in ``cwd`` (HCN_ROOT unset, so nothing points it at this repository)."""
    environ = {k: v for k, v in os.environ.items() if k != "HCN_ROOT"} | (env or {})
    return subprocess.run([HCN, *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=300)


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def copy_graph(repo: Path, folders: tuple[str, ...] = ("ontology", "data", "shapes")) -> Path:
    for folder in folders:
        shutil.copytree(ROOT / folder, repo / folder)
    return repo


def break_memberships(repo: Path) -> dict[str, int]:
    """Three deliberate mistakes in one file; the line each is reported at."""
    path = repo / MEMBERSHIPS
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if "org:organization network:who-european" in line)
    block_start = max(i for i in range(first) if lines[i].startswith("membership:"))
    del lines[first]  # 1. a membership without its organisation
    role = next(i for i, line in enumerate(lines) if "org:role role:direct-member" in line and i > first + 3)
    lines[role] = lines[role].replace("role:direct-member", "role:no-such-role")  # 2. a dangling role
    source = next(i for i, line in enumerate(lines) if "dcterms:source" in line and i > role)
    third = max(i for i in range(source) if lines[i].startswith("membership:"))
    lines[source - 1] = lines[source - 1].rstrip(" ;") + " ."
    del lines[source]  # 3. a membership without its source
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"missing organisation": block_start + 1, "dangling role": role + 1, "missing source": third + 1}


@pytest.fixture
def broken_repo(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    repo = copy_graph(git_repo(tmp_path / "steward"))
    return repo, break_memberships(repo)


def test_validate_finds_the_root_from_the_working_directory(broken_repo: tuple[Path, dict[str, int]]) -> None:
    repo, lines = broken_repo
    for cwd in (repo, repo / "data"):
        done = hcn("validate", "--no-timing", cwd=cwd)
        assert done.returncode == 1, done.stdout + done.stderr
        shown = "memberships.ttl" if cwd == repo / "data" else MEMBERSHIPS
        for line in lines.values():
            assert f"{shown}:{line}: violation" in done.stdout
        assert f"(root {'.' if cwd == repo else repo}; shapes" in done.stdout


def test_root_option_is_accepted_after_the_subcommand(broken_repo: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    repo, lines = broken_repo
    elsewhere = git_repo(tmp_path / "elsewhere")
    for args in (("validate", "--root", str(repo)), ("--root", str(repo), "validate")):
        done = hcn(*args, cwd=elsewhere)
        assert done.returncode == 1 and f":{lines['dangling role']}: violation" in done.stdout


def test_no_root_is_an_error_not_this_repository(tmp_path: Path) -> None:
    done = hcn("validate", cwd=git_repo(tmp_path / "empty"))
    assert done.returncode == 2
    assert "no ontology/, data/ or shapes/ folder here" in done.stdout
    assert str(ROOT) not in done.stdout


def test_a_data_only_repository_validates_against_the_builtin_contract(tmp_path: Path) -> None:
    repo = copy_graph(git_repo(tmp_path / "data-only"), ("data",))
    done = hcn("validate", "--no-timing", cwd=repo)
    assert done.returncode == 0, done.stdout
    assert "shapes built-in Healthy Cities shapes; ontology built-in Healthy Cities ontology" in done.stdout
    break_memberships(repo)
    assert hcn("validate", cwd=repo).returncode == 1


def test_shapes_builtin_is_forced_even_beside_a_shapes_folder(tmp_path: Path) -> None:
    repo = copy_graph(git_repo(tmp_path / "own-shapes"))
    (repo / "shapes" / "extra.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix org: <http://www.w3.org/ns/org#> .\n"
        "<urn:x:s> a sh:NodeShape ; sh:targetClass org:Membership ; sh:property [ sh:path org:role ; "
        "sh:maxCount 0 ] .\n", encoding="utf-8")
    assert hcn("validate", cwd=repo).returncode == 1
    done = hcn("validate", "--shapes", "builtin", "--no-timing", cwd=repo)
    assert done.returncode == 0 and "shapes built-in Healthy Cities shapes" in done.stdout


def test_hcn_toml_names_other_folders(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "configured")
    shutil.copytree(ROOT / "data", repo / "graph")
    shutil.copytree(ROOT / "shapes", repo / "rules")
    (repo / "hcn.toml").write_text('data = ["graph"]\nshapes = "rules"\nontology = "builtin"\n', encoding="utf-8")
    done = hcn("validate", "--no-timing", cwd=repo / "graph")
    assert done.returncode == 0, done.stdout
    files = sum(len(list(folder.glob("*.ttl"))) for folder in (repo / "graph", repo / "rules", ROOT / "ontology"))
    assert f"shapes {repo}/rules/; ontology built-in" in done.stdout and f"{files} files" in done.stdout
    (repo / "hcn.toml").write_text('colour = "red"\n', encoding="utf-8")
    bad = hcn("validate", cwd=repo)
    assert bad.returncode == 2 and "unknown keys colour" in bad.stderr


def test_one_file_inside_a_root_is_checked_with_the_rest_as_context(
        broken_repo: tuple[Path, dict[str, int]]) -> None:
    repo, lines = broken_repo
    done = hcn("validate", MEMBERSHIPS, "--no-timing", cwd=repo)
    assert done.returncode == 1
    found = [line for line in done.stdout.splitlines() if ": violation" in line]
    assert all(line.startswith(MEMBERSHIPS) for line in found) and len(found) >= 2


def test_files_outside_any_root_report_unresolved_links_once_as_info(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    shutil.copy(ROOT / MEMBERSHIPS, loose / "memberships.ttl")
    done = hcn("validate", "memberships.ttl", "--no-timing", cwd=loose)
    assert done.returncode == 0, done.stdout
    assert "0 violations" in done.stdout and "is not described in the files given" in done.stdout
    # the WHO network is linked from two memberships, and reported once
    unresolved = [line for line in done.stdout.splitlines()
                  if "network:who-european-healthy-cities-network is not described" in line]
    assert len(unresolved) == 1


def test_a_file_given_to_validate_is_reported_even_when_it_is_also_the_ontology(tmp_path: Path) -> None:
    """One file holding ontology and data (as a bundle is often shipped): its findings are shown."""
    loose = tmp_path / "bundle"
    loose.mkdir()
    text = "".join(p.read_text(encoding="utf-8") + "\n" for p in sorted((ROOT / "ontology").glob("*.ttl")))
    text += (ROOT / MEMBERSHIPS).read_text(encoding="utf-8").replace("org:role role:direct-member", "org:role 5", 1)
    (loose / "bundle.ttl").write_text(text, encoding="utf-8")
    done = hcn("validate", "bundle.ttl", "--ontology", "bundle.ttl", "--no-timing", cwd=loose)
    assert done.returncode == 1, done.stdout
    assert any(line.startswith("bundle.ttl:") and ": violation" in line for line in done.stdout.splitlines())
    assert "not shown" not in done.stdout


def test_a_link_to_an_undescribed_resource_suggests_the_described_one(tmp_path: Path) -> None:
    repo = copy_graph(git_repo(tmp_path / "typo"))
    path = repo / MEMBERSHIPS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("org:member organisation:sandnes-kommune ;", "org:member organisation:sandnes-komune ;", 1),
                    encoding="utf-8")
    done = hcn("validate", "--no-timing", cwd=repo)
    assert done.returncode == 1
    assert "no file describes organisation:sandnes-komune: did you mean organisation:sandnes-kommune?" in done.stdout


def test_messages_in_norwegian_with_lang_nb(broken_repo: tuple[Path, dict[str, int]]) -> None:
    repo, lines = broken_repo
    english = hcn("validate", "--no-timing", cwd=repo).stdout
    norwegian = hcn("validate", "--no-timing", "--lang", "nb", cwd=repo).stdout
    assert "A membership needs exactly one org:organization" in english
    assert "A membership needs" not in norwegian and "org:organization" in norwegian
    assert f"{MEMBERSHIPS}:{lines['missing organisation']}: violation" in norwegian


def test_every_shape_message_is_in_english_and_norwegian() -> None:
    from rdflib import SH, Graph, Literal

    shapes = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    languages: dict[object, set[str | None]] = {}
    for node, message in shapes.subject_objects(SH.message):
        assert isinstance(message, Literal)
        languages.setdefault(node, set()).add(message.language)
    assert languages and all(found == {"en", "nb"} for found in languages.values())
