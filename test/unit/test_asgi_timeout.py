"""The request timeout an ASGI app is served behind (asgi_timeout.py), driven as an ASGI server
drives it, on this machine's event loop."""

from __future__ import annotations

import asyncio

from s2i_wsgi.asgi_timeout import BODY, RequestTimeout


def serve(app, scope):
    """Run one connection of `app`; the messages it sent."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


HTTP = {"type": "http", "method": "GET", "path": "/slow"}


def sleeper(seconds, *, start_first=False):
    async def app(scope, receive, send):
        if start_first:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(seconds)
        await send({"type": "http.response.body", "body": b"done"})

    return app


def test_a_request_within_the_timeout_is_answered_by_the_app_untouched():
    assert serve(RequestTimeout(sleeper(0), 5), HTTP) == [{"type": "http.response.body", "body": b"done"}]


def test_a_request_over_the_timeout_is_cancelled_and_answered_504_with_a_line_saying_which(capsys):
    sent = serve(RequestTimeout(sleeper(30), 0.05), HTTP)
    assert [message.get("status") for message in sent] == [504, None]
    assert sent[1]["body"] == BODY
    assert capsys.readouterr().err == (
        "s2i-wsgi: GET /slow ran longer than the request timeout (0.05 s, WSGI_REQUEST_TIMEOUT): cancelled, "
        "answered 504\n"
    )


def test_a_request_whose_answer_had_begun_is_cut_without_a_second_answer(capsys):
    sent = serve(RequestTimeout(sleeper(30, start_first=True), 0.05), HTTP)
    assert [message["type"] for message in sent] == ["http.response.start"]
    assert "cancelled, the connection is closed, as the answer had begun" in capsys.readouterr().err


def test_websockets_and_lifespan_are_never_cut():
    for kind in ("websocket", "lifespan"):
        assert serve(RequestTimeout(sleeper(0.2), 0.05), {"type": kind}) == [
            {"type": "http.response.body", "body": b"done"}
        ]
