"""Running a publisher: health checks, Prometheus metrics and the request log.

Owns: ``health`` (``/health``, liveness and readiness), ``metrics`` (``/metrics`` and the counters
every request updates), ``request_log`` (request ids and one access-log line per request) and
``admission`` (per-client limits on queries, shared by every web process).

May import: the shared top-level modules and ``store``. Never a view package, ``app`` or ``cli``.
"""
