"""The start (s2i run): environment hooks, deploy hooks, Django migrations,
then the server (or the app's own command).

`run(plan, limits)` is `s2i-wsgi start`: it checks that the server can run, says what runs and
why, writes the files, runs the hooks, then hands over to the server in one of three ways:
- exec: gunicorn, uWSGI, waitress and the app's own commands stop gracefully on SIGTERM
  themselves, so they replace the launcher as PID 1;
- mod_wsgi: the launcher stays PID 1 above Apache, to turn SIGTERM into its graceful stop (pid1.py);
- extra processes: supervisord runs them beside the web server, below the launcher (pid1.py).
`describe(plan, limits)` is `s2i-wsgi detect`: the same decisions, printed.

Everything the start writes goes under $TMPDIR, the one place a restricted
platform leaves writable (a read-only root with a tmpfs or an emptyDir on
/tmp). That includes XDG_RUNTIME_DIR, which the launcher gives the server, the
hooks and the extra processes when the platform sets none: tools that keep
sockets or state there would otherwise fall back to the home directory, the
app's source, which is read-only then (gunicorn's control socket, for one).
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import asgi, asgi_mount, deps, dev_aids, django, factory, hooks, interface, metrics, output, pid1, supervisord
from .config import APP_ROOT, QUEUE_TIMEOUT_DEFAULT, Config, load
from .detect import EntryPoint, entry_point
from .errors import StartError
from .extra_processes import NOT_DAEMONS, ExtraProcesses
from .extra_processes import find as find_extra_processes
from .interface import Interface
from .resources import Limits
from .resources import detect as detect_limits
from .servers import SERVERS, choose_server, mod_wsgi_express, processes, queue_timeout, request_timeout, threads
from .servers import asgi as asgi_servers
from .servers import command as server_command


@dataclass(frozen=True)
class Plan:
    config: Config
    entry: EntryPoint
    env: dict[str, str]
    server: str  # a key of servers.SERVERS (servers.asgi.TITLES for an ASGI app); meaningless for a command
    server_why: str
    interface: Interface | None = None  # None for a command entry point

    @property
    def is_asgi(self) -> bool:
        return self.interface is not None and self.interface.is_asgi

    @property
    def server_title(self) -> str:
        return asgi_servers.TITLES[self.server] if self.is_asgi else SERVERS[self.server].title


def plan(environ: Mapping[str, str], source_dir: Path, *, env_hooks: bool = True) -> Plan:
    """Configuration (after .profile and deploy-env), entry point, server, and the environment to run with."""
    config = load(environ, source_dir)
    env = {**environ, **config.app_environment}
    if env_hooks:
        # Heroku's .profile (sourced from the top of the source at every start), then deploy-env.
        changes = hooks.environment_from(hooks.PROFILE, source_dir, source_dir, env)
        changes.update(hooks.environment_from("deploy-env", source_dir, config.app_dir, {**env, **changes}))
        if changes:
            env.update(changes)
            config = load({**environ, **changes}, source_dir)
    env["PORT"] = str(config["PORT"])
    if not env.get("XDG_RUNTIME_DIR"):
        env["XDG_RUNTIME_DIR"] = str(runtime_dir())
    entry = entry_point(config)
    server, why = choose_server(config)
    found = interface.decide(config, entry)
    if found is not None and found.is_asgi:
        server, why = asgi_servers.choose(config, server, why, entry.target)
    asgi_mount.check(config, entry, server, found)
    metrics.check(config, server, is_asgi=found is not None and found.is_asgi, is_command=found is None)
    dev_aids.check(config)
    return Plan(config, entry, django.django_env(entry, env), server, why, found)


def runtime_dir() -> Path:
    """The XDG_RUNTIME_DIR the launcher provides (write_files makes it, private as the spec asks)."""
    return hooks.STATE_DIR / "runtime"


def before_server(plan: Plan) -> None:
    """Everything that runs once before the server: hooks, then migrations."""
    source_dir, cwd = plan.config.source_dir, plan.config.app_dir
    hooks.once_per_container("deploy-cfg", source_dir, cwd, plan.env)
    hooks.run("deploy", source_dir, cwd, plan.env)
    if not plan.config["DISABLE_MIGRATE"]:
        django.migrate(plan.config, plan.entry, plan.env)


# Debian's dumb-init, in both images (ENABLE_INIT_WRAPPER).
INIT_WRAPPER = "/usr/bin/dumb-init"
# How each server is told where the app factory's wrapper module is: an option that adds a
# directory to the app's sys.path, else PYTHONPATH (gunicorn's --pythonpath would replace the
# `pythonpath` of its settings file rather than add to it; waitress has none).
FACTORY_PATH_OPTIONS = {"mod_wsgi": "--python-path", "uwsgi": "--pythonpath"}


def factory_command(plan: Plan, limits: Limits) -> tuple[list[str], dict[str, str]]:
    """An app factory: every server loads the wrapper module that calls it (factory.py)."""
    wrapper = dataclasses.replace(plan.entry, module=factory.WRAPPER_MODULE, callable="application", call=None)
    argv, env = server_command(plan.config, plan.server, wrapper, limits)
    option = FACTORY_PATH_OPTIONS.get(plan.server)
    if option:
        return [*argv, option, str(factory.WRAPPER_DIR)], env
    paths = [str(factory.WRAPPER_DIR), env.get("PYTHONPATH") or plan.env.get("PYTHONPATH", "")]
    return argv, {**env, "PYTHONPATH": ":".join(path for path in paths if path)}


def asgi_command(plan: Plan, limits: Limits) -> tuple[list[str], dict[str, str]]:
    """An ASGI app: the server loads the wrapper module (asgi.py) from a directory first on PYTHONPATH."""
    wrapper = dataclasses.replace(plan.entry, module=asgi.WRAPPER_MODULE, callable="application", call=None)
    argv = asgi_servers.argv(plan.config, plan.server, wrapper, limits)
    env = asgi_servers.environment(plan.config, plan.server, limits)
    paths = [str(asgi.WRAPPER_DIR), env.get("PYTHONPATH", ""), plan.env.get("PYTHONPATH", "")]
    return argv, {**env, "PYTHONPATH": ":".join(path for path in paths if path)}


def command(plan: Plan, limits: Limits) -> tuple[list[str], dict[str, str]]:
    """The argv to run, and the variables to add to the environment."""
    argv, env = _command(plan, limits)
    mounted = asgi_mount.mount(plan.config)  # plan() checked that mod_wsgi serves a WSGI app then
    return ([*argv, *asgi_mount.proxy_args(mounted)] if mounted else argv), env


def _command(plan: Plan, limits: Limits) -> tuple[list[str], dict[str, str]]:  # noqa: PLR0911 - one per kind
    if plan.entry.command is not None:
        # An app's own command (Django's runserver, Tornado) may not reap the processes it starts,
        # and as PID 1 nothing else would: sclorg's ENABLE_INIT_WRAPPER puts dumb-init above it.
        wrapper = [INIT_WRAPPER, "--"] if plan.config["ENABLE_INIT_WRAPPER"] else []
        return [*wrapper, *plan.entry.command], {}
    if plan.is_asgi:
        return asgi_command(plan, limits)
    if plan.entry.is_factory:
        return factory_command(plan, limits)
    static = django.static_alias() if plan.entry.django else None
    if plan.server == "mod_wsgi":
        return mod_wsgi_express.argv(plan.config, plan.entry, limits, static=static), {}
    if static and plan.server == "uwsgi":
        argv, env = server_command(plan.config, plan.server, plan.entry, limits)
        return [*argv, "--static-map", f"{static[0]}={static[1]}"], env
    if static and plan.server in ("gunicorn", "waitress"):
        wrapped = dataclasses.replace(plan.entry, module=django.WRAPPER_MODULE, callable="application")
        argv, env = server_command(plan.config, plan.server, wrapped, limits)
        paths = [str(django.WRAPPER_DIR), env.get("PYTHONPATH") or plan.env.get("PYTHONPATH", "")]
        return argv, {**env, "PYTHONPATH": ":".join(path for path in paths if path)}
    return server_command(plan.config, plan.server, plan.entry, limits)


def write_files(plan: Plan, limits: Limits) -> None:
    """Files the command needs, written where the root may be read-only: $TMPDIR."""
    if plan.env.get("XDG_RUNTIME_DIR") == str(runtime_dir()):
        runtime_dir().mkdir(parents=True, exist_ok=True)
        runtime_dir().chmod(0o700)  # owned by the container's user, and by no one else
    if plan.entry.command is None and plan.entry.is_wsgi and plan.server == "mod_wsgi":
        files = mod_wsgi_express.apache_files(plan.config, limits)
        mounted = asgi_mount.mount(plan.config)
        if mounted:
            files[mod_wsgi_express.APACHE_INCLUDE] += asgi_mount.apache_directives(mounted)
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if plan.is_asgi:
        static = django.static_alias() if plan.entry.django else None
        asgi.write(plan.entry, request_timeout(plan.config, plan.server), static)
        return
    mounted = asgi_mount.mount(plan.config)
    if mounted:
        asgi.write(mounted.entry, request_timeout(plan.config, plan.server))
        asgi_mount.SOCKET.unlink(missing_ok=True)  # a restarted container's, which uvicorn would not bind over
    if plan.entry.is_wsgi and plan.entry.is_factory:
        factory.WRAPPER_DIR.mkdir(parents=True, exist_ok=True)
        source = factory.wrapper_source(plan.entry.module, plan.entry.callable, plan.entry.call)
        (factory.WRAPPER_DIR / f"{factory.WRAPPER_MODULE}.py").write_text(source, encoding="utf-8")
    static = django.static_alias() if plan.entry.django else None
    if static and plan.entry.is_wsgi and plan.server in ("gunicorn", "waitress"):
        django.WRAPPER_DIR.mkdir(parents=True, exist_ok=True)
        (django.WRAPPER_DIR / f"{django.WRAPPER_MODULE}.py").write_text(
            django.whitenoise_wrapper(plan.entry, static), encoding="utf-8"
        )


def check_can_run(config: Config) -> None:
    """Fail loudly, not with a daemon that keeps restarting, when files are unreadable."""
    app_dir = config.app_dir
    if not os.access(app_dir, os.R_OK | os.X_OK):
        raise StartError(
            f"User {os.getuid()} (group {os.getgid()}) cannot enter {app_dir}.",
            "The server's processes run as this user and must read the app; otherwise every request "
            "would wait for a timeout.",
            "Run as a user in group 0 (OpenShift does), or make the directory group-readable "
            "(fix-permissions does this at build time).",
        )


def check_installed(config: Config, server: str, why: str, *, is_asgi: bool = False) -> None:
    """A server chosen only at run time was never installed: say so instead of failing the exec."""
    if is_asgi:
        if (APP_ROOT / "bin" / server).exists():
            return
        raise StartError(
            f"{asgi_servers.TITLES[server]} was chosen ({why}), but it is not installed in the app's virtualenv.",
            "The ASGI server is installed when the app image is built, for the server chosen then.",
            f"Set ASGI_SERVER={server} for the build (in .s2i/environment, or with -e on s2i build), or add "
            f"{server} to requirements.txt, and build again.",
        )
    chosen = SERVERS[server]
    if chosen.package is None or (APP_ROOT / "bin" / chosen.executable).exists():
        return  # mod_wsgi is part of the builder image
    raise StartError(
        f"{chosen.title} was chosen ({why}), but it is not installed in the app's virtualenv.",
        "Servers other than mod_wsgi are installed when the app image is built, for the server chosen then.",
        f"Set WSGI_SERVER={server} for the build (in .s2i/environment, or with -e on s2i build), or add "
        f"{chosen.package} to requirements.txt, and build again.",
    )


def extra_processes(config: Config) -> ExtraProcesses:
    """What runs beside the web server: the app's (extra_processes.py), and the ASGI_MOUNT's server."""
    extra = find_extra_processes(config.source_dir, config.app_dir)
    mounted = asgi_mount.mount(config)
    if mounted is None:
        return extra
    for name, origin in extra.names():
        if name == asgi_mount.PROCESS:
            raise StartError(
                f"{origin} declares a program named `{name}`, and ASGI_MOUNT is set.",
                f"`{name}` is the name of the program that serves ASGI_MOUNT's app under supervisord.",
                "Give the program another name.",
            )
    process = asgi_mount.process(config, mounted, str(asgi.WRAPPER_DIR))
    return dataclasses.replace(extra, procfile=(*extra.procfile, process))


def _under_pid1(plan: Plan) -> bool:
    """mod_wsgi's Apache runs below the launcher (or supervisord) as PID 1, never exec'd."""
    return plan.entry.is_wsgi and not plan.is_asgi and plan.server == "mod_wsgi"


def _supervisord_conf(plan: Plan, extra: ExtraProcesses, argv: list[str]) -> str:
    web = supervisord.web_argv(argv, _under_pid1(plan))
    import secrets  # noqa: PLC0415 - it loads OpenSSL (hmac), which every other start would pay for

    return supervisord.configuration(extra, web, hooks.STATE_DIR, password=secrets.token_urlsafe(18))


def _sizing(config: Config, server: str, limits: Limits, *, is_asgi: bool = False) -> str:
    count, why = processes(config, limits, server)
    noun = "process" if count == 1 else "processes"
    if is_asgi:
        return f"{count} {noun} ({why}), an event loop each"
    return f"{count} {noun} ({why}) x {threads(config, server)} threads"


def announce(plan: Plan, limits: Limits, extra: ExtraProcesses) -> None:
    """The `--->` lines that say what runs, and why."""
    config, entry = plan.config, plan.entry
    if plan.is_asgi:
        output.step(
            f"Serving {entry.target} ({entry.reason}), an ASGI app ({plan.interface.why}), with "
            f"{plan.server_title} ({plan.server_why}) on port {config['PORT']}: "
            f"{_sizing(config, plan.server, limits, is_asgi=True)}"
        )
    elif entry.is_wsgi:
        output.step(
            f"Serving {entry.target} ({entry.reason}) with {plan.server_title} ({plan.server_why}) "
            f"on port {config['PORT']}: {_sizing(config, plan.server, limits)}"
        )
    else:
        output.step(f"Starting {entry.target} ({entry.reason}); it must listen on port {config['PORT']}")
    if _under_pid1(plan):
        seconds, why = queue_timeout(config)
        if seconds != QUEUE_TIMEOUT_DEFAULT:  # said when it differs, so that early 504s are explained
            output.step(
                f"Requests that wait over {seconds} s for a thread are answered 504 (MOD_WSGI_QUEUE_TIMEOUT: {why})"
            )
    if extra:
        listed = ", ".join(f"{name} ({origin})" for name, origin in extra.names())
        output.step(f"Running the web server and {listed} under supervisord")
    for process in extra.not_run:
        output.info(f"Procfile `{process.name}:` is not run: {NOT_DAEMONS[process.name]}")


def run(plan: Plan, limits: Limits, *, dry_run: bool = False) -> int:
    """Start the app (`s2i-wsgi start`); with dry_run, print the command (or supervisord's
    configuration) instead. Returns only when the launcher stays PID 1 above the server."""
    config, entry = plan.config, plan.entry
    check_can_run(config)
    extra = extra_processes(config)
    announce(plan, limits, extra)
    argv, extra_env = command(plan, limits)
    if dry_run:
        print(_supervisord_conf(plan, extra, argv) if extra else shlex.join(argv))
        return 0
    if entry.is_wsgi:
        check_installed(config, plan.server, plan.server_why, is_asgi=plan.is_asgi)
    write_files(plan, limits)  # first: hooks run with the runtime directory in place
    before_server(plan)
    env = {**plan.env, **extra_env}
    os.chdir(config.app_dir)
    if extra:
        # supervisord runs the web server beside the extra processes; we stay PID 1 above it so
        # that a program it gives up on ends the container non-zero (pid1.run_supervisord).
        conf = supervisord.write(_supervisord_conf(plan, extra, argv), hooks.STATE_DIR)
        fatal = hooks.STATE_DIR / supervisord.FATAL_FILE
        return pid1.run_supervisord(supervisord.argv(conf), env, config.app_dir, fatal)
    if _under_pid1(plan):
        # We stay PID 1 to turn SIGTERM into Apache's graceful stop (see pid1.py).
        telemetry = metrics.for_start(config, limits)
        return pid1.run_mod_wsgi(argv, mod_wsgi_express.server_root(config), env, config.app_dir, telemetry)
    # gunicorn, uWSGI (--die-on-term), waitress and the app's own commands stop
    # gracefully on SIGTERM themselves: they replace us as PID 1.
    sys.stdout.flush()
    os.execvpe(argv[0], argv, env)  # noqa: S606 - the server replaces us as PID 1
    return 127  # not reached


def serve_mod_wsgi(argv: Sequence[str], environ: Mapping[str, str], source_dir: Path) -> int:
    """mod_wsgi-express under the graceful-stop wrapper, as supervisord's web program: `argv` is the
    command run() gave supervisord, in the environment it gave it (so the same PORT, the same server root)."""
    config = load(environ, source_dir)
    telemetry = metrics.for_start(config, detect_limits())
    return pid1.run_mod_wsgi(argv, mod_wsgi_express.server_root(config), environ, Path.cwd(), telemetry)


def _server_lines(plan: Plan, limits: Limits) -> Iterator[str]:
    config = plan.config
    count, why = processes(config, limits, plan.server)
    daemon = " (daemon mode)" if plan.server == "mod_wsgi" and not plan.is_asgi else ""
    yield f"server:       {plan.server_title}{daemon}"
    yield f"chosen:       {plan.server_why}"
    yield f"processes:    {count} ({why})"
    if plan.is_asgi:
        seconds = request_timeout(config, plan.server)
        yield f"threads:      none: an event loop per process; requests cancelled after {seconds} s"
    else:
        yield f"threads:      {threads(config, plan.server)}"


def describe(plan: Plan, limits: Limits) -> Iterator[str]:
    """The lines `s2i-wsgi detect` prints, one by one (those before an error are still shown): the
    decisions run() would act on, and why."""
    config, entry = plan.config, plan.entry
    argv, extra_env = command(plan, limits)
    yield f"entry point:  {entry.target}"
    yield f"file:         {entry.file.relative_to(config.source_dir) if entry.file else '(installed package)'}"
    yield f"because:      {entry.reason}"
    if entry.searched:
        yield "searched:     " + "; ".join(entry.searched)
    if plan.interface is not None:
        yield f"interface:    {plan.interface.title} ({plan.interface.why})"
    if entry.is_wsgi and entry.is_factory:
        wrapper = (
            (asgi.WRAPPER_DIR / f"{asgi.WRAPPER_MODULE}.py")
            if plan.is_asgi
            else (factory.WRAPPER_DIR / f"{factory.WRAPPER_MODULE}.py")
        )
        yield f"factory:      {entry.callable}({entry.call}) is called once per server process, by {wrapper}"
    if entry.is_wsgi:
        yield from _server_lines(plan, limits)
    else:
        yield "server:       the command itself (it must listen on PORT)"
    extra = extra_processes(config)
    for name, origin in extra.names():
        yield f"extra:        {name} ({origin})"
    if extra:
        yield "supervisord:  PID 1, running the web server and the extra processes"
    for process in extra.not_run:
        yield f"not run:      {process.name} ({process.origin}): {NOT_DAEMONS[process.name]}"
    if entry.django:
        migrate = "no (DISABLE_MIGRATE)" if config["DISABLE_MIGRATE"] else "yes"
        yield f"django:       settings {entry.django.settings_module}; migrate at start: {migrate}"
    found = deps.directory(config)
    if found.reason:  # APP_HOME is set: the dependency files may be there or at the source root
        yield f"dependencies: read at {deps.where(found.relative)} ({found.reason})"
    for name, why in found.not_used:
        yield f"not used:     {name} ({why})"
    yield "command:      " + shlex.join(argv)
    for name, value in extra_env.items():
        yield f"environment:  {name}={value}"
