"""ASGI apps: which server runs them and its command line (docs/servers.md, "ASGI apps").

- gunicorn (the default): gunicorn's arbiter runs uvicorn's worker class (uvicorn-worker). The
  arbiter keeps the worker count, restarts a worker that dies, and replaces one whose event loop
  stops turning for the request timeout (gunicorn's heartbeat): the failure an async app has when
  blocking code runs in an `async def`. The app's gunicorn settings (gunicorn.conf.py, APP_CONFIG,
  GUNICORN_CMD_ARGS) apply on top of the builder's, as for a WSGI app.
- uvicorn: uvicorn's own `--workers` supervisor, for apps that want nothing but uvicorn.

Either way the server is PID 1 and stops gracefully on SIGTERM, requests in flight finishing within
GRACEFUL_TIMEOUT; the app is served through the wrapper module asgi.py writes at start (the request
timeout, asgi_timeout.py, and an app factory's call).
"""

from __future__ import annotations

from ..config import APP_ROOT, Config
from ..detect import EntryPoint, python_path
from ..errors import ConfigError
from ..resources import Limits
from . import gunicorn
from .choice import DEFAULT_WHY
from .sizing import processes, request_timeout
from .table import SERVERS

# What each ASGI server needs in the app's virtualenv, by distribution name (pinned in
# requirements/servers.txt): uvicorn's fast HTTP parser and event loop, and a WebSocket library.
PACKAGES = {
    "gunicorn": ("gunicorn", "uvicorn-worker", "uvicorn", "httptools", "uvloop", "websockets"),
    "uvicorn": ("uvicorn", "httptools", "uvloop", "websockets"),
}
TITLES = {"gunicorn": "gunicorn with uvicorn workers", "uvicorn": "uvicorn"}
WORKER_CLASS = "uvicorn_worker.UvicornWorker"
# uvicorn's default; mod_wsgi's 2 s is for Apache, whose idle connections cost no thread.
KEEP_ALIVE_TIMEOUT = 5
GRACEFUL_TIMEOUT = 15


def choose(config: Config, wsgi_server: str, wsgi_why: str, target: str) -> tuple[str, str]:
    """(ASGI server, why): ASGI_SERVER, else gunicorn when the app chose gunicorn, else the default.
    A WSGI-only server chosen explicitly is an error: it would call the app the WSGI way."""
    if config.is_set("ASGI_SERVER"):
        return config["ASGI_SERVER"], f"ASGI_SERVER={config['ASGI_SERVER']} (from {config.source_of('ASGI_SERVER')})"
    if wsgi_server == "gunicorn":
        return "gunicorn", wsgi_why
    if wsgi_why != DEFAULT_WHY:
        title = SERVERS[wsgi_server].title
        raise ConfigError(
            f"{wsgi_why} chooses {title}, but {target} is an ASGI application.",
            f"{title} speaks WSGI: it would call the app with (environ, start_response), and every request would fail.",
            "Remove that setting: an ASGI app is served by gunicorn with uvicorn's workers, or by uvicorn alone "
            "with ASGI_SERVER=uvicorn.",
        )
    return "gunicorn", "the default for ASGI apps; ASGI_SERVER=uvicorn chooses uvicorn alone"


def argv(config: Config, server: str, entry: EntryPoint, limits: Limits) -> list[str]:
    """The command line for `entry` (the wrapper module's `application`)."""
    if server == "gunicorn":
        return gunicorn.argv(config, entry, limits)
    return [
        str(APP_ROOT / "bin" / "uvicorn"),
        entry.target,
        "--host",
        "0.0.0.0",  # noqa: S104 - a container's server listens on every interface
        "--port",
        str(config["PORT"]),
        "--workers",
        str(processes(config, limits, "uvicorn")[0]),
        "--timeout-keep-alive",
        str(KEEP_ALIVE_TIMEOUT),
        "--timeout-graceful-shutdown",
        str(GRACEFUL_TIMEOUT),
    ]


def environment(config: Config, server: str, limits: Limits) -> dict[str, str]:
    """The variables the server runs with (the start puts the wrapper's directory first on PYTHONPATH)."""
    if server == "gunicorn":
        defaults = gunicorn.gunicorn_defaults(config, limits)
        del defaults["threads"]  # an event loop per worker; sync endpoints use the framework's thread pool
        defaults.update(
            worker_class=WORKER_CLASS,
            keepalive=KEEP_ALIVE_TIMEOUT,
            graceful_timeout=GRACEFUL_TIMEOUT,
            timeout=request_timeout(config, "gunicorn"),
        )
        return gunicorn.environment(config, limits, defaults)
    return {"PYTHONPATH": ":".join(str(path) for path in python_path(config))}
