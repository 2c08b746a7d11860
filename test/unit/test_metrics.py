"""Metrics from mod_wsgi's telemetry (metrics/): the datagrams, what they add up to, the Prometheus
text, the metrics port, and the settings that turn it on or refuse it."""

from __future__ import annotations

import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from s2i_wsgi import cli, metrics, start
from s2i_wsgi.config import load
from s2i_wsgi.errors import ConfigError
from s2i_wsgi.metrics import prometheus, service, wire
from s2i_wsgi.metrics.state import BUCKETS, Telemetry

from .conftest import TWO_CPUS

# The pids below are made up: as far as these tests know, each is running until it stops reporting.
ALIVE = lambda pid: True  # noqa: E731

WSGI = {"wsgi.py": "def application(environ, start_response):\n    return []\n"}


def started(pid: int, seq: int = 1) -> bytes:
    return wire.encode(wire.Sample(wire.PROCESS_STARTED, pid, seq, 1.0, {"process_group": "localhost:8080"}))


def buckets(**by_index: int) -> list[int]:
    counts = [0] * BUCKETS
    for index, count in by_index.items():
        counts[int(index.removeprefix("b"))] = count
    return counts


def report(pid: int, seq: int, *, count: int = 0, running: tuple[float, ...] = (0.0, 0.0), **fields) -> bytes:
    """A periodic sample of a 2-thread process, as mod_wsgi 6.1.1 sends it (fields seen in real datagrams)."""
    values = {
        "sample_period": 1.0,
        "request_count": count,
        "capacity_utilization": 0.5,
        "cpu_utilization": 0.25,
        "memory_rss": 17846272,
        "request_threads_maximum": 2,
        "request_threads_busy_time": [1.0, 0.0],
        "request_threads_current_elapsed": list(running),
        **fields,
    }
    return wire.encode(wire.Sample(wire.REQUEST, pid, seq, 2.0, values))


def test_a_datagram_decodes_to_the_fields_mod_wsgi_sent():
    sample = wire.decode(report(12, 7, count=3, status_2xx_total=3, request_time_buckets=buckets(b30=3)))
    assert (sample.kind, sample.pid, sample.seq, sample.stamp) == (wire.REQUEST, 12, 7, 2.0)
    assert sample.fields["request_count"] == 3
    assert sample.fields["request_threads_busy_time"] == [1.0, 0.0]
    assert sample.fields["request_time_buckets"][30] == 3


def test_fields_the_decoder_does_not_know_are_skipped_by_their_type():
    data = report(12, 2)
    # A field a newer mod_wsgi might add: id 999, an f64 array of 2, then a known one after it.
    extra = (999).to_bytes(2, "little") + bytes([wire.F64_ARRAY]) + (2).to_bytes(2, "little") + bytes(16)
    known = (20).to_bytes(2, "little") + bytes([wire.U64]) + (5).to_bytes(8, "little")
    assert wire.decode(data + extra + known).fields["request_count"] == 5


@pytest.mark.parametrize("data", [b"", b"WSGI", b"XXXX" + bytes(20), report(1, 1)[:-3]])
def test_a_datagram_that_cannot_be_decoded_is_counted_not_raised(data):
    telemetry = Telemetry(expected_processes=1, alive=ALIVE)
    telemetry.receive(data, 0.0)
    assert (telemetry.undecodable, telemetry.datagrams) == (1, 0)


def test_a_field_of_an_unexpected_type_is_counted_not_raised():
    telemetry = Telemetry(expected_processes=1, alive=ALIVE)
    telemetry.receive(report(12, 1, request_threads_current_elapsed="not a list"), 0.0)
    assert (telemetry.undecodable, telemetry.datagrams) == (1, 0)


