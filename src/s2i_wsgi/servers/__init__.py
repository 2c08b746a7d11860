"""The servers, as a table: which one runs the app, and its command line.

`choose_server(config)` decides, without running app code, in this order:

1. WSGI_SERVER, .warpdrive/server_type, WARPDRIVE_SERVER_TYPE: an explicit
   choice. When more than one is set they must name the same server.
2. An app that configures gunicorn gets gunicorn: APP_CONFIG, GUNICORN_CMD_ARGS,
   or a gunicorn.conf.py in the app directory.
3. Otherwise mod_wsgi (mod_wsgi-express, daemon mode).

Each server builds its argv as a list from (config, entry point, limits);
`s2i-wsgi start` execs it, so the server is PID 1. Extra arguments come from
.warpdrive/server_args (a file, or a directory with one file per server),
split like a shell would split words but never run by one.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import os
import re
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import (
    APP_PYTHON,
    APP_ROOT,
    BOOLEAN,
    MOD_WSGI,
    QUEUE_TIMEOUT_DEFAULT,
    SERVER_NAMES,
    VARIABLES,
    Config,
    Variable,
)
from ..detect import EntryPoint, detect, explicit_target
from ..errors import ConfigError
from ..factory import parse_target
from ..resources import Limits, default_processes

SERVER_TYPE_FILE = Path(".warpdrive") / "server_type"
SERVER_ARGS_FILE = Path(".warpdrive") / "server_args"
GUNICORN_SETTINGS = Path(__file__).resolve().parent.parent / "gunicorn_settings.py"
# waitress-serve, made to stop on SIGTERM as PID 1 (see the file).
WAITRESS_SERVE = Path(__file__).resolve().parent.parent / "waitress_serve.py"


# ---------------------------------------------------------------------------
# Which server.


def _server_type_file(config: Config) -> str | None:
    path = config.source_dir / SERVER_TYPE_FILE
    if not path.is_file():
        return None
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{SERVER_TYPE_FILE} cannot be read ({exc}).",
            f"It names the server, one of {', '.join(SERVER_NAMES)}, as UTF-8 text.",
            f"Write one of them into {SERVER_TYPE_FILE}, or delete the file to use WSGI_SERVER or the default.",
        ) from None
    if value.lower() not in SERVER_NAMES:
        raise ConfigError(
            f"{SERVER_TYPE_FILE} says {value!r}, which is not a server this builder runs.",
            f"The server type must be one of {', '.join(SERVER_NAMES)}.",
            f"Write one of them into {SERVER_TYPE_FILE}, or delete the file to use WSGI_SERVER or the default.",
        )
    return value.lower()


def gunicorn_config_file(config: Config) -> tuple[Path, str] | None:
    """The app's gunicorn configuration file and what named it, if any."""
    app_dir = config.app_dir
    if config["APP_CONFIG"]:
        return app_dir / config["APP_CONFIG"], f"APP_CONFIG={config['APP_CONFIG']}"
    if config["GUNICORN_CMD_ARGS"]:
        try:
            words = shlex.split(config["GUNICORN_CMD_ARGS"])
        except ValueError as exc:  # gunicorn splits it the same way, and would fail too
            raise ConfigError(
                f"GUNICORN_CMD_ARGS={config['GUNICORN_CMD_ARGS']!r} cannot be split into options ({exc}).",
                "gunicorn reads GUNICORN_CMD_ARGS as a shell would split it.",
                "Close the quote in GUNICORN_CMD_ARGS, or quote the value that holds a quote character.",
            ) from None
        for index, word in enumerate(words):
            if word in ("-c", "--config") and index + 1 < len(words):
                return app_dir / words[index + 1], "--config in GUNICORN_CMD_ARGS"
            if word.startswith("--config="):
                return app_dir / word.partition("=")[2], "--config in GUNICORN_CMD_ARGS"
    if (app_dir / "gunicorn.conf.py").is_file():
        return app_dir / "gunicorn.conf.py", "gunicorn.conf.py"
    return None


