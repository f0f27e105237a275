"""Remote mode over a real ``oxigraph serve``: the remote-mode suite (``tests/remote_suite.py``).

A module fixture starts Oxigraph on a free port and loads the shipped graph with ``hcn load``
(Graph Store Protocol + atomic swap); the suite's fixtures, the embedded HTTP tests and the
comparisons with the embedded backend run against it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import remote_suite
from oxigraph_support import OxigraphServer

globals().update(remote_suite.suite())


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph server with the shipped graph loaded by ``hcn load``."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    try:
        assert remote_suite.hcn_load(server) == 0
        yield server
    finally:
        server.stop()
