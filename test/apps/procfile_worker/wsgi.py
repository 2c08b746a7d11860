"""Served by mod_wsgi; /heartbeat reports the Procfile worker's last heartbeat ("PID COUNT")."""

import os
import tempfile

HEARTBEAT = os.path.join(tempfile.gettempdir(), "worker-heartbeat")


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/heartbeat":
        try:
            with open(HEARTBEAT) as file:
                body = file.read()
        except FileNotFoundError:
            body = "no heartbeat\n"
    else:
        body = "Hello from procfile_worker\n"
    data = body.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
