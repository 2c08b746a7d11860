"""A package found only in warpdrive's .warpdrive/wheelhouse."""

from s2i_wsgi_wheelhouse_marker import MARKER


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{MARKER}\n".encode()]
