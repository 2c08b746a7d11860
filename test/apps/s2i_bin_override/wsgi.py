"""Built by its own .s2i/bin/assemble and started by its own .s2i/bin/run."""

import os
from pathlib import Path


def application(environ, start_response):
    assembled = Path(__file__).with_name("assembled.txt").read_text().strip()
    body = f"s2i_bin_override: {assembled}; started by {os.environ.get('RUN_SCRIPT', 'the builder run')}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
