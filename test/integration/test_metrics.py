"""Seeing inside the server (issue: capacity metrics, a live view and mod_wsgi-express's debugging
aids): METRICS_PORT's Prometheus text scraped from real containers under real load, the slow-request
log, and the development aids, each working in development mode and refused in production mode."""

from __future__ import annotations

import concurrent.futures
import re
import subprocess
import threading
import uuid

import pytest

import harness
import loadgen

METRICS = 9100


@pytest.fixture(scope="module")
def image(built):
    return built("reliability").assert_ok().image


def with_metrics(containers, image: str, *run_args: str) -> tuple[harness.Container, str]:
    """A container serving METRICS_PORT, and the URL of its /metrics."""
    container = containers(image, "-e", f"METRICS_PORT={METRICS}", "-p", f"127.0.0.1::{METRICS}", *run_args)
    container.wait_ready()
    return container, f"http://127.0.0.1:{container.published(METRICS)}/metrics"


def scrape(url: str) -> dict[str, float]:
    """Every sample of a Prometheus text page, by name and labels."""
    status, body, headers = harness.request(url, timeout=10)
    assert status == 200, body
    assert headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def until(url: str, condition, deadline: float = 20) -> dict[str, float]:
    """The first scrape for which `condition(samples)` holds, or an AssertionError with the last one."""
    last: dict[str, float] = {}

    def check():
        last.clear()
        last.update(scrape(url))
        return condition(last)

    assert harness.poll_until(check, deadline=deadline, interval=0.25), last
    return last


def test_capacity_rises_under_load_and_falls_back_and_every_process_is_counted(image, containers):
    container, url = with_metrics(containers, image, "-e", "MOD_WSGI_PROCESSES=2", "-e", "MOD_WSGI_THREADS=2")
    ok = 'mod_wsgi_requests_total{status="2xx"}'
    # wait_ready's request is counted too: wait for it, so that the load's can be told apart.
    idle = until(url, lambda s: s["mod_wsgi_processes"] == 2 and s["mod_wsgi_threads"] == 4 and s[ok] >= 1)
    assert idle["mod_wsgi_capacity_utilization"] < 0.05 and idle["mod_wsgi_requests_in_flight"] == 0, idle
    busy: dict[str, float] = {}
    with loadgen.steady(container.port, [loadgen.Clients("/sleep/0.2", 8)]) as load:
        busy = until(url, lambda s: s["mod_wsgi_capacity_utilization"] >= 0.9 and s["mod_wsgi_requests_in_flight"] == 4)
        pids = [name for name in busy if name.startswith("mod_wsgi_process_capacity_utilization{")]
        assert len(pids) == 2 and all(busy[name] >= 0.5 for name in pids), busy  # both processes take work
    assert load.failed == 0, load.summary()
    after = until(url, lambda s: s["mod_wsgi_capacity_utilization"] == 0 and s["mod_wsgi_requests_in_flight"] == 0)
    answered = after[ok] - idle[ok]
    assert answered == load.requests, (load.summary(), idle, after)
    assert after["mod_wsgi_request_duration_seconds_count"] == after[ok]
    # Each took 0.2 s in the app: in mod_wsgi's bucket [192, 224) ms, under the 0.256 edge, over 0.128.
    le_128, le_256 = (f'mod_wsgi_application_duration_seconds_bucket{{le="{edge}"}}' for edge in ("0.128", "0.256"))
    assert after[le_256] - after[le_128] == answered, after
    assert after["mod_wsgi_queue_duration_seconds_sum"] > 0, after  # 8 clients, 4 threads: requests queued
    assert after["mod_wsgi_process_restarts_total"] == 0
    # The app's own port never serves the metrics: /metrics there is the app's.
    assert container.get("/metrics")[:2] == (200, b"Hello from reliability\n")


