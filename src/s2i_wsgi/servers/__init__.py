"""The servers: which one runs the app, how big, and its command line.

- choice.py: which server (an explicit setting, an app that configures gunicorn, else mod_wsgi);
- sizing.py: processes, threads and timeouts;
- table.py: the servers as data (SERVERS);
- mod_wsgi_express.py, gunicorn.py, uwsgi.py, waitress.py: one module per server, each with
  argv(config, entry, limits) and environment(config, limits);
- server_args.py: .warpdrive/server_args, the app's extra options.

Each server builds its argv as a list from (config, entry point, limits); `s2i-wsgi start`
runs it (start.py), so the server is PID 1 or a child of the mod_wsgi PID 1 (pid1.py).
What to serve is detect's decision (detect.entry_point).
"""

from __future__ import annotations

from ..config import Config
from ..detect import EntryPoint
from ..resources import Limits
from . import gunicorn, mod_wsgi_express, uwsgi, waitress
from .choice import choose_server
from .server_args import server_args
from .sizing import processes, queue_timeout, request_timeout, threads
from .table import SERVERS, Server

# The module that builds each server's command line, by the names of table.SERVERS.
_MODULES = {"mod_wsgi": mod_wsgi_express, "gunicorn": gunicorn, "uwsgi": uwsgi, "waitress": waitress}


def command(config: Config, server: str, entry: EntryPoint, limits: Limits) -> tuple[list[str], dict[str, str]]:
    """The argv to exec, and the variables to add to the environment."""
    chosen = _MODULES[server]
    return chosen.argv(config, entry, limits), chosen.environment(config, limits)


__all__ = [
    "SERVERS",
    "Server",
    "choose_server",
    "command",
    "processes",
    "queue_timeout",
    "request_timeout",
    "server_args",
    "threads",
]
