"""A poetry project without poetry.lock: poetry locks it at build time, then the lock is installed."""

from importlib.metadata import version

import attrs


@attrs.define
class Marker:
    text: str


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{Marker('deps_poetry_no_lock').text}: attrs {version('attrs')}\n".encode()]
