"""The app's other files, read best effort: the Procfile's `web:` line, a Django project's
manage.py, the project name and scripts of pyproject.toml, setup.cfg or setup.py."""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..extra_processes import read_procfile
from .entry import Django


def procfile_web(app_dir: Path) -> str | None:
    """The command of a Procfile's `web:` process type (extra_processes.py reads the others)."""
    for process in read_procfile(app_dir / "Procfile"):
        if process.name == "web":
            return process.command
    return None


def django_project(app_dir: Path, environ_settings: str | None) -> Django | None:
    manage = app_dir / "manage.py"
    if not manage.is_file():
        return None
    settings = environ_settings
    if not settings:
        text = _best_effort_text(manage)
        match = re.search(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""", text)
        settings = match.group(1) if match else None
    return Django(manage, settings) if settings else None


def project_package(app_dir: Path) -> str | None:
    """The import name of the distribution pyproject.toml or setup.cfg/setup.py declares."""
    # Best effort: a file that cannot be read names nothing here (the build's dependency step,
    # and pip, report broken project files).
    name = None
    pyproject = app_dir / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(_best_effort_text(pyproject))
        except tomllib.TOMLDecodeError:
            data = {}
        name = _table(data, "project").get("name") or _table(_table(data, "tool"), "poetry").get("name")
    if not name and (app_dir / "setup.cfg").is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read_string(_best_effort_text(app_dir / "setup.cfg"))
            name = parser.get("metadata", "name", fallback=None)
        except configparser.Error:
            name = None
    if not name and (app_dir / "setup.py").is_file():
        text = _best_effort_text(app_dir / "setup.py")
        match = re.search(r"""\bname\s*=\s*['"]([^'"]+)['"]""", text)
        name = match.group(1) if match else None
    return re.sub(r"[-.]+", "_", name).lower() if isinstance(name, str) and name else None


def _best_effort_text(path: Path) -> str:
    """The file's text with undecodable bytes replaced; empty when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _table(data: object, key: str) -> dict:
    """data[key] when it is a TOML table, else an empty one."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Script:
    """A console script pyproject.toml declares: `value` is its `module:function`."""

    table: str
    name: str
    value: str
    module: str

    @property
    def shown(self) -> str:
        return f'{self.table} {self.name} = "{self.value}"'


def script_entries(app_dir: Path) -> list[Script]:
    """[project.scripts] and [tool.poetry.scripts] entries of pyproject.toml, best effort like project_package."""
    pyproject = app_dir / "pyproject.toml"
    if not pyproject.is_file():
        return []
    try:
        data = tomllib.loads(_best_effort_text(pyproject))
    except tomllib.TOMLDecodeError:
        return []
    tables = (
        ("[project.scripts]", _table(_table(data, "project"), "scripts")),
        ("[tool.poetry.scripts]", _table(_table(_table(data, "tool"), "poetry"), "scripts")),
    )
    scripts = []
    for table, entries in tables:
        for name, declared in entries.items():
            # poetry's long form is a table; one with a `reference` to a file names no module
            value = declared.get("callable") if isinstance(declared, dict) else declared
            if not isinstance(value, str):
                continue
            module = value.split("[")[0].partition(":")[0].strip()  # module:function [extras]
            if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module):
                scripts.append(Script(table, name, value.strip(), module))
    return scripts
