"""Which dependency manager installs the app's packages, and running it.

`plan(config)` is a pure decision (files + settings -> DependencyPlan) made in
this order; the first rule that matches wins:

0. ENABLE_PIPENV and ENABLE_MICROPIPENV both set: an error (two installers
   asked for one lock file). ENABLE_PIPENV with none of Pipfile.lock, Pipfile
   and requirements.txt is an error too (pipenv would have nothing to install).
1. uv.lock (needs pyproject.toml): `uv sync --locked --inexact` into the app's
   virtualenv, without dev/default groups. uv installs the project itself when
   it is a package (not with DISABLE_PYPROJECT_TOML_PROCESSING).
2. Pipfile.lock: pipenv when ENABLE_PIPENV (`pipenv sync`), otherwise
   micropipenv. Either way the build first checks the lock against Pipfile
   itself, by the hash pipenv records, as any pipenv release computes it
   (pipfile_hashes), so a lock made by an older pipenv is not called stale.
   ENABLE_PIPENV without a Pipfile.lock does what sclorg's assemble does:
   `pipenv install --deploy` from a Pipfile (pipenv locks it first), else
   `pipenv install -r requirements.txt`. pipenv (PIN_PIPENV_VERSION, else the
   pinned default) is left in the app image on PATH, as sclorg's image leaves it.
3. poetry.lock (needs pyproject.toml): checked against pyproject.toml first by
   the content hash poetry records (poetry_content_hash), then micropipenv
   installs the main group: as a poetry 2 lock records it (poetry_pipfile_lock),
   else as micropipenv finds it.
4. requirements.txt: `pip install -r requirements.txt`.
5. pyproject.toml with [tool.poetry] and no poetry.lock: `poetry install`
   locks first, so the build does (the pinned poetry, in a scratch virtualenv,
   on a scratch copy), then installs that lock as in rule 3.
6. None of these: nothing is installed but the project itself (warning when
   there is no project either).

ENABLE_PIPENV / ENABLE_MICROPIPENV choose Pipfile.lock (or, for micropipenv,
poetry.lock) even when a uv.lock is present. After rules 2-6 the project
itself is installed with pip when it is a package: pyproject.toml declaring
[project] or [build-system] (unless DISABLE_PYPROJECT_TOML_PROCESSING), else
setup.py/setup.cfg (unless DISABLE_SETUP_PY_PROCESSING); after a lock file
with `--no-deps`, so the lock stays the only source of versions (a poetry
project only when it is a package: not with package-mode = false).

Where the files are read (`directory`): the source root, or APP_HOME when it
is set and holds dependency files of its own. sclorg's image (and warpdrive
with .warpdrive/home) installs from the source root and uses APP_HOME only for
where the app runs, so an app laid out that way (requirements.txt at the top,
the app in web/ with APP_HOME=web) is installed from the root; one that keeps
its files next to the app in APP_HOME (this builder's own layout) from there.
When both hold them, APP_HOME's win and the build log names the root's as
not used. The installers, the project, the Python version files and the
incremental build's fingerprint all follow that directory; the wheelhouse
stays warpdrive's, at the source root.

A lock file pins the complete set of packages, so a requirements.txt (or a
second lock file) next to it is not used; the build log says so. Before any
install, a Python version the app's files require and this image's Python
does not meet stops the build (python_version.py). A warpdrive wheelhouse (.warpdrive/wheelhouse) is
searched first by every installer (PIP_FIND_LINKS / UV_FIND_LINKS).

Pipfile.lock names its package indexes, and pip takes them over PIP_INDEX_URL.
pipenv's own answer for a mirror of PyPI is PIPENV_PYPI_MIRROR, which replaces
PyPI in those sources; here PIP_INDEX_URL (or the build secret index-url) does
the same when PIPENV_PYPI_MIRROR is not set (pypi_mirror), for micropipenv and
pipenv alike. Sources naming another index are used as written.
"""

from __future__ import annotations

import hashlib
import json
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

from . import appfiles, build_secrets, output, python_version
from .config import Config
from .errors import BuildError, ConfigError
from .incremental import cache
from .paths import APP_PYTHON, APP_ROOT, TOOLS_HOME

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


# ---------------------------------------------------------------------------
# Pipfile.lock against Pipfile, as pipenv itself compares them.

