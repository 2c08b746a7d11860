"""Restricted platforms, for every way the builder serves an app (issue #10 point 9): each app image
built through the real s2i runs with every restriction at once, as a platform with a restricted
policy runs it: a read-only root with a tmpfs on /tmp, no capabilities, no new privileges, and a
random UID in group 0. Each must answer its exact body, pass `s2i-wsgi ready`, stop on
`docker stop` with status 0 and log no permission error.

The servers come from the launcher's own table (servers.SERVERS): a server added there is tested
here at once, and the test fails until test/apps/server_<name> exists for it."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import pytest

import harness
from s2i_wsgi.servers import SERVERS

pytestmark = pytest.mark.reliability

# A new UID for every run: nothing may depend on 1001, or on any UID known when the image was built.
UID = random.SystemRandom().randrange(100_000, 2_000_000_000)
RESTRICTED = (
    "--read-only",
    "--tmpfs",
    "/tmp",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--user",
    f"{UID}:0",
)
# What a server writing where it may not, or needing a privilege it lacks, logs.
PERMISSION_ERRORS = ("Permission denied", "Read-only file system", "PermissionError", "Operation not permitted")


@dataclass(frozen=True)
class Case:
    app: str
    body: str
    run_env: tuple[str, ...] = ()
    build_env: tuple[str, ...] = ()  # NAME=value for the build (s2i -e)
    runtime_image: bool = False
    static: str | None = None  # a file of the app's static directory, served at /static/...
    log: str | None = None  # a line an extra process logs once it runs


def server_case(name: str) -> Case:
    app = f"server_{name}"
    return Case(app, harness.SERVED.get(app, ""))


CASES = {
    **{name: server_case(name) for name in SERVERS},
    "procfile-web": Case("procfile_web", "Hello from procfile_web\n"),
    "supervisord": Case("procfile_worker", "Hello from procfile_worker\n", log="worker | worker beat 2"),
    # The database moves to /tmp, the one writable place, so that migrations run at start.
    "django-static": Case(
        "django_collectstatic",
        "Hello from django_collectstatic (migrated)\n",
        run_env=("SQLITE_PATH=/tmp/db.sqlite3",),
        static="pages/site.css",
    ),
    # gunicorn serves the static files through WhiteNoise, which the build adds for it.
    "django-gunicorn": Case(
        "django_collectstatic",
        "Hello from django_collectstatic (migrated)\n",
        run_env=("SQLITE_PATH=/tmp/db.sqlite3",),
        build_env=("WSGI_SERVER=gunicorn",),
        static="pages/site.css",
    ),
    "runtime-image": Case("reliability", "Hello from reliability\n", runtime_image=True),
    # ASGI (issue #13): gunicorn with uvicorn workers (the default), and uvicorn's own supervisor.
    "asgi-gunicorn": Case("asgi_plain", "Hello from asgi_plain (ASGI 3.0)\n"),
    "asgi-uvicorn": Case("asgi_plain", "Hello from asgi_plain (ASGI 3.0)\n", run_env=("ASGI_SERVER=uvicorn",)),
}


@pytest.fixture(scope="module")
def build(builder):
    """Build each app once (cases differing only at run time share it), on the runtime image when
    the case says so; images removed afterwards."""
    builds: dict[tuple, harness.Build] = {}

    def build_case(case: Case) -> harness.Build:
        key = (case.app, case.build_env, case.runtime_image)
        if key not in builds:
            options = ("--runtime-image", harness.ensure_runtime()) if case.runtime_image else ()
            tag = f"s2i-wsgi-test-restricted-{case.app.replace('_', '-')}-{len(builds)}:{harness.RUN_ID}"
            builds[key] = harness.build_app(case.app, *case.build_env, tag=tag, options=options)
        return builds[key]

    yield build_case
    for result in builds.values():
        harness.remove_image(result.image)


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_serves_and_stops_cleanly_with_a_read_only_root_no_capabilities_and_a_random_uid(build, containers, case):
    assert (harness.APPS / case.app).is_dir() and case.body, (
        f"No test app for {case.app}: a server of servers.SERVERS needs test/apps/{case.app} choosing it "
        f"(WSGI_SERVER in .s2i/environment) and its body in harness.SERVED."
    )
    image = build(case).assert_ok().image
    run_env = [arg for item in case.run_env for arg in ("-e", item)]
    container = containers(image, *RESTRICTED, *run_env)
    container.wait_ready()

    status, body, _ = container.get("/")
    assert (status, body.decode()) == (200, case.body), container.logs()
    ready = container.exec("s2i-wsgi", "ready")
    assert (ready.returncode, ready.stdout.decode()) == (0, "ready: GET / on port 8080 answered 200\n"), harness.text(
        ready
    )
    if case.static:
        status, body, _ = container.get(f"/static/{case.static}")
        static_file = harness.APPS / case.app / "pages" / "static" / case.static
        assert (status, body) == (200, static_file.read_bytes()), container.logs()
    if case.log:
        assert case.log in container.logs_with(case.log, deadline=15), container.logs()

    # The restrictions really hold for the server (PID 1) and for a shell in the container.
    status_lines = container.exec("cat", "/proc/1/status").stdout.decode()
    assert "NoNewPrivs:\t1\n" in status_lines and "CapEff:\t0000000000000000\n" in status_lines, status_lines
    whoami = container.exec("bash", "-c", "id -u; whoami; touch /opt/app-root/src/probe")
    assert whoami.stdout.decode() == f"{UID}\ndefault\n", harness.text(whoami)
    assert "Read-only file system" in whoami.stderr.decode(), harness.text(whoami)

    started = time.monotonic()
    harness.engine("stop", container.name, timeout=60)
    elapsed = time.monotonic() - started
    logs = container.logs()
    # Under Docker's 10 s stop timeout: stopped by SIGTERM itself, not killed afterwards.
    assert (container.state(), elapsed < 10) == ("exited 0", True), (elapsed, logs)
    found = [error for error in PERMISSION_ERRORS if error in logs]
    assert not found, logs
