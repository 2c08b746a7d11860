"""ASGI and WebSocket apps (issue #13), served in production with the same guarantees as WSGI apps.

FastAPI, Starlette, FastHTML, Django's asgi.py and a framework-free app, with pip, poetry and uv,
build through the real s2i and serve HTTP and WebSocket as UID 1001 and an arbitrary UID, never
through a WSGI server. Both ASGI servers (the default, gunicorn's arbiter with uvicorn workers,
and uvicorn's own supervisor, ASGI_SERVER=uvicorn) run as PID 1 and are held to the guarantees:
graceful stop with a request in flight, request and keep-alive timeouts, a blocked event loop,
logs on the terminal, workers from the CPU limit, health checks, WebSockets across `docker stop`.

Shared with the WSGI apps rather than repeated here: a read-only root, no capabilities and a random
UID (test_restricted.py), 64 keep-alive connections for a minute (test_load.py)."""

from __future__ import annotations

import concurrent.futures
import json
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

import pytest
from websockets.exceptions import ConnectionClosed

import harness


@dataclass(frozen=True)
class App:
    body: bytes  # the answer to GET /
    target: str | None  # the entry point; None: a command, which serves itself
    found: str = ""  # what the build's import check found
    websocket: str | None = None  # "text": /ws echoes text; "json": FastHTML's `msg` in JSON, "echo: " back
    pid1: str = "gunicorn"  # in PID 1's command line
    page: bool = False  # `body` is a fragment of an HTML page


APPS = {
    "asgi_plain": App(b"Hello from asgi_plain (ASGI 3.0)\n", "app:app", "an `async def` function", "text"),
    "asgi_fastapi_main": App(b"Hello from asgi_fastapi_main\n", "main:app", "FastAPI", "text"),
    "asgi_fastapi_poetry": App(b"Hello from asgi_fastapi_poetry\n", "main:app", "FastAPI", "text"),
    "asgi_starlette_pip": App(b"Hello from asgi_starlette_pip\n", "app:app", "Starlette", "text"),
    "asgi_fasthtml_uv": App(b"<p>Hello from asgi_fasthtml_uv</p>", "main:app", "FastHTML", "json", page=True),
    # The request's class says which of the project's handlers served it (asgi.py, not wsgi.py).
    "asgi_django": App(b"Hello from asgi_django (ASGIRequest)\n", "mysite.asgi:application", "ASGIHandler"),
    # The Procfile's line runs as written, with the port filled in.
    "asgi_procfile_uvicorn": App(
        b"Hello from asgi_procfile_uvicorn\n", None, pid1="uvicorn main:app --host 0.0.0.0 --port 8080"
    ),
}
DEFAULT_WHY = "the default for ASGI apps; ASGI_SERVER=uvicorn chooses uvicorn alone"
# ASGI_SERVER -> how the start line names the server and why it runs.
SERVED_BY = {
    "gunicorn": f"gunicorn with uvicorn workers ({DEFAULT_WHY})",
    "uvicorn": "uvicorn (ASGI_SERVER=uvicorn (from environment))",
}
PLAIN = APPS["asgi_plain"].body
# ASGI_SERVER -> the `docker run` options choosing it (none: the default).
SERVERS = {"gunicorn": (), "uvicorn": ("-e", "ASGI_SERVER=uvicorn")}
ASGI_SERVERS = pytest.mark.parametrize("server", list(SERVERS))
# The text of each message a WebSocket test sends, and what the apps echo.
MESSAGES = ("hello", "a second message", "ünïcode ✓ <b>&")


@pytest.fixture(scope="module")
def build(built, tmp_path_factory):
    """Each app built once for the module; the uv project is locked first with the builder's uv
    (a uv.lock names its index, so none is committed)."""
    sources = {}

    def build_app(app: str) -> harness.Build:
        if app == "asgi_fasthtml_uv" and app not in sources:
            sources[app] = harness.uv_locked(app, tmp_path_factory)
        return built(app, source=sources.get(app)).assert_ok()

    return build_app


def plain(build, containers, server: str, *run_args: str, user: str | None = None) -> harness.Container:
    """The framework-free app (test/apps/asgi_plain), served by `server`, once it answers."""
    return harness.serve(containers, build("asgi_plain").image, *SERVERS[server], *run_args, user=user)


def fetch(url: str, timeout: float = 30) -> tuple[int, bytes, float]:
    """(status, body, seconds it took)."""
    start = time.monotonic()
    status, body, _ = harness.request(url, timeout=timeout)
    return status, body, time.monotonic() - start


