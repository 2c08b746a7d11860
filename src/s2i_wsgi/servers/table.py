"""The servers this builder runs, as data: what each is called, what is installed for it, and which
of its options the launcher sets itself (so .warpdrive/server_args may not: server_args.py).

Each server's command line is built by its own module (mod_wsgi_express.py, gunicorn.py,
uwsgi.py, waitress.py); `servers.command` picks the module by the same name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Server:
    name: str
    title: str
    executable: str  # in the app's virtualenv; its absence means "not installed"
    package: str | None  # the requirement installed at build time (pinned in requirements/servers.txt)
    owned_options: tuple[str, ...]
    owned_why: str
    owned_fix: str = ""


_PORT_WHY = "It decides where the server listens and what it serves, from PORT and the detected entry point."

SERVERS: dict[str, Server] = {
    "mod_wsgi": Server(
        "mod_wsgi",
        "mod_wsgi-express",
        "mod_wsgi-express",
        None,
        (
            "--port",
            "--entry-point",
            "--application-type",
            "--callable-object",
            "--working-directory",
            "--server-root",
            "--log-directory",
        ),
        _PORT_WHY + " Logs go to the terminal.",
        "Use PORT, APP_MODULE or APP_HOME instead. Other options in this file come after the "
        "MOD_WSGI_* ones, so they win.",
    ),
    "gunicorn": Server(
        "gunicorn",
        "gunicorn",
        "gunicorn",
        "gunicorn",
        ("-c", "--config"),
        "The launcher's configuration file loads the app's own (APP_CONFIG or gunicorn.conf.py) on top of "
        "the builder's defaults.",
        "Name your configuration file with APP_CONFIG instead. Other options in this file are command-line "
        "options, so they win over every configuration file and GUNICORN_CMD_ARGS.",
    ),
    "uwsgi": Server(
        "uwsgi",
        "uWSGI",
        "uwsgi",
        "uwsgi",
        ("--http-socket", "--http", "--socket", "--wsgi", "--module", "-w", "--virtualenv", "--home", "-H", "--chdir"),
        _PORT_WHY,
        "Use PORT, APP_MODULE or APP_HOME instead. Other options in this file come last, so they win.",
    ),
    "waitress": Server(
        "waitress",
        "waitress",
        "waitress-serve",
        "waitress",
        ("--listen", "--host", "--port", "--unix-socket", "--call"),
        _PORT_WHY,
        "Use PORT or APP_MODULE instead. Other options in this file come after the launcher's, so they win.",
    ),
}
