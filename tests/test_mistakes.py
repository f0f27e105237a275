"""A corpus of realistic steward mistakes, each a small edit to the shipped data (tests/fixtures/mistakes/).

Every mistake is applied to a scratch copy of the repository's ontology/, data/ and shapes/, and
``hcn validate --no-timing`` must answer with the expected exit code and a finding at the expected
``file:line`` (or ``file:line:column``), of the expected severity, whose message holds the expected
phrase. See tests/fixtures/mistakes/README.md for the format.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.cli import main

ROOT = Path(__file__).resolve().parent.parent
MISTAKES = Path(__file__).resolve().parent / "fixtures" / "mistakes"
FOLDERS = ("ontology", "data", "shapes")


@dataclass(frozen=True)
class Mistake:
    name: str
    description: str
    file: str
    find: str
    replace: str
    exit: int
    at: str
    severity: str
    message: str


def load(path: Path) -> Mistake:
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    expect = spec["expect"]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return Mistake(path.stem, first.lstrip("# "), spec["file"], spec["find"], spec["replace"],
                   expect["exit"], expect["at"], expect["severity"], expect["message"])


CORPUS = [load(path) for path in sorted(MISTAKES.glob("*.toml"))]


def scratch_repository(tmp_path: Path) -> Path:
    """A copy of the shipped ontology/, data/ and shapes/ in a fresh git repository."""
    root = tmp_path / "repo"
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, root / folder)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def run_validate(root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(root)  # file names are shown relative to the working directory
    code = main(["validate", "--no-timing", "--root", str(root)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_corpus_covers_the_kinds_of_mistakes() -> None:
    assert len(CORPUS) >= 25
    assert {m.exit for m in CORPUS} == {1, 2}
    for mistake in CORPUS:
        text = (ROOT / mistake.file).read_text(encoding="utf-8")
        assert text.count(mistake.find) == 1, f"{mistake.name}: `find` must occur exactly once in {mistake.file}"
        assert mistake.find != mistake.replace, mistake.name
        assert (ROOT / mistake.at.split(":")[0]).is_file(), mistake.name


def test_the_unchanged_copy_conforms(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_validate(scratch_repository(tmp_path), capsys, monkeypatch)
    assert code == 0, output


@pytest.mark.parametrize("mistake", CORPUS, ids=[m.name for m in CORPUS])
def test_mistake(mistake: Mistake, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = scratch_repository(tmp_path)
    path = root / mistake.file
    path.write_text(path.read_text(encoding="utf-8").replace(mistake.find, mistake.replace), encoding="utf-8")

    code, output = run_validate(root, capsys, monkeypatch)

    assert code == mistake.exit, output
    located = [line for line in output.splitlines() if line.startswith(f"{mistake.at}:")]
    assert located, f"no finding at {mistake.at}:\n{output}"
    matching = [line for line in located
                if f": {mistake.severity}: " in line and mistake.message in line]
    assert matching, f"no {mistake.severity} with {mistake.message!r} at {mistake.at}:\n{output}"
