"""Which dependency manager installs the app's packages, and running it.

`plan(config)` is a pure decision (files + settings -> DependencyPlan) made in
this order; the first rule that matches wins:

0. ENABLE_PIPENV and ENABLE_MICROPIPENV both set: an error (two installers
   asked for one lock file). ENABLE_PIPENV without a Pipfile.lock is an error too.
1. uv.lock (needs pyproject.toml): `uv sync --locked --inexact` into the app's
   virtualenv, without dev/default groups. uv installs the project itself when
   it is a package (not with DISABLE_PYPROJECT_TOML_PROCESSING).
2. Pipfile.lock: pipenv when ENABLE_PIPENV (PIN_PIPENV_VERSION, else the pinned
   default, in a throwaway virtualenv), otherwise micropipenv; both check the
   lock against Pipfile first.
3. poetry.lock (needs pyproject.toml): micropipenv.
4. requirements.txt: `pip install -r requirements.txt`.
5. None of these: nothing is installed but the project itself (warning when
   there is no project either).

ENABLE_PIPENV / ENABLE_MICROPIPENV choose Pipfile.lock (or, for micropipenv,
poetry.lock) even when a uv.lock is present. After rules 2-5 the project
itself is installed with pip when it is a package: pyproject.toml declaring
[project] or [build-system] (unless DISABLE_PYPROJECT_TOML_PROCESSING), else
setup.py/setup.cfg (unless DISABLE_SETUP_PY_PROCESSING); after a lock file
with `--no-deps`, so the lock stays the only source of versions.

A lock file pins the complete set of packages, so a requirements.txt (or a
second lock file) next to it is not used; the build log says so. Before any
install, a Python version the app's files require and this image's Python
does not meet stops the build (python_version.py). A warpdrive wheelhouse (.warpdrive/wheelhouse) is
searched first by every installer (PIP_FIND_LINKS / UV_FIND_LINKS).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import appfiles, cache, output, python_version
from .config import APP_PYTHON, APP_ROOT, Config
from .errors import BuildError, ConfigError

PYTHON = APP_PYTHON
TOOLS = Path(os.environ.get("S2I_WSGI_HOME", "/opt/s2i-wsgi"))
UV = TOOLS / "tools" / "bin" / "uv"
MICROPIPENV = TOOLS / "tools" / "bin" / "micropipenv"
SYSTEM_PYTHON = "/usr/bin/python3"
PIPENV_REQUIREMENTS = TOOLS / "requirements" / "pipenv.txt"
BUILD_TOOLS_REQUIREMENTS = TOOLS / "requirements" / "build-tools.txt"
WHEELHOUSE = Path(".warpdrive") / "wheelhouse"
UV_LOCK, PIPFILE_LOCK, POETRY_LOCK, REQUIREMENTS = "uv.lock", "Pipfile.lock", "poetry.lock", "requirements.txt"
LOCKS = (UV_LOCK, PIPFILE_LOCK, POETRY_LOCK)


@dataclass(frozen=True)
class DependencyPlan:
    """What the build installs and why; `not_used` lists files found but ignored, with the reason."""

    manager: str  # "uv", "pipenv", "micropipenv", "pip" or "none"
    files: tuple[str, ...]
    reason: str
    # "pyproject.toml" or "setup.py" when pip installs the project itself afterwards.
    project: str | None = None
    not_used: tuple[tuple[str, str], ...] = ()
    wheelhouse: Path | None = None
    pipenv_version: str | None = None
    warnings: tuple[str, ...] = field(default=())


_DECIDES = "The build decides from the app's files how to install its packages."


def _check_link(path: Path, purpose: str = _DECIDES) -> None:
    """A dependency file that links to nothing (e.g. outside the source) would be silently missing: an error."""
    appfiles.check_link(path, path.name, purpose)


def _read_toml(path: Path, purpose: str) -> dict | None:
    """The app's TOML file (pyproject.toml, Pipfile), None when there is none; any problem is a ConfigError."""
    name = path.name
    _check_link(path, purpose)
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(
            f"{name} is not UTF-8 text.", f"{purpose} TOML files are UTF-8 text.", f"Save {name} as UTF-8."
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"{name} cannot be read ({exc.strerror}).",
            purpose,
            f"Make {name} a file the build can read (e.g. `chmod a+r {name}`).",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{name} does not parse: {exc}.",
            purpose,
            f"Fix {name} (any TOML validator shows the same error).",
        ) from None


