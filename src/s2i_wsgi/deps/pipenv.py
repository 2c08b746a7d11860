"""Pipfile and Pipfile.lock: the Pipfile hash pipenv records (any release's), the lock checks, a
mirror of PyPI in the lock's sources, and the installers (micropipenv, pipenv itself).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from .. import build_secrets, output
from ..config import Config
from ..errors import BuildError, ConfigError
from ..incremental import cache
from ..paths import APP_ROOT
from .files import (
    PIPENV_LINK,
    PIPENV_REQUIREMENTS,
    PIPENV_VENV,
    PIPFILE_LOCK,
    REQUIREMENTS,
    SYSTEM_PYTHON,
    TOOLS_PYTHON,
    UV,
    DependencyPlan,
    _read_toml,
    pep503,
)
from .run import _env, _run, _scratch, dependency_dir, pip_failure

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
            return {pep503(str(name)): entry for name, entry in value.items()}
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
