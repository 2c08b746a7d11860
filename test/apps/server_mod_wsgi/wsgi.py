"""Explicit WSGI_SERVER=mod_wsgi (the default, named): answers which server runs it."""


def application(environ, start_response):
    server = environ.get("SERVER_SOFTWARE", "?")
    if "uwsgi.version" in environ:
        server = "uWSGI/" + environ["uwsgi.version"].decode()
    if "mod_wsgi.version" in environ:
        server = "mod_wsgi/" + ".".join(str(part) for part in environ["mod_wsgi.version"])
    body = f"server_mod_wsgi served by {server}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
