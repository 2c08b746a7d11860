"""Running an installer: its environment (cache, build secrets, wheelhouse), its directory, and
the messages when it fails.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .. import output
from ..config import Config
from ..errors import BuildError
from ..incremental import cache
from .files import PYTHON, DependencyPlan


def _env(config: Config, dependency_plan: DependencyPlan | None, **extra: str) -> dict[str, str]:
    # config.environment: the process environment, the app's files and what build-env set.
    env = dict(config.environment)
    # Index settings are table rows (documented), so they are not in app_environment.
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX"):
        if config.is_set(name):
            env[name] = config[name]
    # uv reads the system's trust store only when asked to: the image's store
    # holds any corporate proxy CA that pip (truststore) already accepts.
    env.setdefault("UV_SYSTEM_CERTS", "1")
    # The dependency cache (cache.py) replaces the image's PIP_NO_CACHE_DIR for the build.
    env.pop("PIP_NO_CACHE_DIR", None)
    env.update(cache.installer_environment(cache.CACHE_DIR))
    env.update(config.build_secrets)
    if dependency_plan is not None and dependency_plan.wheelhouse is not None:
        env["PIP_FIND_LINKS"] = str(dependency_plan.wheelhouse)
        env["UV_FIND_LINKS"] = str(dependency_plan.wheelhouse)
    env.update(extra)
    return env


Failure = Callable[[int], BuildError]


def dependency_dir(config: Config, dependency_plan: DependencyPlan | None) -> Path:
    """Where the plan's installers run (the app directory without a plan)."""
    return config.app_dir if dependency_plan is None else config.source_dir / dependency_plan.directory


def _run(argv: list[str], cwd: Path, env: Mapping[str, str], failure: Failure) -> None:
    """Run one installer step in `cwd`; a non-zero exit raises failure(exit status)."""
    code = output.run(argv, cwd=cwd, env=env)
    if code != 0:
        raise failure(code)


def pip_failure(what: str) -> Failure:
    return lambda code: BuildError(
        f"Installing {what} failed (pip exited with status {code}).",
        "pip's output above names the package or requirement it could not install.",
        "Check the name and version exist on PyPI (or on your PIP_INDEX_URL), and that any "
        "system library a package compiles against is available; then build again.",
    )


def out_of_date(lock: str, manifest: str, tool: str, relock: str) -> Failure:
    return lambda code: BuildError(
        f"{lock} is out of date with {manifest} ({tool} exited with status {code}).",
        f"{lock} no longer matches what {manifest} asks for, so installing it would not give the "
        f"packages {manifest} declares. {tool}'s output above says what differs.",
        f"Run `{relock}` where you develop, commit the updated {lock}, and build again.",
    )


@contextmanager
def _scratch(prefix: str) -> Iterator[Path]:
    """A temporary directory removed afterwards, so nothing of it reaches the app image."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def pip_install(config: Config, *args: str, what: str, dependency_plan: DependencyPlan | None = None) -> None:
    """`pip install ARGS` into the app's virtualenv, with the build's installer environment."""
    cwd = dependency_dir(config, dependency_plan)
    _run([str(PYTHON), "-m", "pip", "install", *args], cwd, _env(config, dependency_plan), pip_failure(what))


def _pip(config: Config, p: DependencyPlan, *args: str, what: str) -> None:
    pip_install(config, *args, what=what, dependency_plan=p)