# The source pipenv assumes when a Pipfile has no [[source]] (plette's DEFAULT_SOURCE_TOML; the
# `pipfile` library's DEFAULT_SOURCE before): it is part of the hash, and the index the lock names.
PIPENV_DEFAULT_SOURCE = {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}
# Pipfile tables that are not package categories (plette's PIPFILE_SECTIONS, and the two names
# pipenv keeps for [packages] and [dev-packages] in the lock).
_NOT_CATEGORIES = frozenset(
    ("source", "packages", "dev-packages", "requires", "scripts", "pipfile", "pipenv", "default", "develop")
)


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pipfile_hashes(pipfile: dict) -> tuple[str, ...]:
    """Every hash a pipenv release records for this Pipfile in Pipfile.lock (`_meta.hash.sha256`),
    today's first.

    pipenv hashes a JSON dump (sorted keys, no spaces) of the Pipfile as read:
    {"_meta": {"sources": [[source]] or pipenv's default, "requires": [requires]},
    "default": [packages], "develop": [dev-packages], plus each other table as a package category}.
    That is plette's Pipfile.get_hash(), which Project.calculate_pipfile_hash() returned from pipenv
    2022.9.24 to 2026.2.2; until 2022.10.4 (and with the `pipfile` library before 2022.9.24) the
    other tables were left out. pipenv 2026.4.0 changed it (its code cites pipenv issue #4699): each
    package name is replaced by its PEP 503 form (`Flask` -> `flask`, `zope.interface` ->
    `zope-interface`) first, so that recasing a name does not ask for a new lock. A Pipfile naming a
    package any other way thus has a new hash, and today's `pipenv install --deploy` or `pipenv
    verify` calls a lock made by an older pipenv out of date although nothing changed. The app's
    own (older) pipenv accepts that lock, so the build accepts any of these hashes.
    """

    def section(value: object, canonical: bool) -> object:
        if canonical and isinstance(value, dict):
            return {_pep503(str(name)): entry for name, entry in value.items()}
        return value

    def digest(canonical: bool, categories: bool) -> str:
        data = {
            "_meta": {
                "sources": pipfile.get("source", [PIPENV_DEFAULT_SOURCE]),
                "requires": pipfile.get("requires", {}),
            },
            "default": section(pipfile.get("packages", {}), canonical),
            "develop": section(pipfile.get("dev-packages", {}), canonical),
        }
        if categories:
            data.update(
                (name, section(value, canonical)) for name, value in pipfile.items() if name not in _NOT_CATEGORIES
            )
        # default=str: a TOML date, which pipenv cannot hash at all, cannot match either.
        content = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()

    hashes = (digest(True, True), digest(False, True), digest(False, False))
    return tuple(dict.fromkeys(hashes))


def read_pipfile_lock(path: Path) -> dict:
    """Pipfile.lock as a JSON object; any problem is a ConfigError naming it."""
    fix = "Run `pipenv lock` where you develop and commit the Pipfile.lock it writes (it is not edited by hand)."
    why = "pipenv writes Pipfile.lock as JSON; it lists the packages the build installs."
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError("Pipfile.lock is not UTF-8 text.", why, fix) from None
    except OSError as exc:
        raise ConfigError(
            f"Pipfile.lock cannot be read ({exc.strerror}).",
            why,
            "Make Pipfile.lock a file the build can read (e.g. `chmod a+r Pipfile.lock`).",
        ) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError, as is a too long number
        raise ConfigError(f"Pipfile.lock does not parse as JSON: {exc}.", why, fix) from None
    if not isinstance(data, dict):
        raise ConfigError("Pipfile.lock is not a JSON object.", why, fix)
    return data


def _recorded_hash(lock: dict) -> str | None:
    meta = lock.get("_meta")
    recorded = meta.get("hash") if isinstance(meta, dict) else None
    value = recorded.get("sha256") if isinstance(recorded, dict) else None
    return value if isinstance(value, str) else None