def program(command_line: str) -> str:
    """The program a command line runs: its first word that is not a Python interpreter."""
    words = [PurePosixPath(word).name for word in command_line.split()]
    return next(word for word in words if not word.startswith("python"))


def echoes(container: harness.Container, kind: str) -> list[str]:
    """What a WebSocket at /ws answers to each of MESSAGES, sent one after another on one connection."""
    answers = []
    with container.websocket() as ws:
        for message in MESSAGES:
            ws.send(json.dumps({"msg": message}) if kind == "json" else message)
            answers.append(ws.recv(timeout=10))
    return answers


def expected_echoes(kind: str) -> list[str]:
    return [f"echo: {message}" if kind == "json" else message for message in MESSAGES]


# ---------------------------------------------------------------------------
# Every app: built through s2i, served over HTTP and WebSocket, as UID 1001 and an arbitrary UID.


@harness.USERS
@pytest.mark.parametrize("app", list(APPS))
def test_an_asgi_app_builds_and_serves_http_and_its_websocket(build, containers, app, user):
    case = APPS[app]
    result = build(app)
    if case.target:
        verdict = f"{case.target} is an ASGI application ({case.found}, found by the build's import check)"
        assert f"---> {verdict}: served by {SERVED_BY['gunicorn']}\n" in result.output, result.output
    container = harness.serve(containers, result.image, user=user)
    status, body, _ = container.get("/")
    assert status == 200, container.logs()
    assert (case.body in body) if case.page else (body == case.body), (body, container.logs())
    if case.websocket:
        assert echoes(container, case.websocket) == expected_echoes(case.websocket), container.logs()
    assert case.pid1 in container.pid1(), container.logs()


@ASGI_SERVERS
@harness.USERS
def test_each_asgi_server_serves_http_and_websocket_as_pid_1(build, containers, server, user):
    container = plain(build, containers, server, user=user)
    assert container.get("/")[:2] == (200, PLAIN), container.logs()
    assert echoes(container, "text") == list(MESSAGES)
    with container.websocket() as ws:
        ws.send(b"\x00binary\xff")
        assert ws.recv(timeout=10) == b"\x00binary\xff"
    assert program(container.pid1()) == server, container.pid1()
    logs = container.logs()
    assert (
        "---> Serving app:app (app.py defines `app`), an ASGI app (an `async def` function, found by the build's "
        f"import check), with {SERVED_BY[server]} on port 8080: "
    ) in logs, logs
    # The app's lifespan startup ran in its worker.
    assert "asgi_plain: lifespan startup in " in logs


def test_detect_says_the_app_is_asgi_and_which_server_serves_it(build):
    result = harness.run_once(build("asgi_plain").image, "s2i-wsgi", "detect")
    out = harness.text(result)
    assert result.returncode == 0, out
    assert "interface:    ASGI (an `async def` function, found by the build's import check)\n" in out
    assert "server:       gunicorn with uvicorn workers\n" in out
    assert "threads:      none: an event loop per process; requests cancelled after 60 s\n" in out


@pytest.mark.parametrize(
    ("env", "error"),
    [
        (
            "WSGI_SERVER=waitress",
            "ERROR: WSGI_SERVER=waitress (from environment) chooses waitress, but app:app is an ASGI application.",
        ),
        ("APP_INTERFACE=wsgi", "ERROR: app:app is an ASGI application (an `async def` function), not a WSGI one."),
    ],
    ids=["wsgi-server", "app-interface-wsgi"],
)
def test_an_asgi_app_is_never_given_to_a_wsgi_server(built, env, error):
    result = built("asgi_plain", env)
    assert result.returncode != 0, result.output
    assert error in result.output, result.output
    assert "Traceback" not in result.output


def test_a_wsgi_server_chosen_at_run_time_for_an_asgi_app_stops_the_start(build):
    result = harness.run_once(build("asgi_plain").image, run_args=("-e", "WSGI_SERVER=mod_wsgi"))
    out = harness.text(result)
    assert result.returncode == 1, out
    assert (
        "ERROR: WSGI_SERVER=mod_wsgi (from environment) chooses mod_wsgi-express, but app:app is an ASGI application."
    ) in out
    assert "Traceback" not in out


# ---------------------------------------------------------------------------
# The guarantees, for both servers.


