"""``hcn serve --production``: the publisher under gunicorn (uvicorn workers, app preloaded once).

Each gunicorn worker is a uvicorn worker: HTTP parsed in C (httptools) on an uvloop event loop,
in front of :class:`server.production.asgi.Front`, which answers kept ``/sparql`` answers on the loop and
hands every other request to the Flask app in a pool of ``threads`` threads (a2wsgi).
The master builds the app once (``--preload``): the embedded store is parsed a single time and
every worker gets it copy-on-write. The query pool is *not* started in the master; gunicorn's
``post_fork`` hook starts one per worker, before that worker's threads exist, so no two processes
share a pool's sockets. Metrics use prometheus_client's multiprocess mode (one directory of
per-process files, summed at scrape time); ``child_exit`` marks dead workers.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from typing import Any

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from ..config import Settings

log = logging.getLogger("hcn.production")

#: Extra seconds gunicorn waits past the query deadline before it declares a worker stuck.
TIMEOUT_MARGIN_S = 20


def default_workers() -> int:
    """One worker per core (at least 2): queries already run in each worker's own process pool."""
    return max(2, os.cpu_count() or 1)


def gunicorn_options(settings: Settings, workers: int | None = None, threads: int | None = None) -> dict[str, Any]:
    """gunicorn settings for ``settings``: bind, worker count, threads per worker, timeouts above the deadline.

    >>> opts = gunicorn_options(Settings(query_timeout_s=10), workers=3, threads=8)
    >>> opts["workers"], opts["threads"], opts["timeout"], opts["worker_class"]
    (3, 8, 30, 'server.production.gunicorn.Worker')
    """
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers or default_workers(),
        "worker_class": "server.production.gunicorn.Worker",
        "threads": threads or 8,
        "preload_app": True,
        "timeout": int(settings.query_timeout_s + TIMEOUT_MARGIN_S),
        "graceful_timeout": int(settings.query_timeout_s + 5),
        "keepalive": 5,
        # each worker binds a listening socket of its own (SO_REUSEPORT): the kernel spreads new
        # connections over the workers, instead of the first one awake taking a burst of them all
        "reuse_port": True,
        "control_socket_disable": True,  # gunicorn 27 would open ~/.gunicorn/gunicorn.ctl
        "accesslog": None,  # server.request_log writes one line per request (with request id)
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "hcn",
        "post_fork": _post_fork,
        "child_exit": _child_exit,
    }


class ProductionServer(BaseApplication):  # type: ignore[misc]
    """A gunicorn application built from options and an app factory (no gunicorn config file)."""

    def __init__(self, options: Mapping[str, Any], overrides: Mapping[str, Any]) -> None:
        self._options = dict(options)
        self._overrides = dict(overrides)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from ..app import create_app
        from .asgi import Front

        front = Front(create_app(self._overrides, fork_workers=False), threads=self.cfg.threads)
        # what is loaded now lives as long as the server: out of the cyclic collector's reach, so no
        # forked worker's collection walks it and copies every page it sits on (copy-on-write)
        gc.freeze()
        return front


class Worker(UvicornWorker):  # type: ignore[misc]
    """uvicorn worker without uvicorn's access log and Server header (``server.operations.request_log`` logs)."""

    CONFIG_KWARGS = {"loop": "auto", "http": "auto", "access_log": False, "server_header": False,
                     "lifespan": "off"}


def _post_fork(server: Any, worker: Any) -> None:
    """In each new worker, before its threads start: this worker's own query pool."""
    server.app.callable.flask.extensions["hcn_store"].start_workers()


def _child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges from the multiprocess metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve(overrides: Mapping[str, Any], workers: int | None = None, threads: int | None = None) -> int:
    """Run gunicorn in this process until it is stopped (SIGTERM/SIGINT); returns the exit code."""
    settings = Settings.load(overrides)  # fail on bad settings before gunicorn starts
    workers = workers or default_workers()
    # the memory budget is shared out over every query worker of every gunicorn worker
    overrides = {**overrides, "query_memory_mb": settings.memory_budget_mb(workers)}
    metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    own_dir = metrics_dir is None
    if own_dir:  # must be set before prometheus_client is imported (it picks its value class then)
        metrics_dir = tempfile.mkdtemp(prefix="hcn-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    from ..operations.request_log import Formatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Formatter("%(asctime)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    # one access-log line per request: skip what no format here shows (the logging HOWTO's
    # "Optimization" section): caller lookup, thread names (gunicorn's error log shows the process id)
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = logging.logMultiprocessing = False
    try:
        ProductionServer(gunicorn_options(settings, workers, threads), overrides).run()
    except SystemExit as exc:  # gunicorn exits through sys.exit
        return int(exc.code or 0)
    finally:
        if own_dir and metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0