def _check_pipfile_lock(app_dir: Path) -> None:
    """Before anything is installed: Pipfile.lock must be the lock of this Pipfile (when there is
    one), by the hash any pipenv release records. micropipenv's own check knows one way to compute
    it and needs a [[source]]; pipenv's knows only its own release's way."""
    lock = read_pipfile_lock(app_dir / PIPFILE_LOCK)
    pipfile = _read_toml(app_dir / "Pipfile", "Pipfile.lock is checked against it before anything is installed.")
    if pipfile is None:
        return
    recorded, expected = _recorded_hash(lock), pipfile_hashes(pipfile)
    if recorded in expected:
        return
    raise ConfigError(
        "Pipfile.lock is out of date with Pipfile: the Pipfile hash it records (_meta.hash) is not this Pipfile's.",
        "Pipfile changed after Pipfile.lock was made, so installing the lock would not give the packages "
        "Pipfile asks for. The hash as older pipenv releases computed it (package names as written) is "
        "accepted too; this lock matches neither.",
        "Run `pipenv lock` where you develop, commit the updated Pipfile.lock, and build again.",
    )


# ---------------------------------------------------------------------------
# poetry.lock against pyproject.toml, and its main group, as poetry itself reads them.

# The keys poetry hashes (poetry.packages.locker.Locker, poetry 2.5): [project] ones since poetry
# 2.0, [tool.poetry] ones before and still, and [dependency-groups] (PEP 735) since poetry 2.3.
_POETRY_LEGACY_KEYS = ("dependencies", "source", "extras", "dev-dependencies")
_POETRY_KEYS = (*_POETRY_LEGACY_KEYS, "group")
_POETRY_PROJECT_KEYS = ("requires-python", "dependencies", "optional-dependencies")


def poetry_content_hash(pyproject: dict, *, with_dependency_groups: bool = True) -> str:
    """The `metadata.content-hash` poetry records in poetry.lock for this pyproject.toml
    (Locker._get_content_hash): sha256 of a JSON dump (sorted keys) of the relevant keys.

    micropipenv 1.10.0's `verify` computes it differently, so the build does not use it: it drops
    empty values poetry keeps (`dependencies = []` beside `requires-python`), and it ignores
    [dependency-groups], which poetry hashes since 2.3; either way it calls a fresh lock stale.
    """
    project = pyproject.get("project") or {}
    groups = (pyproject.get("dependency-groups") or {}) if with_dependency_groups else {}
    tool_poetry = (pyproject.get("tool") or {}).get("poetry") or {}
    relevant_project = {key: project[key] for key in _POETRY_PROJECT_KEYS if project.get(key) is not None}
    relevant_poetry = {}
    for key in _POETRY_KEYS:
        value = tool_poetry.get(key)
        # poetry writes the legacy keys as null for a pyproject.toml of poetry 1's shape only.
        if value is None and (key not in _POETRY_LEGACY_KEYS or relevant_project or groups):
            continue
        relevant_poetry[key] = value
    relevant: dict = {}
    if relevant_project:
        relevant["project"] = relevant_project
    if groups:
        relevant["dependency-groups"] = groups
    if relevant:
        relevant["tool"] = {"poetry": relevant_poetry}
    else:
        relevant = relevant_poetry
    # default=str: a TOML date where poetry expects none gives a hash that matches no lock, not a traceback.
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


def _poetry_locked_by(lock_path: Path) -> tuple[int, ...] | None:
    """The poetry release named in poetry.lock's first line (`@generated by Poetry 2.5.1`)."""
    with lock_path.open(encoding="utf-8") as lock:
        match = re.search(r"Poetry ([0-9]+(?:\.[0-9]+)*)", lock.readline())
    return tuple(int(part) for part in match[1].split(".")) if match else None


def _check_poetry_lock(app_dir: Path, pyproject: dict) -> None:
    """Before anything is installed: poetry.lock must be the lock of this pyproject.toml, as
    poetry judges it (Locker.is_fresh): the content hash it records is this file's, or, for a lock
    made before poetry 2.3, the hash without [dependency-groups], which poetry then left out."""
    lock = read_poetry_lock(app_dir / POETRY_LOCK)
    metadata = lock.get("metadata")
    recorded = metadata.get("content-hash") if isinstance(metadata, dict) else None
    expected = {poetry_content_hash(pyproject)}
    locked_by = _poetry_locked_by(app_dir / POETRY_LOCK)
    if locked_by is not None and locked_by < (2, 3):
        expected.add(poetry_content_hash(pyproject, with_dependency_groups=False))
    if isinstance(recorded, str) and recorded in expected:
        return
    raise ConfigError(
        "poetry.lock is out of date with pyproject.toml: the content hash it records (metadata.content-hash) "
        "is not this pyproject.toml's.",
        "pyproject.toml changed after poetry.lock was made, so installing the lock would not give the packages "
        "pyproject.toml asks for (`poetry install` refuses it too).",
        "Run `poetry lock` where you develop, commit the updated poetry.lock, and build again.",
    )


