"""A package from a password-protected index, and what the build hook saw of the build secrets."""

from pathlib import Path

from s2i_wsgi_secret_marker import MARKER

SEEN = (Path(__file__).parent / "secrets_seen.txt").read_text(encoding="utf-8").strip()


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{MARKER} {SEEN}\n".encode()]
