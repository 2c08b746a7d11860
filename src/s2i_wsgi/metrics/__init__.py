"""Seeing inside mod_wsgi: Prometheus metrics on METRICS_PORT, a live view, and the slow-request
log (MOD_WSGI_SLOW_REQUESTS), all from mod_wsgi 6's telemetry.

The data source is mod_wsgi's external telemetry (WSGITelemetryService), not its in-process
metrics API (mod_wsgi.request_metrics() and friends), because:
- every daemon process sends its figures to one UNIX datagram socket, so one listener sees the
  whole server; the in-process API answers only for the process it is called in, so a /metrics
  served by the app's processes would show whichever process took the scrape;
- the listener is the launcher, PID 1 above Apache, which outlives the daemon processes: it
  sees a killed process's replacement start, so restarts can be counted, and its counters do not
  reset when a process is recycled;
- nothing runs inside the app's processes or touches its Python (no service script, no extra
  package in its virtualenv), and the app's port never answers /metrics;
- mod_wsgi's slow-request reports (WSGISlowRequests) only exist on this channel.
mod_wsgi turns the in-process request metrics off when telemetry is configured, so the two
cannot be mixed. The cost is one datagram per process per second (`make bench` measures it).

wire.py decodes the datagrams, state.py adds them up, prometheus.py renders /metrics,
service.py runs the listener and the HTTP server (threads of PID 1), view.html is the live view.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..errors import ConfigError
from ..paths import STATE_DIR
from ..resources import Limits

# Where the daemon processes send their telemetry (a UNIX path: at most 107 bytes).
SOCKET = STATE_DIR / "telemetry.sock"

# What each other server offers instead, for the message that refuses METRICS_PORT.
OTHER_SERVERS = {
    "gunicorn": "For gunicorn's own metrics, send them to a statsd server: "
    'GUNICORN_CMD_ARGS="--statsd-host=HOST:PORT" (Prometheus\'s statsd_exporter turns them into Prometheus metrics).',
    "uwsgi": "For uWSGI's own statistics (JSON), add `--stats :PORT --stats-http` to .warpdrive/server_args.",
    "waitress": "There are none for waitress.",
    "uvicorn": "There are none for uvicorn.",
}


@dataclass(frozen=True)
class Settings:
    """What the launcher's telemetry listener does: serve on `port` (None: only log slow requests)."""

    port: int | None
    processes: int
    slow_requests: float | None


def wanted(config: Config) -> bool:
    return config["METRICS_PORT"] is not None or config["MOD_WSGI_SLOW_REQUESTS"] is not None


def check(config: Config, server: str, *, is_asgi: bool, is_command: bool) -> None:
    """Refuse what cannot work: metrics from a server other than mod_wsgi, or on the app's port."""
    port = config["METRICS_PORT"]
    if port is not None and port == config["PORT"]:
        raise ConfigError(
            f"METRICS_PORT and PORT are both {port}.",
            "The metrics are served on a port of their own, so that they are never exposed where the app is.",
            "Give METRICS_PORT another port (9100, say), and expose that one only to your Prometheus.",
        )
    if server == "mod_wsgi" and not is_asgi and not is_command:
        return
    for name in ("METRICS_PORT", "MOD_WSGI_SLOW_REQUESTS"):
        if config[name] is None:
            continue
        if is_command:
            served, instead = "the app's own command", "The app's command serves itself: any metrics are its own."
        else:
            served = server if server in OTHER_SERVERS else "an ASGI server"
            instead = OTHER_SERVERS.get(server, OTHER_SERVERS["uvicorn"])
        raise ConfigError(
            f"{name} is set, but the app is served by {served}, not mod_wsgi.",
            f"{name} reads mod_wsgi's own telemetry, which only mod_wsgi's daemon processes send.",
            f"Unset {name}. {instead}",
        )


def settings(config: Config, processes: int) -> Settings | None:
    if not wanted(config):
        return None
    debug_mode = config["MOD_WSGI_ENABLE_DEBUGGER"] or config["MOD_WSGI_ENABLE_RECORDER"]
    return Settings(config["METRICS_PORT"], 1 if debug_mode else processes, config["MOD_WSGI_SLOW_REQUESTS"])


def server_args(config: Config) -> list[str]:
    """mod_wsgi-express's options that send the telemetry to the launcher."""
    if not wanted(config):
        return []
    argv = ["--telemetry-service", f"unix:{SOCKET}"]
    if config["MOD_WSGI_SLOW_REQUESTS"] is not None:
        argv += ["--slow-requests", f"{config['MOD_WSGI_SLOW_REQUESTS']:g}"]
    return argv


def for_start(config: Config, limits: Limits) -> Settings | None:
    from ..servers import processes  # noqa: PLC0415 - servers imports this module

    return settings(config, processes(config, limits, "mod_wsgi")[0])
