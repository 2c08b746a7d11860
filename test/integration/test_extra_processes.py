"""Extra processes (issue: extra processes): a Procfile worker and a .s2i/supervisor program
run under supervisord beside mod_wsgi, with prefixed output, restarts after a crash and a clean
stop; without extra processes there is no supervisord."""

from __future__ import annotations

import time

import pytest

import harness

pytestmark = pytest.mark.reliability


@pytest.fixture(scope="module")
def worker_image(built):
    return built("procfile_worker").assert_ok().image


def heartbeat(container: harness.Container) -> tuple[str, int] | None:
    status, body, _ = container.get("/heartbeat", timeout=5)
    words = body.decode().split()
    # Before the worker's first beat the app answers "no heartbeat": not a beat yet.
    if status != 200 or len(words) != 2 or not words[1].isdigit():
        return None
    return words[0], int(words[1])


def beating(container: harness.Container, deadline: float = 10) -> tuple[str, int]:
    """The worker's heartbeat, once it has advanced (the worker is alive)."""
    first = harness.poll_until(lambda: heartbeat(container), deadline)
    assert first, container.logs()
    later = harness.poll_until(lambda: (beat := heartbeat(container)) and beat != first and beat, deadline)
    assert later, container.logs()
    return later


def processes(container: harness.Container) -> str:
    """Every process in the container (`ps` as seen from inside)."""
    return harness.text(container.exec("ps", "-eo", "pid,args"))


@pytest.mark.parametrize(
    "flags",
    [[], ["--user", "123456:0"], ["--read-only", "--tmpfs", "/tmp", "--user", "123456:0"]],
    ids=["default-user", "arbitrary-uid", "read-only-root"],
)
def test_a_procfile_worker_runs_beside_mod_wsgi_with_prefixed_output(worker_image, containers, flags):
    container = containers(worker_image, *flags)
    container.wait_ready()
    assert container.get("/")[:2] == (200, b"Hello from procfile_worker\n")
    beating(container)
    logs = container.logs()
    assert "---> Running the web server and worker (Procfile line 2) under supervisord" in logs
    assert "worker | worker started as pid" in logs
    assert "worker | worker beat 2" in logs
    assert "web    | 172.17.0.1 - - [" in logs or "web    | 127.0.0.1 - - [" in logs, logs
    assert "release must not run at start" not in logs
    ps = processes(container)
    pid_1 = next(line for line in ps.splitlines() if line.split()[0] == "1")
    assert "s2i-wsgi start" in pid_1, ps  # PID 1 stays the launcher, above supervisord
    assert "supervisord --nodaemon" in ps, ps


def test_a_program_that_cannot_stay_up_ends_the_container_naming_it(built, containers):
    container = containers(built("supervisor_fatal").assert_ok().image)
    deadline = time.monotonic() + 60
    while container.state().startswith("running") and time.monotonic() < deadline:
        time.sleep(0.5)
    logs = container.logs()
    assert container.state() == "exited 1", logs
    assert "crasher | crasher: the queue it needs is not there" in logs, logs
    assert "ERROR: The program crasher could not stay up: supervisord gave up restarting it (FATAL)" in logs, logs
    assert "Traceback" not in logs, logs


def test_a_killed_worker_is_restarted(worker_image, containers):
    container = containers(worker_image)
    container.wait_ready()
    pid, _ = beating(container)
    killed = container.exec("kill", "-9", pid)
    assert killed.returncode == 0, harness.text(killed)
    restarted = harness.poll_until(lambda: (beat := heartbeat(container)) and beat[0] != pid and beat, deadline=8)
    assert restarted, container.logs()
    assert "WARN exited: worker (exit status 137; not expected)" in container.logs()
    beating(container)  # and it beats again


def test_docker_stop_stops_every_process_gracefully_and_exits_0(worker_image, containers):
    container = containers(worker_image)
    container.wait_ready()
    beating(container)
    started = time.monotonic()
    harness.engine("stop", container.name, timeout=60)
    elapsed = time.monotonic() - started
    logs = container.logs()
    assert container.state() == "exited 0", logs
    assert elapsed < 10, (elapsed, logs)
    assert "worker | worker stopping on SIGTERM" in logs
    assert "caught SIGWINCH, shutting down gracefully" in logs
    assert "INFO stopped: worker (exit status 0)" in logs
    assert "INFO stopped: web (exit status 0)" in logs


def test_detect_lists_the_extra_processes(worker_image):
    result = harness.run_once(worker_image, "s2i-wsgi", "detect")
    out = harness.text(result)
    assert result.returncode == 0, out
    assert "extra:        worker (Procfile line 2)\n" in out
    assert "not run:      release (Procfile line 3): a one-off release task, not a long-running process\n" in out


def test_a_supervisor_program_file_runs_with_prefixed_output_and_supervisorctl_works(built, containers):
    container = containers(built("supervisor_programs").assert_ok().image, "--user", "123456:0")
    container.wait_ready()
    assert container.get("/")[:2] == (200, b"Hello from supervisor_programs\n")
    assert harness.poll_until(lambda: "clock | tick 2" in container.logs(), deadline=10), container.logs()
    assert "clock | clock started (port 8080)" in container.logs()
    status = container.exec("supervisorctl", "-c", "/tmp/s2i-wsgi/supervisord.conf", "status")
    out = harness.text(status)
    # The app's programs, and the listener that stops the container when one cannot stay up.
    assert "app:clock" in out and "app:web" in out and "s2i-wsgi-fatal" in out and out.count("RUNNING") == 3, out
    harness.engine("stop", container.name, timeout=60)
    assert container.state() == "exited 0", container.logs()


def test_without_extra_processes_there_is_no_supervisord(built, containers):
    container = containers(built("reliability").assert_ok().image)
    container.wait_ready()
    ps = processes(container)
    pid_1 = next(line for line in ps.splitlines() if line.split()[0] == "1")
    assert "s2i-wsgi start" in pid_1, ps
    assert "supervisord" not in ps
