"""The decision: which manager installs what, from which directory (a pure function of the files
and the settings, see the package docstring for its order), and the checks made before anything runs.
"""

from __future__ import annotations

import os
import platform
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .. import python_version
from ..config import Config
from ..errors import ConfigError
from .files import (
    LOCKS,
    PIPFILE_LOCK,
    POETRY_LOCK,
    REQUIREMENTS,
    UV_LOCK,
    WHEELHOUSE,
    DependencyPlan,
    _check_link,
    read_pyproject,
)
from .pipenv import _check_pipfile_lock, pypi_mirror
from .poetry import _check_poetry_lock, is_poetry_project
from .uv import _check_uv_version, bundled_uv


def _project(
    config: Config, app_dir: Path, pyproject: dict | None, *, after_lock: str | None
) -> tuple[str | None, list]:
    """Whether pip installs the project itself (from app_dir), and the files skipped (with why)."""
    skipped: list[tuple[str, str]] = []
    has_setup = [name for name in ("setup.py", "setup.cfg") if (app_dir / name).is_file()]
    if pyproject is not None and ("project" in pyproject or "build-system" in pyproject):
        if config["DISABLE_PYPROJECT_TOML_PROCESSING"]:
            skipped.append(("pyproject.toml", "DISABLE_PYPROJECT_TOML_PROCESSING is set"))
            return None, skipped
        if after_lock == POETRY_LOCK:
            poetry = (pyproject.get("tool") or {}).get("poetry") or {}
            if poetry.get("package-mode") is False or "build-system" not in pyproject:
                return None, skipped
        return "pyproject.toml", skipped
    if has_setup:
        if config["DISABLE_SETUP_PY_PROCESSING"]:
            skipped.append((has_setup[0], "DISABLE_SETUP_PY_PROCESSING is set"))
            return None, skipped
        return "setup.py", skipped
    return None, skipped


def _check_switches(config: Config, found: set[str], app_dir: Path) -> None:
    """Settings that contradict each other, or the files, stop the build."""
    pipenv, micropipenv = config["ENABLE_PIPENV"], config["ENABLE_MICROPIPENV"]
    if pipenv and micropipenv:
        raise ConfigError(
            "ENABLE_PIPENV and ENABLE_MICROPIPENV are both set.",
            "Each names a different installer for Pipfile.lock; the build cannot use both.",
            "Unset one of them: ENABLE_MICROPIPENV (the default for Pipfile.lock) installs the locked "
            "packages with pip, ENABLE_PIPENV runs pipenv itself.",
        )
    if pipenv and not found & {PIPFILE_LOCK, "Pipfile", REQUIREMENTS}:
        raise ConfigError(
            f"ENABLE_PIPENV is set, but there is no Pipfile.lock, Pipfile or requirements.txt in {app_dir}.",
            "pipenv installs the packages one of them lists; without any it would install nothing.",
            "Run `pipenv lock` and commit Pipfile and Pipfile.lock (or add a requirements.txt), or unset "
            "ENABLE_PIPENV.",
        )


def _choose(config: Config, found: set[str]) -> tuple[str, str, str]:
    """(file, manager, why) by the module's documented order."""
    pipenv, micropipenv = config["ENABLE_PIPENV"], config["ENABLE_MICROPIPENV"]
    if pipenv:
        # Without a lock, sclorg's assemble runs `pipenv install --deploy` (which locks Pipfile
        # first) or else `pipenv install -r requirements.txt`.
        for name, why in (
            (PIPFILE_LOCK, "ENABLE_PIPENV is set"),
            ("Pipfile", "ENABLE_PIPENV is set and there is a Pipfile but no Pipfile.lock"),
            (REQUIREMENTS, "ENABLE_PIPENV is set and there is a requirements.txt but no Pipfile"),
        ):
            if name in found:
                return name, "pipenv", why
    if micropipenv and PIPFILE_LOCK in found:
        return PIPFILE_LOCK, "micropipenv", "ENABLE_MICROPIPENV is set and there is a Pipfile.lock"
    if micropipenv and POETRY_LOCK in found:
        return POETRY_LOCK, "micropipenv", "ENABLE_MICROPIPENV is set and there is a poetry.lock"
    rules = (
        (UV_LOCK, "uv", "there is a uv.lock"),
        (PIPFILE_LOCK, "micropipenv", "there is a Pipfile.lock and ENABLE_PIPENV is not set"),
        (POETRY_LOCK, "micropipenv", "there is a poetry.lock"),
        (REQUIREMENTS, "pip", "there is a requirements.txt"),
    )
    for name, manager, why in rules:
        if name in found:
            return name, manager, why
    return "", "none", "there is no lock file or requirements.txt"


