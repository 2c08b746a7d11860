"""WSGI or ASGI, as far as reading the entry point's file can tell (the build's import check is
the judge; this is what decides when it gave no verdict: interface.py at the top of the package).

An ASGI app is recognised by what binds its name last, without running code:
- a call of a known ASGI application class or function (`app = FastAPI()`, `Starlette(...)`,
  Django's `get_asgi_application()`, FastHTML's `app, rt = fast_app()`), or
- an `async def app(scope, receive, send)`.
Anything else reads as WSGI, the default the servers have always assumed.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .python_files import last_bindings, read_source

# Callables whose result is an ASGI application, by the name they are called with (the last part
# of a dotted name: `fastapi.FastAPI()` counts as `FastAPI`). Flask, Bottle, Pyramid and Falcon's
# `falcon.App` are WSGI; `falcon.asgi.App` is the one dotted case told apart below.
ASGI_CONSTRUCTORS: dict[str, str] = {
    "FastAPI": "FastAPI",
    "Starlette": "Starlette",
    "Quart": "Quart",
    "Litestar": "Litestar",
    "FastHTML": "FastHTML",
    "fast_app": "FastHTML",
    "get_asgi_application": "Django (get_asgi_application)",
    "ProtocolTypeRouter": "Django Channels (ProtocolTypeRouter)",
}


def _called_name(value: ast.expr) -> str | None:
    """`FastAPI` for `FastAPI(...)` and `fastapi.FastAPI(...)`; `asgi.App` for `falcon.asgi.App()`."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        if func.attr == "App" and isinstance(func.value, ast.Attribute) and func.value.attr == "asgi":
            return "asgi.App"
        return func.attr
    return None


def asgi_framework(path: Path, name: str) -> str | None:
    """What makes `name` in the file an ASGI application ("FastAPI", "an async def", ...), or None."""
    node = last_bindings(ast.parse(read_source(path)).body, {}).get(name)
    if isinstance(node, ast.AsyncFunctionDef):
        return "an `async def`"
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        called = _called_name(node.value)
        if called == "asgi.App":
            return "Falcon (falcon.asgi.App)"
        return ASGI_CONSTRUCTORS.get(called or "")
    return None
