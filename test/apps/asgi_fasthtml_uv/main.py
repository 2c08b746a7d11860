"""A FastHTML app as FastHTML's own docs start one: `app, rt = fast_app()` in main.py, a Starlette
app underneath; a uv project (pyproject.toml + uv.lock). uv.lock records the index it was made
against, so the tests make it with the builder's pinned uv (`uv lock`) instead of committing it.

/ answers the marker as a page; /ws is FastHTML's WebSocket route: the client sends JSON (as
htmx's ws extension does) and `msg` comes back prefixed."""

from fasthtml.common import P, fast_app

app, rt = fast_app()


@rt("/")
def get():
    return P("Hello from asgi_fasthtml_uv")


@app.ws("/ws")
async def ws(msg: str):
    return f"echo: {msg}"
