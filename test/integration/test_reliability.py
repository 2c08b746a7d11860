"""Production behaviour, provoked for real: stop, hung requests, backlogs,
crashes, start-up failures and restricted platforms (issue: production-grade
serving). Load goes to 127.0.0.1 only and every loop is bounded."""

from __future__ import annotations

import concurrent.futures
import socket
import time

import pytest

import harness

pytestmark = pytest.mark.reliability


@pytest.fixture(scope="module")
def image(built):
    return built("reliability").assert_ok().image


def fetch(url: str, timeout: float = 30) -> tuple[int, bytes, float]:
    """(status, body, seconds it took)."""
    start = time.monotonic()
    status, body, _ = harness.request(url, timeout=timeout)
    return status, body, time.monotonic() - start


def test_docker_stop_lets_requests_in_flight_finish_and_exits_0(image, containers):
    container = containers(image)
    container.wait_ready()
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        futures = {s: pool.submit(fetch, f"{container.url}/sleep/{s}") for s in (1, 5, 8)}
        time.sleep(0.5)  # the requests are in flight
        stopper = pool.submit(harness.engine, "stop", container.name, timeout=60)
        time.sleep(1)
        # A new connection after the stop began is refused (listener closed) or answered.
        try:
            with socket.create_connection(("127.0.0.1", container.port), timeout=2) as sock:
                sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
                reply = sock.recv(100)
                assert reply == b"" or reply.startswith(b"HTTP/1.1 200"), reply
        except OSError:
            pass
        results = {s: future.result() for s, future in futures.items()}
        stopper.result()
    for seconds, (status, body, _) in results.items():
        assert (status, body) == (200, f"slept {seconds}\n".encode()), (seconds, container.logs())
    assert container.state() == "exited 0", container.logs()
    assert "caught SIGWINCH, shutting down gracefully" in container.logs()


def test_hung_request_is_cut_and_others_are_still_answered(image, containers):
    container = containers(
        image, "-e", "MOD_WSGI_PROCESSES=2", "-e", "MOD_WSGI_THREADS=1", "-e", "MOD_WSGI_REQUEST_TIMEOUT=2",
        "-e", "MOD_WSGI_GRACEFUL_TIMEOUT=1", "-e", "MOD_WSGI_SHUTDOWN_TIMEOUT=1",
    )  # fmt: skip
    container.wait_ready()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        hung = pool.submit(fetch, f"{container.url}/hang", 30)
        time.sleep(0.3)
        for _ in range(5):
            assert fetch(f"{container.url}/")[:2] == (200, b"Hello from reliability\n")
        status, _, elapsed = hung.result()
    assert status in (502, 504), container.logs()
    assert elapsed < 10, elapsed
    assert fetch(f"{container.url}/")[0] == 200
    assert "[script /tmp/mod_wsgi-8080/htdocs/hang]" in container.logs()


def test_full_backlog_gets_fast_errors_instead_of_waiting_and_recovers(image, containers):
    container = containers(
        image, "-e", "MOD_WSGI_PROCESSES=1", "-e", "MOD_WSGI_THREADS=1", "-e", "MOD_WSGI_QUEUE_TIMEOUT=1"
    )
    container.wait_ready()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: fetch(f"{container.url}/sleep/3"), range(4)))
    statuses = sorted(status for status, _, _ in results)
    # mod_wsgi checks the queue timeout when a daemon thread takes the request:
    # once the busy thread is free, every request queued longer than
    # MOD_WSGI_QUEUE_TIMEOUT is answered 504 (WSGI0084) at once, instead of
    # each being run in turn (which would take 3, 6, 9 s).
    assert statuses.count(200) >= 1 and statuses.count(504) >= 2, (results, container.logs())
    assert all(elapsed < 4.5 for status, _, elapsed in results if status == 504), results
    assert "WSGI0084: Queue timeout expired" in container.logs()
    assert fetch(f"{container.url}/")[:2] == (200, b"Hello from reliability\n")


def test_killed_daemon_process_is_respawned_within_2_seconds(image, containers):
    container = containers(image, "-e", "MOD_WSGI_PROCESSES=1")
    container.wait_ready()
    pid = fetch(f"{container.url}/pid")[1].decode().strip()
    killed = container.exec("kill", "-9", pid)
    assert killed.returncode == 0, harness.text(killed)
    killed_at = time.monotonic()

    def answered_by_new_process():
        try:
            status, body, _ = fetch(f"{container.url}/pid", timeout=2)
        except OSError:
            return None
        return status == 200 and body.decode().strip() != pid

    assert harness.poll_until(answered_by_new_process, deadline=2), container.logs()
    assert time.monotonic() - killed_at < 2.5