def choose_server(config: Config) -> tuple[str, str]:
    """(server name, why): a pure function of the configuration and the app's files."""
    explicit: list[tuple[str, str]] = []
    if config["WSGI_SERVER"]:
        why = f"WSGI_SERVER={config['WSGI_SERVER']} (from {config.source_of('WSGI_SERVER')})"
        explicit.append((config["WSGI_SERVER"], why))
    from_file = _server_type_file(config)
    if from_file:
        explicit.append((from_file, f"{SERVER_TYPE_FILE} says {from_file}"))
    if config["WARPDRIVE_SERVER_TYPE"]:
        explicit.append(
            (
                config["WARPDRIVE_SERVER_TYPE"],
                f"WARPDRIVE_SERVER_TYPE={config['WARPDRIVE_SERVER_TYPE']} "
                f"(from {config.source_of('WARPDRIVE_SERVER_TYPE')})",
            )
        )
    if explicit:
        names = {name for name, _ in explicit}
        if len(names) > 1:
            listed = "\n".join(f"  - {why}" for _, why in explicit)
            raise ConfigError(
                f"The server is chosen more than once, differently:\n{listed}",
                "Only one server can run the app, and picking one of these would be a guess.",
                "Keep one of these settings (WSGI_SERVER is this builder's name for it), or make them agree.",
            )
        name, why = explicit[0]
        return name, why
    if config["APP_CONFIG"]:
        return "gunicorn", f"APP_CONFIG={config['APP_CONFIG']} is a gunicorn configuration"
    if config["GUNICORN_CMD_ARGS"]:
        return "gunicorn", "GUNICORN_CMD_ARGS is set"
    if (config.app_dir / "gunicorn.conf.py").is_file():
        return "gunicorn", "the app has a gunicorn.conf.py"
    return "mod_wsgi", "the default; WSGI_SERVER chooses another"


# ---------------------------------------------------------------------------
# What to serve: gunicorn's wsgi_app setting, then detection.


def wsgi_app_setting(path: Path) -> str | None:
    """The string a gunicorn configuration file assigns to `wsgi_app` at top level (read, not run)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None  # gunicorn itself reports a broken file, with its traceback
    except (MemoryError, RecursionError):
        raise ConfigError(
            f"{path.name} is nested too deeply for Python's parser.",
            "gunicorn runs it as Python, and Python cannot compile it either.",
            f"Split the deeply nested expression in {path.name} into several statements.",
        ) from None
    value = None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(target, ast.Name) and target.id == "wsgi_app" for target in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            value = node.value.value
    return value


def entry_point(config: Config) -> EntryPoint:
    """APP_MODULE, else `wsgi_app` in the app's gunicorn configuration, else detection."""
    found = None if config["APP_MODULE"] else gunicorn_config_file(config)
    if found and os.path.isfile(found[0]):  # False, not an error, for a name too long to be a file
        path = found[0]
        target = wsgi_app_setting(path)
        if target is not None:
            where = path.relative_to(config.app_dir) if path.is_relative_to(config.app_dir) else path
            try:
                parsed = parse_target(target)
            except ValueError:
                raise ConfigError(
                    f"{where} sets wsgi_app = {target!r}, which is not MODULE:CALLABLE or MODULE:FACTORY(ARGS).",
                    "gunicorn reads wsgi_app as a module and a name in it, or a call of that name with literal "
                    "arguments; every server here loads it the same way.",
                    "Set wsgi_app (or APP_MODULE) to MODULE:CALLABLE, e.g. myproject.wsgi:application, or to an "
                    "app factory call, e.g. flaskr:create_app().",
                ) from None
            # Errors read "wsgi_app = '...' (FILE) names ..."; the start line says where the choice came from.
            entry = explicit_target(config, parsed, f"wsgi_app = {target!r} ({where})")
            return dataclasses.replace(entry, reason=f"{where} sets wsgi_app")
    return detect(config)


# ---------------------------------------------------------------------------
# Sizing.


def processes(config: Config, limits: Limits, server: str = "mod_wsgi") -> tuple[int, str]:
    """The process (worker) count and where it came from."""
    if server == "waitress":
        return 1, "waitress is single-process"
    if server == "mod_wsgi" and config.is_set("MOD_WSGI_PROCESSES"):
        return config["MOD_WSGI_PROCESSES"], "MOD_WSGI_PROCESSES"
    if config.is_set("WEB_CONCURRENCY"):
        return config["WEB_CONCURRENCY"], "WEB_CONCURRENCY"
    memory = f", {limits.memory // (1024 * 1024)} MiB" if limits.memory else ""
    return default_processes(limits), f"{limits.cpus:g} CPUs{memory}"


def threads(config: Config, server: str = "mod_wsgi") -> int:
    if server == "mod_wsgi" and config["MOD_WSGI_THREADS"] is not None:
        return config["MOD_WSGI_THREADS"]
    return config["WSGI_THREADS"]