@ASGI_SERVERS
def test_docker_stop_lets_a_request_in_flight_finish_and_exits_0(build, containers, server):
    container = plain(build, containers, server)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        in_flight = pool.submit(fetch, f"{container.url}/sleep?s=3")
        assert "asgi_plain: sleeping 3 s" in container.logs_with("asgi_plain: sleeping 3 s", deadline=10)
        started = time.monotonic()
        harness.engine("stop", container.name, timeout=60)
        stopped_after = time.monotonic() - started
        status, body, _ = in_flight.result()
    logs = container.logs()
    assert (status, body) == (200, b"slept 3\n"), logs
    # Stopped by SIGTERM itself once the request was answered, not killed at Docker's 10 s.
    assert (container.state(), stopped_after < 9) == ("exited 0", True), (stopped_after, logs)
    assert "asgi_plain: lifespan shutdown in " in logs


@ASGI_SERVERS
def test_a_request_past_the_request_timeout_is_answered_504_while_others_are_served(build, containers, server):
    # One worker: the hung request and the others share one event loop.
    container = plain(build, containers, server, "-e", "WSGI_REQUEST_TIMEOUT=2", "-e", "WEB_CONCURRENCY=1")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        hung = pool.submit(fetch, f"{container.url}/hang")
        assert "asgi_plain: hanging" in container.logs_with("asgi_plain: hanging", deadline=10)
        for _ in range(5):
            assert fetch(f"{container.url}/")[:2] == (200, PLAIN)
        status, body, elapsed = hung.result()
    assert (status, body) == (504, b"Gateway Timeout: the request ran longer than the server allows.\n"), (
        container.logs()
    )
    assert 1.5 < elapsed < 5, elapsed
    assert fetch(f"{container.url}/")[:2] == (200, PLAIN)
    assert (
        "s2i-wsgi: GET /hang ran longer than the request timeout (2 s, WSGI_REQUEST_TIMEOUT): cancelled, answered 504"
    ) in container.logs()


@ASGI_SERVERS
def test_a_websocket_has_no_request_timeout(build, containers, server):
    container = plain(build, containers, server, "-e", "WSGI_REQUEST_TIMEOUT=2")
    with container.websocket() as ws:
        opened = time.monotonic()
        answered = 0
        while time.monotonic() - opened < 4:
            ws.send(f"message {answered}")
            assert ws.recv(timeout=5) == f"message {answered}"
            answered += 1
            time.sleep(0.25)  # pace the messages over twice the request timeout
    assert answered >= 10, answered


def test_a_worker_whose_event_loop_is_blocked_is_replaced_by_gunicorn(build, containers):
    container = plain(build, containers, "gunicorn", "-e", "WSGI_REQUEST_TIMEOUT=2", "-e", "WEB_CONCURRENCY=1")
    blocked_pid = container.get("/pid")[1].decode().strip()

    def outcome(url: str) -> str:
        try:
            return str(harness.request(url, timeout=60)[0])
        except OSError as error:
            return type(error).__name__

    def new_worker_answers() -> str | None:
        try:
            status, body, _ = harness.request(f"{container.url}/pid", timeout=2)
        except OSError:
            return None
        return body.decode().strip() if status == 200 and body.decode().strip() != blocked_pid else None

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        blocked = pool.submit(outcome, f"{container.url}/block?s=60")
        assert "asgi_plain: blocking" in container.logs_with("asgi_plain: blocking", deadline=10)
        started = time.monotonic()
        new_pid = harness.poll_until(new_worker_answers, deadline=30)
        recovered = time.monotonic() - started
        blocked_outcome = blocked.result()
    logs = container.logs()
    assert new_pid, logs
    assert recovered < 10, (recovered, logs)
    assert f"WORKER TIMEOUT (pid:{blocked_pid})" in logs
    # The blocked request's connection goes with its worker: no answer at all.
    assert blocked_outcome in {"RemoteDisconnected", "ConnectionResetError"}, blocked_outcome


def test_an_app_served_as_sclorgs_users_serve_asgi_gunicorn_cmd_args_with_uvicorns_worker_keeps_it(built, containers):
    image = built("asgi_fastapi_main", "GUNICORN_CMD_ARGS=-k uvicorn.workers.UvicornWorker").assert_ok().image
    container = harness.serve(containers, image, user=harness.ARBITRARY_USER)
    assert container.get("/")[:2] == (200, b"Hello from asgi_fastapi_main\n"), container.logs()
    assert "Using worker: uvicorn.workers.UvicornWorker" in container.logs()


@ASGI_SERVERS
def test_the_health_checks_answer_for_an_asgi_app(build, containers, server):
    container = plain(build, containers, server)
    for check in ("alive", "ready"):
        result = container.exec("s2i-wsgi", check)
        assert result.returncode == 0, harness.text(result)
        assert f"{check}: GET / on port 8080 answered 200" in harness.text(result)


