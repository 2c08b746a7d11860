"""One-off commands run in an app container: `s2i-wsgi setup|migrate|alive|ready`.

setup and migrate run the app's hook of that name (warpdrive's convention);
migrate falls back to Django's `manage.py migrate`. alive and ready run the
hook of that name if there is one, else ask the server over HTTP on
127.0.0.1:PORT: alive when it answers at all, ready when HEALTHCHECK_PATH
answers with a status below 500. Usable by Docker's HEALTHCHECK and
Kubernetes exec probes, with no curl in the image.
"""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from pathlib import Path

from . import django, hooks, output
from .errors import UserError
from .start import plan as start_plan


class CheckFailed(UserError):
    """A health check did not pass."""


def run_hook_task(name: str, environ: Mapping[str, str], source_dir: Path) -> bool:
    plan = start_plan(environ, source_dir)
    return hooks.run(name, source_dir, plan.config.app_dir, plan.env)


def setup(environ: Mapping[str, str], source_dir: Path) -> None:
    if not run_hook_task("setup", environ, source_dir):
        output.step("No setup hook (.s2i/action_hooks/setup or .warpdrive/action_hooks/setup): nothing to do")


def migrate(environ: Mapping[str, str], source_dir: Path) -> None:
    plan = start_plan(environ, source_dir)
    if hooks.run("migrate", source_dir, plan.config.app_dir, plan.env):
        return
    if plan.entry.django is None:
        raise UserError(
            "Nothing to migrate: there is no migrate hook and the app is not a Django project.",
            "",
            "Add an executable .s2i/action_hooks/migrate (or .warpdrive/action_hooks/migrate).",
        )
    django.migrate(plan.config, plan.entry, plan.env, when="now")


def http_status(port: int, path: str, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "s2i-wsgi-healthcheck"})
        return connection.getresponse().status
    finally:
        connection.close()


def check(name: str, environ: Mapping[str, str], source_dir: Path, timeout: float = 5.0) -> str:
    plan = start_plan(environ, source_dir, env_hooks=False)
    if hooks.find(source_dir, name):
        hooks.run(name, source_dir, plan.config.app_dir, plan.env)
        return f"{name} hook passed"
    port, path = plan.config["PORT"], plan.config["HEALTHCHECK_PATH"]
    try:
        status = http_status(port, path, timeout)
    except OSError as exc:
        raise CheckFailed(f"{name}: nothing answers HTTP on 127.0.0.1:{port} ({exc}).") from None
    if name == "ready" and status >= 500:
        raise CheckFailed(f"ready: GET {path} on port {port} answered {status}.")
    return f"{name}: GET {path} on port {port} answered {status}"