def request_timeout(config: Config, server: str = "mod_wsgi") -> int:
    if server == "mod_wsgi" and config["MOD_WSGI_REQUEST_TIMEOUT"] is not None:
        return config["MOD_WSGI_REQUEST_TIMEOUT"]
    return config["WSGI_REQUEST_TIMEOUT"]


def queue_timeout(config: Config) -> tuple[int, str]:
    """mod_wsgi's queue timeout and where it came from: unless set, never longer than the request timeout.

    mod_wsgi checks the queue timeout only when a daemon thread takes a request. Threads held by hung
    requests take nothing until the request timeout recycles their process; then the new process
    takes the queue in order. A request that waited longer than a request may run is shed (504) at
    once, so a burst of hung requests (clients retrying a deadlocked endpoint) costs one recycle.
    Under a longer queue timeout each queued hung request was run in turn and hung again, one
    recycle per `threads` of them, until the queue timeout finally caught up.
    """
    if config.is_set("MOD_WSGI_QUEUE_TIMEOUT"):
        return config["MOD_WSGI_QUEUE_TIMEOUT"], f"set in {config.source_of('MOD_WSGI_QUEUE_TIMEOUT')}"
    seconds = request_timeout(config, "mod_wsgi")
    if seconds == 0:
        return QUEUE_TIMEOUT_DEFAULT, f"{QUEUE_TIMEOUT_DEFAULT} s, as the request timeout is off"
    if seconds < QUEUE_TIMEOUT_DEFAULT:
        name = "MOD_WSGI_REQUEST_TIMEOUT" if config["MOD_WSGI_REQUEST_TIMEOUT"] is not None else "WSGI_REQUEST_TIMEOUT"
        return seconds, f"the request timeout, {name}={seconds}"
    return QUEUE_TIMEOUT_DEFAULT, f"{QUEUE_TIMEOUT_DEFAULT} s, no longer than the request timeout ({seconds} s)"


def python_path(config: Config) -> list[Path]:
    """The app directory, its src/ when there is one, and with APP_HOME the source root after them
    (sclorg's run script and warpdrive put it there: an app in APP_HOME may import a package kept
    at the top of the repository)."""
    app_dir = config.app_dir
    paths = [app_dir] + ([app_dir / "src"] if (app_dir / "src").is_dir() else [])
    return paths + ([config.source_dir] if app_dir != config.source_dir else [])


# ---------------------------------------------------------------------------
# Extra arguments from .warpdrive/server_args.

_SHELL_SYNTAX = re.compile(r"\$\(|`|[;|&<>]")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def server_args_file(config: Config, server: str) -> Path | None:
    path = config.source_dir / SERVER_ARGS_FILE
    if path.is_dir():
        path = path / server
    if path.is_symlink() and not path.exists():
        shown = path.relative_to(config.source_dir)
        raise ConfigError(
            f"{shown} is a symbolic link to {os.readlink(path)}, which is not in the source.",
            "A link to a file outside the source (or to one that is not committed) does not reach the build, "
            "so the server would start without the options it holds.",
            f"Replace the link with the file itself, or remove {shown}.",
        )
    return path if path.is_file() else None


