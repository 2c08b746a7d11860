"""The previous build's virtualenv, reused when nothing that decides it changed.

An incremental build (`s2i build --incremental`) gets what `save-artifacts`
streamed from the previous app image: the installer cache (cache.py) and,
here, what that build changed in the builder's virtualenv (one tar, with a
manifest of the changed, removed and linked paths) and a fingerprint of
everything that decides what is installed in it:

- the builder: the Python version, the machine and a listing of the
  builder's own virtualenv (a new builder image never reuses an old venv);
- the install: how (the plan: manager, files), the bytes of those files and of
  the requirement and constraint files they include, the wheelhouse listing,
  the installer settings (PIP_*, UV_*, PIPENV_*, MICROPIPENV_* and the
  builder's own switches; build secrets by name only) and the server the
  builder installs;
- the pre-build, build-env and Heroku pre_compile hooks, which may change any of that.

When the fingerprint matches, the files are put back and no installer runs: a
rebuild after a source-only change costs no download, resolution or compile.
Otherwise they are dropped and the build installs as in a first build (from
the installer cache). Only the digest is stored.

Installs that read the app's own source are never reused (the project
installed from pyproject.toml or setup.py, `-e .`, a local path or a local
--find-links in requirements.txt, `uv sync` of a project with a
build-system), nor is UPGRADE_PIP_TO_LATEST, whose result changes with time.

bin/s2i-build's layered rebuild runs the build in the previous image itself;
build.check_layered then compares the fingerprint with the one recorded there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .. import output
from ..config import DEPENDENCIES, VARIABLES, Config
from ..deps import REQUIREMENTS, UV_LOCK, DependencyPlan, read_pyproject
from ..hooks import find as find_hooks
from ..paths import APP_ROOT, BUILDER_HOME
from . import LAYERED_MARKER, MANIFEST, SNAPSHOT, STAGING

FORMAT = 1
# SNAPSHOT: one member made by tar(1), as thousands of small files are slow through tarfile.
KEYS = {"fingerprint": str, "builder": str, "changed": list, "removed": list, "links": dict}
LAYERED = LAYERED_MARKER
# What of /opt/app-root the build may change; src (the app) and etc (the image's) are not part of it.
PARTS = ("bin", "include", "lib", "share")
INSTALLER_PREFIXES = ("PIP_", "UV_", "PIPENV_", "MICROPIPENV_")
# The builder's own switches that decide what is installed: the table's Dependencies section, but
# for the rows that act beside the virtualenv and leave it as it is (a new row counts by default).
BESIDE_THE_VIRTUALENV = {
    "BUILD_CACHE": "trims the installer cache after the install",
    "DISABLE_SBOM": "writes, or not, the bill of materials after the install",
    "S2I_WSGI_SECRETS_DIR": "says where the build secrets are; they count by name (config.build_secrets)",
}
SWITCHES = tuple(
    variable.name
    for variable in VARIABLES
    if variable.section == DEPENDENCIES and variable.name not in BESIDE_THE_VIRTUALENV
)
_INCLUDE = re.compile(r"^(?:-r|-c|--requirement|--constraint)(?:\s*=?\s*)(\S+)")
_LOCAL = re.compile(r"^(?:-e|--editable|-f|--find-links)?[\s=]*(?:\.|/|file:)|\s@\s*file:")


class NotReusable(Exception):
    """Why the virtualenv of this build cannot be reused by the next one."""


def _requirement_files(path: Path, seen: set[Path]) -> list[Path]:
    """`path` and every file it includes with -r/-c, recursively; NotReusable for local installs."""
    path = path.resolve()
    if path in seen:
        return []
    seen.add(path)
    files = [path]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise NotReusable(f"{path.name} cannot be read ({exc})") from exc
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        included = _INCLUDE.match(line)
        if included:
            files += _requirement_files(path.parent / included.group(1), seen)
        elif _LOCAL.search(line):
            raise NotReusable(f"{path.name} installs from a local path ({line}), which is part of the source")
    return files


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


Listing = dict[str, tuple[int, int]]


def listing(app_root: Path = APP_ROOT) -> Listing:
    """Every file and link of the virtualenv (PARTS), with its size and mtime, by path under app_root."""
    found: Listing = {}
    for part in PARTS:
        for root, dirs, files in os.walk(app_root / part):
            for name in (*files, *(d for d in dirs if os.path.islink(os.path.join(root, d)))):
                path = os.path.join(root, name)
                stat = os.lstat(path)
                found[os.path.relpath(path, app_root)] = (stat.st_size, stat.st_mtime_ns)
    return found


def identity(builder: Listing) -> str:
    """The builder's virtualenv, as one digest."""
    return hashlib.sha256(json.dumps(sorted(builder.items())).encode()).hexdigest()