def test_a_stuck_request_shows_in_flight_and_in_the_slow_request_log(image, containers):
    container, url = with_metrics(containers, image, "-e", "MOD_WSGI_SLOW_REQUESTS=1")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        pool.submit(container.get, "/hang", 60)  # cut when the container is removed
        stuck = until(
            url,
            lambda s: (
                s["mod_wsgi_requests_in_flight"] == 1
                and max(v for k, v in s.items() if k.startswith("mod_wsgi_process_oldest_request_seconds")) >= 2
            ),
        )
        assert stuck["mod_wsgi_capacity_utilization"] > 0, stuck
        status, body, _ = container.get("/sleep/1.5")
        assert (status, body) == (200, b"slept 1.5\n")
        logs = container.logs_with("took", deadline=10)
        container.remove()
    assert re.search(
        r"WARNING: Slow request: GET /hang still running after 1\.\d{3} s \(queued 0\.\d{3} s; daemon process \d+\)",
        logs,
    ), logs
    assert re.search(
        r"WARNING: Slow request: GET /sleep/1\.5 took 1\.5\d\d s \(queued 0\.\d{3} s, in the app 1\.5\d\d s; "
        r"status 200; daemon process \d+\)",
        logs,
    ), logs


def test_a_killed_daemon_process_is_counted_as_a_restart_on_a_restricted_platform(image, containers):
    restricted = ("--read-only", "--tmpfs", "/tmp", "--user", harness.ARBITRARY_USER, "--cap-drop", "ALL")
    container, url = with_metrics(containers, image, "-e", "MOD_WSGI_PROCESSES=1", *restricted)
    before = until(url, lambda s: s["mod_wsgi_processes"] == 1 and s["mod_wsgi_threads"] > 0)
    assert (before["mod_wsgi_process_starts_total"], before["mod_wsgi_process_restarts_total"]) == (1, 0), before
    pid = container.get("/pid")[1].decode().strip()
    assert f'mod_wsgi_process_threads{{pid="{pid}"}}' in before, before
    killed = container.exec("kill", "-9", pid)
    assert killed.returncode == 0, harness.text(killed)
    after = until(url, lambda s: s["mod_wsgi_process_restarts_total"] == 1 and s["mod_wsgi_processes"] == 1)
    assert after["mod_wsgi_process_starts_total"] == 2, after
    assert f'mod_wsgi_process_threads{{pid="{pid}"}}' not in after, after
    assert container.get("/")[0] == 200


def test_metrics_port_with_a_server_other_than_mod_wsgi_is_refused(image):
    ran = harness.run_once(image, run_args=("-e", "METRICS_PORT=9100", "-e", "WSGI_SERVER=gunicorn"))
    assert ran.returncode != 0
    assert (
        "ERROR: METRICS_PORT is set, but the app is served by gunicorn, not mod_wsgi.\n\n"
        "METRICS_PORT reads mod_wsgi's own telemetry, which only mod_wsgi's daemon processes send.\n\n"
        "Unset METRICS_PORT. For gunicorn's own metrics, send them to a statsd server: "
        'GUNICORN_CMD_ARGS="--statsd-host=HOST:PORT" '
        "(Prometheus's statsd_exporter turns them into Prometheus metrics)."
    ) in harness.text(ran)


# ---------------------------------------------------------------------------
# mod_wsgi-express's development aids.


def assert_refused_in_production(image: str, name: str) -> None:
    """The aid `name` stops the start, with why, unless SERVER_MODE=development."""
    ran = harness.run_once(image, run_args=("-e", f"{name}=true"))
    assert ran.returncode != 0
    output = harness.text(ran)
    assert f"ERROR: {name} is set (from environment), and SERVER_MODE is production (the default).\n\n" in output
    assert f"Unset {name} for a deployed app. To use it while developing, set SERVER_MODE=development too." in output