def test_a_telemetry_socket_that_cannot_be_made_is_a_clear_error(monkeypatch, tmp_path):
    path = tmp_path / ("x" * 120) / "telemetry.sock"
    monkeypatch.setattr(service, "SOCKET", path)
    with pytest.raises(start.StartError) as raised:
        service.start(metrics.Settings(None, 1, 2.0))
    assert str(raised.value).startswith(f"The telemetry socket {path} could not be made (")
    assert str(raised.value).endswith(
        "Give the container a writable TMPDIR with a short path (a UNIX socket's path is at most 107 bytes)."
    )


def two_processes() -> Telemetry:
    telemetry = Telemetry(expected_processes=2, alive=ALIVE)
    for data in (
        started(12),
        started(13),
        report(
            12, 2, count=3, running=(2.5, 0.0), capacity_utilization=1.0, request_threads_busy_time=[1.0, 1.0],
            status_2xx_total=2, status_5xx_total=1, request_time=0.25, queue_time=0.05,
            request_time_buckets=buckets(b0=1, b30=2), queue_time_buckets=buckets(b0=2, b23=1),
        ),
        report(13, 2, count=1, request_time=3.0, request_time_buckets=buckets(b45=1), status_2xx_total=1),
    ):  # fmt: skip
        telemetry.receive(data, 10.0)
    return telemetry


def test_prometheus_text_adds_up_every_process_and_keeps_each_ones_gauges():
    text = prometheus.render(two_processes(), 10.5)
    for line in (
        "mod_wsgi_processes 2",
        "mod_wsgi_threads 4",
        "mod_wsgi_requests_in_flight 1",
        "mod_wsgi_capacity_utilization 0.75",  # (2 + 1) busy thread-seconds over 4
        'mod_wsgi_process_busy_threads{pid="12"} 1',
        'mod_wsgi_process_busy_threads{pid="13"} 0',
        'mod_wsgi_process_capacity_utilization{pid="12"} 1',
        'mod_wsgi_process_capacity_utilization{pid="13"} 0.5',
        'mod_wsgi_process_oldest_request_seconds{pid="12"} 2.5',
        'mod_wsgi_process_cpu_seconds_total{pid="13"} 0.25',
        'mod_wsgi_process_memory_rss_bytes{pid="12"} 17846272',
        'mod_wsgi_requests_total{status="2xx"} 3',
        'mod_wsgi_requests_total{status="5xx"} 1',
        'mod_wsgi_request_duration_seconds_bucket{le="0.002"} 1',
        'mod_wsgi_request_duration_seconds_bucket{le="0.128"} 1',
        'mod_wsgi_request_duration_seconds_bucket{le="0.256"} 3',  # bucket 30: [192, 224) ms
        'mod_wsgi_request_duration_seconds_bucket{le="2.048"} 3',
        'mod_wsgi_request_duration_seconds_bucket{le="4.096"} 4',  # bucket 45: [2560, 3072) ms
        'mod_wsgi_request_duration_seconds_bucket{le="65.536"} 4',
        'mod_wsgi_request_duration_seconds_bucket{le="+Inf"} 4',
        "mod_wsgi_request_duration_seconds_sum 3.75",  # 3 x 0.25 + 1 x 3.0
        "mod_wsgi_request_duration_seconds_count 4",
        'mod_wsgi_queue_duration_seconds_bucket{le="0.064"} 3',
        "mod_wsgi_queue_duration_seconds_sum 0.15",
        "mod_wsgi_process_starts_total 2",
        "mod_wsgi_process_restarts_total 0",
        "# TYPE mod_wsgi_request_duration_seconds histogram",
        "# TYPE mod_wsgi_process_restarts_total counter",
        "# HELP mod_wsgi_capacity_utilization Busy thread time over thread time of every process, last interval.",
    ):
        assert line in text.splitlines(), line


def test_every_metric_line_is_valid_prometheus_text():
    for line in prometheus.render(two_processes(), 10.5).splitlines():
        if line.startswith("# "):
            assert line.split()[1] in ("HELP", "TYPE"), line
            continue
        name, value = line.rsplit(" ", 1)
        float(value)
        assert name.split("{")[0].replace("_", "").isalnum(), line


