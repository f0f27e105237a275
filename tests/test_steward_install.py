"""The tool as stewards get it: a built wheel in a fresh venv, and the pre-commit hook from another repository.

Both install this project from scratch (the wheel's dependencies and pre-commit's hook environment
come from the package index), so this module takes a minute or two.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from oxigraph_support import free_port, wait_for
from test_steward_repos import MEMBERSHIPS, break_memberships, copy_graph, git_repo

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 600


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("HCN_ROOT", "VIRTUAL_ENV")} | (env or {})
    return subprocess.run(list(args), cwd=cwd, env=environ, capture_output=True, text=True, timeout=TIMEOUT_S)


def snapshot(target: Path) -> tuple[Path, str]:
    """This working tree (tracked and untracked files, .gitignore respected) committed in a new repository."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        source, copy = ROOT / name, target / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)
    git = ["git", "-c", "user.name=hcn tests", "-c", "user.email=tests@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=target, check=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=target, capture_output=True, text=True, check=True)
    return target, sha.stdout.strip()


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding only the built wheel and its dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(ROOT), cwd=work)
    assert built.returncode == 0, built.stderr
    [wheel] = (work / "dist").glob("*.whl")
    venv = work / "venv"
    assert run(sys.executable, "-m", "venv", str(venv), cwd=work).returncode == 0
    installed = run(str(venv / "bin" / "pip"), "install", "-q", str(wheel), cwd=work)
    assert installed.returncode == 0, installed.stderr
    return venv


def test_wheel_validates_a_scratch_repository(fresh_venv: Path, tmp_path: Path) -> None:
    hcn = str(fresh_venv / "bin" / "hcn")
    full = copy_graph(git_repo(tmp_path / "full"))
    assert run(hcn, "validate", cwd=full).returncode == 0
    lines = break_memberships(full)
    done = run(hcn, "validate", cwd=full)
    assert done.returncode == 1
    assert all(f"{MEMBERSHIPS}:{line}: violation" in done.stdout for line in lines.values())
    data_only = copy_graph(git_repo(tmp_path / "data-only"), ("data",))
    done = run(hcn, "validate", "--no-timing", cwd=data_only)
    assert done.returncode == 0 and "shapes built-in Healthy Cities shapes" in done.stdout
    assert "site-packages" not in done.stdout


@pytest.fixture
def served_scratch(fresh_venv: Path, tmp_path: Path) -> Iterator[str]:
    repo = copy_graph(git_repo(tmp_path / "served"))
    port = free_port()
    process = subprocess.Popen([str(fresh_venv / "bin" / "hcn"), "serve", "--port", str(port)], cwd=repo,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={k: v for k, v in os.environ.items() if k != "HCN_ROOT"})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/health", timeout_s=120)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def test_wheel_serves_a_scratch_repository(served_scratch: str) -> None:
    def get(path: str, accept: str = "text/html") -> tuple[int, str]:
        request = urllib.request.Request(served_scratch + path, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")

    status, home = get("/")
    assert status == 200 and "/static/style.css" in home
    assert get("/static/style.css")[0] == 200
    status, page = get("/doc/organisation/ostfold-fylkeskommune")
    assert status == 200 and "Østfold" in page
    status, turtle = get("/doc/organisation/ostfold-fylkeskommune", "text/turtle")
    assert status == 200 and "ostfold-fylkeskommune" in turtle


HOOK_CONFIG = """repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: hcn-validate
{args}"""


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """This tree as a hook repository, and one pre-commit home shared by the scratch repositories."""
    repo, sha = snapshot(tmp_path_factory.mktemp("hook-repo"))
    return repo, sha, tmp_path_factory.mktemp("pre-commit-home")


def commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``git commit`` with the pre-commit hook installed, as a steward would commit."""
    run(sys.executable, "-m", "pre_commit", "install", cwd=repo, env={"PRE_COMMIT_HOME": str(home)})
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    return run("git", "-c", "user.name=steward", "-c", "user.email=steward@example.org", "commit", "-m", "edit",
               cwd=repo, env={"PRE_COMMIT_HOME": str(home), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})


@pytest.mark.parametrize("layout", ["own contract", "data only"])
def test_pre_commit_hook_works_from_another_repository(hook_repo: tuple[Path, str, Path], tmp_path: Path,
                                                        layout: str) -> None:
    hook, sha, home = hook_repo
    folders = ("ontology", "data", "shapes") if layout == "own contract" else ("data",)
    steward = copy_graph(git_repo(tmp_path / "steward"), folders)
    args = "" if layout == "own contract" else "        args: [--root, .]\n"
    (steward / ".pre-commit-config.yaml").write_text(HOOK_CONFIG.format(repo=hook, rev=sha, args=args),
                                                     encoding="utf-8")
    clean = commit(steward, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    lines = break_memberships(steward)
    bad = commit(steward, home)
    assert bad.returncode != 0
    output = bad.stdout + bad.stderr
    assert all(f"{MEMBERSHIPS}:{line}: violation" in output for line in lines.values()), output
