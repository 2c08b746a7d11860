"""uv.lock: the uv the builder brings, the version a project asks for, and `uv sync`."""

from __future__ import annotations

import re

from .. import output, python_version
from ..config import Config
from ..errors import BuildError, ConfigError
from ..paths import APP_ROOT
from .files import BUILD_TOOLS_REQUIREMENTS, PYTHON, UV, UV_LOCK, DependencyPlan
from .run import _env, _run, dependency_dir, out_of_date


def bundled_uv() -> str | None:
    """The uv version pinned in the image (requirements/build-tools.txt), None when unknown."""
    try:
        text = BUILD_TOOLS_REQUIREMENTS.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^uv==([0-9.]+)", text, re.MULTILINE)
    return match[1] if match else None


def _check_uv_version(pyproject: dict | None, bundled: str | None) -> None:
    """uv refuses to run for a project whose [tool.uv] required-version excludes it, and then says
    so in the middle of `uv lock --check`'s output: say it first, with what to do."""
    wanted = (((pyproject or {}).get("tool") or {}).get("uv") or {}).get("required-version")
    if not isinstance(wanted, str) or bundled is None:
        return
    if python_version.python_satisfies(wanted, tuple(int(part) for part in bundled.split("."))) is not False:
        return
    raise ConfigError(
        f'pyproject.toml requires uv "{wanted}" ([tool.uv] required-version), but this image has uv {bundled}.',
        "uv refuses to work on a project that requires another version of it, so uv.lock cannot be installed.",
        f'Widen required-version to include {bundled} (e.g. ">={bundled}") if the project works with it, '
        "or build with a newer s2i-wsgi image (its uv is pinned in requirements/build-tools.txt).",
    )


def _install_uv(config: Config, p: DependencyPlan) -> None:
    env = _env(config, p, UV_PROJECT_ENVIRONMENT=str(APP_ROOT), UV_PYTHON_DOWNLOADS="never", UV_LINK_MODE="copy")
    python = ["--python", str(PYTHON)]
    cwd = dependency_dir(config, p)
    output.step("Checking uv.lock is up to date with pyproject.toml (uv lock --check)")
    _run(
        [str(UV), "lock", "--check", "--offline", *python],
        cwd,
        env,
        out_of_date(UV_LOCK, "pyproject.toml", "uv lock --check", "uv lock"),
    )
    output.step("Installing the packages locked in uv.lock (uv sync --locked)")
    argv = [str(UV), "sync", "--locked", "--inexact", "--no-default-groups", "--no-editable", *python]
    if config["DISABLE_PYPROJECT_TOML_PROCESSING"]:
        argv.append("--no-install-project")
    _run(
        argv,
        cwd,
        env,
        lambda code: BuildError(
            f"Installing the packages locked in uv.lock failed (uv exited with status {code}).",
            "uv's output above names the package it could not download, build or install.",
            "Check that the indexes recorded in uv.lock are reachable from the build (UV_DEFAULT_INDEX, "
            "UV_INDEX for private ones) and that any system library a package compiles against is "
            "available; then build again.",
        ),
    )
