"""A package found only on the index PIP_INDEX_URL names, locked in Pipfile.lock as from PyPI."""

from s2i_wsgi_index_marker import MARKER


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{MARKER}\n".encode()]
