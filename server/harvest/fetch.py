"""HTTP GETs with the standard library: conditional (ETag, Last-Modified), bounded, failures as one error."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass

from .. import __version__

USER_AGENT = f"hcn-harvest/{__version__}"
#: The largest response read into memory (a dump bigger than this is refused, not truncated).
MAX_BYTES = 2 * 1024**3


class FetchError(Exception):
    """A URL that could not be fetched: unreachable, an HTTP error status, a broken-off answer."""


@dataclass(frozen=True)
class Fetched:
    """An answer: 200 with a body, or 304 (``not_modified``) with none; the validators to send next time."""

    status: int
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def get(url: str, accept: str, *, etag: str = "", last_modified: str = "", timeout_s: float = 120.0,
        max_bytes: int = MAX_BYTES) -> Fetched:
    """GET ``url``; with ``etag``/``last_modified`` a conditional request (RFC 9110 §13) that may answer 304."""
    headers = {"Accept": accept, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(f"{url}: larger than {max_bytes} bytes")
            return Fetched(response.status, body, response.headers.get("ETag", ""),
                           response.headers.get("Last-Modified", ""), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(304, etag=exc.headers.get("ETag", etag),
                           last_modified=exc.headers.get("Last-Modified", last_modified))
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: unreachable ({exc.reason})") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}") from None
