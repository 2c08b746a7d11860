"""Incremental builds (`s2i build --incremental`): a rebuild after a source-only change reuses the
previous image's virtualenv and dependency cache, so nothing unchanged is downloaded or compiled again;
a previous image whose cache is damaged or stale gives a clean full build with a WARNING.
bin/s2i-build's layered rebuild (its own speed-up) has tests of its own here.

Each test builds a copy of its app, so changing the marker never touches test/apps.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest

import harness

BUILT_FROM_SOURCE = "Building wheel for markupsafe"
STARTING_POINT = "---> Reusing the previous build's virtualenv as the starting point: requirements.txt only adds lines "


def bump_marker(source: Path, old: str, new: str) -> None:
    wsgi = source / "wsgi.py"
    wsgi.write_text(wsgi.read_text().replace(old, new))


def timed_build(
    app: str, source: Path, tag: str, *options: str, path: str | None = None
) -> tuple[harness.Build, float]:
    started = time.monotonic()
    result = harness.build_app(app, source=source, tag=tag, options=options, path=path)
    return result.assert_ok(), time.monotonic() - started


@pytest.fixture
def tag():
    name = f"s2i-wsgi-test-incremental-{uuid.uuid4().hex[:8]}:{harness.RUN_ID}"
    yield name
    harness.remove_image(name)


def derive(image: str, tag: str, script: str) -> None:
    """Replace `tag` with `image` changed by a root shell `script` (a previous image gone wrong)."""
    dockerfile = f"FROM {image}\nUSER root\nRUN {json.dumps(['/bin/sh', '-c', script])}\nUSER 1001\n"
    harness.engine("build", "-t", tag, "-", input=dockerfile.encode())


def layers(image: str) -> int:
    found = harness.engine("image", "inspect", "--format", "{{len .RootFS.Layers}}", image)
    return int(found.stdout.decode().strip())


def test_source_and_dependency_rebuilds_reuse_what_did_not_change(builder, tmp_path_factory, tag, containers):
    source = harness.copy_app("incremental_c_extension", tmp_path_factory)
    (source / "notes.txt").write_text("removed before the next build\n")
    cold, cold_seconds = timed_build("incremental_c_extension", source, tag, "--incremental")
    assert BUILT_FROM_SOURCE in cold.output
    assert "---> Kept the dependency cache for incremental builds" in cold.output

    # A source-only change: s2i streams the previous image's artifacts in; the virtualenv is put back.
    bump_marker(source, "incremental_c_extension v1", "incremental_c_extension v2")
    (source / "notes.txt").unlink()
    restored, restored_seconds = timed_build("incremental_c_extension", source, tag, "--incremental")
    assert "---> Reusing the previous build's virtualenv: the dependency files, the install settings" in (
        restored.output
    )
    for installing in ("Installing dependencies", "pip", BUILT_FROM_SOURCE, "Downloading"):
        assert installing not in restored.output, restored.output
    harness.answers(tag, containers, b"incremental_c_extension v2: markupsafe 3.0.2 markupsafe._speedups\n")
    assert harness.run_once(tag, "test", "-e", "notes.txt").returncode == 1  # the previous source is gone
    # The artifacts came in through the image's cache directory, not /tmp/artifacts (a second copy).
    assert harness.run_once(tag, "test", "-e", "/tmp/artifacts").returncode == 1
    listing = harness.run_once(tag, "ls", "/opt/s2i-wsgi/cache")
    assert listing.stdout.decode().split() == ["pip", "s2i-wsgi-cache.json", "venv.json"], harness.text(listing)

    # A new dependency: pip installs it on the previous virtualenv; markupsafe is neither built nor installed.
    requirements = source / "requirements.txt"
    requirements.write_text(requirements.read_text() + "six==1.17.0\n")
    added, _ = timed_build("incremental_c_extension", source, tag, "--incremental")
    assert STARTING_POINT + "(six==1.17.0)" in added.output
    assert "Successfully installed six-1.17.0\n" in added.output
    assert "Requirement already satisfied: markupsafe==3.0.2" in added.output
    assert BUILT_FROM_SOURCE not in added.output
    print(f"pip app through s2i: cold build {cold_seconds:.1f} s, source-only rebuild {restored_seconds:.1f} s")
    harness.answers(tag, containers, b"incremental_c_extension v2: markupsafe 3.0.2 markupsafe._speedups\n")


def test_bin_s2i_build_builds_a_source_only_change_on_the_previous_image(builder, tmp_path_factory, tag, containers):
    source = harness.copy_app("incremental_c_extension", tmp_path_factory)
    (source / "notes.txt").write_text("removed before the next build\n")
    cold, _ = timed_build("incremental_c_extension", source, tag, "--incremental", path="s2i-build")
    assert f"---> No previous image {tag}: a full build (--incremental)" in cold.output
    full_build_layers = layers(tag)

    bump_marker(source, "incremental_c_extension v1", "incremental_c_extension v2")
    (source / "notes.txt").unlink()
    layered, _ = timed_build("incremental_c_extension", source, tag, "--incremental", path="s2i-build")
    assert f"---> Building {tag} on the previous image {tag} (docker, layered rebuild)" in layered.output
    assert "---> Building on the previous image: its virtualenv is what this build would install" in layered.output
    for installing in ("Installing dependencies", "pip", BUILT_FROM_SOURCE, "Downloading"):
        assert installing not in layered.output, layered.output
    assert layers(tag) == full_build_layers + 1
    harness.answers(tag, containers, b"incremental_c_extension v2: markupsafe 3.0.2 markupsafe._speedups\n")
    assert harness.run_once(tag, "test", "-e", "notes.txt").returncode == 1  # the previous source is gone

    # --no-layered does what s2i does: on the builder, with the previous virtualenv put back.
    bump_marker(source, "incremental_c_extension v2", "incremental_c_extension v3")
    options = ("--incremental", "--no-layered")
    restored, _ = timed_build("incremental_c_extension", source, tag, *options, path="s2i-build")
    assert "---> Reusing the previous build's virtualenv" in restored.output
    assert layers(tag) == full_build_layers
    harness.answers(tag, containers, b"incremental_c_extension v3: markupsafe 3.0.2 markupsafe._speedups\n")

    # A new dependency: the layered attempt gives up, and the previous virtualenv is the starting point.
    requirements = source / "requirements.txt"
    requirements.write_text(requirements.read_text() + "six==1.17.0\n")
    added, _ = timed_build("incremental_c_extension", source, tag, "--incremental", path="s2i-build")
    assert "---> The dependency files, the install settings or the hooks changed since the previous image" in (
        added.output
    )
    assert STARTING_POINT + "(six==1.17.0)" in added.output
    assert "Successfully installed six-1.17.0\n" in added.output


def freeze(image: str) -> list[str]:
    found = harness.run_once(image, "python", "-m", "pip", "freeze", "--all")
    assert found.returncode == 0, harness.text(found)
    return found.stdout.decode().splitlines()


@pytest.fixture
def clean_tag():
    name = f"s2i-wsgi-test-incremental-clean-{uuid.uuid4().hex[:8]}:{harness.RUN_ID}"
    yield name
    harness.remove_image(name)


@pytest.mark.usefixtures("builder")
@pytest.mark.parametrize("path", ["s2i", "s2i-build"])
def test_an_added_dependency_is_installed_on_the_previous_virtualenv_as_a_clean_build_would(
    tmp_path_factory, tag, clean_tag, containers, path
):
    source = harness.copy_app("flask_hello", tmp_path_factory)
    timed_build("flask_hello", source, tag, "--incremental", path=path)
    before = freeze(tag)

    # python-dateutil brings six: both are installed, nothing else is.
    requirements = source / "requirements.txt"
    requirements.write_text("Flask==3.1.3\npython-dateutil==2.9.0.post0\n")
    added, _ = timed_build("flask_hello", source, tag, "--incremental", path=path)
    assert STARTING_POINT + "(python-dateutil==2.9.0.post0) and the install settings, the hooks and the " in (
        added.output
    )
    assert "Successfully installed python-dateutil-2.9.0.post0 six-1.17.0\n" in added.output
    imported = harness.run_once(tag, "python", "-c", "import dateutil, six; print(dateutil.__version__)")
    assert imported.stdout == b"2.9.0.post0\n", harness.text(imported)
    harness.answers(tag, containers, b"Hello from flask_hello\n", users=(None,))
    timed_build("flask_hello", source, clean_tag, path=path)
    assert freeze(tag) == freeze(clean_tag)
    assert sorted(set(freeze(tag)) - set(before)) == ["python-dateutil==2.9.0.post0", "six==1.17.0"]

    # A removed line: pip would leave python-dateutil and six behind, so everything is installed again.
    requirements.write_text("Flask==3.1.3\n")
    removed, _ = timed_build("flask_hello", source, tag, "--incremental", path=path)
    assert (
        "---> The previous build's virtualenv is not reused: requirements.txt no longer has "
        "python-dateutil==2.9.0.post0, and pip does not uninstall what it installed for it. "
        "Installing the dependencies.\n"
    ) in removed.output
    assert freeze(tag) == before
    gone = harness.run_once(tag, "python", "-c", "import dateutil")
    assert b"ModuleNotFoundError: No module named 'dateutil'" in gone.stderr, harness.text(gone)


def test_a_changed_build_environment_is_not_built_on_the_previous_image(builder, tmp_path_factory, tag):
    source = harness.copy_app("incremental_c_extension", tmp_path_factory)
    timed_build("incremental_c_extension", source, tag, "-e", "GREETING=one", path="s2i-build")
    options = ("--incremental", "-e", "GREETING=two")
    result, _ = timed_build("incremental_c_extension", source, tag, *options, path="s2i-build")
    assert f"---> Not building on {tag}: the build environment (.s2i/environment, -e) changed" in result.output
    assert "---> Reusing the previous build's virtualenv" in result.output
    env = harness.engine("image", "inspect", "--format", "{{json .Config.Env}}", tag).stdout.decode()
    assert "GREETING=two" in env and "GREETING=one" not in env


def cached_files(image: str) -> list[str]:
    found = harness.run_once(image, "find", "/opt/s2i-wsgi/cache", "-type", "f")
    assert found.returncode == 0, harness.text(found)
    return found.stdout.decode().split()


def test_a_uv_rebuild_downloads_and_builds_nothing(builder, tmp_path_factory, tag, containers):
    source = harness.uv_locked("incremental_uv", tmp_path_factory)
    # BUILD_CACHE=all: the downloaded six wheel stays in the image too, so nothing is fetched again.
    cold, _ = timed_build("incremental_uv", source, tag, "--incremental", "-e", "BUILD_CACHE=all")
    assert "Built markupsafe==3.0.2" in cold.output

    bump_marker(source, "incremental_uv v1", "incremental_uv v2")
    # An installer setting changes, so the virtualenv is installed again (by uv, from its cache).
    options = ("--incremental", "-e", "BUILD_CACHE=all", "-e", "UV_NO_PROGRESS=1")
    warm, _ = timed_build("incremental_uv", source, tag, *options)
    assert "---> The previous build's virtualenv is not reused: the dependency files, the install" in warm.output
    assert "---> Reusing the dependency cache from the previous build (incremental build)" in warm.output
    assert "Installed 2 packages" in warm.output
    for fetched_or_built in ("Prepared", "Building markupsafe", "Built markupsafe", "Downloading"):
        assert fetched_or_built not in warm.output, warm.output[-3000:]
    harness.answers(tag, containers, b"incremental_uv v2: six 1.17.0 markupsafe._speedups\n")


@pytest.mark.parametrize(
    "case",
    [
        (
            # save-artifacts streams a tar cut short, inside its first header
            "printf '#!/bin/sh\\ns2i-wsgi save-artifacts | head -c 300\\n' > /usr/libexec/s2i/save-artifacts",
            # s2i's own words: it cannot unpack the stream, so it builds without it
            "WARNING: Clean build will be performed because of error saving previous build artifacts",
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
    source = harness.copy_app("incremental_c_extension", tmp_path_factory)
    timed_build("incremental_c_extension", source, tag)
    derive(tag, tag, damage)
    bump_marker(source, "incremental_c_extension v1", "incremental_c_extension v3")
    # An installer setting changes too, so pip installs again, from the cache.
    options = ("--incremental", "-e", "PIP_PROGRESS_BAR=off")
    result, _ = timed_build("incremental_c_extension", source, tag, *options)
    assert warning in result.output
    assert "Traceback" not in result.output
    assert BUILT_FROM_SOURCE in result.output
    harness.answers(tag, containers, b"incremental_c_extension v3: markupsafe 3.0.2 markupsafe._speedups\n")


def test_by_default_the_app_image_keeps_only_what_the_build_compiled(builder, tmp_path_factory, tag, containers):
    """Nothing downloaded from an index (a private index's wheels included) stays in the served image."""
    source = harness.copy_app("incremental_c_extension", tmp_path_factory)
    pip_build, _ = timed_build("incremental_c_extension", source, tag)
    assert "BUILD_CACHE=built)" in pip_build.output
    files = cached_files(tag)
    assert not [path for path in files if "/http" in path], files  # pip's download cache
    wheels = [path.rpartition("/")[2].lower() for path in files if path.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].startswith("markupsafe-3.0.2-"), files  # the one pip built

    source = harness.uv_locked("incremental_uv", tmp_path_factory)
    uv_build, _ = timed_build("incremental_uv", source, tag)
    assert "BUILD_CACHE=built)" in uv_build.output
    files = cached_files(tag)
    assert not [path for path in files if "six" in path.lower()], files  # the wheel uv downloaded
    assert [path for path in files if "markupsafe" in path.lower()], files  # the wheel uv built
    harness.answers(tag, containers, b"incremental_uv v1: six 1.17.0 markupsafe._speedups\n")


def test_save_artifacts_of_an_image_built_with_build_cache_none_is_empty(builder, tmp_path_factory, tag):
    source = harness.copy_app("incremental_c_extension", tmp_path_factory)
    result = harness.build_app("incremental_c_extension", "BUILD_CACHE=none", source=source, tag=tag).assert_ok()
    assert "Kept the dependency cache" not in result.output
    saved = subprocess.run(
        [harness.ENGINE, "run", "--rm", tag, "/usr/libexec/s2i/save-artifacts"], capture_output=True, check=True
    )
    assert saved.stdout == b"\0" * len(saved.stdout)  # an empty tar: only end-of-archive blocks
