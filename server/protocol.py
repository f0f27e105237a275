"""Reading HTTP requests strictly, shared by the SPARQL endpoint and the named-query API.

Query strings and form bodies are decoded as strict UTF-8 (werkzeug would replace bad bytes), and
bodies are refused past a size limit before they are read whole.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from .errors import BadRequest, PayloadTooLarge

#: Response headers that say a result was cut at the row cap; exposed to browsers by CORS.
ROW_HEADERS = "X-Result-Truncated, X-Row-Cap"


def parse_params(raw: bytes, what: str) -> MultiDict[str, str]:
    """Decode a query string or form body strictly as UTF-8 (werkzeug would replace bad bytes)."""
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=1000)
    except UnicodeDecodeError:
        raise BadRequest(f"the {what} is not valid UTF-8; send the query as UTF-8 (percent-encoded)") from None
    except ValueError as exc:
        raise BadRequest(f"the {what} could not be parsed: {exc}") from None
    return MultiDict(pairs)


def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes with 413 before reading it all."""
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge(f"request body too large: the limit is {limit} bytes")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"request body too large: the limit is {limit} bytes")
    return body