def server_args(config: Config, server: str) -> list[str]:
    """Words of .warpdrive/server_args (or .warpdrive/server_args/SERVER).

    Split with shell quoting rules and `#` comments; `$NAME` and `${NAME}` are
    replaced from the environment, as warpdrive does. Nothing is executed:
    command substitution, pipes, redirections and command separators are refused.
    """
    path = server_args_file(config, server)
    if path is None:
        return []
    shown = path.relative_to(config.source_dir)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{shown} cannot be read ({exc}).",
            "It holds options for the server, as UTF-8 text.",
            f"Save {shown} as UTF-8 text with the options separated by spaces or lines.",
        ) from None
    # Lines end at "\n" only: a shell splits words at spaces, tabs and newlines, nothing else.
    lines = [line for line in text.split("\n") if not line.lstrip().startswith("#")]
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("#"):
            continue
        if "\x00" in line:
            raise ConfigError(
                f"{shown} line {number} contains a NUL byte.",
                "No argument can hold a NUL byte; a file that has one is binary, or saved in another encoding "
                "such as UTF-16.",
                f"Save {shown} as UTF-8 text with the options separated by spaces or lines.",
            )
        match = _SHELL_SYNTAX.search(line)
        if match:
            raise ConfigError(
                f"{shown} line {number} contains `{match.group()}`: {line.strip()!r}",
                "This file holds server options only. It is split into words but never run by a shell, "
                "so command substitution, pipes, redirections and `;` or `&` cannot work.",
                "Write the options literally ($NAME and ${NAME} are replaced from the environment); "
                "run commands in a hook instead.",
            )

    def expand(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in config.environment:
            raise ConfigError(
                f"{shown} refers to ${name}, which is not set.",
                "The option would be given an empty value.",
                f"Set {name} (in .s2i/environment or with -e), or remove the reference.",
            )
        return config.environment[name]

    try:
        words = shlex.split(_VARIABLE.sub(expand, "\n".join(lines)), comments=True)
    except ValueError as exc:
        raise ConfigError(
            f"{shown} cannot be split into words: {exc}.",
            "Its quoting follows the shell's rules.",
            f"Close the quote in {shown}.",
        ) from None
    server_entry = SERVERS[server]
    for word in words:
        for option in server_entry.owned_options:
            if (
                word == option
                or (option.startswith("--") and word.startswith(option + "="))
                or (not option.startswith("--") and word.startswith(option) and len(word) > len(option))
            ):
                raise ConfigError(
                    f"{shown} sets {option}, which the launcher sets for {server_entry.title}.",
                    server_entry.owned_why,
                    f"Remove {option} from {shown}. {server_entry.owned_fix}",
                )
    return words


# ---------------------------------------------------------------------------
# The command lines.


def is_option(variable: Variable) -> bool:
    return bool(variable.option) and variable.option.startswith("--")


def _tuning_args(config: Config) -> list[str]:
    """mod_wsgi-express options from the MOD_WSGI_* rows of the table."""
    argv: list[str] = []
    handled_elsewhere = {
        "MOD_WSGI_PROCESSES",
        "MOD_WSGI_THREADS",
        "MOD_WSGI_REQUEST_TIMEOUT",
        "MOD_WSGI_QUEUE_TIMEOUT",
        "MOD_WSGI_MAX_CLIENTS",
    }
    for variable in VARIABLES:
        # A row without an option, or whose option is an Apache directive (see apache_conf()).
        if variable.section != MOD_WSGI or variable.name in handled_elsewhere or not is_option(variable):
            continue
        value = config[variable.name]
        if value is None:
            continue
        if variable.kind is BOOLEAN:
            if value:
                argv += variable.option.split()
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, tuple):
                    url, path = item
                    argv += [variable.option, url, str(config.app_dir / path)]
                else:
                    argv += [variable.option, item]
        else:
            argv += [variable.option, str(value)]
    if config["MOD_WSGI_TRUST_PROXY_HEADERS"] and config["MOD_WSGI_TRUST_PROXY"] is None:
        for network in PRIVATE_NETWORKS:
            argv += ["--trust-proxy", network]
    return argv


# Where an OpenShift router, a Kubernetes ingress controller or a proxy beside the container reach
# it from. Without any --trust-proxy, mod_wsgi believes the trusted headers from every client, so
# anyone on the internet could claim https or another address; from these networks only, a
# client reaching the container directly cannot.
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1", "fc00::/7")

MIN_MAX_CLIENTS = 100
# Apache is started with APACHE_CONF (`apachectl start -f`, see supervise.run_mod_wsgi): our
# directives first, then mod_wsgi-express's httpd.conf, which includes APACHE_INCLUDE last.
APACHE_CONF = Path(tempfile.gettempdir()) / "s2i-wsgi" / "httpd.conf"
APACHE_INCLUDE = Path(tempfile.gettempdir()) / "s2i-wsgi" / "apache.conf"


# No TRACE (it echoes a request, cookies included, back to whoever sent it), and no version in the
# Server header or on error pages (it tells an attacker which vulnerabilities to try).
APACHE_HARDENING = "TraceEnable Off\nServerTokens Prod\nServerSignature Off\n"


def server_root(config: Config) -> Path:
    """Where mod_wsgi-express writes its configuration (--server-root)."""
    return Path(tempfile.gettempdir()) / f"mod_wsgi-{config['PORT']}"


