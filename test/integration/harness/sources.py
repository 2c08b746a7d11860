"""App sources prepared for a test: a copy of a test app, one as a git repository, one locked with the
builder image's own tools. Lock files that record an index URL (uv.lock, Pipfile.lock) are never
committed: tests copy the app and lock the copy in a throwaway builder container."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .containers import run_once
from .engine import APPS, BUILDER, text

UV = "/opt/s2i-wsgi/tools/bin/uv"


def git_source(app: str, into: Path, *, extra: dict[str, str] | None = None) -> Path:
    """test/apps/<app> as a git repository with one commit (what s2i clones), plus `extra`
    files written after the commit (uncommitted: s2i leaves them out)."""
    target = into / app
    shutil.copytree(APPS / app, target)
    git = ["git", "-C", str(target), "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"], ["commit", "--quiet", "-m", "app"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    for name, content in (extra or {}).items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(content)
    return target


def in_builder(directory: Path, script: str, *env: str) -> None:
    """Run `script` in a throwaway builder container with `directory` at /w, failing with its output."""
    args = [
        "--user",
        "0",
        "-v",
        f"{directory}:/w:z",
        "-w",
        "/w",
        "-e",
        "UV_SYSTEM_CERTS=1",
        "-e",
        "UV_CACHE_DIR=/tmp/uv",
    ]
    for item in env:
        args += ["-e", item]
    result = run_once(BUILDER, "bash", "-c", script, run_args=tuple(args))
    assert result.returncode == 0, f"{script} failed:\n{text(result)}"


def copy_app(app: str, tmp_path_factory) -> Path:
    """A copy of test/apps/<app> in a new temporary directory (a pytest TempPathFactory's)."""
    target = tmp_path_factory.mktemp(app) / app
    shutil.copytree(APPS / app, target)
    return target


def uv_locked(app: str, tmp_path_factory) -> Path:
    """A copy of test/apps/<app> with the uv.lock that `uv lock` makes for it with the app's Python."""
    source = copy_app(app, tmp_path_factory)
    in_builder(source, f"{UV} lock --python /opt/app-root/bin/python")
    return source
