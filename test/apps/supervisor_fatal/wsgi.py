"""Served beside a program that cannot stay up (.s2i/supervisor/crasher.conf)."""


def application(environ, start_response):
    body = b"Hello from supervisor_fatal\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
