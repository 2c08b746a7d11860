"""Answers its marker and the versions of what uv installed."""

import six
from markupsafe import _speedups  # the compiled module: fails if the wheel was not built

MARKER = "incremental_uv v1"


def application(environ, start_response):
    body = f"{MARKER}: six {six.__version__} {_speedups.__name__}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
