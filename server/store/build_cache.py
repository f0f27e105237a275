"""Child process that builds the on-disk store cache (``python -m server.store.build_cache``).

A fresh process, so no RocksDB handle or loader thread exists in the server when it forks workers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..config import Settings
from ..errors import HcnError
from .embedded import EmbeddedStore
from .ondisk import rebuild


def main(argv: list[str]) -> int:
    """Child process entry point: FOLDER VERSION ROOT BASE_IRI; exit 2 with the message on bad input."""
    folder, version, root, base_iri = argv
    settings = Settings(root=Path(root), base_iri=base_iri)
    try:
        rebuild(Path(folder), version, lambda target: EmbeddedStore(settings, target).bulk_load(settings.root))
    except HcnError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
