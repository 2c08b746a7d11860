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

When it does not, the files may still be the starting point (starting_point):
for requirements.txt installed with pip, when everything but the requirement
lines is unchanged (the `base` digest: options, constraint files, settings,
hooks, builder, server) and every line of the previous build is still there,
the files are put back and pip installs only what the new lines add, with
every package already there pinned (pins): pip may then add packages but not
replace one, so nothing it installed for an old version is left behind, and the
result is what a clean install would give. Should pip need to replace one, the
virtualenv goes back to the builder's (undo) and everything is installed. A
removed or changed line always installs everything: pip does not uninstall
what is no longer required. Lock files (uv, micropipenv, pipenv) install in
full when they change: their installers here run without removing packages
(`uv sync --inexact`, `pip install --no-deps`), as the builder's own packages
are in no lock.

Otherwise the files are dropped and the build installs as in a first build
(from the installer cache). Only the digests and the requirement lines are stored.

Installs that read the app's own source are never reused (the project
installed from pyproject.toml or setup.py, `-e .`, a local path or a local
--find-links in requirements.txt, `uv sync` of a project with a
build-system), nor is UPGRADE_PIP_TO_LATEST, whose result changes with time.

bin/s2i-build's layered rebuild runs the build in the previous image itself;
build.check_layered then compares the fingerprint with the one recorded there.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
from ..deps.files import pep503
from ..hooks import find as find_hooks
from ..paths import APP_ROOT, BUILDER_HOME
from . import LAYERED_MARKER, MANIFEST, SNAPSHOT, STAGING

FORMAT = 2
# SNAPSHOT: one member made by tar(1), as thousands of small files are slow through tarfile.
KEYS = {"fingerprint": str, "builder": str, "changed": list, "removed": list, "links": dict}
# What restore did: put the virtualenv back as it was (EXACT), or as the starting point of an install (START).
EXACT, START = "exact", "start"
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


_CONTINUED = re.compile(r"\\\n")
_URL = re.compile(r"://|\s@\s|^(?:git|hg|svn|bzr)\+")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclasses.dataclass(frozen=True)
class Requirements:
    """A pip install of requirements.txt as the starting-point rule sees it: the digest of all but
    the requirement lines (`base`), and those lines (of requirements.txt and the files it includes)."""

    base: str
    lines: tuple[str, ...]


def _lines(path: Path, seen: set[Path], lines: list[str], options: list[str], constraints: list[Path]) -> None:
    """The requirement lines of `path` and of what it includes with -r, the option lines, the
    constraint files (-c); read after _requirement_files, so every file is readable and none local."""
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    for raw in _CONTINUED.sub(" ", path.read_text(encoding="utf-8")).splitlines():
        line = " ".join(raw.split(" #", 1)[0].split())
        if not line or line.startswith("#"):
            continue
        included = _INCLUDE.match(line)
        if included and line.startswith(("-r", "--requirement")):
            _lines(path.parent / included.group(1), seen, lines, options, constraints)
        elif included:
            constraints.append(path.parent / included.group(1))
        elif line.startswith("-"):
            options.append(line)
        else:
            lines.append(line)


def name_of(line: str) -> str:
    """The project a requirement line names, normalized (PEP 503)."""
    match = _NAME.match(line)
    return pep503(match[1]) if match else line


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
    return _hash(_inputs(config, plan, server, source_dir, builder))


