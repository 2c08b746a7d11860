"""Django's collected static files for an ASGI Django app, served before the request reaches Django.

Under mod_wsgi, Apache serves STATIC_ROOT at STATIC_URL; under gunicorn or waitress, WhiteNoise wraps
the WSGI app. WhiteNoise has no ASGI interface, and an ASGI server has no static file handler, so
the launcher serves an ASGI Django app wrapped in StaticFiles: GET and HEAD requests under the prefix
are answered from the directory (in 64 KiB chunks, read off the event loop), a path that leaves the
directory or names no file is 404, and everything else goes to the app.

Stdlib only, and free of the launcher's other modules: the launcher copies this file next to the
wrapper module it writes at start (asgi.py), and the app's interpreter imports it from there.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os

CHUNK = 64 * 1024
NOT_FOUND = b"Not Found\n"


class StaticFiles:
    """An ASGI 3 app serving the files under `root` at the URL path `prefix`, and `app` for the rest."""

    def __init__(self, app, prefix: str, root: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/") + "/"
        self.root = os.path.realpath(root)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _answer(send, 405, b"Method Not Allowed\n", [(b"allow", b"GET, HEAD")])
            return
        path = os.path.realpath(os.path.join(self.root, scope["path"][len(self.prefix) :]))
        if not path.startswith(self.root + os.sep) or not os.path.isfile(path):
            await _answer(send, 404, NOT_FOUND)
            return
        await _send_file(send, path, head=scope["method"] == "HEAD")


async def _answer(send, status: int, body: bytes, headers: list | None = None) -> None:
    fixed = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": fixed + (headers or [])})
    await send({"type": "http.response.body", "body": body})


async def _send_file(send, path: str, *, head: bool) -> None:
    kind, encoding = mimetypes.guess_type(path)
    if encoding:  # app.js.gz is a gzip file to whoever asks for it by that name, as Apache serves it
        kind = "application/octet-stream"
    headers = [
        (b"content-type", (kind or "application/octet-stream").encode()),
        (b"content-length", str(os.path.getsize(path)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    if head:
        await send({"type": "http.response.body", "body": b""})
        return
    loop = asyncio.get_running_loop()
    with open(path, "rb") as file:  # the reads below run in the executor, off the event loop
        while True:
            chunk = await loop.run_in_executor(None, file.read, CHUNK)
            more = len(chunk) == CHUNK
            await send({"type": "http.response.body", "body": chunk, "more_body": more})
            if not more:
                return
