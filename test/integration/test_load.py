"""Sustained keep-alive load: no errors, no dropped connections (127.0.0.1 only, bounded), for a WSGI
app (mod_wsgi, the default) and an ASGI app under both ASGI servers."""

from __future__ import annotations

import os

import pytest

import loadgen

pytestmark = pytest.mark.reliability

SECONDS = float(os.environ.get("S2I_WSGI_LOAD_SECONDS", "60"))
# id -> (app, path, `docker run` options)
CASES = {
    "hello": ("reliability", "/", ()),
    "sleep-20ms": ("reliability", "/sleep/0.02", ()),
    "asgi-hello": ("asgi_plain", "/", ()),
    "asgi-uvicorn-hello": ("asgi_plain", "/", ("-e", "ASGI_SERVER=uvicorn")),
}


@pytest.mark.parametrize(("app", "path", "run_args"), list(CASES.values()), ids=list(CASES))
def test_64_keep_alive_connections_get_only_2xx_and_no_socket_errors(built, containers, app, path, run_args):
    container = containers(built(app).assert_ok().image, *run_args)
    container.wait_ready()
    result = loadgen.run(container.port, path, connections=64, seconds=SECONDS)
    assert result.requests > 0, result.summary()
    assert result.non_2xx == 0, result.summary() + "\n" + container.logs()[-3000:]
    assert not result.errors, result.summary() + "\n" + container.logs()[-3000:]
    assert "MaxRequestWorkers" not in container.logs()
