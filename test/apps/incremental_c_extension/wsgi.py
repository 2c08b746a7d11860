"""Answers its marker and the version of the C extension it imports."""

import markupsafe
from markupsafe import _speedups  # the compiled module: fails if the wheel was not built

MARKER = "incremental_c_extension v1"


def application(environ, start_response):
    body = f"{MARKER}: markupsafe {markupsafe.__version__} {_speedups.__name__}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