def read_poetry_lock(path: Path) -> dict:
    return _read_toml(path, "poetry.lock is checked against pyproject.toml before anything is installed.") or {}


def is_poetry_project(pyproject: dict | None) -> bool:
    """`poetry install` works on it: pyproject.toml has a [tool.poetry] table (poetry 1's shape, or
    poetry 2's settings beside [project]). A PEP 621 project that only builds with poetry-core is
    pip's as much as poetry's: pip installs it as it installs any package."""
    return isinstance(((pyproject or {}).get("tool") or {}).get("poetry"), dict)


def _lock_version(lock: dict) -> tuple[int, ...]:
    metadata = lock.get("metadata")
    value = metadata.get("lock-version") if isinstance(metadata, dict) else None
    try:
        return tuple(int(part) for part in str(value).split("."))
    except ValueError:
        return ()


def poetry_pipfile_lock(lock: dict, pyproject: dict, pypi: str | None) -> dict:
    """The main group of a poetry.lock of lock-version 2.1 or later (poetry 2) in Pipfile.lock's
    shape, for micropipenv's install_pipenv (hashes, markers, one package at a time, no deps).

    Since lock-version 2.1 the lock records each package's groups and, per group, the marker under
    which it is needed, and poetry installs from exactly that (Locker.locked_packages) without
    resolving again. micropipenv 1.10.0 ignores both and guesses the main group from
    [tool.poetry.dependencies]: for a PEP 621 project (dependencies in [project]) it finds none
    and stops ("Failed to find package category"). Optional packages (extras) are left out, as
    `poetry install` without --extras leaves them. `pypi` is the index a package without a source
    comes from when the lock also names poetry sources (PIP_INDEX_URL, else pip's default).
    """
    poetry = (pyproject.get("tool") or {}).get("poetry") or {}
    sources = [
        {"name": source["name"], "url": source["url"], "verify_ssl": True}
        for source in poetry.get("source") or []
        if isinstance(source, dict) and source.get("name") and source.get("url")
    ]
    default: dict[str, dict] = {}
    for package in lock.get("package") or []:
        if "main" not in package.get("groups", ()) or package.get("optional") is True:
            continue
        markers = package.get("markers")
        marker = markers.get("main") if isinstance(markers, dict) else markers
        entry: dict = {"version": f"=={package['version']}"}
        hashes = [item["hash"] for item in package.get("files") or () if item.get("hash")]
        if hashes:
            entry["hashes"] = hashes
        if marker:
            entry["markers"] = marker
        source = package.get("source") or {}
        kind = source.get("type")
        if kind == "git":
            entry = {"git": source["url"], "ref": source.get("resolved_reference") or source.get("reference")}
            if source.get("subdirectory"):
                entry["subdirectory"] = source["subdirectory"]
        elif kind in ("directory", "file", "url"):
            entry = {**entry, "path": source["url"]}
        elif kind == "legacy":
            entry["index"] = source.get("reference")
        elif sources:  # from PyPI, while other indexes are named: say which one
            entry["index"] = "pypi"
        default[_pep503(package["name"])] = entry
    if sources:
        sources.insert(0, {"name": "pypi", "url": pypi or PIPENV_DEFAULT_SOURCE["url"], "verify_ssl": True})
    return {"_meta": {"sources": sources}, "default": default, "develop": {}}


def is_pypi_url(url: object) -> bool:
    """pipenv's test for the sources PIPENV_PYPI_MIRROR replaces (pipenv.utils.internet.is_pypi_url)."""
    return isinstance(url, str) and re.match(r"^https?://pypi(?:\.python)?\.org/simple/?$", url) is not None


def pypi_mirror(config: Config) -> str | None:
    """The setting whose index stands in for PyPI in a Pipfile's sources: pipenv's own
    PIPENV_PYPI_MIRROR, else the build secret index-url, else PIP_INDEX_URL (the secret wins over the
    variable, as in _env). A user who names an index for the build means it for every installer; a
    Pipfile.lock pins the files' hashes, so a mirror cannot change what is installed."""
    if config.environment.get("PIPENV_PYPI_MIRROR", "").strip():
        return "PIPENV_PYPI_MIRROR"
    if config.build_secrets.get("PIP_INDEX_URL"):
        return "the build secret index-url"
    if config.is_set("PIP_INDEX_URL"):
        return "PIP_INDEX_URL"
    return None