# Tables of pyproject.toml the build reads; each must be a table when present.
_PYPROJECT_TABLES = (("project",), ("build-system",), ("tool",), ("tool", "poetry"), ("tool", "uv"))


def _toml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array"}.get(type(value), "a date or time")


def read_pyproject(app_dir: Path) -> dict | None:
    data = _read_toml(app_dir / "pyproject.toml", "It decides how the project is installed.")
    for keys in _PYPROJECT_TABLES if data is not None else ():
        value: object = data
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None and not isinstance(value, dict):
            dotted = ".".join(keys)
            raise ConfigError(
                f"In pyproject.toml, `{dotted}` is {_toml_kind(value)}, not a table.",
                f"pip, uv and poetry read [{dotted}] as a table of settings, so the project cannot be installed.",
                f"Write it as a [{dotted}] section with its settings as key = value lines, or remove it.",
            )
    return data


def _project(config: Config, pyproject: dict | None, *, after_lock: str | None) -> tuple[str | None, list]:
    """Whether pip installs the project itself, and the files skipped (with why)."""
    app_dir = config.app_dir
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


def _check_switches(config: Config, found: set[str]) -> None:
    """Settings that contradict each other, or the files, stop the build."""
    pipenv, micropipenv = config["ENABLE_PIPENV"], config["ENABLE_MICROPIPENV"]
    if pipenv and micropipenv:
        raise ConfigError(
            "ENABLE_PIPENV and ENABLE_MICROPIPENV are both set.",
            "Each names a different installer for Pipfile.lock; the build cannot use both.",
            "Unset one of them: ENABLE_MICROPIPENV (the default for Pipfile.lock) installs the locked "
            "packages with pip, ENABLE_PIPENV runs pipenv itself.",
        )
    if pipenv and PIPFILE_LOCK not in found:
        raise ConfigError(
            f"ENABLE_PIPENV is set, but there is no Pipfile.lock in {config.app_dir}.",
            "pipenv installs only from a lock file here, so the build is reproducible.",
            "Run `pipenv lock` and commit Pipfile.lock, or unset ENABLE_PIPENV.",
        )


def _choose(config: Config, found: set[str]) -> tuple[str, str, str]:
    """(file, manager, why) by the module's documented order."""
    pipenv, micropipenv = config["ENABLE_PIPENV"], config["ENABLE_MICROPIPENV"]
    if pipenv:
        return PIPFILE_LOCK, "pipenv", "ENABLE_PIPENV is set"
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


def _check_pipfile_source(pipfile: Path) -> None:
    """micropipenv cannot check a Pipfile.lock against a Pipfile without [[source]] (it fails with
    KeyError 'source'), while pipenv assumes PyPI; say so instead of blaming the lock."""
    data = _read_toml(pipfile, "Pipfile.lock is checked against it before anything is installed.")
    if data is None:
        return
    if not data.get("source"):
        raise ConfigError(
            "Pipfile has no [[source]] section.",
            "micropipenv, which installs Pipfile.lock here, needs it to check that Pipfile.lock is up to date "
            "(pipenv assumes PyPI when it is missing).",
            "Add the [[source]] section `pipenv install` writes (name, url and verify_ssl of your package "
            "index) and run `pipenv lock` again, or set ENABLE_PIPENV=true to install with pipenv.",
        )


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


