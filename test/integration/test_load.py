"""Sustained keep-alive load: no errors, no dropped connections (127.0.0.1 only, bounded)."""

from __future__ import annotations

import os

import pytest

import loadgen

pytestmark = pytest.mark.reliability

SECONDS = float(os.environ.get("S2I_WSGI_LOAD_SECONDS", "60"))


@pytest.fixture(scope="module")
def image(built):
    return built("reliability").assert_ok().image


@pytest.mark.parametrize("path", ["/", "/sleep/0.02"], ids=["hello", "sleep-20ms"])
def test_64_keep_alive_connections_get_only_2xx_and_no_socket_errors(image, containers, path):
    container = containers(image)
    container.wait_ready()
    result = loadgen.run(container.port, path, connections=64, seconds=SECONDS)
    assert result.requests > 0, result.summary()
    assert result.non_2xx == 0, result.summary() + "\n" + container.logs()[-3000:]
    assert not result.errors, result.summary() + "\n" + container.logs()[-3000:]
    assert "MaxRequestWorkers" not in container.logs()
