"""Remote backend: any SPARQL 1.1 server (Oxigraph, Fuseki, QLever, Virtuoso) through SPARQLWrapper.

The rest of the publisher consumes pyoxigraph result objects, so this backend returns the same:

* Every query is first parsed (and SERVICE/updates refused) by an *empty* embedded store, so bad
  queries get exactly the embedded backend's 400 messages, and the query form is known before
  anything goes over the network.
* SELECT/ASK are fetched as SPARQL JSON and parsed with ``pyoxigraph.parse_query_results`` (an
  ASK answered as Virtuoso does, as a one-row ``__ASK_RETVAL`` SELECT, becomes the boolean);
  CONSTRUCT/DESCRIBE as N-Triples, loaded into a scratch in-memory store and read back as
  ``QueryTriples``. ``/sparql`` then serializes them with the same writers as the embedded path, so
  both backends answer with the same bytes for the same solutions.
* The dataset is the embedded one: unless the request or the query names its own (protocol
  parameters win, then ``FROM``), ``default-graph-uri`` = ontology + data (+ each harvested source
  of the root's ``harvest/`` folder) and ``named-graph-uri`` = all of those graphs (+ the harvest
  report), so a store holding other graphs answers the same.
* Named-query parameters (``substitutions``) become a trailing ``VALUES`` block of N-Triples terms.

Failures map to one status each: cannot connect → 503 "SPARQL backend unavailable"; no answer
within the deadline → 504; an answer that is not SPARQL results/RDF, or a server error → 502; an
answer the server marks as incomplete (Virtuoso's row limit → 502, its time limit → 504).
Nothing is cached between requests, so the backend coming back is noticed on the next request.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Mapping
from email.message import Message
from functools import partial
from pathlib import Path
from typing import Any

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolution,
    QuerySolutions,
    RdfFormat,
    Variable,
    parse,
    parse_query_results,
)
from pyoxigraph import Store as OxStore
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ..config import Settings
from ..literals import Rewrites
from ..errors import BadGateway, QueryTimeout
from ..formats import QueryResult
from ..graphs import DEFAULT_GRAPHS, FOLDERS, SOURCE_GRAPH, harvested_graphs
from ..querytext import has_dataset_clause
from .embedded import EmbeddedStore
from .execute import Job, ListSink, execute
from .pool import Answer, Claim
from .transport import public_url, transport_error

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
READ_BYTES = 64 * 1024
_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: The one variable of Virtuoso's answer to an ASK query (see ``_boolean``).
VIRTUOSO_ASK = Variable("__ASK_RETVAL")
_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


class RemoteStore:
    """A read-only view of a remote SPARQL 1.1 endpoint with the embedded store's interface."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._endpoint = settings.sparql_endpoint
        self._checker = EmbeddedStore(settings, OxStore())  # empty: parses and refuses, never answers
        self._graphs = {name: settings.graph_iri(name) for name in FOLDERS}
        harvested = sorted(harvested_graphs(settings.root))  # what ``hcn load`` put there from the same root
        self._sources = [settings.graph_iri(name) for name in harvested if name.startswith(SOURCE_GRAPH)]
        self._extra = [settings.graph_iri(name) for name in harvested]

    def run(self, job: Job, *, timeout_s: float, claim: Claim | None = None) -> Answer:
        """Answer ``job`` with the endpoint's results, written by the embedded path's serializers;
        ``claim`` is charged the time the remote store took."""
        started = time.monotonic()
        try:
            sink = ListSink()
            execute(partial(self._query, deadline=started + timeout_s), job, sink)
        finally:
            if claim is not None:
                claim.release(time.monotonic() - started)
        assert sink.meta is not None
        return Answer(sink.meta, sink)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
    ) -> QueryResult:
        """Run a read-only query at the endpoint within the configured query deadline."""
        deadline = time.monotonic() + self._settings.query_timeout_s
        return self._query(sparql, default_graphs=default_graphs, named_graphs=named_graphs,
                           substitutions=substitutions, deadline=deadline)

    def _query(
        self,
        sparql: str,
        *,
        deadline: float,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
    ) -> QueryResult:
        local = self._checker.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs,
                                    substitutions=substitutions)  # BadRequest exactly as embedded
        graph = not isinstance(local, QuerySolutions | QueryBoolean)
        text = sparql + ("\n" + _values(substitutions) if substitutions else "")
        client = self._client(text, graph, default_graphs, named_graphs, has_dataset_clause(sparql))
        data = self._fetch(client, deadline, N_TRIPLES if graph else RESULTS_JSON)
        return _parse(data, graph, ask=isinstance(local, QueryBoolean))

    def _client(
        self, text: str, graph: bool, default_graphs: list[str] | None, named_graphs: list[str] | None,
        own_dataset: bool,
    ) -> SPARQLWrapper:
        client = SPARQLWrapper(self._endpoint, agent="hcn-publisher")
        client.setQuery(text)
        client.queryType = "CONSTRUCT" if graph else "SELECT"  # known from the local parse, not a regex
        client.setMethod(POST)
        client.setOnlyConneg(True)  # no format=/output= parameters: Accept only
        client.addCustomHttpHeader("Accept", N_TRIPLES if graph else RESULTS_JSON)
        if self._settings.sparql_user:
            client.setCredentials(self._settings.sparql_user, self._settings.sparql_password)
            client.setHTTPAuth(self._settings.sparql_auth.upper())
        if default_graphs is not None or named_graphs is not None:
            defaults, named = default_graphs or [], named_graphs or []
        elif own_dataset:
            defaults, named = [], []
        else:
            defaults = [self._graphs[name] for name in DEFAULT_GRAPHS] + self._sources
            named = list(self._graphs.values()) + self._extra
        for iri in defaults:
            client.addDefaultGraph(iri)
        for iri in named:
            client.addNamedGraph(iri)
        return client

    def _fetch(self, client: SPARQLWrapper, deadline: float, expected: str) -> bytes:
        """The whole response body, read before ``deadline`` (each socket wait is bounded by what is left)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout("query timed out before it reached the SPARQL backend")
        client.timeout = remaining  # type: ignore[assignment]  # setTimeout() would round down to whole seconds
        try:
            response = client.query().response
            headers = response.headers
            media_type = (headers.get_content_type() or "").lower()
            chunks = []
            while chunk := response.read(READ_BYTES):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError("deadline passed while reading the answer")
            response.close()
        except (SPARQLWrapperException, OSError, http.client.HTTPException) as exc:
            raise transport_error(exc, self._endpoint) from None
        if media_type != expected:
            raise BadGateway(f"SPARQL backend at {public_url(self._endpoint)} answered {media_type or 'no type'}, "
                             f"not {expected}")
        _refuse_partial(headers, self._endpoint)
        return b"".join(chunks)

    def __len__(self) -> int:
        """Quads in the publisher's named graphs (the embedded store holds nothing else)."""
        rows = list(self.query(_QUADS, named_graphs=list(self._graphs.values()) + self._extra))  # type: ignore[arg-type]
        return int(rows[0]["n"].value) if rows else 0

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph IRI, zero for graphs the store lacks."""
        sizes = dict.fromkeys([*self._graphs.values(), *self._extra], 0)
        for row in self.query(_GRAPH_SIZES, named_graphs=list(sizes)):  # type: ignore[union-attr]
            sizes[row["g"].value] = int(row["n"].value)
        return sizes

    def rewrites(self) -> Rewrites:
        """None known: the remote server's own literal forms are served as it returns them."""
        return Rewrites(())

    def load_folders(self, root: Path) -> None:
        """Replace the three graphs on the server from ``root`` (Graph Store Protocol, see ``server.store.loader``)."""
        from .loader import load_release

        load_release(self._settings, root)

    def start_workers(self) -> None:
        """Nothing per process: every request opens its own connection."""

    def describe_backend(self) -> dict[str, Any]:
        """The endpoint, without credentials."""
        return {"kind": "remote", "endpoint": public_url(self._endpoint)}

    @property
    def memory_budget_mb(self) -> int:
        """No memory budget here: the remote store bounds its own queries."""
        return 0


