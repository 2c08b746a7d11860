"""A Flask app built with the builder is served by mod_wsgi-express."""

from __future__ import annotations

import time

import pytest

import harness

pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def image(built):
    return built("flask_hello").assert_ok().image


@harness.USERS
def test_flask_app_answers_its_text_and_logs_the_request(image, containers, user):
    container = harness.serve(containers, image, user=user)
    status, body, _ = container.get("/")
    assert (status, body) == (200, b"Hello from flask_hello\n")
    logs = container.logs_with('"GET / HTTP/1.1" 200', "flask_hello: handled /")
    assert '"GET / HTTP/1.1" 200' in logs, logs
    assert "flask_hello: handled /" in logs, logs


def test_the_launcher_is_pid_1_with_apache_and_mod_wsgi_daemons_below_it(image, containers):
    container = containers(image)
    container.wait_ready()
    ps = container.exec("ps", "-o", "pid=,ppid=,args=", "-e").stdout.decode()
    rows = [line.split(None, 2) for line in ps.splitlines()]
    assert any(pid == "1" and "s2i-wsgi start" in args for pid, _, args in rows), ps
    assert any(ppid == "1" and args.startswith("apache2 (mod_wsgi-express)") for _, ppid, args in rows), ps
    assert "(wsgi:" in ps, ps  # mod_wsgi daemon processes


def test_flask_development_server_is_never_used(image, containers):
    container = containers(image)
    container.wait_ready()
    assert "Running on http" not in container.logs()
    _, _, headers = container.get("/")
    assert "Werkzeug" not in headers.get("Server", "")


def test_docker_health_status_becomes_healthy(image, containers):
    container = containers(image)
    container.wait_ready()
    deadline = time.monotonic() + 60
    status = ""
    while time.monotonic() < deadline:
        status = harness.engine("inspect", "--format", "{{.State.Health.Status}}", container.name).stdout.decode()
        if status.strip() == "healthy":
            break
        time.sleep(0.5)
    assert status.strip() == "healthy", container.logs()
