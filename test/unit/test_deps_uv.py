"""uv: the bundled uv, [tool.uv] required-version, uv sync (deps/uv.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from s2i_wsgi import deps, output
from s2i_wsgi.errors import ConfigError

from .deps_support import APP, LOCKS, PYPROJECT, Runs, plan_for


def test_uv_lock_wins_over_every_other_file_and_says_what_it_ignored(make_app, load_config):
    p = plan_for(make_app, load_config, LOCKS)
    assert (p.manager, p.files, p.reason) == ("uv", ("pyproject.toml", "uv.lock"), "there is a uv.lock")
    assert p.project is None  # uv sync installs the project itself
    why = "uv.lock pins the complete set of packages"
    assert p.not_used == (("Pipfile.lock", why), ("poetry.lock", why), ("requirements.txt", why))


def test_uv_sync_keeps_mod_wsgi_and_skips_dev_groups(make_app, load_config, monkeypatch):
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    config = load_config(make_app({**APP, "uv.lock": "", "pyproject.toml": PYPROJECT}), UV_DEFAULT_INDEX="https://idx/")
    deps.install(deps.plan(config, python="3.13.5"), config)
    argv, env = runs[1]
    assert argv[1:] == [
        "sync",
        "--locked",
        "--inexact",
        "--no-default-groups",
        "--no-editable",
        "--python",
        str(deps.PYTHON),
    ]
    assert env["UV_DEFAULT_INDEX"] == "https://idx/"


def test_a_uv_required_version_the_bundled_uv_does_not_meet_is_refused_before_uv_runs():
    pyproject = {"tool": {"uv": {"required-version": ">=0.99"}}}
    with pytest.raises(ConfigError) as refused:
        deps._check_uv_version(pyproject, "0.13.9")
    assert str(refused.value) == (
        'pyproject.toml requires uv ">=0.99" ([tool.uv] required-version), but this image has uv 0.13.9.\n\n'
        "uv refuses to work on a project that requires another version of it, so uv.lock cannot be installed.\n\n"
        'Widen required-version to include 0.13.9 (e.g. ">=0.13.9") if the project works with it, or build with '
        "a newer s2i-wsgi image (its uv is pinned in requirements/build-tools.txt)."
    )
    deps._check_uv_version({"tool": {"uv": {"required-version": ">=0.5"}}}, "0.13.9")  # met: nothing to say
    deps._check_uv_version({"tool": {"uv": {"required-version": "latest"}}}, "0.13.9")  # unreadable: uv decides


def test_the_bundled_uv_version_is_read_from_the_pinned_build_tools(monkeypatch):
    pinned = Path(__file__).parents[2] / "requirements" / "build-tools.txt"
    monkeypatch.setattr(deps.uv, "BUILD_TOOLS_REQUIREMENTS", pinned)
    version = deps.bundled_uv()
    assert version and f"\nuv=={version}\n" in f"\n{pinned.read_text()}"
    monkeypatch.setattr(deps.uv, "BUILD_TOOLS_REQUIREMENTS", pinned.with_name("no-such-file.txt"))
    assert deps.bundled_uv() is None