def test_reload_on_changes_is_refused_in_production_and_restarts_the_app_when_its_code_changes(image, containers):
    assert_refused_in_production(image, "MOD_WSGI_RELOAD_ON_CHANGES")
    container = containers(image, "-e", "SERVER_MODE=development", "-e", "MOD_WSGI_RELOAD_ON_CHANGES=true")
    container.wait_ready()
    pid = container.get("/pid")[1]
    edited = container.exec("sh", "-c", "echo '# edited' >> wsgi.py")
    assert edited.returncode == 0, harness.text(edited)

    def new_process():
        try:
            status, body, _ = container.get("/pid", timeout=5)
        except OSError:
            return None
        return status == 200 and body != pid

    assert harness.poll_until(new_process, deadline=15), container.logs()


def test_the_recorder_is_refused_in_production_and_keeps_each_request_and_response(image, containers):
    assert_refused_in_production(image, "MOD_WSGI_ENABLE_RECORDER")
    container = containers(image, "-e", "SERVER_MODE=development", "-e", "MOD_WSGI_ENABLE_RECORDER=true")
    container.wait_ready()
    status, body, _ = container.get("/sleep/0", **{"X-Marker": "recorded"})
    assert (status, body) == (200, b"slept 0\n")
    archive = "/tmp/mod_wsgi-8080/archive"
    shown = container.exec("sh", "-c", f"cat {archive}/*.iheaders; cat {archive}/*.oheaders; cat {archive}/*.ocontent")
    assert shown.returncode == 0, harness.text(shown)
    recorded = shown.stdout.decode()
    assert "'HTTP_X_MARKER': 'recorded'" in recorded, recorded
    assert "'PATH_INFO': '/sleep/0'" in recorded, recorded
    assert "('200 OK'," in recorded, recorded
    assert recorded.endswith("slept 0\n"), recorded


@pytest.fixture
def interactive():
    """A container run with `docker run -i`: its stdin a pipe, its output read as it comes."""
    started: list[tuple[str, subprocess.Popen]] = []

    def run(image: str, *run_args: str) -> tuple[harness.Container, subprocess.Popen, list[bytes]]:
        name = f"s2i-wsgi-test-{uuid.uuid4().hex[:10]}"
        argv = [harness.ENGINE, "run", "-i", "--name", name, "--label", harness.LABEL, "-p", "127.0.0.1::8080"]
        process = subprocess.Popen(
            [*argv, *run_args, image], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        started.append((name, process))
        output: list[bytes] = []
        # Chunks as they come, not lines: pdb's prompt has no newline.
        reader = threading.Thread(
            target=lambda: output.extend(iter(lambda: process.stdout.read1(4096), b"")), daemon=True
        )
        reader.start()
        container = harness.Container(name, image)
        assert harness.poll_until(lambda: container.state().startswith("running"), deadline=30), b"".join(output)
        container.port = container.published(8080)
        return container, process, output

    yield run
    for name, process in started:
        harness.engine("rm", "-f", name, check=False)
        process.wait(timeout=30)


def test_the_debugger_is_refused_in_production_and_stops_at_an_uncaught_exception_in_pdb(image, interactive):
    assert_refused_in_production(image, "MOD_WSGI_ENABLE_DEBUGGER")
    container, process, output = interactive(image, "-e", "SERVER_MODE=development", "-e", "MOD_WSGI_ENABLE_DEBUGGER=1")
    container.wait_ready()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        failing = pool.submit(container.get, "/fail", 30)
        assert harness.poll_until(lambda: b"(Pdb) " in b"".join(output), deadline=15), b"".join(output)
        process.stdin.write(b"p divisor, path\n")
        process.stdin.flush()
        assert harness.poll_until(lambda: b"(0, '/fail')" in b"".join(output), deadline=10), b"".join(output)
        assert not failing.done()  # the request waits while the debugger has it
        process.stdin.write(b"c\n")
        process.stdin.flush()
        status, _, _ = failing.result(timeout=15)
    assert status == 500
    shown = b"".join(output).decode()
    assert '-> body = f"{1 / divisor}\\n"' in shown, shown
