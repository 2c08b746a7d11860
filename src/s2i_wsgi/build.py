"""The build (s2i assemble): install the app's dependencies into the app's
virtualenv (deps.py decides how), then make sure there is something to serve."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from pathlib import Path

from . import cache, deps, django, hooks, importcheck, output, secrets
from .config import APP_ROOT, BUILDER_HOME, Config, load
from .deps import PYTHON, UV
from .detect import EntryPoint
from .errors import BuildError
from .processes import find as find_extra_processes
from .servers import SERVERS, choose_server, entry_point


def installed(config: Config, module: str) -> bool:
    """Whether the app's virtualenv can import `module` (found, not imported)."""
    probe = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({module!r}) else 1)"
    return output.run([str(PYTHON), "-c", probe], cwd=config.app_dir) == 0


def pip(config: Config, *args: str, what: str) -> None:
    deps.pip_install(config, *args, what=what)


def check_importable(config: Config, entry: EntryPoint) -> None:
    """An APP_MODULE outside the source must at least be installed."""
    if entry.file is not None:
        return
    if not installed(config, entry.module):
        raise BuildError(
            f"{entry.reason.split(' (from ')[0]} names module `{entry.module}`, which is neither in the "
            "source nor installed in the app's virtualenv.",
            "The server would fail every request with ModuleNotFoundError.",
            "Check the spelling of the module path (dotted, e.g. mypackage.wsgi), or add the package "
            "that provides it to requirements.txt.",
        )


def install_server(config: Config, server: str, why: str) -> None:
    """Install the chosen server, pinned, unless the app's dependencies brought it."""
    chosen = SERVERS[server]
    if chosen.package is None:
        return  # mod_wsgi is part of the builder image
    if (APP_ROOT / "bin" / chosen.executable).exists():
        output.step(f"Server: {chosen.title} ({why}), installed by the app's dependencies")
        return
    constraints = BUILDER_HOME / "requirements" / "servers.txt"
    output.step(f"Installing {chosen.title} ({why}), pinned by the builder")
    pip(config, "--constraint", str(constraints), chosen.package, what=chosen.title)


def install_whitenoise(config: Config, server: str) -> None:
    """gunicorn and waitress cannot serve files: WhiteNoise serves Django's static files for them."""
    if installed(config, "whitenoise"):
        output.step(f"Static files: served by WhiteNoise (installed by the app) in front of {SERVERS[server].title}")
        return
    constraints = BUILDER_HOME / "requirements" / "servers.txt"
    output.step(
        f"Installing WhiteNoise to serve Django's static files with {SERVERS[server].title}, pinned by the builder"
    )
    pip(config, "--constraint", str(constraints), "whitenoise", what="WhiteNoise")


def install_dependencies(dependency_plan: deps.DependencyPlan, config: Config) -> None:
    """Install with the previous build's cache when there is one; should that fail, once more without."""
    restored = cache.restore(cache.CACHE_DIR, cache.ARTIFACTS_DIR)
    try:
        deps.install(dependency_plan, config)
    except BuildError:
        if not restored:
            raise
        output.warning(
            "Installing the dependencies failed with the cache from the previous build, which may be "
            "damaged. Installing them again without it."
        )
        cache.clear(cache.CACHE_DIR)
        deps.install(dependency_plan, config)
    cache.keep(config["BUILD_CACHE"], UV, cache.CACHE_DIR)


def build(environ: Mapping[str, str], source_dir: Path) -> EntryPoint:
    """The whole build, in the order the README documents, with the build secrets provided."""
    config = load(environ, source_dir)
    with secrets.provided(secrets.secrets_dir(config["S2I_WSGI_SECRETS_DIR"])) as found:
        return _build(environ, source_dir, config, found)


def _build(environ: Mapping[str, str], source_dir: Path, config: Config, found: secrets.BuildSecrets) -> EntryPoint:
    output.step(f"Building the app in {config.app_dir} with Python {sys.version.split()[0]}")
    overridden = sorted(name for name in found.environment if name in config.environment and name in config.settings)
    secrets.describe(found, [name for name in overridden if name != "S2I_WSGI_SECRETS_DIR"])
    env = {**environ, **config.app_environment, **found.environment}
    changes = hooks.environment_from("build-env", source_dir, config.app_dir, env)
    if changes:
        env.update(changes)
        config = load({**environ, **changes}, source_dir)
    config = dataclasses.replace(config, build_secrets=found.environment)
    hooks.run("pre-build", source_dir, config.app_dir, env)
    # All four fail fast, before a long install.
    server, why = choose_server(config)
    entry = entry_point(config)
    extra = find_extra_processes(source_dir, config.app_dir)
    dependency_plan = deps.plan(config)
    install_dependencies(dependency_plan, config)
    if entry.is_wsgi:
        install_server(config, server, why)
        check_importable(config, entry)
    hooks.run("build", source_dir, config.app_dir, env)
    importcheck.check(config, entry, django.django_env(entry, config.environment))
    django.collectstatic(config, entry, env)
    if entry.django and server in ("gunicorn", "waitress") and django.static_alias():
        install_whitenoise(config, server)
    output.step(f"Entry point: {entry.target} ({entry.reason})")
    if extra:
        listed = ", ".join(f"{name} ({origin})" for name, origin in extra.names())
        output.step(f"Extra processes, run under supervisord beside the web server: {listed}")
    return entry
