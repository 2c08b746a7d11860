"""Named only by wsgi_app in gunicorn.conf.py."""


def handler(environ, start_response):
    body = f"server_gunicorn_conf served by {environ.get('SERVER_SOFTWARE', '?')}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
