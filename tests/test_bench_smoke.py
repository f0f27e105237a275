"""The benchmark's data generator at ~2k triples: deterministic for a seed, and conforming when clean.

No benchmark runs here (``make bench`` does that); only the generator and the request mix.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402


def test_same_seed_same_graph_other_seed_other_graph() -> None:
    first, _ = generate.generate(2000, seed=3, violation_rate=0)
    again, _ = generate.generate(2000, seed=3, violation_rate=0)
    other, _ = generate.generate(2000, seed=4, violation_rate=0)
    assert first == again
    assert first != other


def test_clean_graph_parses_to_the_counted_triples_and_has_the_promised_shape() -> None:
    from pyoxigraph import RdfFormat, parse

    text, gen = generate.generate(2000, seed=1, violation_rate=0)
    triples = list(parse(text.encode(), format=RdfFormat.TURTLE))
    assert len(triples) == gen.triples >= 2000
    types = {t.object.value.rsplit("#", 1)[-1] for t in triples if t.predicate.value.endswith("#type")}
    assert {"Municipality", "Membership", "Phase", "CountObservation", "NationalNetwork"} <= types
    languages = {t.object.language for t in triples if t.predicate.value.endswith("#label")}
    assert languages == {"nb", "en"}
    during = [t.object.value for t in triples if t.predicate.value == "http://www.w3.org/ns/org#memberDuring"]
    assert during and all("/phase-" in iri for iri in during)  # memberships over phases


@pytest.mark.parametrize("rate, conforms", [(0.0, True), (0.05, False)])
def test_hcn_validate_accepts_the_clean_graph_and_finds_the_deliberate_violations(
    tmp_path: Path, rate: float, conforms: bool
) -> None:
    from server.validation import Options, validate

    path = tmp_path / "synthetic.ttl"
    text, gen = generate.generate(2000, seed=1, violation_rate=rate)
    path.write_text(text, encoding="utf-8")
    report = validate(Options(paths=[str(path)], root=ROOT, lint=False))
    assert (report.exit_code == 0) is conforms, report.exit_code
    assert (gen.violations == 0) is conforms


def test_request_mix_asks_every_server_about_the_same_resources() -> None:
    import run

    ours = run.request_mix("hcn", "/sparql", cities=50, networks=3)
    theirs = run.request_mix("oxigraph", "/query", cities=50, networks=3)
    assert set(ours) == set(run.QUERIES)
    assert [r.body for r in ours["lookup"]] == [r.body for r in theirs["lookup"]]
    assert ours["document"][0].path.removeprefix("/doc/synthetic/") + ">" in theirs["document"][0].body
    assert "request = function" in run.wrk_script(ours["lookup"][:2])


def test_every_request_of_the_headline_mix_is_distinct() -> None:
    """Lookups and documents over every municipality and identifier; each /sparql text unique when sent."""
    import run

    mix = run.request_mix("hcn", "/sparql", cities=50, networks=3)
    names = {r.path.removeprefix("/doc/synthetic/") for r in mix["document"]}
    assert names == {f"{k}-{n}" for k in ("municipality", "identifier") for n in range(50)}
    assert len(mix["lookup"]) == 100 and len(mix["join"]) == 3 * 7 * 2
    for kind in ("lookup", "join", "aggregate", "download"):
        sent = [r.render(n) for n, r in enumerate(mix[kind] * 3)]
        assert len(set(sent)) == len(sent), kind
    repeated = [r.render(n) for n, r in enumerate(mix["lookup-repeated"])]
    assert len(set(repeated)) < len(repeated) == 200  # the earlier mix: texts repeat (the result cache's case)


def test_wrk_script_sends_exact_bytes() -> None:
    """CRLF survives (Lua long brackets would turn it into LF); quotes and backslashes are escaped."""
    import run

    assert run._lua_string('a"b\\c\r\n') == '"a\\034b\\092c\\013\\010"'
