"""The harvester's memory between runs (``harvest/state.json``): validators, outcomes, the graph served.

Not served: the published form of the same facts is the harvest graph (``provenance``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"


@dataclass(frozen=True)
class Loaded:
    """What the graph currently served for a source was made from."""

    dataset: str
    download: str
    media_type: str
    retrieved: str
    sha256: str
    byte_size: int
    release: str
    licence: str
    endpoint: str
    triples: int
    conforms: bool
    counts: dict[str, int]
    shapes: list[str]
    release_iri: str = ""  # the publisher's release (dcat:hasCurrentVersion) these facts are, if it named one


@dataclass
class SourceState:
    """One source across runs: the last attempt, the last success, and the validators for the next request."""

    name: str
    location: str = ""
    void_etag: str = ""
    void_modified: str = ""
    dump_url: str = ""
    dump_etag: str = ""
    dump_modified: str = ""
    last_attempt: str = ""
    last_success: str = ""
    outcome: str = ""
    findings: list[str] = field(default_factory=list)
    loaded: Loaded | None = None


def load_states(folder: Path) -> dict[str, SourceState]:
    """The states of the last run (none before the first run, or if the file is unreadable)."""
    try:
        raw = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    known = {f.name for f in fields(SourceState)}
    states = {}
    for name, entry in raw.get("sources", {}).items():
        values = {k: v for k, v in entry.items() if k in known}
        loaded = values.pop("loaded", None)
        states[name] = SourceState(**values, loaded=Loaded(**loaded) if loaded else None)
    return states


def save_states(folder: Path, states: dict[str, SourceState]) -> None:
    """Write the states atomically."""
    data: dict[str, Any] = {"sources": {name: asdict(state) for name, state in sorted(states.items())}}
    replace_file(folder / STATE_FILE, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path``, flush it to disk, then rename it over ``path`` (atomic on POSIX)."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