def with_mirror(lock: dict, mirror: str) -> dict:
    """The lock with each PyPI source pointing at `mirror`, as pipenv's create_mirror_source makes it
    (the name kept, so packages' "index" still finds it; TLS verified unless plain http)."""
    meta = lock.get("_meta")
    sources = meta.get("sources") if isinstance(meta, dict) else None
    if not isinstance(sources, list):
        return lock
    mirrored = [
        {**source, "url": mirror, "verify_ssl": mirror.startswith(("https://", "file://"))}
        if isinstance(source, dict) and is_pypi_url(source.get("url"))
        else source
        for source in sources
    ]
    return {**lock, "_meta": {**meta, "sources": mirrored}}


def bundled_uv() -> str | None:
    """The uv version pinned in the image (requirements/build-tools.txt), None when unknown."""
    try:
        text = BUILD_TOOLS_REQUIREMENTS.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^uv==([0-9.]+)", text, re.MULTILINE)
    return match[1] if match else None


def pinned_poetry() -> str | None:
    """The poetry version that locks a poetry project without poetry.lock (requirements/poetry.txt)."""
    try:
        text = POETRY_REQUIREMENTS.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^poetry==([0-9.]+)", text, re.MULTILINE)
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


# ---------------------------------------------------------------------------
# Running it.


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


def _mirror_value(p: DependencyPlan, env: Mapping[str, str]) -> str | None:
    """The URL of the plan's PyPI mirror, from the build's environment (secrets included)."""
    if p.pypi_mirror is None:
        return None
    return env["PIPENV_PYPI_MIRROR"] if p.pypi_mirror == "PIPENV_PYPI_MIRROR" else env["PIP_INDEX_URL"]


# micropipenv's CLI reads Pipfile.lock from the working directory and writes each source of the
# lock as --index-url into the requirement lines it gives pip, where it wins over PIP_INDEX_URL.
# Its install_pipenv() takes the lock itself: so a mirror of PyPI (with_mirror) is used without
# writing into the app's source. Its errors end as in its CLI: the message and status 3.
_MICROPIPENV_LOCK = """\
import json, sys
import micropipenv
with open(sys.argv[1], encoding="utf-8") as lock:
    pipfile_lock = json.load(lock)
try:
    micropipenv.install_pipenv(sys.argv[2], pipfile_lock=pipfile_lock)
except micropipenv.MicropipenvException as exc:
    print(f"micropipenv: {exc}", file=sys.stderr)
    sys.exit(3)
"""


def _install_micropipenv_pipfile(config: Config, p: DependencyPlan) -> None:
    """Pipfile.lock, already checked against Pipfile by plan(), installed by micropipenv."""
    env = _env(config, p, MICROPIPENV_NO_LOCKFILE_PRINT="1")
    cwd = dependency_dir(config, p)
    lock = cwd / PIPFILE_LOCK
    mirror = _mirror_value(p, env)
    with _scratch("s2i-wsgi-lock-") as scratch:
        if mirror:  # the copy may hold the mirror's credentials: in a scratch directory only
            lock = scratch / PIPFILE_LOCK
            lock.write_text(json.dumps(with_mirror(read_pipfile_lock(cwd / PIPFILE_LOCK), mirror)))
        output.step("Installing the packages locked in Pipfile.lock (micropipenv)")
        _run(
            [str(TOOLS_PYTHON), "-c", _MICROPIPENV_LOCK, str(lock), str(APP_ROOT / "bin" / "pip")],
            cwd,
            env,
            pip_failure(f"the packages locked in {PIPFILE_LOCK}"),
        )


