"""The telemetry listener and the metrics port: two daemon threads of the launcher (PID 1).

The listener binds the datagram socket before Apache starts, so it sees every daemon process
start. The HTTP server answers GET /metrics (Prometheus), / (the live view) and /live.json (its
data); it binds every interface on METRICS_PORT, a port that only the platform's Prometheus
should reach (the app's PORT never serves these).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from .. import output
from ..errors import StartError
from . import SOCKET, Settings, prometheus
from .state import Telemetry

VIEW = resources.files(__package__).joinpath("view.html")


def bind(path: Path) -> socket.socket:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # a restarted container's
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    os.chmod(path, 0o600)
    # Room for a burst: a datagram is ~3 kB per process and second.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.settimeout(1.0)
    return sock


def receive(telemetry: Telemetry, sock: socket.socket) -> None:
    """Datagrams in, and one point of the live view a second."""
    next_tick = time.monotonic() + 1
    while True:
        with contextlib.suppress(TimeoutError):  # a quiet second: still time for a point
            telemetry.receive(sock.recv(65536), time.monotonic())
        now = time.monotonic()
        if now >= next_tick:
            telemetry.tick(now, time.time())
            next_tick = max(next_tick + 1, now)


def handler(telemetry: Telemetry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "s2i-wsgi-metrics"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, prometheus.CONTENT_TYPE, prometheus.render(telemetry, time.monotonic()).encode())
            elif path == "/live.json":
                self._send(200, "application/json", json.dumps(live(telemetry)).encode())
            elif path == "/":
                self._send(200, "text/html; charset=utf-8", VIEW.read_bytes())
            else:
                self._send(404, "text/plain; charset=utf-8", b"Not found: /metrics, /live.json or /\n")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # a scrape every few seconds is not news

    return Handler


def live(telemetry: Telemetry) -> dict:
    processes = telemetry.live(time.monotonic())
    with telemetry.lock:
        return {
            "points": [asdict(point) for point in telemetry.history],
            "processes": [asdict(process) for process in processes],
            "restarts": telemetry.restarts,
        }


def start(settings: Settings) -> Telemetry:
    """Listen for telemetry (and serve METRICS_PORT) from threads of this process."""
    telemetry = Telemetry(settings.processes, slow_log=output.warning)
    try:
        sock = bind(SOCKET)
    except OSError as error:
        raise StartError(
            f"The telemetry socket {SOCKET} could not be made ({error.strerror or error}).",
            "mod_wsgi's daemon processes send their figures to it, for METRICS_PORT and MOD_WSGI_SLOW_REQUESTS.",
            "Give the container a writable TMPDIR with a short path (a UNIX socket's path is at most 107 bytes).",
        ) from error
    threading.Thread(target=receive, args=(telemetry, sock), name="telemetry", daemon=True).start()
    if settings.port is not None:
        try:
            server = ThreadingHTTPServer(("", settings.port), handler(telemetry))
        except OSError as error:
            raise StartError(
                f"METRICS_PORT={settings.port}: the metrics server could not listen there ({error.strerror}).",
                "Another process in the container uses that port, or it is privileged (below 1024) for this user.",
                "Choose another METRICS_PORT, above 1024 and not the app's.",
            ) from error
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
        output.step(f"Metrics at :{settings.port}/metrics, a live view at :{settings.port}/")
    return telemetry
