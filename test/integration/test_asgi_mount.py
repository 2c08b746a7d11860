"""A WSGI app with an ASGI part under a prefix (ASGI_MOUNT): Apache serves the WSGI app and proxies
/ws, WebSocket upgrades included, to uvicorn beside it."""

from __future__ import annotations

import time

import harness

APP = "asgi_mount_wsgi"


def wait_for_the_asgi_part(container: harness.Container, deadline: float = 20) -> None:
    """Apache answers before uvicorn has made its socket (503 until then, retried at each request)."""
    end = time.monotonic() + deadline
    while container.get("/ws/hello")[0] == 503 and time.monotonic() < end:
        time.sleep(0.2)


@harness.USERS
def test_the_wsgi_app_and_the_asgi_part_answer_each_on_its_own_paths(built, containers, user):
    result = built(APP).assert_ok()
    assert "/ws is proxied by Apache to chat:app, served by uvicorn under supervisord (ASGI_MOUNT)" in result.output
    container = harness.serve(containers, result.image, user=user)
    wait_for_the_asgi_part(container)
    assert container.get("/")[:2] == (200, b"Hello from asgi_mount_wsgi's WSGI app at /\n")
    assert container.get("/wsgi/ws")[:2] == (200, b"Hello from asgi_mount_wsgi's WSGI app at /wsgi/ws\n")
    status, body, _ = container.get("/ws/hello")
    # The prefix reaches the app as its root_path; the client is the one Apache saw, not Apache.
    assert status == 200, container.logs()
    assert body.startswith(b"Hello from chat at /ws/hello (root_path /ws) for "), body
    assert not body.endswith(b"for -\n"), body
    with container.websocket("/ws/chat") as ws:
        for number in range(3):
            ws.send(f"message {number}")
            assert ws.recv(timeout=10) == f"chat echoes message {number}"
    logs = container.logs_with('"GET / HTTP/1.1" 200', '"WebSocket /ws/chat" [accepted]')
    assert '"GET / HTTP/1.1" 200' in logs  # Apache's access log
    assert '"WebSocket /ws/chat" [accepted]' in logs  # uvicorn's, prefixed by its program name
    assert "asgi-mount" in logs


def test_docker_stop_stops_both_and_exits_0(built, containers):
    container = harness.serve(containers, built(APP).assert_ok().image)
    wait_for_the_asgi_part(container)
    assert container.get("/ws/hello")[0] == 200
    harness.engine("stop", "--time", "20", container.name, timeout=60)
    assert container.state() == "exited 0", container.logs()


def test_a_wsgi_app_named_by_asgi_mount_stops_the_build_with_why(built):
    result = built(APP, "ASGI_MOUNT=/ws=wsgi:application")
    assert result.returncode != 0
    assert (
        "ERROR: ASGI_MOUNT names wsgi:application, which is a WSGI application (function), not an ASGI one."
        in result.output
    )
    assert "Traceback" not in result.output