def test_a_process_started_to_replace_another_counts_as_a_restart_and_the_dead_one_goes():
    telemetry = two_processes()
    telemetry.receive(started(90), 11.0)  # 12 was killed: no stop datagram, a new process instead
    for second in range(12, 17):
        telemetry.receive(report(13, second), float(second))
        telemetry.receive(report(90, second), float(second))
    text = prometheus.render(telemetry, 16.5)
    assert "mod_wsgi_process_restarts_total 1" in text.splitlines()
    assert "mod_wsgi_process_starts_total 3" in text.splitlines()
    assert [process.pid for process in telemetry.live(16.5)] == [13, 90]


def test_a_process_that_is_gone_is_dropped_at_once():
    telemetry = two_processes()
    telemetry.alive = lambda pid: pid != 12
    assert [process.pid for process in telemetry.live(10.5)] == [13]


def test_a_process_that_says_it_stopped_is_counted_by_reason():
    telemetry = two_processes()
    stopped = wire.Sample(wire.PROCESS_STOPPED, 12, 3, 3.0, {"shutdown_reason": "maximum-requests"})
    telemetry.receive(wire.encode(stopped), 11.0)
    assert 'mod_wsgi_process_stops_total{reason="maximum-requests"} 1' in prometheus.render(telemetry, 11.0)
    assert [process.pid for process in telemetry.live(11.0)] == [13]


def test_lost_datagrams_are_counted_from_the_sequence_numbers():
    telemetry = Telemetry(expected_processes=1, alive=ALIVE)
    for seq in (1, 2, 5):
        telemetry.receive(report(12, seq), 1.0)
    assert "mod_wsgi_telemetry_lost_total 2" in prometheus.render(telemetry, 1.0).splitlines()


def slow(state: int, duration: float, **fields) -> bytes:
    values = {
        "slow_record_state": state,
        "slow_duration": duration,
        "slow_log_id": "eZMUFju1Tn8",
        "slow_method": "GET",
        "slow_script_name": "",
        "slow_path_info": "/sleep/3",
        "slow_queue_time": 0.0005,
        "slow_application_time": duration,
        **fields,
    }
    return wire.encode(wire.Sample(wire.SLOW_REQUEST, 12, 10, 3.0, values))


def test_a_slow_request_is_logged_once_while_it_runs_and_once_when_it_ends():
    logged: list[str] = []
    telemetry = Telemetry(expected_processes=1, slow_log=logged.append, alive=ALIVE)
    telemetry.receive(slow(0, 1.4146), 1.0)
    telemetry.receive(slow(0, 2.4283), 2.0)  # the same request, a second later: not said again
    telemetry.receive(slow(1, 3.0016, slow_status=200), 3.0)
    assert logged == [
        "Slow request: GET /sleep/3 still running after 1.415 s (queued 0.001 s; daemon process 12)",
        "Slow request: GET /sleep/3 took 3.002 s (queued 0.001 s, in the app 3.002 s; status 200; daemon process 12)",
    ]
    assert "mod_wsgi_slow_requests_total 1" in prometheus.render(telemetry, 3.0).splitlines()


def test_the_live_view_records_a_point_a_second():
    telemetry = two_processes()
    point = telemetry.tick(10.5, 1000.0)
    assert (point.in_flight, point.threads, point.capacity, point.requests, point.oldest_request) == (
        1, 4, 0.75, 4, 2.5,
    )  # fmt: skip
    assert telemetry.tick(11.5, 1001.0).requests == 0


# ---------------------------------------------------------------------------
# The settings: mod_wsgi-express's options, and what is refused.


@pytest.fixture
def plan(make_app):
    def make(files=None, **environ):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environ}
        return start.plan(env, make_app({**WSGI, **(files or {})}), env_hooks=False)

    return make