def _refuse_partial(headers: Message, endpoint: str) -> None:
    """An error instead of an answer the server marked as cut short (Virtuoso answers 200 with
    ``X-SPARQL-MaxRows`` at its row limit, ``X-SQL-State: S1TAT`` at its "anytime" time limit)."""
    where = public_url(endpoint)
    if rows := headers.get("X-SPARQL-MaxRows"):
        raise BadGateway(f"SPARQL backend at {where} cut the answer at its row limit ({rows.strip()[:20]} rows; "
                         "Virtuoso's [SPARQL] ResultSetMaxRows)")
    if state := headers.get("X-SQL-State"):
        message = " ".join(headers.get("X-SQL-Message", "").split())[:200]
        error = QueryTimeout if state.strip() == "S1TAT" else BadGateway
        raise error(f"the SPARQL backend at {where} sent incomplete results ({state.strip()[:10]}: {message})")


def _values(substitutions: Mapping[str, Any]) -> str:
    """A trailing ``VALUES`` block binding each substituted variable to its term (N-Triples syntax)."""
    names = " ".join("?" + name for name in substitutions)
    return "VALUES (" + names + ") { (" + " ".join(map(str, substitutions.values())) + ") }"


def _boolean(variables: list[Variable], rows: list[QuerySolution]) -> QueryBoolean:
    """The boolean of an ASK answered as solutions: Virtuoso 7 answers ASK as ``SELECT ?__ASK_RETVAL``
    with one row (``1``) for true and none for false, in every results format."""
    if variables != [VIRTUOSO_ASK]:
        raise BadGateway("the SPARQL backend answered an ASK query with solutions, not a boolean")
    truth = any(row[0] is not None and row[0].value not in ("0", "false") for row in rows)
    return parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false"),  # type: ignore[no-any-return]
                               format=QueryResultsFormat.JSON)


def _parse(data: bytes, graph: bool, *, ask: bool = False) -> QueryResult:
    """pyoxigraph results from the endpoint's bytes; ``BadGateway`` when they do not parse."""
    try:
        if not graph:  # the parser is lazy: read everything once, so garbage fails here and not mid-response
            first = parse_query_results(data, format=QueryResultsFormat.JSON)
            if isinstance(first, QueryBoolean):
                return first
            rows = list(first)
            if ask:
                return _boolean(first.variables, rows)
            return parse_query_results(data, format=QueryResultsFormat.JSON)  # type: ignore[no-any-return]
        scratch = OxStore()  # the server's blank-node labels are kept: the same node in two answers stays equal
        scratch.extend(parse(data, format=RdfFormat.N_TRIPLES))
        return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")  # type: ignore[no-any-return]
    except (SyntaxError, ValueError, OSError) as exc:
        raise BadGateway(f"the SPARQL backend answered something unreadable: {exc}") from None
