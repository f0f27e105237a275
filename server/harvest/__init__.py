"""``hcn harvest``: the aggregator's side. Collects publishers' dumps, checks and republishes them.

Owns: ``config`` (SOURCES.toml or URLs), ``fetch`` (conditional HTTP GETs with the stdlib),
``discovery`` (a publisher's VoID/DCAT: dataset, dumps, licence, endpoint), ``provenance`` (the
harvest graph in PROV/DCAT terms, from the harvester's state), ``feed`` (catching up through a
publisher's change feed: its RDF Patches applied to the graph held) and ``run`` (one source at a
time: download, verify, validate, swap in atomically; the state that makes the next run incremental).

The output is the ``harvest/`` folder of an hcn root (see ``server.graphs``), served by ``hcn serve``.

May import: the shared top-level modules, ``validation`` (the engine of ``hcn validate``) and
``changes`` (the canonical blank-node labels the feed's patches use).
"""

from .config import Source, read_sources
from .run import Outcome, harvest

__all__ = ["Outcome", "Source", "harvest", "read_sources"]
