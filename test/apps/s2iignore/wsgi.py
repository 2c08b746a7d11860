"""Its .s2iignore keeps local files out of the image; answers with the files it was built with."""

from pathlib import Path


def application(environ, start_response):
    here = Path(__file__).parent
    names = sorted(p.name for p in here.iterdir() if p.name != "__pycache__")
    body = ("s2iignore: " + " ".join(names) + "\n").encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
