"""Named by a quoted APP_MODULE in .s2i/environment; answers with the quoted values it sees."""

import os


def application(environ, start_response):
    seen = " | ".join(os.environ.get(name, "<unset>") for name in ("GREETING", "SINGLE", "PLAIN"))
    body = f"env_quoted: {seen}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
