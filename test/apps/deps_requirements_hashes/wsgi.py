"""requirements.txt with --hash lines (pip's hash-checking mode)."""

import six


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"deps_requirements_hashes: six {six.__version__}\n".encode()]