def apache_conf(config: Config) -> str:
    """The file Apache is started with: the request limits of the MOD_WSGI_* rows whose option is
    an Apache directive, then mod_wsgi-express's configuration.

    They must come before it: a <VirtualHost> takes its copy of LimitRequestLine,
    LimitRequestFields and LimitRequestFieldSize from the main server where it is defined
    (ap_init_virtual_host), and Apache reads a request's line and headers with the limits of
    the default virtual host; mod_wsgi-express defines its virtual hosts before the file it
    includes last, where these settings had no effect.
    """
    directives = "".join(
        f"{variable.option} {config[variable.name]}\n"
        for variable in VARIABLES
        if variable.section == MOD_WSGI and variable.option and not is_option(variable)
        if config[variable.name] is not None
    )
    return (
        f"# Written by s2i-wsgi: see servers.apache_conf().\n{directives}Include '{server_root(config)}/httpd.conf'\n"
    )


def apache_include(config: Config, limits: Limits) -> str:
    """What mod_wsgi-express's configuration includes last (--include-file), to override it: the
    hardening, and one child for every worker.

    mod_wsgi-express spreads MaxRequestWorkers over several event-MPM children
    of ~16 threads. In daemon mode each Apache thread waits while its request
    is queued for a daemon thread, so under load a child that happened to
    accept more connections than it has threads runs out of idle workers, and
    the event MPM then closes its kept-alive connections: clients see resets
    (the read errors wrk reports). A single child cannot be unevenly loaded,
    and is never reaped by the spare-thread logic either.
    """
    clients = max_clients(config, limits)
    return (
        "# Written by s2i-wsgi: see servers.apache_include().\n"
        f"{APACHE_HARDENING}"
        "<IfModule mpm_event_module>\n"
        "ServerLimit 1\n"
        "StartServers 1\n"
        f"ThreadLimit {clients}\n"
        f"ThreadsPerChild {clients}\n"
        f"MaxRequestWorkers {clients}\n"
        "MinSpareThreads 1\n"
        f"MaxSpareThreads {clients}\n"
        "</IfModule>\n"
    )


def apache_files(config: Config, limits: Limits) -> dict[Path, str]:
    """The files mod_wsgi's Apache is started with, written at start where the root may be read-only."""
    return {APACHE_CONF: apache_conf(config), APACHE_INCLUDE: apache_include(config, limits)}


def max_clients(config: Config, limits: Limits) -> int:
    return config["MOD_WSGI_MAX_CLIENTS"] or default_max_clients(config, limits)


def default_max_clients(config: Config, limits: Limits) -> int:
    """Room for the keep-alive connections of clients and proxies, not just the busy requests:
    Apache event workers are cheap, and too few make Apache drop idle keep-alive connections."""
    capacity = processes(config, limits, "mod_wsgi")[0] * threads(config, "mod_wsgi")
    return max(MIN_MAX_CLIENTS, math.ceil(1.5 * capacity))


def mod_wsgi_express(
    config: Config, entry: EntryPoint, limits: Limits, static: tuple[str, str] | None = None
) -> list[str]:
    app_dir = config.app_dir
    port = config["PORT"]
    argv = [
        str(APP_ROOT / "bin" / "mod_wsgi-express"),
        "start-server",
        "--application-type",
        "module",
        "--entry-point",
        entry.module,
        "--callable-object",
        entry.callable,
        "--working-directory",
        str(app_dir),
        "--port",
        str(port),
        "--server-root",
        str(server_root(config)),
        "--log-to-terminal",
        "--startup-log",
        "--processes",
        str(processes(config, limits, "mod_wsgi")[0]),
        "--threads",
        str(threads(config, "mod_wsgi")),
        "--request-timeout",
        str(request_timeout(config, "mod_wsgi")),
        "--queue-timeout",
        str(queue_timeout(config)[0]),
    ]
    for path in python_path(config):
        argv += ["--python-path", str(path)]
    if static:  # Django's collected static files, served by Apache
        argv += ["--url-alias", *static]
    argv += ["--max-clients", str(max_clients(config, limits)), "--include-file", str(APACHE_INCLUDE)]
    return argv + _tuning_args(config) + server_args(config, "mod_wsgi")


def gunicorn_defaults(config: Config, limits: Limits) -> dict[str, object]:
    """The builder's gunicorn settings, below the app's own (see gunicorn_settings.py)."""
    return {
        "bind": [f"0.0.0.0:{config['PORT']}"],
        "workers": processes(config, limits, "gunicorn")[0],
        "worker_class": "gthread",
        "threads": threads(config, "gunicorn"),
        "timeout": request_timeout(config, "gunicorn"),
        "graceful_timeout": 15,
        "keepalive": 2,
        "accesslog": "-",
        "errorlog": "-",
        # The heartbeat file on a container's overlay filesystem can stall workers.
        "worker_tmp_dir": "/dev/shm",
        "chdir": str(config.app_dir),
        "pythonpath": ",".join(str(path) for path in python_path(config)),
    }


