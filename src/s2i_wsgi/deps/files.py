"""The names the dependency modules share: the app's dependency files, the builder's tools, the
plan they carry out (DependencyPlan), and reading pyproject.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .. import appfiles
from ..errors import ConfigError
from ..paths import APP_PYTHON, APP_ROOT, TOOLS_HOME

PYTHON = APP_PYTHON
TOOLS = TOOLS_HOME
UV = TOOLS / "tools" / "bin" / "uv"
MICROPIPENV = TOOLS / "tools" / "bin" / "micropipenv"
TOOLS_PYTHON = TOOLS / "tools" / "bin" / "python"
SYSTEM_PYTHON = "/usr/bin/python3"
PIPENV_REQUIREMENTS = TOOLS / "requirements" / "pipenv.txt"
POETRY_REQUIREMENTS = TOOLS / "requirements" / "poetry.txt"
BUILD_TOOLS_REQUIREMENTS = TOOLS / "requirements" / "build-tools.txt"
# With ENABLE_PIPENV, pipenv stays in the app image as in sclorg's (whose apps may run `pipenv
# --version` or `pipenv run` at start): a virtualenv of its own, so its packages never meet the
# app's, under /opt/app-root so that incremental builds and the runtime image carry it, and a link
# in the app virtualenv's bin, which is first on PATH.
PIPENV_VENV = APP_ROOT / "share" / "pipenv"
PIPENV_LINK = APP_ROOT / "bin" / "pipenv"
WHEELHOUSE = Path(".warpdrive") / "wheelhouse"
UV_LOCK, PIPFILE_LOCK, POETRY_LOCK, REQUIREMENTS = "uv.lock", "Pipfile.lock", "poetry.lock", "requirements.txt"
LOCKS = (UV_LOCK, PIPFILE_LOCK, POETRY_LOCK)


@dataclass(frozen=True)
class DependencyPlan:
    """What the build installs and why; `not_used` lists files found but ignored, with the reason."""

    manager: str  # "uv", "pipenv", "micropipenv", "poetry", "pip" or "none"
    files: tuple[str, ...]
    reason: str
    # "pyproject.toml" or "setup.py" when pip installs the project itself afterwards.
    project: str | None = None
    not_used: tuple[tuple[str, str], ...] = ()
    wheelhouse: Path | None = None
    pipenv_version: str | None = None
    warnings: tuple[str, ...] = field(default=())
    # The setting whose index replaces PyPI in a Pipfile's sources (pypi_mirror), by name only.
    pypi_mirror: str | None = None
    # Where the files are read and the installers run, relative to the source root ("." or
    # APP_HOME), and why (empty when APP_HOME is not set: there is no choice to explain).
    directory: str = "."
    directory_reason: str = ""


_DECIDES = "The build decides from the app's files how to install its packages."


def pep503(name: str) -> str:
    """A project name normalized as PEP 503 compares them (Flask_Login, flask.login: flask-login)."""
    return re.sub(r"[-_.]+", "-", name).lower()


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
