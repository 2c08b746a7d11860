"""The start (s2i run): environment hooks, deploy hooks, Django migrations,
then the server (or the app's own command).

Everything the start writes goes under $TMPDIR, the one place a restricted
platform leaves writable (a read-only root with a tmpfs or an emptyDir on
/tmp). That includes XDG_RUNTIME_DIR, which the launcher gives the server, the
hooks and the extra processes when the platform sets none: tools that keep
sockets or state there would otherwise fall back to the home directory, the
app's source, which is read-only then (gunicorn's control socket, for one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import django, factory, hooks
from .config import Config, load
from .detect import EntryPoint, entry_point
from .resources import Limits
from .servers import SERVERS, choose_server, mod_wsgi_express
from .servers import command as server_command


@dataclass(frozen=True)
class Plan:
    config: Config
    entry: EntryPoint
    env: dict[str, str]
    server: str  # a key of servers.SERVERS; meaningless for a command entry point
    server_why: str

    @property
    def server_title(self) -> str:
        return SERVERS[self.server].title


def plan(environ: Mapping[str, str], source_dir: Path, *, env_hooks: bool = True) -> Plan:
    """Configuration (after deploy-env), entry point, server, and the environment to run with."""
    config = load(environ, source_dir)
    env = {**environ, **config.app_environment}
    if env_hooks:
        changes = hooks.environment_from("deploy-env", source_dir, config.app_dir, env)
        if changes:
            env.update(changes)
            config = load({**environ, **changes}, source_dir)
    env["PORT"] = str(config["PORT"])
    if not env.get("XDG_RUNTIME_DIR"):
        env["XDG_RUNTIME_DIR"] = str(runtime_dir())
    entry = entry_point(config)
    server, why = choose_server(config)
    return Plan(config, entry, django.django_env(entry, env), server, why)


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


# How each server is told where the app factory's wrapper module is: an option that adds a
# directory to the app's sys.path, else PYTHONPATH (gunicorn's --pythonpath would replace the
# `pythonpath` of its settings file rather than add to it; waitress has none).
# Debian's dumb-init, in both images (ENABLE_INIT_WRAPPER).
INIT_WRAPPER = "/usr/bin/dumb-init"
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


def command(plan: Plan, limits: Limits) -> tuple[list[str], dict[str, str]]:
    """The argv to run, and the variables to add to the environment."""
    if plan.entry.command is not None:
        # An app's own command (Django's runserver, Tornado) may not reap the processes it starts,
        # and as PID 1 nothing else would: sclorg's ENABLE_INIT_WRAPPER puts dumb-init above it.
        wrapper = [INIT_WRAPPER, "--"] if plan.config["ENABLE_INIT_WRAPPER"] else []
        return [*wrapper, *plan.entry.command], {}
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
        for path, text in mod_wsgi_express.apache_files(plan.config, limits).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
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
