"""Where a request was addressed: its root URL, worked out once per scheme, host and mount point.

werkzeug's ``request.url_root`` decodes the host (IDNA) and rebuilds the URL on every request; the
documents name it in their ETag and JSON-LD context, so every document paid for it. The answer
depends only on the environ fields below (a proxy-fixing middleware rewrites those before us).
"""

from __future__ import annotations

from werkzeug.wrappers import Request

#: The environ fields ``url_root`` is made from.
FIELDS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")
#: At most this many different roots are remembered (hostile Host headers cannot grow it further).
MAX_ROOTS = 1024

_roots: dict[tuple[str | None, ...], str] = {}


def root_url(req: Request) -> str:
    """``req.url_root``, remembered per (scheme, host, server name and port, mount point)."""
    environ = req.environ
    key = tuple(environ.get(name) for name in FIELDS)
    root = _roots.get(key)
    if root is None:
        root = req.url_root  # werkzeug's answer (and its errors, e.g. an untrusted host)
        if len(_roots) < MAX_ROOTS:
            _roots[key] = root
    return root
