"""A .python-version naming a Python no image variant has (3.12): a warning, then built and served."""

import platform


def application(environ, start_response):
    body = f"python_version_file on {platform.python_version()}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
