"""A bare WSGI callable, no framework, no dependencies."""

import sys


def application(environ, start_response):
    body = f"Hello from wsgi_plain on Python {sys.version_info[0]}.{sys.version_info[1]}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
