"""Incremental builds (`bin/s2i-build --incremental`, as `s2i build --incremental`): a rebuild after a
source-only change reuses the previous image's dependency cache, so nothing unchanged is downloaded or
compiled again; a previous image whose cache is damaged or stale gives a clean full build with a WARNING.

Each test builds a copy of its app, so changing the marker never touches test/apps.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

import harness

UV = "/opt/s2i-wsgi/tools/bin/uv"
BUILT_FROM_SOURCE = "Building wheel for markupsafe"


def copy_app(app: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp(app) / app
    shutil.copytree(harness.APPS / app, target)
    return target


def bump_marker(source: Path, old: str, new: str) -> None:
    wsgi = source / "wsgi.py"
    wsgi.write_text(wsgi.read_text().replace(old, new))


def timed_build(app: str, source: Path, tag: str, *options: str) -> tuple[harness.Build, float]:
    started = time.monotonic()
    result = harness.build_app(app, source=source, tag=tag, options=options)
    return result.assert_ok(), time.monotonic() - started


def answers(image: str, containers, expected: bytes) -> None:
    for user in (None, "123456:0"):
        container = containers(image, *(["--user", user] if user else []))
        container.wait_ready()
        status, body, _ = container.get("/")
        assert (status, body) == (200, expected), container.logs()


@pytest.fixture
def tag():
    name = f"s2i-wsgi-test-incremental-{uuid.uuid4().hex[:8]}:{harness.RUN_ID}"
    yield name
    harness.remove_image(name)


def derive(image: str, tag: str, script: str) -> None:
    """Replace `tag` with `image` changed by a root shell `script` (a previous image gone wrong)."""
    dockerfile = f"FROM {image}\nUSER root\nRUN {json.dumps(['/bin/sh', '-c', script])}\nUSER 1001\n"
    harness.engine("build", "-t", tag, "-", input=dockerfile.encode())


def test_a_rebuild_after_a_source_change_reuses_the_wheel_pip_built(builder, tmp_path_factory, tag, containers):
    source = copy_app("incremental_c_extension", tmp_path_factory)
    cold, cold_seconds = timed_build("incremental_c_extension", source, tag, "--incremental")
    assert f"---> No previous image {tag}: a full build (--incremental)" in cold.output
    assert BUILT_FROM_SOURCE in cold.output
    assert "---> Kept the dependency cache for incremental builds" in cold.output

    bump_marker(source, "incremental_c_extension v1", "incremental_c_extension v2")
    warm, warm_seconds = timed_build("incremental_c_extension", source, tag, "--incremental")
    assert "---> Reusing the dependency cache from the previous build (incremental build)" in warm.output
    assert "Using cached markupsafe-3.0.2-" in warm.output
    assert BUILT_FROM_SOURCE not in warm.output
    assert "Downloading" not in warm.output
    print(f"pip app: cold build {cold_seconds:.1f} s, incremental rebuild {warm_seconds:.1f} s")
    answers(tag, containers, b"incremental_c_extension v2: markupsafe 3.0.2 markupsafe._speedups\n")
    # The cache came in through the image's cache directory, not /tmp/artifacts (which would keep a second copy).
    assert harness.run_once(tag, "test", "-e", "/tmp/artifacts").returncode == 1
    listing = harness.run_once(tag, "ls", "/opt/s2i-wsgi/cache")
    assert listing.stdout.decode().split() == ["pip", "s2i-wsgi-cache.json"], harness.text(listing)


def test_a_uv_rebuild_downloads_and_builds_nothing(builder, tmp_path_factory, tag, containers):
    source = copy_app("incremental_uv", tmp_path_factory)
    lock = harness.run_once(
        builder,
        "bash",
        "-c",
        f"{UV} lock --python /opt/app-root/bin/python",
        run_args=("--user", "0", "-v", f"{source}:/w:z", "-w", "/w", "-e", "UV_SYSTEM_CERTS=1"),
    )
    assert lock.returncode == 0, harness.text(lock)
    cold, _ = timed_build("incremental_uv", source, tag, "--incremental")
    assert "Built markupsafe==3.0.2" in cold.output

    bump_marker(source, "incremental_uv v1", "incremental_uv v2")
    warm, _ = timed_build("incremental_uv", source, tag, "--incremental")
    assert "---> Reusing the dependency cache from the previous build (incremental build)" in warm.output
    assert "Installed 2 packages" in warm.output
    for fetched_or_built in ("Prepared", "Building markupsafe", "Built markupsafe", "Downloading"):
        assert fetched_or_built not in warm.output, warm.output[-3000:]
    answers(tag, containers, b"incremental_uv v2: six 1.17.0 markupsafe._speedups\n")


@pytest.mark.parametrize(
    "case",
    [
        (
            # save-artifacts streams a tar cut short, inside its first header
            "printf '#!/bin/sh\\ns2i-wsgi save-artifacts | head -c 300\\n' > /usr/libexec/s2i/save-artifacts",
            "WARNING: The artifacts of the previous image could not be unpacked",
        ),
        (
            # a cache made for another Python
            'echo \'{"format": 1, "python": "2.7", "machine": "x86_64"}\' > /opt/s2i-wsgi/cache/s2i-wsgi-cache.json',
            "WARNING: The dependency cache from the previous build is not used: it was made for python '2.7'",
        ),
        (
            # a damaged wheel in the cache
            "find /opt/s2i-wsgi/cache -name '*.whl' -exec sh -c 'echo damaged > \"$1\"' _ {} ';'",
            "WARNING: Installing the dependencies failed with the cache from the previous build",
        ),
    ],
    ids=["truncated-tar", "stale-cache", "damaged-wheel"],
)
def test_a_damaged_or_stale_cache_falls_back_to_a_full_build(builder, tmp_path_factory, tag, containers, case):
    damage, warning = case
    source = copy_app("incremental_c_extension", tmp_path_factory)
    timed_build("incremental_c_extension", source, tag)
    derive(tag, tag, damage)
    bump_marker(source, "incremental_c_extension v1", "incremental_c_extension v3")
    result, _ = timed_build("incremental_c_extension", source, tag, "--incremental")
    assert warning in result.output
    assert BUILT_FROM_SOURCE in result.output
    answers(tag, containers, b"incremental_c_extension v3: markupsafe 3.0.2 markupsafe._speedups\n")


def test_save_artifacts_of_an_image_built_with_build_cache_none_is_empty(builder, tmp_path_factory, tag):
    source = copy_app("incremental_c_extension", tmp_path_factory)
    result = harness.build_app("incremental_c_extension", "BUILD_CACHE=none", source=source, tag=tag).assert_ok()
    assert "Kept the dependency cache" not in result.output
    saved = subprocess.run(
        [harness.ENGINE, "run", "--rm", tag, "/usr/libexec/s2i/save-artifacts"], capture_output=True, check=True
    )
    assert saved.stdout == b"\0" * len(saved.stdout)  # an empty tar: only end-of-archive blocks
