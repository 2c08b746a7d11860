"""The WSGI side of a mixed app: every path but /ws is served by mod_wsgi."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"Hello from asgi_mount_wsgi's WSGI app at {environ['PATH_INFO']}\n".encode()]