def plan(config: Config, python: str | None = None) -> DependencyPlan:
    """Decide, without running anything, how the app's dependencies are installed.

    `python` is the version to check requires-python against (default: the
    running one, which is the app virtualenv's Python).
    """
    app_dir = config.app_dir
    for name in (*LOCKS, REQUIREMENTS, "Pipfile", "setup.py", "setup.cfg"):
        _check_link(app_dir / name)
    found = {name for name in (*LOCKS, REQUIREMENTS, "Pipfile") if (app_dir / name).is_file()}
    _check_switches(config, found)
    pyproject = read_pyproject(app_dir)
    python_warnings = python_version.check(app_dir, pyproject, python or platform.python_version())
    chosen, manager, reason = _choose(config, found)
    if chosen in (UV_LOCK, POETRY_LOCK) and pyproject is None:
        raise ConfigError(
            f"There is a {chosen} but no pyproject.toml in {app_dir}.",
            f"{chosen} is installed together with the pyproject.toml it was made from.",
            "Commit pyproject.toml next to the lock file (or remove the lock file).",
        )

    if manager == "micropipenv" and chosen == PIPFILE_LOCK:
        _check_pipfile_source(app_dir / "Pipfile")
    if chosen == UV_LOCK:
        _check_uv_version(pyproject, bundled_uv())

    files: tuple[str, ...] = (chosen,) if chosen else ()
    not_used: tuple[tuple[str, str], ...] = ()
    if chosen in LOCKS:
        why = f"{chosen} pins the complete set of packages"
        not_used = tuple((name, why) for name in (*LOCKS, REQUIREMENTS) if name in found and name != chosen)
        manifest = "Pipfile" if chosen == PIPFILE_LOCK else "pyproject.toml"
        files = (manifest, chosen) if (app_dir / manifest).is_file() else files
    if "Pipfile" in found and PIPFILE_LOCK not in found:
        not_used += (("Pipfile", "there is no Pipfile.lock; run `pipenv lock` to use it"),)

    project = None
    if chosen == UV_LOCK:  # uv sync installs the project itself
        if config["DISABLE_PYPROJECT_TOML_PROCESSING"]:
            not_used += (("pyproject.toml (the project itself)", "DISABLE_PYPROJECT_TOML_PROCESSING is set"),)
    else:
        project, skipped = _project(config, pyproject, after_lock=chosen if chosen in LOCKS else None)
        not_used += tuple(skipped)
    if manager == "none" and project:
        reason = f"there is no lock file or requirements.txt, only the project's {project}"

    warnings = tuple(python_warnings)
    if config.is_set("PIN_PIPENV_VERSION") and manager != "pipenv":
        warnings += ("PIN_PIPENV_VERSION is set but ENABLE_PIPENV is not, so pipenv is not used.",)
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
    )


# ---------------------------------------------------------------------------
# Running it.


def describe(dependency_plan: DependencyPlan) -> None:
    """The decision, in the build log."""
    p = dependency_plan
    if p.files:
        output.step(f"Dependencies: {p.manager} from {', '.join(p.files)} ({p.reason})")
    elif p.project:
        output.step(f"Dependencies: the project's {p.project} only ({p.reason})")
    for name, why in p.not_used:
        output.info(f"Also found {name}, not used because {why}.")
    if p.wheelhouse is not None:
        output.info(f"Packages in {WHEELHOUSE} are used first (find-links).")
    for text in p.warnings:
        output.warning(text)


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


def _run(argv: list[str], config: Config, env: Mapping[str, str], failure: Failure) -> None:
    """Run one installer step in the app directory; a non-zero exit raises failure(exit status)."""
    code = output.run(argv, cwd=config.app_dir, env=env)
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
    _run([str(PYTHON), "-m", "pip", "install", *args], config, _env(config, dependency_plan), pip_failure(what))


def _pip(config: Config, p: DependencyPlan, *args: str, what: str) -> None:
    pip_install(config, *args, what=what, dependency_plan=p)


def _install_uv(config: Config, p: DependencyPlan) -> None:
    env = _env(config, p, UV_PROJECT_ENVIRONMENT=str(APP_ROOT), UV_PYTHON_DOWNLOADS="never", UV_LINK_MODE="copy")
    python = ["--python", str(PYTHON)]
    output.step("Checking uv.lock is up to date with pyproject.toml (uv lock --check)")
    _run(
        [str(UV), "lock", "--check", "--offline", *python],
        config,
        env,
        out_of_date(UV_LOCK, "pyproject.toml", "uv lock --check", "uv lock"),
    )
    output.step("Installing the packages locked in uv.lock (uv sync --locked)")
    argv = [str(UV), "sync", "--locked", "--inexact", "--no-default-groups", "--no-editable", *python]
    if config["DISABLE_PYPROJECT_TOML_PROCESSING"]:
        argv.append("--no-install-project")
    _run(
        argv,
        config,
        env,
        lambda code: BuildError(
            f"Installing the packages locked in uv.lock failed (uv exited with status {code}).",
            "uv's output above names the package it could not download, build or install.",
            "Check that the indexes recorded in uv.lock are reachable from the build (UV_DEFAULT_INDEX, "
            "UV_INDEX for private ones) and that any system library a package compiles against is "
            "available; then build again.",
        ),
    )


