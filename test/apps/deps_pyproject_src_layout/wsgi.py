"""A hatchling project with a src layout and no requirements.txt: `pip install .` installs it."""

from hatch_marker import MARKER


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{MARKER}\n".encode()]
