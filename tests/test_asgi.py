"""The production front (server/asgi.py): kept answers from the event loop, all else through Flask."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask

from server.endpoint.result_cache import ResultCache
from server.production.asgi import Front
from asgi_support import drive

QUERY = "SELECT ?label WHERE { <https://w3id.org/healthy-cities/id/organisation/sandnes-kommune> " \
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"


def call(front: Front, method: str, query_string: bytes = b"", body: bytes = b"",
         headers: list[tuple[bytes, bytes]] | None = None, chunks: int = 1) -> tuple[int, dict[str, str], bytes]:
    """One request to /sparql through the ASGI app: status, headers (lower-case names) and body."""
    status, names, answer = drive(front, method, "/sparql", query_string, body, headers, chunks)
    return status, dict(names), answer


@pytest.fixture
def front(app: Flask) -> Front:
    cache = app.extensions["hcn_result_cache"]
    assert isinstance(cache, ResultCache)
    cache.clear()
    return Front(app, threads=2)


def post(front: Front, body: bytes, chunks: int = 1) -> tuple[int, dict[str, str], bytes]:
    headers = [(b"content-type", b"application/sparql-query"), (b"content-length", str(len(body)).encode())]
    return call(front, "POST", body=body, headers=headers, chunks=chunks)


def test_a_miss_goes_through_flask_and_the_repeat_is_answered_on_the_loop(front: Front) -> None:
    assert front.cache is not None
    post(front, QUERY.encode(), chunks=3)  # the body, read for the key, still reaches the app
    misses = front.cache.misses
    first = post(front, QUERY.encode(), chunks=3)  # asked again: the answer is kept
    hits = front.cache.hits
    second = post(front, QUERY.encode())
    assert first[0] == second[0] == 200 and b"Sandnes" in first[2] and second[2] == first[2]
    assert front.cache.hits == hits + 1 and front.cache.misses == misses + 1
    same = {k: v for k, v in first[1].items() if k != "x-request-id"}
    assert {k: v for k, v in second[1].items() if k != "x-request-id"} == same
    assert first[1]["x-request-id"] != second[1]["x-request-id"]


def test_get_requests_share_the_key_with_the_wsgi_side(front: Front) -> None:
    qs = ("query=" + quote(QUERY)).encode()
    accept = [(b"accept", b"text/csv")]
    first, second, third = (call(front, "GET", qs, headers=accept) for _ in range(3))
    assert first[1]["content-type"].startswith("text/csv") and third[2] == second[2] == first[2]
    assert front.cache is not None and len(front.cache.entries) == 1


def test_raw_non_ascii_query_bytes_get_the_apps_400(front: Front) -> None:
    status, headers, body = call(front, "GET", b"query=\xff\xfe")
    assert status == 400 and headers["content-type"].startswith("text/plain") and b"UTF-8" in body


def test_a_body_shorter_than_its_length_is_not_a_key_and_reaches_flask(front: Front) -> None:
    headers = [(b"content-type", b"application/sparql-query"), (b"content-length", b"999")]
    status, _, body = call(front, "POST", body=QUERY.encode(), headers=headers)
    assert status == 200 and b"Sandnes" in body  # Flask read what came
    assert front.cache is not None and not front.cache.entries


def test_a_chunked_body_without_length_reaches_flask(front: Front) -> None:
    status, _, body = call(front, "POST", body=QUERY.encode(), chunks=4,
                           headers=[(b"content-type", b"application/sparql-query"), (b"transfer-encoding", b"chunked")])
    assert status == 200 and b"Sandnes" in body


@pytest.mark.parametrize("headers", [
    [(b"host", b"data.example.org:8443"), (b"accept", b"text/csv"), (b"accept", b"application/json;q=0.5"), (b"content-type", b"application/sparql-query"),
     (b"content-length", b"12"), (b"x-request-id", b"abc"), (b"if-none-match", b'"x"'), (b"range", b"bytes=0-1")],
    [(b"if-modified-since", b"Mon, 01 Jan 2024 00:00:00 GMT"), (b"if-match", b"*"), (b"if-unmodified-since", b"x"),
     (b"if-range", b"y"), (b"user-agent", b"t"), (b"cache-control", b"no-cache")],
    [(b"x_request_id", b"mine-42"), (b"if_none_match", b'"y"'), (b"content_type", b"text/plain"), (b"host", b"h")],
    [],
])
def test_the_fronts_environ_matches_a2wsgis_where_the_cache_reads_it(headers: list[tuple[bytes, bytes]]) -> None:
    import io

    from a2wsgi.wsgi import build_environ

    from server.endpoint.result_cache import PASS_HEADERS
    from server.production.asgi import cache_environ

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": "/base/sparql", "root_path": "/base",
             "scheme": "https",
             "query_string": b"query=a%20b&format=csv", "headers": headers, "client": ("10.0.0.1", 1)}
    ours, theirs = cache_environ(scope), build_environ(scope, io.BytesIO())  # type: ignore[arg-type]
    read = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "REMOTE_ADDR", "CONTENT_TYPE", "CONTENT_LENGTH",
            "HTTP_ACCEPT", "HTTP_X_REQUEST_ID", "HTTP_HOST", "HTTP_CACHE_CONTROL", "wsgi.url_scheme", "SCRIPT_NAME",
            *PASS_HEADERS)
    assert {k: ours.get(k) for k in read} == {k: theirs.get(k) for k in read}


def test_a_script_name_from_the_environment_is_applied_like_a2wsgi(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from a2wsgi.wsgi import build_environ

    from server.production.asgi import cache_environ

    monkeypatch.setenv("SCRIPT_NAME", "/hcn")
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "path": "/sparql", "root_path": "",
             "query_string": b"query=x", "headers": [(b"host", b"h")]}
    ours, theirs = cache_environ(scope), build_environ(scope, io.BytesIO())  # type: ignore[arg-type]
    assert (ours["SCRIPT_NAME"], ours["PATH_INFO"]) == (theirs["SCRIPT_NAME"], theirs["PATH_INFO"]) == ("/hcn", "/sparql")
