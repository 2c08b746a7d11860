"""Django's collected static files for an ASGI Django app (asgi_static.py), driven as an ASGI
server drives it."""

from __future__ import annotations

import asyncio

import pytest

from s2i_wsgi.asgi_static import CHUNK, StaticFiles


async def django(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"from Django"})


def get(app, path, method="GET"):
    """(status, headers, body) of one request."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    asyncio.run(app({"type": "http", "method": method, "path": path}, receive, send))
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return sent[0]["status"], dict(sent[0]["headers"]), body


@pytest.fixture
def static(tmp_path):
    root = tmp_path / "static"
    (root / "css").mkdir(parents=True)
    (root / "css" / "site.css").write_text("body { color: teal }\n")
    (root / "big.bin").write_bytes(b"x" * (CHUNK * 2 + 5))
    (tmp_path / "secret.txt").write_text("not static\n")
    return StaticFiles(django, "/static/", str(root))


def test_a_file_under_the_prefix_is_served_with_its_type_and_length(static):
    assert get(static, "/static/css/site.css") == (
        200,
        {b"content-type": b"text/css", b"content-length": b"21"},
        b"body { color: teal }\n",
    )


def test_a_large_file_is_sent_whole_in_chunks(static):
    status, headers, body = get(static, "/static/big.bin")
    assert (status, len(body), headers[b"content-length"]) == (200, CHUNK * 2 + 5, str(CHUNK * 2 + 5).encode())


def test_head_has_the_headers_and_no_body(static):
    assert get(static, "/static/css/site.css", "HEAD")[::2] == (200, b"")


@pytest.mark.parametrize("path", ["/static/nothing.css", "/static/../secret.txt", "/static/css", "/static/"])
def test_what_is_not_a_file_inside_the_directory_is_404(static, path):
    assert get(static, path)[0] == 404


def test_other_paths_and_methods_reach_the_app_or_are_refused(static):
    assert get(static, "/admin/")[::2] == (200, b"from Django")
    assert get(static, "/staticfiles")[::2] == (200, b"from Django")
    assert get(static, "/static/css/site.css", "POST")[0] == 405