def fingerprint(config: Config, plan: DependencyPlan, server: str, source_dir: Path, builder: str) -> str:
    """A digest of everything that decides the virtualenv; NotReusable when the source itself does."""
    app_dir = config.source_dir / plan.directory  # where the plan's files are: APP_HOME or the source root
    if plan.project:
        raise NotReusable(f"the project itself is installed from its {plan.project}, which is part of the source")
    if plan.manager == "uv" and not config["DISABLE_PYPROJECT_TOML_PROCESSING"]:
        pyproject = read_pyproject(app_dir) or {}
        if "build-system" in pyproject or ((pyproject.get("tool") or {}).get("uv") or {}).get("package"):
            raise NotReusable("uv sync installs the project itself from its source (pyproject.toml has a build-system)")
    if config["UPGRADE_PIP_TO_LATEST"]:
        raise NotReusable("UPGRADE_PIP_TO_LATEST asks for the latest pip on every build")
    files = [app_dir / name for name in plan.files]
    if plan.files == (REQUIREMENTS,):  # pip, or pipenv install -r: with what it includes
        files = _requirement_files(app_dir / REQUIREMENTS, set())
    if plan.manager == "uv":
        files = [app_dir / "pyproject.toml", app_dir / UV_LOCK]
    installer = {name: value for name, value in config.environment.items() if name.startswith(INSTALLER_PREFIXES)}
    installer.update((name, str(config[name])) for name in SWITCHES if config.is_set(name))
    for name in config.build_secrets:  # by name only: a digest of a secret must not be in the image
        installer[name] = "(build secret)"
    inputs = {
        "format": FORMAT,
        "python": sys.version,
        "machine": platform.machine(),
        "builder": builder,
        "builder-requirements": {p.name: _digest(p) for p in sorted((BUILDER_HOME / "requirements").glob("*.txt"))},
        "manager": plan.manager,
        "directory": plan.directory,
        "pipenv": plan.pipenv_version,
        "files": {str(p.relative_to(app_dir) if p.is_relative_to(app_dir) else p): _digest(p) for p in files},
        "wheelhouse": sorted(p.name for p in plan.wheelhouse.iterdir()) if plan.wheelhouse else None,
        "installer": sorted(installer.items()),
        "server": server,
        "hooks": {
            str(hook.relative_to(source_dir)): _digest(hook)
            for name in ("build-env", "pre_compile", "pre-build")
            for hook in find_hooks(source_dir, name)
        },
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def manifest(directory: Path) -> dict | None:
    """The manifest in `directory` (the cache, or the artifacts), or None when there is no usable one."""
    try:
        found = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        return None
    if not all(isinstance(found.get(key), kind) for key, kind in KEYS.items()):
        return None
    return found


def _put_back(found: dict, snapshot: Path, app_root: Path) -> bool:
    """Apply the previous build's changes to the builder's virtualenv; False (nothing touched) when
    the snapshot does not hold every file the manifest lists."""
    links: dict[str, str] = found["links"]
    files = [path for path in found["changed"] if path not in links]
    if not all((snapshot / path).is_file() or (snapshot / path).is_symlink() for path in files):
        return False
    for path in found["removed"]:
        target = app_root / path
        target.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the directories it leaves empty go too
            for parent in target.parents:
                if app_root in (parent, parent.parent):
                    break
                parent.rmdir()
    for path in files:
        target = app_root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(snapshot / path, target)
    for path, destination in links.items():
        target = app_root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target.symlink_to(destination)
    return True


def _unpack(archive: Path, staging: Path) -> bool:
    staging.mkdir(parents=True, exist_ok=True)
    argv = ["tar", "--extract", "--file", str(archive), "--directory", str(staging)]
    return subprocess.run(argv, check=False, stdin=subprocess.DEVNULL).returncode == 0


def restore(digest: str | None, why_not: str | None, artifacts_dir: Path, app_root: Path = APP_ROOT) -> bool:
    """Put the previous build's virtualenv in place if its fingerprint is `digest`; True when it was.

    The snapshot is taken out of artifacts_dir either way, so the image never carries a second copy.
    """
    archive, staging = artifacts_dir / SNAPSHOT, artifacts_dir / STAGING
    found = manifest(artifacts_dir)
    (artifacts_dir / MANIFEST).unlink(missing_ok=True)
    if found is None and not archive.exists():
        return False
    reused = False
    if digest is None:
        output.step(f"The previous build's virtualenv is not reused: {why_not}. Installing the dependencies.")
    elif found is None or found["fingerprint"] != digest:
        output.step(
            "The previous build's virtualenv is not reused: the dependency files, the install settings, "
            "the hooks or the builder changed since it was made. Installing the dependencies."
        )
    elif not (_unpack(archive, staging) and _put_back(found, staging, app_root)):
        output.warning(
            "The previous build's virtualenv is not reused: its artifacts are incomplete or damaged. "
            "Installing the dependencies."
        )
    else:
        output.step(
            "Reusing the previous build's virtualenv: the dependency files, the install settings, the "
            "hooks and the builder are unchanged (incremental build), so nothing is installed"
        )
        reused = True
    archive.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    return reused


def record(digest: str | None, build_cache: str, cache_dir: Path, builder: Listing, app_root: Path = APP_ROOT) -> None:
    """Mark this build's virtualenv as reusable by the next incremental build, with what the build
    changed in the builder's (`builder`: the listing taken before anything was installed)."""
    kept = cache_dir / MANIFEST
    if digest is None or build_cache == "none" or not cache_dir.is_dir():
        kept.unlink(missing_ok=True)
        return
    now = listing(app_root)
    changed = sorted(path for path, stat in now.items() if builder.get(path) != stat)
    links = {}
    for path in changed:
        if (app_root / path).is_symlink() and os.readlink(app_root / path).startswith("/"):
            links[path] = os.readlink(app_root / path)
    found = {
        "format": FORMAT,
        "fingerprint": digest,
        "builder": identity(builder),
        "changed": changed,
        "removed": sorted(set(builder) - set(now)),
        "links": links,
    }
    kept.write_text(json.dumps(found) + "\n", encoding="utf-8")


def archive(cache_dir: Path, scratch: Path, app_root: Path = APP_ROOT) -> list[tuple[Path, str]]:
    """What save-artifacts adds for the next build: the manifest and, as one tar made in `scratch`,
    the files the build changed in the builder's virtualenv (links to absolute paths are in the
    manifest). Nothing when this build's virtualenv was not recorded as reusable."""
    found = manifest(cache_dir)
    if found is None:
        return []
    listed = scratch / "venv.list"
    changed = [path for path in found["changed"] if path not in found["links"]]
    listed.write_bytes(b"".join(path.encode() + b"\0" for path in changed))
    made = scratch / SNAPSHOT
    argv = ["tar", "--create", "--file", str(made), "--directory", str(app_root)]
    argv += ["--no-recursion", "--null", "--files-from", str(listed)]
    if subprocess.run(argv, check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL).returncode != 0:
        output.warning("The virtualenv could not be archived for the next build; it will install again.")
        return []
    return [(cache_dir / MANIFEST, MANIFEST), (made, SNAPSHOT)]
