"""mod_wsgi tuning variables: a URL alias served by Apache, trusted proxy headers."""


def application(environ, start_response):
    body = f"mod_wsgi_tuning scheme={environ['wsgi.url_scheme']}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
