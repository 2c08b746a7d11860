"""poetry.lock installed by micropipenv, then the poetry-core project itself."""

from importlib.metadata import version

from poetry_marker import MARKER


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{MARKER.text}: attrs {version('attrs')}\n".encode()]
