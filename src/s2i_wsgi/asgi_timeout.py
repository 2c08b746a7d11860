"""The request timeout for ASGI apps: what mod_wsgi's --request-timeout is for WSGI ones.

uvicorn has no limit on how long a request may run, and gunicorn's worker timeout only sees an
event loop that stops turning, not one slow request among many. So the launcher serves an ASGI app
wrapped in RequestTimeout: an HTTP request that runs longer than WSGI_REQUEST_TIMEOUT is cancelled
(its task gets CancelledError at its next await) and answered 504 if its response had not started;
if it had, the connection is closed, as nothing else can tell the client the answer is cut short.
Either way one line on the terminal says which request it was. WebSocket connections and the
lifespan protocol are passed through untouched: a WebSocket is meant to stay open.

Code that blocks the event loop (time.sleep in an `async def`) cannot be cancelled; gunicorn's
heartbeat catches that and replaces the worker (servers/asgi.py).

Stdlib only, and free of the launcher's other modules: the launcher copies this file next to the
wrapper module it writes at start (asgi.py), and the app's interpreter imports it from there.
"""

from __future__ import annotations

import asyncio
import sys

BODY = b"Gateway Timeout: the request ran longer than the server allows.\n"


class RequestTimeout:
    """An ASGI 3 app that runs `app`, cancelling any HTTP request still running after `seconds`."""

    def __init__(self, app, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self.seconds:
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            # asyncio.timeout() cancels this task in place; wait_for() would start a task per request.
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, watched)
        except TimeoutError:
            what = f"{scope.get('method', '')} {scope.get('path', '')}".strip()
            answer = "the connection is closed, as the answer had begun" if started else "answered 504"
            print(
                f"s2i-wsgi: {what} ran longer than the request timeout ({self.seconds:g} s, "
                f"WSGI_REQUEST_TIMEOUT): cancelled, {answer}",
                file=sys.stderr,
                flush=True,
            )
            if started:
                return
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(BODY)).encode())]
            await send({"type": "http.response.start", "status": 504, "headers": headers})
            await send({"type": "http.response.body", "body": BODY})