def _install_poetry_lock(config: Config, p: DependencyPlan, lock_path: Path) -> None:
    """poetry.lock, already checked against pyproject.toml by plan() (or just made by poetry),
    installed by micropipenv: its main group as the lock records it since lock-version 2.1 (poetry
    2), else (poetry 1's locks) as micropipenv finds it from [tool.poetry.dependencies]."""
    env = _env(config, p, MICROPIPENV_PIP_BIN=str(APP_ROOT / "bin" / "pip"), MICROPIPENV_NO_LOCKFILE_PRINT="1")
    cwd = dependency_dir(config, p)
    what = f"the packages locked in {POETRY_LOCK}"
    lock = read_poetry_lock(lock_path)
    if _lock_version(lock) < (2, 1):
        output.step(f"Installing the packages locked in {POETRY_LOCK} (micropipenv install)")
        _run([str(MICROPIPENV), "install", "--method", "poetry"], cwd, env, pip_failure(what))
        return
    pyproject = read_pyproject(cwd) or {}
    with _scratch("s2i-wsgi-lock-") as scratch:
        # The main group may name PIP_INDEX_URL (credentials and all): in a scratch directory only.
        converted = scratch / PIPFILE_LOCK
        try:
            converted.write_text(json.dumps(poetry_pipfile_lock(lock, pyproject, env.get("PIP_INDEX_URL"))))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"poetry.lock does not read as poetry writes it (lock-version {'.'.join(map(str, _lock_version(lock)))}"
                f", a package entry lacks or mistypes {exc}).",
                "The build installs the packages poetry.lock records for the main group, as poetry does.",
                "Run `poetry lock` where you develop, commit poetry.lock as poetry writes it, and build again.",
            ) from None
        output.step(f"Installing the main group locked in {POETRY_LOCK} (micropipenv)")
        _run(
            [str(TOOLS_PYTHON), "-c", _MICROPIPENV_LOCK, str(converted), str(APP_ROOT / "bin" / "pip")],
            cwd,
            env,
            pip_failure(what),
        )


def _install_micropipenv(config: Config, p: DependencyPlan) -> None:
    if p.files[-1] == PIPFILE_LOCK:
        _install_micropipenv_pipfile(config, p)
    else:
        _install_poetry_lock(config, p, dependency_dir(config, p) / POETRY_LOCK)


def _install_poetry(config: Config, p: DependencyPlan) -> None:
    """A poetry project without poetry.lock, as `poetry install` takes it: the pinned poetry
    (requirements/poetry.txt) locks a copy of pyproject.toml, then that lock is installed as a
    committed one is. poetry, the copy and every cache are in a scratch directory, removed after."""
    with _scratch("s2i-wsgi-poetry-") as scratch:
        env = _env(config, p, UV_PYTHON_DOWNLOADS="never", UV_CACHE_DIR=str(scratch / "uv"))
        cwd = dependency_dir(config, p)
        spec = f"poetry {pinned_poetry() or '(pinned)'}"
        output.step(f"Installing {spec} into a scratch virtualenv, to lock pyproject.toml")

        def failure(code: int) -> BuildError:
            return BuildError(
                f"Installing {spec} failed (status {code}).",
                "poetry locks a pyproject.toml without poetry.lock, from a scratch virtualenv of its own.",
                "Check that the index is reachable from the build, or run `poetry lock` where you develop "
                "and commit poetry.lock (then poetry is not needed).",
            )

        venv = scratch / "poetry"
        _run([str(UV), "venv", "--quiet", "--python", SYSTEM_PYTHON, str(venv)], cwd, env, failure)
        python = str(venv / "bin" / "python")
        requirements = str(POETRY_REQUIREMENTS)
        _run([str(UV), "pip", "install", "--quiet", "--python", python, "-r", requirements], cwd, env, failure)
        project = scratch / "project"
        project.mkdir()
        for name in ("pyproject.toml", "poetry.toml"):  # poetry.toml: the project's own poetry settings
            if (cwd / name).is_file():
                shutil.copyfile(cwd / name, project / name)
        bundle = build_secrets.system_ca_bundle()  # poetry's requests trusts certifi's bundle only
        if bundle is not None:
            env.setdefault("REQUESTS_CA_BUNDLE", str(bundle))
        env.update(
            POETRY_CACHE_DIR=str(scratch / "cache"),
            POETRY_CONFIG_DIR=str(scratch / "config"),
            POETRY_DATA_DIR=str(scratch / "data"),
            POETRY_NO_INTERACTION="1",
            # Resolve for the app's virtualenv (its Python), without making one of poetry's own.
            POETRY_VIRTUALENVS_CREATE="false",
            VIRTUAL_ENV=str(APP_ROOT),
        )
        output.step("Locking pyproject.toml (poetry lock)")
        code = output.run([str(venv / "bin" / "poetry"), "lock"], cwd=project, env=env)
        if code != 0:
            raise BuildError(
                f"poetry could not lock pyproject.toml (poetry lock exited with status {code}).",
                "There is no poetry.lock, so the build asks poetry to resolve pyproject.toml first, as "
                "`poetry install` does; poetry's output above says why it could not.",
                "Run `poetry lock` where you develop, fix what it reports, commit poetry.lock, and build again.",
            )
        _install_poetry_lock(config, p, project / POETRY_LOCK)


