"""Health checks: ``/health/live`` (the process answers), ``/health/ready`` and ``/health`` (the store answers).

Readiness runs one tiny ``ASK {}`` through the same path as ``/sparql`` (the query pool, or the
remote endpoint) with a short deadline, so a dead pool or an unreachable SPARQL server turns the
answer into 503 with the reason. The JSON never includes credentials.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from ..errors import HcnError
from ..store import Store
from ..store.execute import Job

bp = Blueprint("health", __name__, url_prefix="/health")

#: Deadline of the readiness probe: short, so a load balancer learns quickly.
PROBE_TIMEOUT_S = 2.0
PROBE = Job("ASK {}", choices={"results": "json"})


def probe(store: Store, timeout_s: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """Ask the store a trivial question; reachable or not, with latency or the error message."""
    started = time.perf_counter()
    try:
        answer = store.run(PROBE, timeout_s=timeout_s)
        b"".join(answer.body)
    except HcnError as exc:
        return {"reachable": False, "status": exc.status, "error": str(exc)}
    return {"reachable": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _answer(body: dict[str, Any], ok: bool) -> Response:
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/live")
def live() -> Response:
    """Liveness: the web process answers requests (never touches the store)."""
    return _answer({"status": "ok"}, True)


@bp.route("", strict_slashes=False)
@bp.route("/ready")
def ready() -> Response:
    """Readiness: the backend answers a query within ``PROBE_TIMEOUT_S``; 503 with the reason if not."""
    store: Store = current_app.extensions["hcn_store"]
    backend = {**store.describe_backend(), **probe(store)}
    ok = bool(backend["reachable"])
    return _answer({"status": "ok" if ok else "unavailable", "live": True, "ready": ok, "backend": backend}, ok)
