"""Running a publisher: health checks, Prometheus metrics and the request log.

Owns: ``health`` (``/health``, liveness and readiness), ``metrics`` (``/metrics`` and the counters
every request updates) and ``request_log`` (request ids and one access-log line per request).

May import: the shared top-level modules and ``store``. Never a view package, ``app`` or ``cli``.
"""
