"""Pure modules: settings precedence and the doctests of config, formats and querytext."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from server import config, formats, querytext
from server.config import Settings
from server.errors import ConfigError


def test_settings_precedence_defaults_then_environment_then_explicit(tmp_path: Path) -> None:
    env = {"HCN_BASE_IRI": "http://env.example/", "HCN_PORT": "9000", "HCN_ROOT": str(tmp_path)}
    assert Settings.load(environ={}).port == 8000
    from_env = Settings.load(environ=env)
    assert (from_env.base_iri, from_env.port, from_env.root) == ("http://env.example/", 9000, tmp_path.resolve())
    explicit = Settings.load({"port": 9100, "base_iri": "http://explicit.example/"}, environ=env)
    assert (explicit.base_iri, explicit.port, explicit.root) == ("http://explicit.example/", 9100, tmp_path.resolve())


@pytest.mark.parametrize(
    ("explicit", "environ"),
    [({"colour": "red"}, {}), ({"base_iri": "ftp://x/"}, {}), ({}, {"HCN_MAX_ROWS": "many"})],
)
def test_invalid_settings_raise_config_error(explicit: dict, environ: dict) -> None:
    with pytest.raises(ConfigError):
        Settings.load(explicit, environ=environ)


@pytest.mark.parametrize("module", [config, formats, querytext])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("# INSERT in a comment\nSELECT * { ?s ?p ?o }", False),
        ("BASE <http://x/> PREFIX a: <http://a/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
        ("prefix a: <http://a/>\n  load <http://x/data.ttl>", True),
        ("SELECT ?insert { ?insert ?p 'DELETE' }", False),
    ],
)
def test_looks_like_update(text: str, update: bool) -> None:
    assert querytext.looks_like_update(text) is update