def gunicorn(config: Config, entry: EntryPoint, limits: Limits) -> list[str]:
    return [
        str(APP_ROOT / "bin" / "gunicorn"),
        "--config",
        str(GUNICORN_SETTINGS),
        *server_args(config, "gunicorn"),
        entry.target,
    ]


def gunicorn_environment(config: Config, limits: Limits) -> dict[str, str]:
    found = gunicorn_config_file(config)
    return {
        "S2I_WSGI_GUNICORN_DEFAULTS": json.dumps(gunicorn_defaults(config, limits), sort_keys=True),
        "S2I_WSGI_GUNICORN_APP_CONFIG": str(found[0]) if found else "",
    }


# uWSGI also reads UWSGI_<OPTION> variables; the command line would beat them,
# so an option set that way is left out.
def _uwsgi_set(config: Config, *names: str) -> bool:
    return any(f"UWSGI_{name.upper().replace('-', '_')}" in config.environment for name in names)


def uwsgi(config: Config, entry: EntryPoint, limits: Limits) -> list[str]:
    argv = [
        str(APP_ROOT / "bin" / "uwsgi"),
        "--strict",
        "--master",
        "--http-socket",
        f":{config['PORT']}",
        "--wsgi",
        entry.target,
        "--virtualenv",
        str(APP_ROOT),
        "--chdir",
        str(config.app_dir),
        "--enable-threads",
        "--single-interpreter",
        "--thunder-lock",
        "--die-on-term",
        "--need-app",
        "--vacuum",
    ]
    for path in python_path(config):
        argv += ["--pythonpath", str(path)]
    tunables = [
        (("processes", "workers"), str(processes(config, limits, "uwsgi")[0])),
        (("threads",), str(threads(config, "uwsgi"))),
        (("harakiri",), str(request_timeout(config, "uwsgi"))),
        # Room for large cookies: the default (4 KiB) answers 502 to them.
        (("buffer-size",), "32768"),
    ]
    for names, value in tunables:
        if not _uwsgi_set(config, *names):
            argv += [f"--{names[0]}", value]
    return argv + server_args(config, "uwsgi")


def waitress(config: Config, entry: EntryPoint, limits: Limits) -> list[str]:
    return [
        str(APP_PYTHON),
        str(WAITRESS_SERVE),
        f"--listen=0.0.0.0:{config['PORT']}",
        f"--threads={threads(config, 'waitress')}",
        *server_args(config, "waitress"),
        entry.target,
    ]


def _python_path_environment(config: Config, limits: Limits) -> dict[str, str]:
    return {"PYTHONPATH": ":".join(str(path) for path in python_path(config))}


@dataclass(frozen=True)
class Server:
    name: str
    title: str
    executable: str  # in the app's virtualenv; its absence means "not installed"
    package: str | None  # the requirement installed at build time (pinned in requirements/servers.txt)
    argv: Callable[[Config, EntryPoint, Limits], list[str]]
    environment: Callable[[Config, Limits], dict[str, str]]
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
        mod_wsgi_express,
        lambda config, limits: {},
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
        gunicorn,
        gunicorn_environment,
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
        uwsgi,
        _python_path_environment,
        ("--http-socket", "--http", "--socket", "--wsgi", "--module", "-w", "--virtualenv", "--home", "-H", "--chdir"),
        _PORT_WHY,
        "Use PORT, APP_MODULE or APP_HOME instead. Other options in this file come last, so they win.",
    ),
    "waitress": Server(
        "waitress",
        "waitress",
        "waitress-serve",
        "waitress",
        waitress,
        _python_path_environment,
        ("--listen", "--host", "--port", "--unix-socket", "--call"),
        _PORT_WHY,
        "Use PORT or APP_MODULE instead. Other options in this file come after the launcher's, so they win.",
    ),
}


def command(config: Config, server: str, entry: EntryPoint, limits: Limits) -> tuple[list[str], dict[str, str]]:
    """The argv to exec, and the variables to add to the environment."""
    chosen = SERVERS[server]
    return chosen.argv(config, entry, limits), chosen.environment(config, limits)
