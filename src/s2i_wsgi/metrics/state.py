"""What the telemetry of every daemon process adds up to: the figures /metrics and the live view
show, kept in the launcher (PID 1), which outlives the daemon processes it counts.

Counters (requests, the time histograms, CPU seconds, starts) only grow for the life of the
container; gauges (threads, busy threads, capacity, memory) are each process's last report, and
a process that stopped reporting (killed, recycled) is dropped after a few intervals.
"""

from __future__ import annotations

import collections
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from . import wire

PHASES = ("request", "queue", "server", "daemon", "application")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
# mod_wsgi's histograms: 16 octaves from 1 ms, each split into 4, and one overflow bucket.
OCTAVES, SPLITS = 16, 4
BUCKETS = OCTAVES * SPLITS + 1
# The bucket edges exported: the top of each octave (2 ms ... 65.536 s), which are edges of
# mod_wsgi's own buckets, so the cumulative counts are exact.
EDGES = tuple(0.001 * 2 ** (octave + 1) for octave in range(OCTAVES))
# A process not heard from for this many intervals (at least STALE_SECONDS) is gone.
STALE_INTERVALS, STALE_SECONDS = 3, 5.0
HISTORY = 600  # seconds of the live view's history


@dataclass
class Process:
    pid: int
    last_seen: float
    seq: int = 0
    period: float = 1.0
    threads: int = 0
    busy_threads: int = 0
    oldest_request: float = 0.0
    busy_time: float = 0.0
    capacity: float = 0.0
    cpu: float = 0.0
    cpu_seconds: float = 0.0
    memory_rss: int = 0


@dataclass
class Point:
    """One second of the live view."""

    stamp: float
    in_flight: int
    threads: int
    capacity: float
    requests: int
    oldest_request: float


