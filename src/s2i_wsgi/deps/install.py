"""Carrying out a plan: the build log's account of the decision, then each installer in turn."""

from __future__ import annotations

from pathlib import Path

from .. import output
from ..config import Config
from .files import PIPFILE_LOCK, POETRY_LOCK, REQUIREMENTS, WHEELHOUSE, DependencyPlan
from .pipenv import _install_micropipenv_pipfile, _install_pipenv
from .plan import where
from .poetry import _install_poetry, _install_poetry_lock
from .run import _pip, dependency_dir
from .uv import _install_uv


def describe(dependency_plan: DependencyPlan) -> None:
    """The decision, in the build log."""
    p = dependency_plan
    if p.files:
        output.step(f"Dependencies: {p.manager} from {', '.join(p.files)} ({p.reason})")
    elif p.project:
        output.step(f"Dependencies: the project's {p.project} only ({p.reason})")
    if p.directory_reason:
        output.info(f"Dependency files are read at {where(p.directory)}: {p.directory_reason}.")
    for name, why in p.not_used:
        output.info(f"Also found {name}, not used because {why}.")
    if p.wheelhouse is not None:
        output.info(f"Packages in {WHEELHOUSE} are used first (find-links).")
    if p.pypi_mirror:
        output.info(f"PyPI in pipenv's sources is replaced by the index {p.pypi_mirror} names (PIPENV_PYPI_MIRROR).")
    for text in p.warnings:
        output.warning(text)


def _install_micropipenv(config: Config, p: DependencyPlan) -> None:
    if p.files[-1] == PIPFILE_LOCK:
        _install_micropipenv_pipfile(config, p)
    else:
        _install_poetry_lock(config, p, dependency_dir(config, p) / POETRY_LOCK)


def add_requirements(dependency_plan: DependencyPlan, config: Config, pinned: Path) -> None:
    """An incremental build whose requirements.txt only adds lines (incremental/snapshot.py): pip
    installs them on the previous build's virtualenv, every package there pinned by `pinned`."""
    output.step(
        "Installing what requirements.txt adds (pip install -r requirements.txt, the installed packages pinned)"
    )
    _pip(
        config,
        dependency_plan,
        "-r",
        REQUIREMENTS,
        "--constraint",
        str(pinned),
        what="the packages in requirements.txt",
    )


def install(dependency_plan: DependencyPlan, config: Config) -> None:
    """Run the plan's installers in the app's virtualenv, stopping at the first failure."""
    p = dependency_plan
    describe(p)
    if config["UPGRADE_PIP_TO_LATEST"]:
        output.step("Upgrading pip, setuptools and wheel (UPGRADE_PIP_TO_LATEST)")
        _pip(config, p, "--upgrade", "pip", "setuptools", "wheel", what="the latest pip, setuptools and wheel")
    if p.manager == "uv":
        _install_uv(config, p)
    elif p.manager == "pipenv":
        _install_pipenv(config, p)
    elif p.manager == "micropipenv":
        _install_micropipenv(config, p)
    elif p.manager == "poetry":
        _install_poetry(config, p)
    elif p.manager == "pip":
        output.step("Installing dependencies from requirements.txt")
        _pip(config, p, "-r", REQUIREMENTS, what="the packages in requirements.txt")
    if p.project:
        locked = p.manager in ("pipenv", "micropipenv", "poetry")
        output.step(f"Installing the project from {p.project} (pip install {'--no-deps ' if locked else ''}.)")
        _pip(config, p, *(["--no-deps"] if locked else []), ".", what=f"the project described by {p.project}")
    if p.manager == "none" and not p.project:
        output.warning(
            "No requirements.txt, lock file, pyproject.toml or setup.py found; installing no dependencies. "
            "Add a requirements.txt listing what the app imports."
        )
