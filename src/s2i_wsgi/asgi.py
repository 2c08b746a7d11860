"""The module an ASGI server loads: the app, behind the request timeout (asgi_timeout.py), and for
a Django project with collected static files, behind the static file server (asgi_static.py).

The launcher writes it at start, in $TMPDIR (the root may be read-only), beside copies of those
two modules, and the server is given `s2i_wsgi_asgi:application` with that directory first on
PYTHONPATH. An app factory is called there, once per server process, as for a WSGI app
(factory.py).
"""

from __future__ import annotations

from pathlib import Path

from .detect import EntryPoint
from .paths import STATE_DIR

WRAPPER_DIR = STATE_DIR / "asgi"
WRAPPER_MODULE = "s2i_wsgi_asgi"
TIMEOUT_MODULE = "s2i_wsgi_asgi_timeout"
STATIC_MODULE = "s2i_wsgi_asgi_static"


def wrapper_source(entry: EntryPoint, seconds: int, static: tuple[str, str] | None = None) -> str:
    """`static`: Django's (STATIC_URL path, STATIC_ROOT) to serve before the app (django.static_alias)."""
    if entry.is_factory:
        load = f"from {entry.module} import {entry.callable} as _factory\n\n_app = _factory({entry.call})\n"
    else:
        load = f"from {entry.module} import {entry.callable} as _app\n"
    text = (
        f"# Written by s2i-wsgi at start: {entry.target}, cancelled after {seconds} s (WSGI_REQUEST_TIMEOUT).\n"
        f"from {TIMEOUT_MODULE} import RequestTimeout\n"
        f"{load}\n"
        f"application = RequestTimeout(_app, {seconds})\n"
    )
    if static:
        url, root = static
        text += (
            f"\n# Django's collected static files, served before the request reaches Django.\n"
            f"from {STATIC_MODULE} import StaticFiles\n\n"
            f"application = StaticFiles(application, {url!r}, {root!r})\n"
        )
    return text


def write(entry: EntryPoint, seconds: int, static: tuple[str, str] | None = None) -> None:
    # Imported here: they import asyncio, which a WSGI app's start (importing this module for its
    # constants) would otherwise pay for before Apache starts.
    from . import asgi_static, asgi_timeout  # noqa: PLC0415

    directory = WRAPPER_DIR
    directory.mkdir(parents=True, exist_ok=True)
    for module, name in ((asgi_timeout, TIMEOUT_MODULE), (asgi_static, STATIC_MODULE)):
        (directory / f"{name}.py").write_text(Path(module.__file__).read_text(encoding="utf-8"), encoding="utf-8")
    (directory / f"{WRAPPER_MODULE}.py").write_text(wrapper_source(entry, seconds, static), encoding="utf-8")
