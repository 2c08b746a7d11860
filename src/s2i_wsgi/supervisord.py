"""The supervisord configuration for an app with extra processes (extra_processes.py).

supervisord runs under the launcher (PID 1, which passes signals on and exits
non-zero when a program could not stay up: fatal_listener.py), and runs, in one
group (so that a stop signals all of them at once, not one after another):
- `web`: the web server command the launcher would otherwise exec; for mod_wsgi
  through `s2i-wsgi serve-mod-wsgi`, so SIGTERM still becomes Apache's graceful
  stop (pid1.py);
- one program per Procfile process type, run by bash like Heroku does;
- the programs of .s2i/supervisor/*.conf, as written.

Every program runs through `s2i-wsgi prefix NAME --` and logs to supervisord's
stdout/stderr (the container's), unless a .s2i/supervisor program chose its own
log files. Crashed programs are restarted. Stopping sends SIGTERM and waits up
to STOP_WAIT_SECONDS (Heroku's grace period) before SIGKILL to the program's
process group. Everything supervisord writes (pid file, control socket) is in
the state directory under $TMPDIR: the root filesystem may be read-only, and
no port is opened (`supervisorctl -c $TMPDIR/s2i-wsgi/supervisord.conf status`
works through a unix socket only the container's user can use).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from .extra_processes import ExtraProcesses

LAUNCHER = "s2i-wsgi"
GROUP = "app"
LISTENER = "s2i-wsgi-fatal"
# Where the listener records a program that could not stay up (in the state directory).
FATAL_FILE = "fatal"
STOP_WAIT_SECONDS = 30
CONF_NAME = "supervisord.conf"
RPC_INTERFACE = "supervisor.rpcinterface:make_main_rpcinterface"  # for supervisorctl
LOG_TO_TERMINAL = {
    "stdout_logfile": "/dev/stdout",
    "stdout_logfile_maxbytes": "0",
    "stderr_logfile": "/dev/stderr",
    "stderr_logfile_maxbytes": "0",
}
LOG_OPTIONS = ("stdout_logfile", "stderr_logfile", "redirect_stderr", "stdout_syslog", "stderr_syslog")


def escape(value: str) -> str:
    """supervisord expands %(name)s in commands and paths: a literal % is %%."""
    return value.replace("%", "%%")


def prefixed(name: str, width: int, command: str) -> str:
    """A command line (already in supervisord's syntax) run through the line prefixer."""
    return f"{LAUNCHER} prefix --width {width} {name} -- {command}"


def web_argv(server_argv: Sequence[str], mod_wsgi: bool) -> list[str]:
    """The web program: the server command, under the graceful-stop wrapper for mod_wsgi."""
    return [LAUNCHER, "serve-mod-wsgi", *server_argv] if mod_wsgi else list(server_argv)


def _section(name: str, options: dict[str, str]) -> str:
    lines = [f"[{name}]"]
    for key, value in options.items():
        lines.append(f"{key}=" + value.replace("\n", "\n    "))  # continuation lines stay indented
    return "\n".join(lines) + "\n"


def _program(command: str) -> dict[str, str]:
    return {
        "command": command,
        "autostart": "true",
        "autorestart": "true",
        "startsecs": "1",
        "startretries": "10",
        "stopsignal": "TERM",
        "stopwaitsecs": str(STOP_WAIT_SECONDS),
        "killasgroup": "true",
        **LOG_TO_TERMINAL,
    }


def configuration(extra: ExtraProcesses, web: Sequence[str], state_dir: Path, password: str) -> str:
    """The whole supervisord.conf text; `web` is the web program's argv. `password` guards the
    control socket (supervisorctl reads it from this file, which only its owner may read)."""
    state = escape(str(state_dir))
    width = max(len(name) for name in ["web", *(name for name, _ in extra.names())])
    parts = [
        "; Written by `s2i-wsgi start` because the app declares extra processes (see `s2i-wsgi detect`).\n",
        _section(
            "supervisord",
            {
                "nodaemon": "true",
                "logfile": "/dev/null",  # its log goes to stdout (nodaemon), and nowhere else
                "logfile_maxbytes": "0",
                "pidfile": f"{state}/supervisord.pid",
                "childlogdir": state,
                "loglevel": "info",
            },
        ),
        _section(
            "unix_http_server",
            {"file": f"{state}/supervisor.sock", "chmod": "0700", "username": "s2i-wsgi", "password": password},
        ),
        _section("rpcinterface:supervisor", {"supervisor.rpcinterface_factory": RPC_INTERFACE}),
        _section(
            "supervisorctl",
            {"serverurl": f"unix://{state}/supervisor.sock", "username": "s2i-wsgi", "password": password},
        ),
        _section("program:web", _program(prefixed("web", width, escape(shlex.join(web))))),
    ]
    members = ["web"]
    for process in extra.procfile:
        command = prefixed(process.name, width, escape(shlex.join(["bash", "-c", process.command])))
        parts.append(f"; {process.origin}\n" + _section(f"program:{process.name}", _program(command)))
        members.append(process.name)
    in_user_groups = {
        member.strip()
        for program_file in extra.files
        for section, options in program_file.sections.items()
        if section.startswith("group:")
        for member in options.get("programs", "").split(",")
    }
    for program_file in extra.files:
        parts.append(f"; {program_file.relative}\n")
        for section, options in program_file.sections.items():
            kind, _, name = section.partition(":")
            if kind == "program" and not any(option in options for option in LOG_OPTIONS):
                # Not told where to log: the terminal, prefixed like every other process.
                # process_name is not expandable in a command, but what it is made of is.
                label = options.get("process_name", "%(program_name)s")
                command = prefixed(label, width, options["command"])
                options = {**options, "command": command, **LOG_TO_TERMINAL}  # noqa: PLW2901
            parts.append(_section(section, options))
            if kind == "program" and name not in in_user_groups:
                members.append(name)
    parts.append(_section(f"group:{GROUP}", {"programs": ",".join(members)}))
    parts.append(
        "; A program supervisord gives up on stops the container (fatal_listener.py).\n"
        + _section(
            f"eventlistener:{LISTENER}",
            {
                "command": f"{LAUNCHER} supervisor-listener --fatal-file {escape(str(state_dir / FATAL_FILE))}",
                "events": "PROCESS_STATE_FATAL",
                "autostart": "true",
                "autorestart": "true",
                "stdout_logfile": "NONE",  # its stdout is the protocol
                "stderr_logfile": "/dev/stderr",
                "stderr_logfile_maxbytes": "0",
            },
        )
    )
    return "\n".join(parts)


def write(text: str, state_dir: Path) -> Path:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / CONF_NAME
    path.unlink(missing_ok=True)  # a restarted container writes it afresh
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as file:
        file.write(text)
    return path


def argv(conf: Path) -> list[str]:
    return ["supervisord", "--nodaemon", "--configuration", str(conf)]
