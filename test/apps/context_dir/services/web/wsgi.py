"""The app of a repository built with --context-dir services/web."""


def application(environ, start_response):
    body = b"context_dir: served from services/web\n"
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