def _check_lock(chosen: str, app_dir: Path, pyproject: dict | None) -> None:
    """What the lock's own tool would refuse, said before anything is installed."""
    if chosen == PIPFILE_LOCK:
        _check_pipfile_lock(app_dir)
    if chosen == UV_LOCK:
        _check_uv_version(pyproject, bundled_uv())
    if chosen == POETRY_LOCK and pyproject is not None:
        _check_poetry_lock(app_dir, pyproject)


# Installs without a lock file, by the tool that locks it at build time: (manager, file) -> warning.
_RESOLVED_AT_BUILD = {
    ("pipenv", "Pipfile"): (
        "There is no Pipfile.lock, so pipenv resolves Pipfile now and the versions installed can change "
        "from one build to the next. Run `pipenv lock` and commit Pipfile.lock for repeatable builds.",
    ),
    ("poetry", "pyproject.toml"): (
        "There is no poetry.lock, so poetry resolves pyproject.toml now and the versions installed can "
        "change from one build to the next. Run `poetry lock` and commit poetry.lock for repeatable builds.",
    ),
}


# ---------------------------------------------------------------------------
# Where the dependency files are read: the source root or APP_HOME.

# Files that say what to install; pyproject.toml counts only when it declares a project (below).
DEPENDENCY_FILES = (*LOCKS, REQUIREMENTS, "Pipfile", "setup.py", "setup.cfg")
SOURCE_ROOT = "the source root"


@dataclass(frozen=True)
class Directory:
    """Where the dependency files are read, and why; `not_used` as in DependencyPlan."""

    relative: str  # "." or APP_HOME
    reason: str
    not_used: tuple[tuple[str, str], ...] = ()