def _hash(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def requirements(
    config: Config, plan: DependencyPlan, server: str, source_dir: Path, builder: str
) -> Requirements | str:
    """What the next build needs to start from this one's virtualenv (starting_point), or why it cannot:
    only a pip install of requirements.txt, without URL requirements (pip does not check those again)."""
    if plan.manager != "pip" or plan.files != (REQUIREMENTS,):
        return f"{plan.manager} installs {', '.join(plan.files) or 'nothing'} in full when it changes"
    inputs = _inputs(config, plan, server, source_dir, builder)
    lines: list[str] = []
    options: list[str] = []
    constraints: list[Path] = []
    app_dir = config.source_dir / plan.directory
    _lines(app_dir / REQUIREMENTS, set(), lines, options, constraints)
    urls = [line for line in lines if _URL.search(line)]
    if urls:
        return f"requirements.txt installs from a URL ({urls[0]}), which pip does not fetch again"
    constrained = {os.path.relpath(p, app_dir): _digest(p) for p in constraints}
    inputs["files"] = {"options": options, "constraints": constrained}
    return Requirements(_hash(inputs), tuple(sorted(set(lines))))


def _inputs(config: Config, plan: DependencyPlan, server: str, source_dir: Path, builder: str) -> dict:
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
    return inputs


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
    if not isinstance(found.get("base"), str) or not isinstance(found.get("requirements"), list):
        found["base"], found["requirements"] = None, None  # not a pip install: no starting point
    return found


def starting_point(found: dict, wanted: Requirements | str | None, builder_installs: set[str]) -> str | None:
    """Why the previous build's virtualenv (its manifest `found`) cannot be the starting point of
    this build's pip install; None when it can: all but the requirement lines unchanged, and every
    line of the previous build still there. `builder_installs`: what the builder installs itself,
    pinned (its server packages); a new line naming one would get the pinned version, not the latest."""
    if wanted is None or isinstance(wanted, str):
        return wanted or "this build cannot be reused"
    if found["base"] is None:
        return "the previous build did not install requirements.txt with pip"
    if found["base"] != wanted.base:
        return (
            "the install settings, the hooks, the builder, or the options or constraint files of "
            "requirements.txt changed"
        )
    gone = sorted(set(found["requirements"]) - set(wanted.lines))
    if gone:
        shown = ", ".join(gone[:3]) + (", ..." if len(gone) > 3 else "")
        return f"requirements.txt no longer has {shown}, and pip does not uninstall what it installed for it"
    added = sorted(set(wanted.lines) - set(found["requirements"]))
    pinned = [line for line in added if name_of(line) in builder_installs]
    if pinned:
        return f"requirements.txt adds {pinned[0]}, which the builder installed at its own pinned version"
    return None


def pins(app_root: Path = APP_ROOT) -> list[str]:
    """`name==version` of every distribution in the virtualenv (from its .dist-info METADATA)."""
    found = []
    for metadata in sorted(app_root.glob("lib/python*/site-packages/*.dist-info/METADATA")):
        fields: dict[str, str] = {}
        with contextlib.suppress(OSError, UnicodeDecodeError):
            for line in metadata.read_text(encoding="utf-8").splitlines():
                if not line:
                    break
                key, _, value = line.partition(": ")
                fields.setdefault(key, value.strip())
        if fields.get("Name") and fields.get("Version"):
            found.append(f"{fields['Name']}=={fields['Version']}")
    return found


def _remove_empty_parents(target: Path, app_root: Path) -> None:
    with contextlib.suppress(OSError):  # the directories a removed file leaves empty go too
        for parent in target.parents:
            if app_root in (parent, parent.parent):
                break
            parent.rmdir()


def _set_aside(target: Path, backup: Path | None, path: str) -> None:
    """Remove the builder's file at `target`, into `backup` (for undo) when there is one."""
    if backup is None or not (target.exists() or target.is_symlink()):
        target.unlink(missing_ok=True)
        return
    (backup / path).parent.mkdir(parents=True, exist_ok=True)
    os.replace(target, backup / path)


def _put_back(found: dict, snapshot: Path, app_root: Path, backup: Path | None = None) -> bool:
    """Apply the previous build's changes to the builder's virtualenv; False (nothing touched) when
    the snapshot does not hold every file the manifest lists. The builder's files it replaces or
    removes are moved into `backup` when given, so that undo can give the builder's virtualenv back."""
    links: dict[str, str] = found["links"]
    files = [path for path in found["changed"] if path not in links]
    if not all((snapshot / path).is_file() or (snapshot / path).is_symlink() for path in files):
        return False
    for path in found["removed"]:
        _set_aside(app_root / path, backup, path)
        _remove_empty_parents(app_root / path, app_root)
    for path in files:
        target = app_root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        _set_aside(target, backup, path)
        os.replace(snapshot / path, target)
    for path, destination in links.items():
        target = app_root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        _set_aside(target, backup, path)
        target.symlink_to(destination)
    return True


def undo(builder: Listing, backup: Path, app_root: Path = APP_ROOT) -> None:
    """Give the builder's virtualenv back after a starting point that did not do: remove every file
    the builder did not have (put back, or installed since), and move back those set aside."""
    for path in set(listing(app_root)) - set(builder):
        (app_root / path).unlink(missing_ok=True)
        _remove_empty_parents(app_root / path, app_root)
    for root, dirs, names in os.walk(backup):
        for name in (*names, *(d for d in dirs if os.path.islink(os.path.join(root, d)))):
            path = os.path.relpath(os.path.join(root, name), backup)
            (app_root / path).parent.mkdir(parents=True, exist_ok=True)
            os.replace(backup / path, app_root / path)
    shutil.rmtree(backup, ignore_errors=True)


def _unpack(archive: Path, staging: Path) -> bool:
    staging.mkdir(parents=True, exist_ok=True)
    argv = ["tar", "--extract", "--file", str(archive), "--directory", str(staging)]
    return subprocess.run(argv, check=False, stdin=subprocess.DEVNULL).returncode == 0


def restore(
    digest: str | None,
    why_not: str | None,
    artifacts_dir: Path,
    app_root: Path = APP_ROOT,
    *,
    wanted: Requirements | str | None = None,
    builder_installs: frozenset[str] = frozenset(),
) -> str | None:
    """Put the previous build's virtualenv in place if its fingerprint is `digest` (EXACT), or as the
    starting point of this build's pip install (START: `wanted` allows it, see starting_point, and
    the builder's files it replaces are kept in artifacts_dir/backup for undo); None when not.

    The snapshot is taken out of artifacts_dir either way, so the image never carries a second copy.
    """
    archive, staging = artifacts_dir / SNAPSHOT, artifacts_dir / STAGING
    found = manifest(artifacts_dir)
    (artifacts_dir / MANIFEST).unlink(missing_ok=True)
    if found is None and not archive.exists():
        return None
    done = None
    why_no_start = None if found is None or digest is None else starting_point(found, wanted, builder_installs)
    if digest is None:
        output.step(f"The previous build's virtualenv is not reused: {why_not}. Installing the dependencies.")
    elif found is None or (found["fingerprint"] != digest and why_no_start is not None):
        why = "the dependency files, the install settings, the hooks or the builder changed since it was made"
        if found is not None and found["base"] is not None and why_no_start:
            why = why_no_start  # the previous build installed requirements.txt: say what stops its reuse
        output.step(f"The previous build's virtualenv is not reused: {why}. Installing the dependencies.")
    elif not (_unpack(archive, staging) and _put_back(found, staging, app_root, backup(artifacts_dir))):
        shutil.rmtree(backup(artifacts_dir), ignore_errors=True)  # empty: nothing was touched
        output.warning(
            "The previous build's virtualenv is not reused: its artifacts are incomplete or damaged. "
            "Installing the dependencies."
        )
    elif found["fingerprint"] == digest:
        output.step(
            "Reusing the previous build's virtualenv: the dependency files, the install settings, the "
            "hooks and the builder are unchanged (incremental build), so nothing is installed"
        )
        shutil.rmtree(backup(artifacts_dir), ignore_errors=True)
        done = EXACT
    else:
        assert isinstance(wanted, Requirements)
        added = sorted(set(wanted.lines) - set(found["requirements"]))
        shown = ", ".join(added[:3]) + (", ..." if len(added) > 3 else "") if added else "none"
        output.step(
            "Reusing the previous build's virtualenv as the starting point: requirements.txt only adds "
            f"lines ({shown}) and the install settings, the hooks and the builder are unchanged "
            "(incremental build), so pip installs only what they add"
        )
        done = START
    archive.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    return done


def backup(artifacts_dir: Path) -> Path:
    """Where restore keeps the builder's files that a starting point replaced (undo puts them back)."""
    return artifacts_dir / "venv-backup"


def record(
    digest: str | None,
    build_cache: str,
    cache_dir: Path,
    builder: Listing,
    app_root: Path = APP_ROOT,
    *,
    wanted: Requirements | str | None = None,
) -> None:
    """Mark this build's virtualenv as reusable by the next incremental build, with what the build
    changed in the builder's (`builder`: the listing taken before anything was installed) and, for
    a pip install of requirements.txt, what the next one needs to start from it (`wanted`)."""
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
        "base": wanted.base if isinstance(wanted, Requirements) else None,
        "requirements": list(wanted.lines) if isinstance(wanted, Requirements) else None,
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