def telemetry_options(argv: list[str]) -> list[str]:
    options = []
    for index, item in enumerate(argv):
        if item in ("--telemetry-service", "--slow-requests"):
            options += argv[index : index + 2]
    return options


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, []),
        ({"METRICS_PORT": "9100"}, ["--telemetry-service", f"unix:{metrics.SOCKET}"]),
        (
            {"MOD_WSGI_SLOW_REQUESTS": "2.5"},
            ["--telemetry-service", f"unix:{metrics.SOCKET}", "--slow-requests", "2.5"],
        ),
        (
            {"METRICS_PORT": "9100", "MOD_WSGI_SLOW_REQUESTS": "10"},
            ["--telemetry-service", f"unix:{metrics.SOCKET}", "--slow-requests", "10"],
        ),
    ],
)
def test_mod_wsgi_sends_telemetry_to_the_launcher_only_when_asked(plan, environ, expected):
    argv, _ = start.command(plan(**environ), TWO_CPUS)
    assert telemetry_options(argv) == expected


def test_the_listener_is_told_how_many_processes_to_expect(tmp_path):
    assert metrics.settings(load({}, tmp_path), 3) is None
    assert metrics.settings(load({"METRICS_PORT": "9100"}, tmp_path), 3) == metrics.Settings(9100, 3, None)
    debugging = load({"METRICS_PORT": "9100", "MOD_WSGI_ENABLE_RECORDER": "1"}, tmp_path)
    assert metrics.settings(debugging, 3) == metrics.Settings(9100, 1, None)  # debug mode: one process


def test_metrics_on_the_apps_own_port_are_refused(plan):
    with pytest.raises(ConfigError) as raised:
        plan(METRICS_PORT="8080")
    assert str(raised.value) == (
        "METRICS_PORT and PORT are both 8080.\n\n"
        "The metrics are served on a port of their own, so that they are never exposed where the app is.\n\n"
        "Give METRICS_PORT another port (9100, say), and expose that one only to your Prometheus."
    )


@pytest.mark.parametrize(
    ("environ", "served", "instead"),
    [
        (
            {"WSGI_SERVER": "gunicorn"},
            "gunicorn",
            'For gunicorn\'s own metrics, send them to a statsd server: GUNICORN_CMD_ARGS="--statsd-host=HOST:PORT" '
            "(Prometheus's statsd_exporter turns them into Prometheus metrics).",
        ),
        (
            {"WSGI_SERVER": "uwsgi"},
            "uwsgi",
            "For uWSGI's own statistics (JSON), add `--stats :PORT --stats-http` to .warpdrive/server_args.",
        ),
        ({"WSGI_SERVER": "waitress"}, "waitress", "There are none for waitress."),
        (
            {"APP_SCRIPT": "app.sh"},
            "the app's own command",
            "The app's command serves itself: any metrics are its own.",
        ),
    ],
)
def test_metrics_from_a_server_other_than_mod_wsgi_are_refused_with_what_it_offers(make_app, environ, served, instead):
    app = make_app({**WSGI, "app.sh": "#!/bin/sh\n"})
    if "APP_SCRIPT" in environ:
        (app / "app.sh").chmod(0o755)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "METRICS_PORT": "9100", **environ}
    with pytest.raises(ConfigError) as raised:
        start.plan(env, app, env_hooks=False)
    assert str(raised.value) == (
        f"METRICS_PORT is set, but the app is served by {served}, not mod_wsgi.\n\n"
        "METRICS_PORT reads mod_wsgi's own telemetry, which only mod_wsgi's daemon processes send.\n\n"
        f"Unset METRICS_PORT. {instead}"
    )


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1e3", "86401"])
def test_a_slow_request_threshold_must_be_a_positive_number_of_seconds(make_app, monkeypatch, capsys, value):
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(make_app(WSGI)))
    monkeypatch.setenv("MOD_WSGI_SLOW_REQUESTS", value)
    assert cli.main(["config"]) != 0
    assert "seconds above 0, at most 86400; fractions allowed (e.g. 0.5)" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# The metrics port, for real: datagrams in, HTTP out.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def test_the_metrics_port_serves_what_the_socket_received(monkeypatch, tmp_path, capsys):
    path = tmp_path / "telemetry.sock"
    monkeypatch.setattr(service, "SOCKET", path)
    port = free_port()
    service.start(metrics.Settings(port, 1, None))
    assert capsys.readouterr().out == f"---> Metrics at :{port}/metrics, a live view at :{port}/\n"
    pid = os.getpid()  # a process that exists: the listener drops those that do not
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.sendto(started(pid), str(path))
        sender.sendto(report(pid, 2, count=1, running=(0.7, 0.0), status_2xx_total=1), str(path))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status, content_type, text = get(f"http://127.0.0.1:{port}/metrics")
        if "mod_wsgi_requests_in_flight 1" in text:
            break
        time.sleep(0.05)
    assert (status, content_type) == (200, "text/plain; version=0.0.4; charset=utf-8")
    assert 'mod_wsgi_requests_total{status="2xx"} 1' in text.splitlines()
    assert get(f"http://127.0.0.1:{port}/")[2].startswith("<!doctype html>")
    assert f'"processes": [{{"pid": {pid}' in get(f"http://127.0.0.1:{port}/live.json")[2]
    with pytest.raises(urllib.error.HTTPError) as raised:
        get(f"http://127.0.0.1:{port}/anything")
    assert raised.value.code == 404