def _install_pipenv_itself(config: Config, p: DependencyPlan, env: Mapping[str, str]) -> str:
    """pipenv (PIN_PIPENV_VERSION or the pinned default) in PIPENV_VENV, linked onto PATH; its path."""
    spec = f"pipenv=={p.pipenv_version}" if p.pipenv_version else None
    output.step(f"Installing {spec or 'pipenv (pinned default)'} into {PIPENV_VENV}, on PATH (ENABLE_PIPENV)")

    def failure(code: int) -> BuildError:
        return BuildError(
            f"Installing {spec or 'pipenv'} failed (status {code}).",
            "pipenv runs from a virtualenv of its own beside the app's, and could not be installed there.",
            "Check PIN_PIPENV_VERSION names a pipenv release that exists (`pip index versions pipenv`), "
            "and that the index is reachable from the build.",
        )

    python = PIPENV_VENV / "bin" / "python"
    source = [spec] if spec else ["-r", str(PIPENV_REQUIREMENTS)]
    cwd = dependency_dir(config, p)
    _run([str(UV), "venv", "--quiet", "--clear", "--python", SYSTEM_PYTHON, str(PIPENV_VENV)], cwd, env, failure)
    _run([str(UV), "pip", "install", "--quiet", "--python", str(python), *source], cwd, env, failure)
    relative = os.path.relpath(PIPENV_VENV / "bin" / "pipenv", PIPENV_LINK.parent)
    _run(["ln", "-sfn", relative, str(PIPENV_LINK)], cwd, env, failure)
    return str(PIPENV_VENV / "bin" / "pipenv")


def _install_pipenv(config: Config, p: DependencyPlan) -> None:
    with _scratch("s2i-wsgi-pipenv-") as scratch:
        env = _env(config, p, UV_PYTHON_DOWNLOADS="never")
        pipenv = _install_pipenv_itself(config, p, env)
        mirror = _mirror_value(p, env)
        # pipenv before 2026.8.0 asks PyPI's JSON API with its vendored requests, which trusts
        # certifi's bundle only; the image's store also holds any corporate proxy CA that pip
        # (truststore) and uv (UV_SYSTEM_CERTS) accept. A build secret ca.crt has set it already.
        bundle = build_secrets.system_ca_bundle()
        if bundle is not None:
            env.setdefault("REQUESTS_CA_BUNDLE", str(bundle))
        # pipenv installs into the active virtualenv (VIRTUAL_ENV: the app's).
        env.update(
            VIRTUAL_ENV=str(APP_ROOT),
            PIPENV_VERBOSITY="-1",
            PIPENV_NOSPIN="1",
            PIPENV_YES="1",
            PIPENV_CACHE_DIR=str(cache.CACHE_DIR / "pip"),
            XDG_CACHE_HOME=str(scratch / "cache"),
            **({"PIPENV_PYPI_MIRROR": mirror} if mirror else {}),
        )
        chosen = p.files[-1]
        if chosen == PIPFILE_LOCK:
            # plan() has checked the lock against Pipfile, accepting older pipenv releases' hash,
            # which `pipenv install --deploy` of another release would refuse: sync installs the lock.
            what, argv = "the packages locked in Pipfile.lock", [pipenv, "sync"]
        elif chosen == "Pipfile":
            what, argv = "the packages in Pipfile", [pipenv, "install", "--deploy"]
        else:
            what, argv = "the packages in requirements.txt", [pipenv, "install", "-r", REQUIREMENTS]
        output.step(f"Installing {what} ({' '.join(['pipenv', *argv[1:]])})")
        _run(
            argv,
            dependency_dir(config, p),
            env,
            lambda code: BuildError(
                f"Installing {what} failed (pipenv exited with status {code}).",
                "pipenv's output above names the package it could not install.",
                "Check the packages exist on the index pipenv uses (the lock's sources, or your "
                "PIPENV_PYPI_MIRROR / PIP_INDEX_URL), and that any system library a package compiles "
                "against is available; then build again.",
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