def _install_micropipenv(config: Config, p: DependencyPlan) -> None:
    lock = p.files[-1]
    method = "pipenv" if lock == PIPFILE_LOCK else "poetry"
    manifest = "Pipfile" if lock == PIPFILE_LOCK else "pyproject.toml"
    env = _env(config, p, MICROPIPENV_PIP_BIN=str(APP_ROOT / "bin" / "pip"), MICROPIPENV_NO_LOCKFILE_PRINT="1")
    if (config.app_dir / manifest).is_file():
        output.step(f"Checking {lock} is up to date with {manifest} (micropipenv verify)")
        relock = "pipenv lock" if method == "pipenv" else "poetry lock"
        _run(
            [str(MICROPIPENV), "verify", "--method", method],
            config,
            env,
            out_of_date(lock, manifest, "micropipenv verify", relock),
        )
    output.step(f"Installing the packages locked in {lock} (micropipenv install)")
    _run([str(MICROPIPENV), "install", "--method", method], config, env, pip_failure(f"the packages locked in {lock}"))


def _install_pipenv(config: Config, p: DependencyPlan) -> None:
    spec = f"pipenv=={p.pipenv_version}" if p.pipenv_version else None
    with _scratch("s2i-wsgi-pipenv-") as scratch:
        venv = scratch / "venv"
        env = _env(config, p, UV_PYTHON_DOWNLOADS="never")
        output.step(f"Installing {spec or 'pipenv (pinned default)'} into a temporary virtualenv (ENABLE_PIPENV)")

        def failure(code: int) -> BuildError:
            return BuildError(
                f"Installing {spec or 'pipenv'} failed (uv exited with status {code}).",
                "pipenv runs from a temporary virtualenv outside the app's, and could not be installed there.",
                "Check PIN_PIPENV_VERSION names a pipenv release that exists (`pip index versions pipenv`), "
                "and that the index is reachable from the build.",
            )

        _run([str(UV), "venv", "--quiet", "--python", SYSTEM_PYTHON, str(venv)], config, env, failure)
        source = [spec] if spec else ["-r", str(PIPENV_REQUIREMENTS)]
        _run(
            [str(UV), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *source],
            config,
            env,
            failure,
        )
        pipenv = str(venv / "bin" / "pipenv")
        # pipenv installs into the active virtualenv (VIRTUAL_ENV: the app's).
        env.update(
            VIRTUAL_ENV=str(APP_ROOT),
            PIPENV_VERBOSITY="-1",
            PIPENV_NOSPIN="1",
            PIPENV_YES="1",
            PIPENV_CACHE_DIR=str(cache.CACHE_DIR / "pip"),
            XDG_CACHE_HOME=str(scratch / "cache"),
        )
        if (config.app_dir / "Pipfile").is_file():
            output.step("Checking Pipfile.lock is up to date with Pipfile (pipenv verify)")
            _run([pipenv, "verify"], config, env, out_of_date(PIPFILE_LOCK, "Pipfile", "pipenv verify", "pipenv lock"))
        output.step("Installing the packages locked in Pipfile.lock (pipenv install --deploy)")
        _run(
            [pipenv, "install", "--deploy"],
            config,
            env,
            lambda code: BuildError(
                f"Installing the packages locked in Pipfile.lock failed (pipenv exited with status {code}).",
                "pipenv's output above names the package it could not install.",
                "Check the packages in Pipfile.lock exist on the index it names (or on your PIP_INDEX_URL), "
                "and that any system library a package compiles against is available; then build again.",
            ),
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
    elif p.manager == "pip":
        output.step("Installing dependencies from requirements.txt")
        _pip(config, p, "-r", REQUIREMENTS, what="the packages in requirements.txt")
    if p.project:
        locked = p.manager in ("pipenv", "micropipenv")
        output.step(f"Installing the project from {p.project} (pip install {'--no-deps ' if locked else ''}.)")
        _pip(config, p, *(["--no-deps"] if locked else []), ".", what=f"the project described by {p.project}")
    if p.manager == "none" and not p.project:
        output.warning(
            "No requirements.txt, lock file, pyproject.toml or setup.py found; installing no dependencies. "
            "Add a requirements.txt listing what the app imports."
        )
