"""The Prometheus text format (version 0.0.4) of the telemetry's figures: what GET /metrics answers."""

from __future__ import annotations

from collections.abc import Iterator

from .state import EDGES, PHASES, SPLITS, STATUS_CLASSES, Process, Telemetry, capacity

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

PHASE_HELP = {
    "request": "Time from Apache accepting a request to the end of its response",
    "queue": "Time a request waited for a free daemon thread",
    "server": "Time a request spent in Apache before it was handed to a daemon process",
    "daemon": "Time from a daemon thread taking a request to calling the app",
    "application": "Time spent in the app's WSGI callable",
}

# Per process: (name, help, type, value of a Process).
PER_PROCESS = (
    ("threads", "Request threads of the daemon process", "gauge", lambda p: p.threads),
    ("busy_threads", "Threads running a request at the last report", "gauge", lambda p: p.busy_threads),
    ("capacity_utilization", "Busy thread time over thread time, last interval", "gauge", lambda p: p.capacity),
    ("oldest_request_seconds", "How long the longest request now running has run", "gauge", lambda p: p.oldest_request),
    ("cpu_utilization", "CPU used in the last interval, in CPUs", "gauge", lambda p: p.cpu),
    ("cpu_seconds_total", "CPU time used while reporting", "counter", lambda p: p.cpu_seconds),
    ("memory_rss_bytes", "Resident memory", "gauge", lambda p: p.memory_rss),
)


def number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(round(float(value), 6))


def _metric(name: str, help_text: str, kind: str) -> Iterator[str]:
    yield f"# HELP {name} {help_text}."
    yield f"# TYPE {name} {kind}"


def _histogram(phase: str, buckets: list[int], total: float) -> Iterator[str]:
    name = f"mod_wsgi_{phase}_duration_seconds"
    yield from _metric(name, PHASE_HELP[phase], "histogram")
    cumulative = 0
    for octave, edge in enumerate(EDGES):
        cumulative += sum(buckets[octave * SPLITS : (octave + 1) * SPLITS])
        yield f'{name}_bucket{{le="{edge:g}"}} {cumulative}'
    count = sum(buckets)
    yield f'{name}_bucket{{le="+Inf"}} {count}'
    yield f"{name}_sum {number(total)}"
    yield f"{name}_count {count}"


def _single(name: str, what: str, kind: str, value: object) -> Iterator[str]:
    """A metric with one unlabelled sample."""
    yield from _metric(name, what, kind)
    yield f"{name} {value}"


def lines(telemetry: Telemetry, processes: list[Process]) -> Iterator[str]:
    yield from _single("mod_wsgi_processes", "Daemon processes reporting", "gauge", len(processes))
    yield from _single(
        "mod_wsgi_threads", "Request threads of every daemon process", "gauge", sum(p.threads for p in processes)
    )
    yield from _single(
        "mod_wsgi_requests_in_flight",
        "Requests running in a daemon thread at the last report",
        "gauge",
        sum(p.busy_threads for p in processes),
    )
    yield from _single(
        "mod_wsgi_capacity_utilization",
        "Busy thread time over thread time of every process, last interval",
        "gauge",
        number(capacity(processes)),
    )
    for suffix, help_text, kind, value in PER_PROCESS:
        name = f"mod_wsgi_process_{suffix}"
        yield from _metric(name, help_text, kind)
        for process in processes:
            yield f'{name}{{pid="{process.pid}"}} {number(value(process))}'
    yield from _metric("mod_wsgi_requests_total", "Requests answered, by status class", "counter")
    for status in STATUS_CLASSES:
        yield f'mod_wsgi_requests_total{{status="{status}"}} {telemetry.statuses[status]}'
    for phase in PHASES:
        yield from _histogram(phase, telemetry.buckets[phase], telemetry.sums[phase])
    yield from _single("mod_wsgi_process_starts_total", "Daemon processes started", "counter", telemetry.starts)
    yield from _single(
        "mod_wsgi_process_restarts_total",
        "Daemon processes started to replace one that exited or was killed",
        "counter",
        telemetry.restarts,
    )
    yield from _metric("mod_wsgi_process_stops_total", "Daemon processes that stopped and said why", "counter")
    for reason, count in sorted(telemetry.stops.items()):
        yield f'mod_wsgi_process_stops_total{{reason="{_label(reason)}"}} {count}'
    yield from _single(
        "mod_wsgi_slow_requests_total",
        "Requests slower than MOD_WSGI_SLOW_REQUESTS",
        "counter",
        telemetry.slow_requests,
    )
    yield from _single(
        "mod_wsgi_telemetry_datagrams_total", "Telemetry datagrams received", "counter", telemetry.datagrams
    )
    yield from _single(
        "mod_wsgi_telemetry_lost_total",
        "Telemetry datagrams lost or undecodable",
        "counter",
        telemetry.dropped + telemetry.undecodable,
    )


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(telemetry: Telemetry, now: float) -> str:
    processes = telemetry.live(now)
    with telemetry.lock:
        return "\n".join(lines(telemetry, processes)) + "\n"