@ASGI_SERVERS
def test_a_websocket_outlives_the_replacement_of_another_worker(build, containers, server):
    container = plain(build, containers, server, "-e", "WEB_CONCURRENCY=2")
    assert serving_processes(container, server, 2) == 2, container.logs()
    with container.websocket("/ws/pid") as ws:
        holder = ws.recv(timeout=10)
        workers = [pid for pid in worker_pids(container, server) if pid != holder]
        assert len(workers) == 1, (holder, workers)
        assert container.exec("kill", "-KILL", workers[0]).returncode == 0
        replaced = harness.poll_until(
            lambda: (pids := worker_pids(container, server)) and workers[0] not in pids and len(pids) == 2,
            deadline=30,
        )
        assert replaced, container.logs()
        ws.send("still here")
        assert ws.recv(timeout=10) == "still here"


def read_response(sock: socket.socket) -> bytes:
    """One whole HTTP/1.1 response with a Content-Length, read from `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before a whole response head: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed in the body: {data!r}"
        body += chunk
    return head + b"\r\n\r\n" + body


@ASGI_SERVERS
def test_an_idle_keep_alive_connection_is_closed_by_the_server_after_about_5_s(build, containers, server):
    container = plain(build, containers, server)
    with socket.create_connection(("127.0.0.1", container.port), timeout=30) as sock:
        request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{container.port}\r\n\r\n".encode()
        sock.sendall(request)
        assert read_response(sock).endswith(b"\r\n\r\n" + PLAIN)
        sock.sendall(request)  # kept alive: a second request on the same connection
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")
        idle_from = time.monotonic()
        after_idle = sock.recv(1)
        idle = time.monotonic() - idle_from
    assert after_idle == b"", after_idle
    assert 4 < idle < 8, idle


@ASGI_SERVERS
def test_the_access_log_and_the_apps_output_reach_the_terminal(build, containers, server):
    container = plain(build, containers, server)
    probe = uuid.uuid4().hex[:8]
    assert container.get(f"/?probe={probe}")[0] == 200
    assert container.get(f"/print?text=printed-{probe}")[:2] == (200, b"printed\n")
    access = f' - "GET /?probe={probe} HTTP/1.1" 200'
    logs = container.logs_with(access, f"printed-{probe}")
    assert access in logs, logs
    assert f"\nprinted-{probe}\n" in logs, logs


# The processes serving requests: gunicorn's workers; uvicorn's workers are spawned processes,
# except that uvicorn serves from its own process when it runs one worker.
def worker_pids(container: harness.Container, server: str) -> list[str]:
    """The process ids of the server's workers (children of PID 1 running the app)."""
    word = "gunicorn" if server == "gunicorn" else "spawn_main"
    ps = container.exec("ps", "-o", "ppid=,pid=,args=", "-e").stdout.decode()
    return [line.split()[1] for line in ps.splitlines() if line.split()[0] == "1" and word in line]


def serving_processes(container: harness.Container, server: str, expected: int) -> int:
    if server == "uvicorn" and expected == 1:
        return 1 if (container.get("/pid")[1], container.workers("spawn_main", 0)) == (b"1\n", 0) else 0
    return container.workers("gunicorn" if server == "gunicorn" else "spawn_main", expected)


@ASGI_SERVERS
@pytest.mark.parametrize("cpus", [1, 2])
def test_workers_follow_the_cpu_limit(build, containers, server, cpus):
    container = plain(build, containers, server, "--cpus", str(cpus))
    assert serving_processes(container, server, cpus) == cpus, container.exec("ps", "-ef").stdout.decode()
    noun = "process" if cpus == 1 else "processes"
    assert f"on port 8080: {cpus} {noun} ({cpus} CPUs), an event loop each\n" in container.logs()


@ASGI_SERVERS
def test_a_websocket_open_during_docker_stop_is_closed_with_1012_and_the_container_exits_0(build, containers, server):
    container = plain(build, containers, server)
    with container.websocket() as ws, concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        ws.send("before the stop")
        assert ws.recv(timeout=10) == "before the stop"
        started = time.monotonic()
        stopping = pool.submit(harness.engine, "stop", container.name, timeout=60)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=20)
        closed_after = time.monotonic() - started
        stopping.result()
    logs = container.logs()
    # The server closes it at once with 1012 (service restart), a clean close handshake: the
    # client knows to reconnect, to another replica.
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012, (closed.value, logs)
    assert closed_after < 5, (closed_after, logs)
    assert container.state() == "exited 0", logs
    assert "asgi_plain: websocket closed with code 1012" in logs
