"""The build (s2i assemble): install the app's dependencies into the app's
virtualenv, then make sure there is something to serve."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

from . import django, hooks, output
from .config import APP_ROOT, BUILDER_HOME, Config, load
from .detect import EntryPoint
from .errors import BuildError, ConfigError
from .servers import SERVERS, choose_server, entry_point

PYTHON = APP_ROOT / "bin" / "python"


def pip(config: Config, *args: str, what: str) -> None:
    argv = [str(PYTHON), "-m", "pip", "install", *args]
    code = output.run(argv, cwd=config.app_dir, env=config.environment)
    if code != 0:
        raise BuildError(
            f"Installing {what} failed (pip exited with status {code}).",
            "pip's output above names the package or requirement it could not install.",
            "Check the name and version exist on PyPI (or on your PIP_INDEX_URL), and that any "
            "system library a package compiles against is available; then build again.",
        )


def is_installable_project(app_dir: Path) -> bool:
    """pyproject.toml that describes a package (not just tool settings)."""
    pyproject = app_dir / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"pyproject.toml does not parse: {exc}.",
            "It decides how the project is installed.",
            "Fix pyproject.toml (any TOML validator shows the same error).",
        ) from None
    return "project" in data or "build-system" in data


def install_dependencies(config: Config) -> None:
    app_dir = config.app_dir
    requirements = app_dir / "requirements.txt"
    has_setup = (app_dir / "setup.py").is_file() or (app_dir / "setup.cfg").is_file()
    has_pyproject = is_installable_project(app_dir)
    installed_anything = False

    if requirements.is_file():
        output.step("Installing dependencies from requirements.txt")
        pip(config, "-r", "requirements.txt", what="the packages in requirements.txt")
        installed_anything = True

    if has_pyproject and not config["DISABLE_PYPROJECT_TOML_PROCESSING"]:
        output.step("Installing the project from pyproject.toml (pip install .)")
        pip(config, ".", what="the project described by pyproject.toml")
        installed_anything = True
    elif has_setup and not has_pyproject and not config["DISABLE_SETUP_PY_PROCESSING"]:
        output.step("Installing the project from setup.py (pip install .)")
        pip(config, ".", what="the project described by setup.py")
        installed_anything = True

    if not installed_anything:
        output.warning(
            "No requirements.txt, pyproject.toml or setup.py found; installing no dependencies. "
            "Add a requirements.txt listing what the app imports."
        )


def check_importable(config: Config, entry: EntryPoint) -> None:
    """An APP_MODULE outside the source must at least be installed."""
    if entry.file is not None:
        return
    probe = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({entry.module!r}) else 1)"
    code = output.run([str(PYTHON), "-c", probe], cwd=config.app_dir)
    if code != 0:
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


def build(environ: Mapping[str, str], source_dir: Path) -> EntryPoint:
    """The whole build, in the order the README documents."""
    config = load(environ, source_dir)
    output.step(f"Building the app in {config.app_dir} with Python {sys.version.split()[0]}")
    env = {**environ, **config.app_environment}
    changes = hooks.environment_from("build-env", source_dir, config.app_dir, env)
    if changes:
        env.update(changes)
        config = load({**environ, **changes}, source_dir)
    hooks.run("pre-build", source_dir, config.app_dir, env)
    if config["UPGRADE_PIP_TO_LATEST"]:
        output.step("Upgrading pip, setuptools and wheel (UPGRADE_PIP_TO_LATEST)")
        pip(config, "--upgrade", "pip", "setuptools", "wheel", what="the latest pip, setuptools and wheel")
    server, why = choose_server(config)  # fail fast, before a long install
    entry = entry_point(config)
    install_dependencies(config)
    if entry.is_wsgi:
        install_server(config, server, why)
        check_importable(config, entry)
    hooks.run("build", source_dir, config.app_dir, env)
    django.collectstatic(config, entry, env)
    output.step(f"Entry point: {entry.target} ({entry.reason})")
    return entry