def exists(pid: int) -> bool:
    """Whether the process is still there (the launcher shares the daemon processes' pid namespace)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # there, but another user's
        return True
    return True


@dataclass
class Telemetry:
    expected_processes: int
    slow_log: Callable[[str], None] | None = None
    # A killed process sends nothing more; it is dropped at once rather than after STALE_SECONDS.
    alive: Callable[[int], bool] = exists
    processes: dict[int, Process] = field(default_factory=dict)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    buckets: dict[str, list[int]] = field(default_factory=lambda: {phase: [0] * BUCKETS for phase in PHASES})
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))
    requests: int = 0
    starts: int = 0
    stops: collections.Counter = field(default_factory=collections.Counter)
    slow_requests: int = 0
    datagrams: int = 0
    dropped: int = 0
    undecodable: int = 0
    history: collections.deque = field(default_factory=lambda: collections.deque(maxlen=HISTORY))
    lock: threading.Lock = field(default_factory=threading.Lock)
    _slow_running: set = field(default_factory=set)
    _requests_at_tick: int = 0

    @property
    def restarts(self) -> int:
        """Daemon processes started after the first ones: each replaced one that exited or was killed."""
        return max(0, self.starts - self.expected_processes)

    def receive(self, data: bytes, now: float) -> None:
        try:
            sample = wire.decode(data)
        except wire.DecodeError:
            with self.lock:
                self.undecodable += 1
            return
        with self.lock:
            try:
                self._ingest(sample, now)
            except (TypeError, ValueError):  # a field of another type than mod_wsgi 6.1 sends
                self.undecodable += 1
                return
            self.datagrams += 1

    def _ingest(self, sample: wire.Sample, now: float) -> None:
        fields = sample.fields
        if sample.kind == wire.PROCESS_STARTED:
            self.starts += 1
            self.processes[sample.pid] = Process(sample.pid, now, seq=sample.seq)
            return
        if sample.kind in (wire.PROCESS_STOPPING, wire.PROCESS_STOPPED):
            if sample.kind == wire.PROCESS_STOPPED:
                self.stops[str(fields.get("shutdown_reason") or "unknown")] += 1
                self.processes.pop(sample.pid, None)
            return
        process = self.processes.get(sample.pid)
        if process is None:  # started before we listened, or its start datagram was lost
            process = self.processes[sample.pid] = Process(sample.pid, now, seq=sample.seq - 1)
        if sample.seq > process.seq + 1:
            self.dropped += sample.seq - process.seq - 1
        process.seq, process.last_seen = sample.seq, now
        if sample.kind == wire.SLOW_REQUEST:
            self._slow(sample)
        elif sample.kind == wire.REQUEST:
            self._request(process, fields)

    def _request(self, process: Process, fields: dict) -> None:
        process.period = float(fields.get("sample_period") or process.period)
        process.threads = int(fields.get("request_threads_maximum") or 0)
        running = [float(seconds) for seconds in fields.get("request_threads_current_elapsed") or [] if seconds > 0]
        process.busy_threads, process.oldest_request = len(running), max(running, default=0.0)
        process.busy_time = sum(fields.get("request_threads_busy_time") or [])
        process.capacity = float(fields.get("capacity_utilization") or 0.0)
        process.cpu = float(fields.get("cpu_utilization") or 0.0)
        process.cpu_seconds += process.cpu * process.period
        process.memory_rss = int(fields.get("memory_rss") or 0)
        count = int(fields.get("request_count") or 0)
        if not count:
            return
        self.requests += count
        for status in STATUS_CLASSES:
            self.statuses[status] += int(fields.get(f"status_{status}_total") or 0)
        for phase in PHASES:
            self.sums[phase] += float(fields.get(f"{phase}_time") or 0.0) * count  # the interval's mean
            counts = fields.get(f"{phase}_time_buckets") or []
            for index, bucket in enumerate(counts[:BUCKETS]):
                self.buckets[phase][index] += bucket

    def _slow(self, sample: wire.Sample) -> None:
        fields = sample.fields
        key = (sample.pid, fields.get("slow_log_id"))
        path = f"{fields.get('slow_script_name', '')}{fields.get('slow_path_info', '')}"
        request = f"{fields.get('slow_method', '?')} {path}"
        queued = float(fields.get("slow_queue_time") or 0.0)
        app = float(fields.get("slow_application_time") or 0.0)
        if fields.get("slow_record_state") == 1:  # completed
            self.slow_requests += 1
            self._slow_running.discard(key)
            message = (
                f"Slow request: {request} took {float(fields.get('slow_duration') or 0.0):.3f} s "
                f"(queued {queued:.3f} s, in the app {app:.3f} s; status {fields.get('slow_status', 0)}; "
                f"daemon process {sample.pid})"
            )
        elif key not in self._slow_running:  # still running: said once, when it crosses the threshold
            self._slow_running.add(key)
            message = (
                f"Slow request: {request} still running after {float(fields.get('slow_duration') or 0.0):.3f} s "
                f"(queued {queued:.3f} s; daemon process {sample.pid})"
            )
        else:
            return
        if self.slow_log is not None:
            self.slow_log(message)

    def live(self, now: float) -> list[Process]:
        """The processes still reporting, oldest pid first."""
        with self.lock:
            for pid, process in list(self.processes.items()):
                stale = now - process.last_seen > max(STALE_SECONDS, STALE_INTERVALS * process.period)
                if stale or not self.alive(pid):
                    del self.processes[pid]
                    self._slow_running = {key for key in self._slow_running if key[0] != pid}
            return sorted(self.processes.values(), key=lambda process: process.pid)

    def tick(self, now: float, stamp: float) -> Point:
        """Record a second of the live view."""
        processes = self.live(now)
        with self.lock:
            point = Point(
                stamp=stamp,
                in_flight=sum(process.busy_threads for process in processes),
                threads=sum(process.threads for process in processes),
                capacity=capacity(processes),
                requests=self.requests - self._requests_at_tick,
                oldest_request=max((process.oldest_request for process in processes), default=0.0),
            )
            self._requests_at_tick = self.requests
            self.history.append(point)
        return point


def capacity(processes: list[Process]) -> float:
    """Busy thread time over thread time, across every process, for the last interval."""
    available = sum(process.threads * process.period for process in processes)
    return min(1.0, sum(process.busy_time for process in processes) / available) if available else 0.0
