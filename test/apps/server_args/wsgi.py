"""mod_wsgi-express with extra options from .warpdrive/server_args."""


def application(environ, start_response):
    body = f"server_args marker={environ.get('SERVER_ARGS_MARKER', 'missing')}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