def test_a_metrics_port_in_use_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(service, "SOCKET", tmp_path / "telemetry.sock")
    with socket.socket() as taken:
        taken.bind(("", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(start.StartError) as raised:
            service.start(metrics.Settings(port, 1, None))
    assert str(raised.value) == (
        f"METRICS_PORT={port}: the metrics server could not listen there (Address already in use).\n\n"
        "Another process in the container uses that port, or it is privileged (below 1024) for this user.\n\n"
        "Choose another METRICS_PORT, above 1024 and not the app's."
    )


# ---------------------------------------------------------------------------
# The Grafana dashboard and the Prometheus example ask only for what /metrics has.

MONITORING = Path(__file__).resolve().parents[2] / "docs" / "monitoring"


def test_every_metric_the_dashboard_queries_is_one_metrics_serves():
    served = {line.split("{")[0].split(" ")[0] for line in prometheus.render(two_processes(), 10.5).splitlines()}
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text(encoding="utf-8"))
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bmod_wsgi_\w+", target["expr"])
    }
    assert queried, "the dashboard queries no mod_wsgi metric"
    assert queried <= served, queried - served
    assert "mod_wsgi_capacity_utilization" in queried and "mod_wsgi_requests_in_flight" in queried


def test_the_prometheus_example_scrapes_the_port_and_path_the_manifests_give():
    example = yaml.safe_load((MONITORING / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in example["scrape_configs"]}
    assert all(target.endswith(":9100") for target in jobs["myapp"]["static_configs"][0]["targets"])
    kept = jobs["kubernetes-pods"]["relabel_configs"][0]
    assert kept["source_labels"] == ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]


def test_under_supervisord_the_web_program_listens_for_the_telemetry_too(make_app, monkeypatch):
    """With extra processes, mod_wsgi runs as supervisord's program through `s2i-wsgi serve-mod-wsgi`."""
    calls = {}
    monkeypatch.setattr(start, "detect_limits", lambda: TWO_CPUS)
    monkeypatch.setattr(
        start.pid1, "run_mod_wsgi", lambda argv, root, env, cwd, telemetry: calls.setdefault("telemetry", telemetry)
    )
    environ = {"METRICS_PORT": "9100", "MOD_WSGI_PROCESSES": "3", "MOD_WSGI_SLOW_REQUESTS": "0.5"}
    start.serve_mod_wsgi(["mod_wsgi-express", "start-server"], environ, make_app(WSGI))
    assert calls["telemetry"] == metrics.Settings(9100, 3, 0.5)
