"""The start (s2i run): environment hooks, deploy hooks, Django migrations,
then the command that replaces the launcher as PID 1."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import django, hooks
from .config import Config, load
from .detect import EntryPoint, detect
from .resources import Limits
from .servers import mod_wsgi_express


@dataclass(frozen=True)
class Plan:
    config: Config
    entry: EntryPoint
    env: dict[str, str]


def plan(environ: Mapping[str, str], source_dir: Path, *, env_hooks: bool = True) -> Plan:
    """Configuration (after deploy-env), entry point and the environment to run with."""
    config = load(environ, source_dir)
    env = {**environ, **config.app_environment}
    if env_hooks:
        changes = hooks.environment_from("deploy-env", source_dir, config.app_dir, env)
        if changes:
            env.update(changes)
            config = load({**environ, **changes}, source_dir)
    env["PORT"] = str(config["PORT"])
    entry = detect(config)
    return Plan(config, entry, django.django_env(entry, env))


def before_server(plan: Plan) -> None:
    """Everything that runs once before the server: hooks, then migrations."""
    source_dir, cwd = plan.config.source_dir, plan.config.app_dir
    hooks.once_per_container("deploy-cfg", source_dir, cwd, plan.env)
    hooks.run("deploy", source_dir, cwd, plan.env)
    if not plan.config["DISABLE_MIGRATE"]:
        django.migrate(plan.config, plan.entry, plan.env)


def command(plan: Plan, limits: Limits) -> list[str]:
    if plan.entry.command is not None:
        return list(plan.entry.command)
    return mod_wsgi_express(plan.config, plan.entry, limits, static=django.static_alias())
