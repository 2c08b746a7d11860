"""Apps laid out the ways people lay them out are found and served."""

from __future__ import annotations

import time

import pytest

import harness


@harness.USERS
@pytest.mark.parametrize(
    ("app", "marker"),
    [
        ("wsgi_plain", b"Hello from wsgi_plain on Python 3."),
        ("app_module_package", b"Hello from app_module_package\n"),
        ("app_home_subdir", b"Hello from app_home_subdir in web &lt;ok&gt;\n"),
        ("procfile_web", b"Hello from procfile_web\n"),
        ("app_sh_script", b"Hello from app_sh_script\n"),
    ],
)
def test_app_answers_its_marker(built, containers, app, marker, user):
    container = harness.serve(containers, built(app).assert_ok().image, user=user)
    status, body, _ = container.get("/")
    assert status == 200, container.logs()
    assert body.startswith(marker), (body, container.logs())


def test_detect_explains_an_explicit_app_module(built):
    image = built("app_module_package").assert_ok().image
    result = harness.run_once(image, "s2i-wsgi", "detect")
    out = result.stdout.decode()
    assert "entry point:  shop.web.api:storefront" in out, harness.text(result)
    # s2i bakes .s2i/environment into the image as ENV; the launcher still names the file it came from.
    assert "because:      APP_MODULE=shop.web.api:storefront (from .s2i/environment)" in out


def test_procfile_command_gets_port_and_runs_as_pid_1(built, containers):
    container = harness.serve(containers, built("procfile_web").assert_ok().image)
    ps = container.exec("ps", "-o", "pid=,args=", "-p", "1").stdout.decode()
    assert "gunicorn --bind 0.0.0.0:8080" in ps, ps


def test_an_asgi_app_found_where_a_wsgi_callable_is_expected_is_served_by_an_asgi_server(built, containers):
    result = built("asgi_fastapi_main").assert_ok()
    assert (
        "---> main:app is an ASGI application (FastAPI, found by the build's import check): served by gunicorn "
        "with uvicorn workers (the default for ASGI apps; ASGI_SERVER=uvicorn chooses uvicorn alone)\n"
    ) in result.output
    container = harness.serve(containers, result.image)
    assert container.get("/")[:2] == (200, b"Hello from asgi_fastapi_main\n"), container.logs()
    assert "gunicorn" in container.pid1(), container.logs()


def zombies(container: harness.Container) -> list[str]:
    """The container's processes that ended and that no one has reaped (state Z)."""
    listed = container.exec("ps", "-eo", "stat=,comm=")
    assert listed.returncode == 0, harness.text(listed)
    return [line.split(None, 1)[1] for line in harness.text(listed).splitlines() if line.startswith("Z")]


def spawn_and_wait(container: harness.Container) -> list[str]:
    """Leave an orphan that ends after 0.2 s, and the zombies once it has ended (1 s later)."""
    assert container.get("/spawn")[:2] == (200, b"spawned\n")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "sleep" not in harness.text(container.exec("ps", "-eo", "comm=")).split() or zombies(container):
            break
        time.sleep(0.1)
    return zombies(container)


@harness.USERS
def test_enable_init_wrapper_reaps_what_a_command_leaves_behind_as_sclorgs_does(built, containers, user):
    image = built("command_init_wrapper").assert_ok().image
    # Without it, the app's own server is PID 1 and never reaps the orphan it inherits.
    bare = harness.serve(containers, image, user=user)
    assert bare.get("/")[1] == b"Hello from command_init_wrapper: PID 1 is python\n"
    assert spawn_and_wait(bare) == ["sleep"]
    wrapped = harness.serve(containers, image, "-e", "ENABLE_INIT_WRAPPER=true", user=user)
    assert wrapped.get("/")[1] == b"Hello from command_init_wrapper: PID 1 is dumb-init\n"
    assert spawn_and_wait(wrapped) == []
    # dumb-init passes SIGTERM on to the server, which it ends (no 10 s wait for SIGKILL).
    harness.engine("stop", "--time", "10", wrapped.name, timeout=60)
    assert wrapped.state() == "exited 143", wrapped.logs()[-2000:]