@pytest.mark.parametrize(
    "flags",
    [
        ["--user", "123456:0"],
        ["--read-only", "--tmpfs", "/tmp", "--user", "123456:0"],
        ["--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", "123456:0"],
    ],
    ids=["arbitrary-uid", "read-only-root", "no-capabilities"],
)
def test_runs_on_restricted_platforms(image, containers, flags):
    container = containers(image, *flags)
    container.wait_ready()
    assert fetch(f"{container.url}/")[:2] == (200, b"Hello from reliability\n")
    assert fetch(f"{container.url}/whoami")[1] == b"123456 default\n"


def test_import_failure_at_run_time_is_logged_at_once_and_fails_the_health_check(built, containers):
    result = built("import_needs_run_time_setting").assert_ok()
    assert "WARNING: Importing wsgi raised KeyError: 'REQUIRED_SETTING' (traceback above)." in result.output
    container = containers(result.image)
    logged = harness.poll_until(lambda: "KeyError: 'REQUIRED_SETTING'" in container.logs(), deadline=15)
    assert logged, container.logs()
    ready = container.exec("s2i-wsgi", "ready")
    assert ready.returncode == 1
    assert "ERROR: ready: GET / on port 8080 answered 500." in ready.stderr.decode()


def test_the_same_app_runs_once_the_setting_is_given(built, containers):
    container = containers(built("import_needs_run_time_setting").assert_ok().image, "-e", "REQUIRED_SETTING=hi")
    container.wait_ready()
    assert fetch(f"{container.url}/")[:2] == (200, b"Hello from import_needs_run_time_setting: hi\n")


def test_a_bounded_daemon_queue_answers_overflow_with_a_fast_503(image, containers):
    container = containers(
        image, "-e", "MOD_WSGI_PROCESSES=1", "-e", "MOD_WSGI_THREADS=1", "-e", "MOD_WSGI_QUEUE_TIMEOUT=1",
        "-e", "MOD_WSGI_DAEMON_BACKLOG=1", "-e", "MOD_WSGI_CONNECT_TIMEOUT=1",
    )  # fmt: skip
    container.wait_ready()
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: fetch(f"{container.url}/sleep/3"), range(6)))
    fast_503 = [elapsed for status, _, elapsed in results if status == 503]
    assert len(fast_503) >= 2, (results, container.logs())
    assert max(fast_503) < 2.5, results
    assert "WSGI0116: Unable to connect to WSGI daemon process" in container.logs_with("WSGI0116")
    assert fetch(f"{container.url}/")[:2] == (200, b"Hello from reliability\n")


DEADLOCKED = "deadlocked: waiting for a lock this thread holds"


def test_a_burst_of_hung_requests_is_shed_at_the_first_recycle_and_others_are_served_again(image, containers):
    request_timeout, threads, burst = 5, 2, 12
    container = containers(
        image, "-e", "MOD_WSGI_PROCESSES=1", "-e", f"MOD_WSGI_THREADS={threads}",
        "-e", f"MOD_WSGI_REQUEST_TIMEOUT={request_timeout}",
    )  # fmt: skip
    container.wait_ready()
    with concurrent.futures.ThreadPoolExecutor(max_workers=burst) as pool:
        started = time.monotonic()
        hung = [pool.submit(fetch, f"{container.url}/deadlock", 90) for _ in range(burst)]
        # Every thread is stuck once each has said so; the rest of the burst is queued behind them.
        stuck = harness.poll_until(lambda: container.logs().count(DEADLOCKED) == threads, deadline=10)
        assert stuck, container.logs()
        polls = []  # a client retrying a fast endpoint until it is answered
        while time.monotonic() - started < 90 and polls[-1:] != [200]:
            polls.append(fetch(f"{container.url}/", timeout=90)[0])
        recovered = time.monotonic() - started
        statuses = sorted(future.result()[0] for future in hung)
    # One recycle: the stuck threads are detected at request timeout x (1 + ln threads) = 8.5 s, the
    # process gets MOD_WSGI_SHUTDOWN_TIMEOUT (5 s) and restarts in about 1 s; the new process sheds
    # the queued burst (each waited longer than the queue timeout, here the request timeout) at
    # once. Under the old 45 s queue timeout they ran two by two, ~15 s a pair, for 45 s.
    assert recovered < 4 * request_timeout, (recovered, polls, statuses, container.logs())
    assert set(polls[:-1]) <= {504} and polls[-1] == 200, polls
    # The two that held the threads were cut with the process (502); the queued ones never ran (504).
    assert statuses == [502] * threads + [504] * (burst - threads), statuses
    logs = container.logs()
    assert logs.count(DEADLOCKED) == threads, logs
    assert "WSGI0084: Queue timeout expired" in logs
    assert (
        "---> Requests that wait over 5 s for a thread are answered 504 "
        "(MOD_WSGI_QUEUE_TIMEOUT: the request timeout, MOD_WSGI_REQUEST_TIMEOUT=5)"
    ) in logs
    for _ in range(5):
        assert fetch(f"{container.url}/")[:2] == (200, b"Hello from reliability\n")
