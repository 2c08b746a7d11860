"""The dependency cache that makes incremental builds fast.

During assemble every installer caches into CACHE_DIR (outside /opt/app-root):
pip (and micropipenv and pipenv, which run pip) keeps the wheels it built
from source and, where the index allows HTTP caching, the files it downloaded
in `pip/`; uv keeps its whole cache in `uv/`. After the build the cache is
trimmed as BUILD_CACHE says (by default to the wheels built from source) and stays in the app image, because s2i runs
`save-artifacts` in the previous app image: that is where the next
incremental build gets it from. The runtime image (extended builds) copies
/opt/app-root only, so it never carries the cache.

A marker file records the Python and machine the cache was made with; a
cache without it, or made for another one, is dropped with a warning.
"""

from __future__ import annotations

import contextlib
import json
import platform
import shutil
import sys
import tarfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from .. import output
from . import ARTIFACTS_DIR, CACHE_DIR
from . import CACHE_MARKER as MARKER

FORMAT = 1


def identity() -> dict[str, object]:
    """What a cache must have been made with to be reused."""
    return {
        "format": FORMAT,
        "python": "{}.{}".format(*sys.version_info[:2]),
        "machine": platform.machine(),
    }


def _entries(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir())
    except FileNotFoundError:
        return []


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clear(cache_dir: Path) -> None:
    """Empty the cache directory (it stays: it is the image's, group-0 writable)."""
    for entry in _entries(cache_dir):
        _remove(entry)


def _unusable(cache_dir: Path) -> str | None:
    """Why the cache in cache_dir cannot be reused, or None when it can."""
    try:
        found = json.loads((cache_dir / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"it has no {MARKER}, so it was not made by this builder"
    except (OSError, ValueError) as exc:
        return f"its {MARKER} cannot be read ({exc})"
    if not isinstance(found, dict):
        return f"its {MARKER} is not a JSON object"
    wanted = identity()
    for key, value in wanted.items():
        if found.get(key) != value:
            return f"it was made for {key} {found.get(key)!r}, and this build has {value!r}"
    return None


def restore(cache_dir: Path = CACHE_DIR, artifacts_dir: Path = ARTIFACTS_DIR) -> bool:
    """Put the previous build's cache in place; True when there is a usable one.

    s2i leaves it in artifacts_dir; bin/s2i-build copies it straight into
    cache_dir (one copy in the image instead of two).
    """
    artifacts = _entries(artifacts_dir)
    if artifacts:
        clear(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        for entry in artifacts:
            shutil.move(str(entry), str(cache_dir / entry.name))
        with contextlib.suppress(OSError):  # the now empty directory need not stay in the image
            artifacts_dir.rmdir()
    if not _entries(cache_dir):
        output.step("No dependency cache from a previous build: installing from the indexes")
        return False
    why = _unusable(cache_dir)
    if why:
        output.warning(
            f"The dependency cache from the previous build is not used: {why}. "
            "The dependencies are installed as in a first build."
        )
        clear(cache_dir)
        return False
    output.step("Reusing the dependency cache from the previous build (incremental build)")
    return True


def installer_environment(cache_dir: Path = CACHE_DIR) -> dict[str, str]:
    """Where pip and uv cache during the build."""
    return {"PIP_CACHE_DIR": str(cache_dir / "pip"), "UV_CACHE_DIR": str(cache_dir / "uv")}


def _size(path: Path) -> int:
    total = 0
    for item in path.rglob("*"):
        if item.is_file() and not item.is_symlink():
            total += item.stat().st_size
    return total


def keep(mode: str, uv: Path, cache_dir: Path = CACHE_DIR) -> None:
    """Trim the cache after the build as BUILD_CACHE says, and mark it as ours.

    built: only wheels built from source (the slow part; downloads happen again). The default:
           the image a user serves carries nothing fetched from an index (a private one's
           files included), only what this build made;
    all:   also what pip and uv downloaded (no download of unchanged packages next time);
    none:  nothing (incremental builds then start from scratch).
    """
    if mode == "none" or not cache_dir.is_dir():
        clear(cache_dir)
        return
    _remove(cache_dir / "pip" / "selfcheck")
    if mode == "built":
        _remove(cache_dir / "pip" / "http")
        _remove(cache_dir / "pip" / "http-v2")
    if (cache_dir / "uv").is_dir() and uv.exists():
        argv = [str(uv), "cache", "prune", "--quiet", *(["--ci"] if mode == "built" else [])]
        if output.run(argv, env={**output.environ_with({}), "UV_CACHE_DIR": str(cache_dir / "uv")}) != 0:
            output.warning("uv could not prune its cache; it is kept as it is.")
    (cache_dir / MARKER).write_text(json.dumps(identity()) + "\n", encoding="utf-8")
    kilobytes = _size(cache_dir) / 1000
    size = f"{kilobytes / 1000:.1f} MB" if kilobytes >= 1000 else f"{kilobytes:.0f} kB"
    output.step(f"Kept the dependency cache for incremental builds ({size}, BUILD_CACHE={mode})")


def _members(cache_dir: Path) -> Iterator[Path]:
    if (cache_dir / MARKER).is_file():
        yield from _entries(cache_dir)


def save(
    stream: BinaryIO, cache_dir: Path = CACHE_DIR, extra: Sequence[tuple[Path, str]] = (), skip: Sequence[str] = ()
) -> None:
    """The cache but the files named in `skip`, then `extra` (path, name in the tar), as a tar on
    `stream` (save-artifacts); empty when there is no cache."""
    with tarfile.open(fileobj=stream, mode="w|") as tar:
        for entry in _members(cache_dir):
            if entry.name not in skip:
                tar.add(entry, arcname=entry.name)
        if (cache_dir / MARKER).is_file():
            for path, name in extra:
                tar.add(path, arcname=name)
