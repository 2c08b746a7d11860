"""The module an ASGI server loads: the app, behind the request timeout (asgi_timeout.py).

The launcher writes it at start, in $TMPDIR (the root may be read-only), beside a copy of
asgi_timeout.py, and the server is given `s2i_wsgi_asgi:application` with that directory first
on PYTHONPATH. An app factory is called there, once per server process, as for a WSGI app
(factory.py).
"""

from __future__ import annotations

from pathlib import Path

from . import asgi_timeout
from .detect import EntryPoint
from .paths import STATE_DIR

WRAPPER_DIR = STATE_DIR / "asgi"
WRAPPER_MODULE = "s2i_wsgi_asgi"
TIMEOUT_MODULE = "s2i_wsgi_asgi_timeout"


def wrapper_source(entry: EntryPoint, seconds: int) -> str:
    if entry.is_factory:
        load = f"from {entry.module} import {entry.callable} as _factory\n\n_app = _factory({entry.call})\n"
    else:
        load = f"from {entry.module} import {entry.callable} as _app\n"
    return (
        f"# Written by s2i-wsgi at start: {entry.target}, cancelled after {seconds} s (WSGI_REQUEST_TIMEOUT).\n"
        f"from {TIMEOUT_MODULE} import RequestTimeout\n"
        f"{load}\n"
        f"application = RequestTimeout(_app, {seconds})\n"
    )


def write(entry: EntryPoint, seconds: int) -> None:
    directory = WRAPPER_DIR
    directory.mkdir(parents=True, exist_ok=True)
    timeout_source = Path(asgi_timeout.__file__).read_text(encoding="utf-8")
    (directory / f"{TIMEOUT_MODULE}.py").write_text(timeout_source, encoding="utf-8")
    (directory / f"{WRAPPER_MODULE}.py").write_text(wrapper_source(entry, seconds), encoding="utf-8")