def _declares_project(path: Path) -> bool:
    """A pyproject.toml that says what to install ([project], [build-system], [tool.poetry]); one that
    only configures tools (ruff, pytest) does not. One that does not parse counts: reading it where it
    is used says what is wrong with it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    tool = data.get("tool")
    return "project" in data or "build-system" in data or (isinstance(tool, dict) and "poetry" in tool)


def dependency_files(directory: Path) -> list[str]:
    """The dependency files in `directory`. A link counts even when it leads nowhere, so that plan()
    reports it instead of reading the other directory."""
    found = [name for name in DEPENDENCY_FILES if (directory / name).is_file() or (directory / name).is_symlink()]
    pyproject = directory / "pyproject.toml"
    if pyproject.is_symlink() or (pyproject.is_file() and _declares_project(pyproject)):
        found.append("pyproject.toml")
    return found


def directory(config: Config) -> Directory:
    """Where the app's dependency files are read: APP_HOME when it holds any, else the source root
    when it does (sclorg's layout: APP_HOME is only where the app runs), else APP_HOME."""
    home = config["APP_HOME"]
    if not home or config.app_dir == config.source_dir:
        return Directory(".", "")
    at_home, at_root = dependency_files(config.app_dir), dependency_files(config.source_dir)
    if at_home:
        reason = f"APP_HOME={home} holds {', '.join(at_home)}"
        if not at_root:
            return Directory(home, reason)
        include = os.path.relpath(config.source_dir / REQUIREMENTS, config.app_dir)
        hint = (
            f"; to install both, include it from {home}/{REQUIREMENTS} with a line `-r {include}`"
            if REQUIREMENTS in at_home and REQUIREMENTS in at_root
            else ""
        )
        why = (
            f"APP_HOME={home} has dependency files of its own, and those next to the app win; "
            f"sclorg's image would install the root's instead{hint}"
        )
        return Directory(home, reason, ((f"{', '.join(at_root)} at {SOURCE_ROOT}", why),))
    if at_root:
        reason = (
            f"APP_HOME={home} holds no dependency files and {SOURCE_ROOT} holds {', '.join(at_root)}; "
            "as in sclorg's image, APP_HOME is where the app runs"
        )
        return Directory(".", reason)
    return Directory(home, f"neither APP_HOME={home} nor {SOURCE_ROOT} holds dependency files")


def where(directory: str) -> str:
    """A Directory.relative as the build log says it."""
    return SOURCE_ROOT if directory == "." else directory


# A conda environment (Paketo's conda buildpack, Heroku's old conda support) lists conda packages.
CONDA_FILES = ("environment.yml", "environment.yaml")


def _conda(app_dir: Path, *, installs: bool) -> tuple[tuple[str, str], ...]:
    """A conda environment file: not used beside what the build installs, an error when it is all
    there is (its packages would silently be missing)."""
    found = next((name for name in CONDA_FILES if (app_dir / name).is_file()), None)
    if found is None:
        return ()
    if installs:
        return ((found, "conda is not in this image; the packages come from the files above"),)
    raise ConfigError(
        f"There is an {found} (a conda environment) but no requirements.txt, lock file or pyproject.toml in {app_dir}.",
        "This image installs packages with pip, pipenv, poetry or uv; conda is not in it, so the packages "
        f"{found} lists would not be installed.",
        f"List the app's packages in a requirements.txt (those under `pip:` in {found} as they are, conda "
        "packages by their names on PyPI), or build with an image that has conda.",
    )


def plan(config: Config, python: str | None = None) -> DependencyPlan:
    """Decide, without running anything, how the app's dependencies are installed.

    `python` is the version to check requires-python against (default: the
    running one, which is the app virtualenv's Python).
    """
    chosen_dir = directory(config)
    app_dir = config.source_dir / chosen_dir.relative
    for name in (*LOCKS, REQUIREMENTS, "Pipfile", "setup.py", "setup.cfg"):
        _check_link(app_dir / name)
    found = {name for name in (*LOCKS, REQUIREMENTS, "Pipfile") if (app_dir / name).is_file()}
    _check_switches(config, found, app_dir)
    pyproject = read_pyproject(app_dir)
    python_warnings = python_version.check(app_dir, pyproject, python or platform.python_version())
    chosen, manager, reason = _choose(config, found)
    if chosen in (UV_LOCK, POETRY_LOCK) and pyproject is None:
        raise ConfigError(
            f"There is a {chosen} but no pyproject.toml in {app_dir}.",
            f"{chosen} is installed together with the pyproject.toml it was made from.",
            "Commit pyproject.toml next to the lock file (or remove the lock file).",
        )

    _check_lock(chosen, app_dir, pyproject)
    if manager == "none" and is_poetry_project(pyproject):
        # `poetry install` locks a project without poetry.lock first, then installs that lock.
        chosen, manager = "pyproject.toml", "poetry"
        reason = "pyproject.toml has a [tool.poetry] table and there is no poetry.lock"

    files: tuple[str, ...] = (chosen,) if chosen else ()
    not_used: tuple[tuple[str, str], ...] = ()
    if chosen in LOCKS:
        why = f"{chosen} pins the complete set of packages"
        not_used = tuple((name, why) for name in (*LOCKS, REQUIREMENTS) if name in found and name != chosen)
        manifest = "Pipfile" if chosen == PIPFILE_LOCK else "pyproject.toml"
        files = (manifest, chosen) if (app_dir / manifest).is_file() else files
    if chosen == "Pipfile" and REQUIREMENTS in found:
        not_used = ((REQUIREMENTS, "pipenv installs from Pipfile when there is one"),)
    elif "Pipfile" in found and PIPFILE_LOCK not in found:
        not_used += (("Pipfile", "there is no Pipfile.lock; run `pipenv lock` to use it"),)

    project = None
    if chosen == UV_LOCK:  # uv sync installs the project itself
        if config["DISABLE_PYPROJECT_TOML_PROCESSING"]:
            not_used += (("pyproject.toml (the project itself)", "DISABLE_PYPROJECT_TOML_PROCESSING is set"),)
    else:
        after_lock = POETRY_LOCK if manager == "poetry" else chosen if chosen in LOCKS else None
        project, skipped = _project(config, app_dir, pyproject, after_lock=after_lock)
        not_used += tuple(skipped)
    not_used += chosen_dir.not_used
    if manager == "none" and project:
        reason = f"there is no lock file or requirements.txt, only the project's {project}"
    not_used += _conda(app_dir, installs=manager != "none" or project is not None)

    warnings = tuple(python_warnings)
    if config.is_set("PIN_PIPENV_VERSION") and manager != "pipenv":
        warnings += ("PIN_PIPENV_VERSION is set but ENABLE_PIPENV is not, so pipenv is not used.",)
    warnings += _RESOLVED_AT_BUILD.get((manager, chosen), ())
    wheelhouse = config.source_dir / WHEELHOUSE
    return DependencyPlan(
        manager=manager,
        files=files,
        reason=reason,
        project=project,
        not_used=not_used,
        wheelhouse=wheelhouse if wheelhouse.is_dir() else None,
        pipenv_version=config["PIN_PIPENV_VERSION"] if manager == "pipenv" else None,
        warnings=warnings,
        pypi_mirror=pypi_mirror(config) if manager == "pipenv" or chosen == PIPFILE_LOCK else None,
        directory=chosen_dir.relative,
        directory_reason=chosen_dir.reason,
    )
