"""Dataset publication: dump files of the ontology + data graphs."""

from __future__ import annotations

import gzip
from pathlib import Path

from . import formats
from .store import Store

ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

#: Dump file name -> format name; ``.gz`` names are gzip-compressed.
DUMPS: dict[str, str] = {
    "healthy-cities.ttl": "ttl",
    "healthy-cities.nt.gz": "nt",
    "healthy-cities.jsonld": "jsonld",
}


def write_dumps(store: Store, out_dir: Path) -> list[Path]:
    """Write every dump of the SPARQL default graph (ontology + data) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, format_name in DUMPS.items():
        data = formats.serialize(store.query(ALL_TRIPLES), formats.by_name("graph", format_name))
        path = out_dir / file_name
        path.write_bytes(gzip.compress(data, mtime=0) if file_name.endswith(".gz") else data)
        written.append(path)
    return written
