"""The previous build's virtualenv, reused when nothing that decides it changed (snapshot.py),
and the layered rebuild's check (build.check_layered)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from s2i_wsgi import build, deps
from s2i_wsgi.errors import RebuildFromBuilder
from s2i_wsgi.incremental import cache, snapshot

FLASK = {"wsgi.py": "application = None\n", "requirements.txt": "flask==3.1.3\n-r more.txt\n", "more.txt": "idna\n"}


def digest(make_app, load_config, files=FLASK, server="mod_wsgi", builder="b1", **environ):
    app = make_app(files)
    config = load_config(app, **environ)
    return snapshot.fingerprint(config, deps.plan(config), server, app, builder)


def test_the_same_inputs_give_the_same_fingerprint(make_app, load_config):
    assert digest(make_app, load_config) == digest(make_app, load_config)


@pytest.mark.parametrize(
    ("change", "kwargs"),
    [
        ("a requirement", {"files": {**FLASK, "requirements.txt": "flask==3.1.2\n-r more.txt\n"}}),
        ("an included requirements file", {"files": {**FLASK, "more.txt": "idna==3.10\n"}}),
        ("an installer setting", {"PIP_INDEX_URL": "https://index.example/simple"}),
        ("the builder's switch", {"ENABLE_MICROPIPENV": "1"}),
        ("the server", {"server": "gunicorn"}),
        ("the builder", {"builder": "b2"}),
        ("a pre-build hook", {"files": {**FLASK, ".s2i/action_hooks/pre-build": "#!/bin/sh\necho 1\n"}}),
        ("Heroku's pre_compile hook", {"files": {**FLASK, "bin/pre_compile": "echo 1\n"}}),
    ],
)
def test_what_decides_the_virtualenv_changes_the_fingerprint(make_app, load_config, change, kwargs):
    assert digest(make_app, load_config, **kwargs) != digest(make_app, load_config), change


def test_with_app_home_the_files_read_at_the_source_root_decide_the_fingerprint(make_app, load_config):
    # sclorg's layout: the app in web/, its requirements at the source root (deps.directory).
    files = {"web/wsgi.py": "application = None\n", ".s2i/environment": "APP_HOME=web\n", **FLASK}
    del files["wsgi.py"]
    changed = {**files, "requirements.txt": "flask==3.1.2\n-r more.txt\n"}
    assert digest(make_app, load_config, files=changed) != digest(make_app, load_config, files=files)
    assert digest(make_app, load_config, files={**files, "more.txt": "idna==3.10\n"}) != digest(
        make_app, load_config, files=files
    )


# The builder's switches as snapshot.py listed them by hand before they were read from the table.
HAND_LISTED_SWITCHES = (
    "UPGRADE_PIP_TO_LATEST",
    "DISABLE_SETUP_PY_PROCESSING",
    "DISABLE_PYPROJECT_TOML_PROCESSING",
    "ENABLE_PIPENV",
    "PIN_PIPENV_VERSION",
    "ENABLE_MICROPIPENV",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
)


def test_the_switches_read_from_the_table_give_the_fingerprint_the_hand_listed_ones_gave(
    make_app, load_config, monkeypatch
):
    # Every Dependencies variable set (but UPGRADE_PIP_TO_LATEST, which makes nothing reusable, and
    # the two installers in turn, which exclude each other): the same inputs must give the same
    # digest, so a builder with this change reuses the virtualenvs that the previous one recorded.
    every_switch = {
        "DISABLE_SETUP_PY_PROCESSING": "1",
        "DISABLE_PYPROJECT_TOML_PROCESSING": "1",
        "BUILD_CACHE": "all",
        "DISABLE_SBOM": "1",
        "PIP_INDEX_URL": "https://index.example/simple",
        "PIP_EXTRA_INDEX_URL": "https://extra.example/simple",
        "S2I_WSGI_SECRETS_DIR": "/run/secrets/build",
        "UV_DEFAULT_INDEX": "https://index.example/simple",
        "UV_INDEX": "https://extra.example/simple",
    }
    assert set(snapshot.SWITCHES) == set(HAND_LISTED_SWITCHES)
    pipenv = {"ENABLE_PIPENV": "1", "PIN_PIPENV_VERSION": "2024.0.1"}
    for environ in ({}, {**every_switch, "ENABLE_MICROPIPENV": "1"}, {**every_switch, **pipenv}):
        from_table = digest(make_app, load_config, **environ)
        monkeypatch.setattr(snapshot, "SWITCHES", HAND_LISTED_SWITCHES)
        hand_listed = digest(make_app, load_config, **environ)
        monkeypatch.undo()
        assert from_table == hand_listed


def test_run_time_settings_and_the_app_source_do_not(make_app, load_config):
    first = digest(make_app, load_config)
    assert digest(make_app, load_config, MOD_WSGI_THREADS="9") == first
    assert digest(make_app, load_config, files={**FLASK, "wsgi.py": "application = 1\n"}) == first


def test_build_secrets_count_by_name_only(make_app, load_config):
    app = make_app(FLASK)
    config = load_config(app)
    plan = deps.plan(config)

    def with_secret(value: str) -> str:
        secret = dataclasses.replace(config, build_secrets={"PIP_INDEX_URL": value})
        return snapshot.fingerprint(secret, plan, "mod_wsgi", app, "b")

    assert with_secret("https://user:one@index.example") == with_secret("https://user:two@index.example")
    assert with_secret("x") != snapshot.fingerprint(config, plan, "mod_wsgi", app, "b")


@pytest.mark.parametrize(
    ("files", "environ", "why"),
    [
        ({"requirements.txt": "-e .\n"}, {}, "requirements.txt installs from a local path (-e .)"),
        ({"requirements.txt": "./vendor/pkg\n"}, {}, "installs from a local path (./vendor/pkg)"),
        ({"requirements.txt": "pkg @ file:///src/pkg\n"}, {}, "installs from a local path"),
        ({"requirements.txt": "--find-links ./wheels\nflask\n"}, {}, "installs from a local path"),
        ({"requirements.txt": "flask\n", "setup.py": "x"}, {}, "the project itself is installed from its setup.py"),
        ({"requirements.txt": "flask\n"}, {"UPGRADE_PIP_TO_LATEST": "1"}, "UPGRADE_PIP_TO_LATEST asks for the latest"),
    ],
)
def test_installs_that_read_the_source_are_not_reusable(make_app, load_config, files, environ, why):
    app = make_app({"wsgi.py": "application = None\n", **files})
    config = load_config(app, **environ)
    with pytest.raises(snapshot.NotReusable, match=why.replace("(", r"\(").replace(")", r"\)")):
        snapshot.fingerprint(config, deps.plan(config), "mod_wsgi", app, "b")


# ---------------------------------------------------------------------------
# Record, archive (save-artifacts), restore (the next assemble), on fake virtualenvs.


def builder_venv(root: Path) -> Path:
    site = root / "lib" / "python3.13" / "site-packages"
    (site / "pip").mkdir(parents=True)
    (site / "pip" / "__init__.py").write_text("pip")
    (site / "old").mkdir()
    (site / "old" / "gone.py").write_text("removed by the build")
    (root / "bin").mkdir()
    (root / "bin" / "python").symlink_to("/usr/bin/python3")
    (root / "bin" / "pip").write_text("#!pip")
    os.utime(site / "pip" / "__init__.py", ns=(1, 1))
    return root


def install(root: Path) -> None:
    """What a build adds to the builder's virtualenv."""
    site = root / "lib" / "python3.13" / "site-packages"
    (site / "flask").mkdir()
    (site / "flask" / "__init__.py").write_text("flask")
    (site / "pip" / "__init__.py").write_text("pip, upgraded")
    (site / "old" / "gone.py").unlink()
    (root / "bin" / "flask").write_text("#!flask")
    (root / "bin" / "python-link").symlink_to("/usr/bin/python3")


def tree(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(root))] = "-> " + os.readlink(path)
        elif path.is_file():
            found[str(path.relative_to(root))] = path.read_text()
    return found


def save_then_unpack(cache_dir: Path, app_root: Path, artifacts: Path, scratch: Path) -> None:
    """save-artifacts in the previous image, then s2i's unpacking into /tmp/artifacts."""
    stream = io.BytesIO()
    (cache_dir / cache.MARKER).write_text(json.dumps(cache.identity()))
    cache.save(stream, cache_dir, snapshot.archive(cache_dir, scratch, app_root), skip=[snapshot.MANIFEST])
    stream.seek(0)
    with tarfile.open(fileobj=stream) as tar:
        tar.extractall(artifacts, filter="data")


def make_previous_build(tmp_path, wanted=None):
    """The previous image: the builder's venv plus an install, recorded (with `wanted`, the
    requirement lines); its artifacts unpacked."""
    cache_dir, artifacts, scratch = tmp_path / "cache", tmp_path / "artifacts", tmp_path / "scratch"
    for directory in (cache_dir, artifacts, scratch):
        directory.mkdir()
    previous = builder_venv(tmp_path / "previous")
    before = snapshot.listing(previous)
    install(previous)
    snapshot.record("F", "all", cache_dir, before, previous, wanted=wanted)
    save_then_unpack(cache_dir, previous, artifacts, scratch)
    return previous, before, artifacts, cache_dir


@pytest.fixture
def previous_build(tmp_path):
    return make_previous_build(tmp_path)


def test_a_matching_virtualenv_is_put_back_as_the_build_left_it(previous_build, tmp_path, capsys):
    previous, _, artifacts, _ = previous_build
    fresh = builder_venv(tmp_path / "fresh")
    assert snapshot.restore("F", None, artifacts, fresh) == snapshot.EXACT
    assert tree(fresh) == tree(previous)
    assert not (fresh / "lib" / "python3.13" / "site-packages" / "old").exists()  # emptied, so removed
    assert sorted(p.name for p in artifacts.iterdir()) == [cache.MARKER]  # only the cache is left for cache.py
    assert "Reusing the previous build's virtualenv" in capsys.readouterr().out


def test_only_what_the_build_changed_travels(previous_build):
    _, _, _, cache_dir = previous_build
    found = snapshot.manifest(cache_dir)
    assert found["changed"] == [
        "bin/flask",
        "bin/python-link",
        "lib/python3.13/site-packages/flask/__init__.py",
        "lib/python3.13/site-packages/pip/__init__.py",
    ]
    assert found["removed"] == ["lib/python3.13/site-packages/old/gone.py"]
    assert found["links"] == {"bin/python-link": "/usr/bin/python3"}


def test_another_fingerprint_installs_and_leaves_nothing_behind(previous_build, tmp_path, capsys):
    _, _, artifacts, _ = previous_build
    fresh = builder_venv(tmp_path / "fresh")
    before = tree(fresh)
    assert snapshot.restore("G", None, artifacts, fresh) is None
    assert tree(fresh) == before
    assert sorted(p.name for p in artifacts.iterdir()) == [cache.MARKER]
    assert "the dependency files, the install settings, the hooks or the builder changed" in capsys.readouterr().out


def test_a_build_that_cannot_be_reused_says_why(previous_build, tmp_path, capsys):
    _, _, artifacts, _ = previous_build
    assert snapshot.restore(None, "UPGRADE_PIP_TO_LATEST asks for it", artifacts, builder_venv(tmp_path / "f")) is None
    assert "is not reused: UPGRADE_PIP_TO_LATEST asks for it. Installing" in capsys.readouterr().out


def test_a_damaged_snapshot_is_not_used_and_nothing_is_touched(previous_build, tmp_path, capsys):
    _, _, artifacts, _ = previous_build
    (artifacts / snapshot.SNAPSHOT).write_bytes(b"not a tar")
    fresh = builder_venv(tmp_path / "fresh")
    before = tree(fresh)
    assert snapshot.restore("F", None, artifacts, fresh) is None
    assert tree(fresh) == before
    assert "its artifacts are incomplete or damaged" in capsys.readouterr().err


def test_without_a_record_save_artifacts_adds_nothing(tmp_path):
    assert snapshot.archive(tmp_path, tmp_path) == []


def test_build_cache_none_records_nothing(tmp_path):
    (tmp_path / snapshot.MANIFEST).write_text("{}")
    snapshot.record("F", "none", tmp_path, {}, tmp_path)
    assert not (tmp_path / snapshot.MANIFEST).exists()


# ---------------------------------------------------------------------------
# The layered rebuild (bin/s2i-build --incremental, on the previous image itself).


def layered_manifest(make_app, load_config, **environ):
    app = make_app(FLASK)
    config = load_config(app, **environ)
    plan = deps.plan(config)
    return app, config, plan


def test_a_layered_rebuild_goes_on_when_the_virtualenv_is_what_the_build_would_install(make_app, load_config, capsys):
    app, config, plan = layered_manifest(make_app, load_config)
    cache.CACHE_DIR.mkdir(parents=True)
    fingerprint = snapshot.fingerprint(config, plan, "mod_wsgi", app, "b")
    snapshot.record(fingerprint, "all", cache.CACHE_DIR, {}, app)
    found = json.loads((cache.CACHE_DIR / snapshot.MANIFEST).read_text())
    found["builder"] = "b"
    (cache.CACHE_DIR / snapshot.MANIFEST).write_text(json.dumps(found))
    build.check_layered(config, plan, "mod_wsgi", app)
    assert "Building on the previous image" in capsys.readouterr().out


def test_a_layered_rebuild_with_changed_dependencies_goes_back_to_the_builder(make_app, load_config):
    app, config, plan = layered_manifest(make_app, load_config)
    cache.CACHE_DIR.mkdir(parents=True)
    (cache.CACHE_DIR / snapshot.MANIFEST).write_text(
        json.dumps(
            {"format": snapshot.FORMAT, "fingerprint": "old", "builder": "b", "changed": [], "removed": [], "links": {}}
        )
    )
    with pytest.raises(RebuildFromBuilder, match="changed since the previous image") as raised:
        build.check_layered(config, plan, "mod_wsgi", app)
    assert raised.value.exit_code == 75


def test_a_layered_rebuild_without_a_record_goes_back_to_the_builder(make_app, load_config):
    app, config, plan = layered_manifest(make_app, load_config)
    with pytest.raises(RebuildFromBuilder, match="records no reusable virtualenv"):
        build.check_layered(config, plan, "mod_wsgi", app)


# ---------------------------------------------------------------------------
# The starting point: a requirements.txt that only adds lines installs them on the previous virtualenv.


def wanted(make_app, load_config, files=FLASK, server="mod_wsgi", **environ):
    app = make_app(files)
    config = load_config(app, **environ)
    return snapshot.requirements(config, deps.plan(config), server, app, "b1")


def previous(make_app, load_config, **kwargs) -> dict:
    """The manifest fields the previous build recorded (snapshot.record)."""
    found = wanted(make_app, load_config, **kwargs)
    return {"base": found.base, "requirements": list(found.lines)}


def test_the_requirement_lines_are_read_through_includes_without_comments_or_spacing(make_app, load_config):
    files = {**FLASK, "requirements.txt": "# web\nflask==3.1.3   # pinned\n-r more.txt\nidna\\\n  >=3\n"}
    assert wanted(make_app, load_config, files=files).lines == ("flask==3.1.3", "idna", "idna >=3")


@pytest.mark.parametrize(
    ("files", "environ", "why"),
    [
        ({**FLASK, "requirements.txt": "flask==3.1.3\nsix==1.17.0\n-r more.txt\n"}, {}, None),
        ({**FLASK, "more.txt": "idna\nsix\n"}, {}, None),  # in an included file
        ({**FLASK, "requirements.txt": "-r more.txt\nflask==3.1.3\n"}, {}, None),  # only reordered
        (
            {**FLASK, "requirements.txt": "-r more.txt\n"},
            {},
            "requirements.txt no longer has flask==3.1.3, and pip does not uninstall what it installed for it",
        ),
        (
            {**FLASK, "requirements.txt": "flask==3.1.2\n-r more.txt\n"},
            {},
            "requirements.txt no longer has flask==3.1.3, and pip does not uninstall what it installed for it",
        ),
        (
            {**FLASK, "requirements.txt": "flask==3.1.3\n-r more.txt\nGunicorn\n"},
            {},
            "requirements.txt adds Gunicorn, which the builder installed at its own pinned version",
        ),
        (
            {**FLASK, "requirements.txt": "--pre\nflask==3.1.3\n-r more.txt\n"},
            {},
            "the install settings, the hooks, the builder, or the options or constraint files of requirements.txt "
            "changed",
        ),
        (
            FLASK,
            {"PIP_INDEX_URL": "https://index.example/simple"},
            "the install settings, the hooks, the builder, or the options or constraint files of requirements.txt "
            "changed",
        ),
    ],
)
def test_a_previous_virtualenv_is_a_starting_point_only_when_lines_are_added(
    make_app, load_config, files, environ, why
):
    found = previous(make_app, load_config)
    assert snapshot.starting_point(found, wanted(make_app, load_config, files=files, **environ), {"gunicorn"}) == why


def test_a_changed_constraints_file_is_no_starting_point(make_app, load_config):
    files = {**FLASK, "requirements.txt": "flask\n-c constraints.txt\n", "constraints.txt": "flask==3.1.2\n"}
    found = previous(make_app, load_config, files=files)
    same = wanted(make_app, load_config, files={**files, "requirements.txt": "flask\nsix\n-c constraints.txt\n"})
    assert snapshot.starting_point(found, same, set()) is None
    changed = wanted(make_app, load_config, files={**files, "constraints.txt": "flask==3.1.3\n"})
    assert "constraint files of requirements.txt changed" in snapshot.starting_point(found, changed, set())


@pytest.mark.parametrize(
    ("files", "why"),
    [
        (
            {"requirements.txt": "flask\npkg @ https://files.example/pkg-1.0-py3-none-any.whl\n"},
            "requirements.txt installs from a URL (pkg @ https://files.example/pkg-1.0-py3-none-any.whl), which "
            "pip does not fetch again",
        ),
        ({"requirements.txt": "git+https://git.example/pkg.git\n"}, "requirements.txt installs from a URL"),
        ({"uv.lock": "version = 1\n", "pyproject.toml": "[project]\nname='x'\nversion='1'\n"}, "uv installs"),
    ],
)
def test_urls_and_lock_files_are_never_a_starting_point(make_app, load_config, files, why):
    found = wanted(make_app, load_config, files={"wsgi.py": "application = None\n", **files})
    assert isinstance(found, str)
    assert found.startswith(why)
    assert snapshot.starting_point({"base": "x", "requirements": []}, found, set()) == found


def test_a_previous_build_without_requirement_lines_is_no_starting_point(make_app, load_config):
    found = {"base": None, "requirements": None}
    why = snapshot.starting_point(found, wanted(make_app, load_config), set())
    assert why == "the previous build did not install requirements.txt with pip"


@pytest.fixture
def previous_pip_build(tmp_path):
    """previous_build, with the requirement lines recorded."""
    previous, _before, artifacts, _cache_dir = make_previous_build(tmp_path, snapshot.Requirements("B", ("flask",)))
    return previous, artifacts


def test_added_lines_put_the_virtualenv_back_as_a_starting_point(previous_pip_build, tmp_path, capsys):
    previous, artifacts = previous_pip_build
    fresh = builder_venv(tmp_path / "fresh")
    adds = snapshot.Requirements("B", ("flask", "six==1.17.0"))
    assert snapshot.restore("G", None, artifacts, fresh, wanted=adds) == snapshot.START
    assert tree(fresh) == tree(previous)
    assert capsys.readouterr().out == (
        "---> Reusing the previous build's virtualenv as the starting point: requirements.txt only adds lines "
        "(six==1.17.0) and the install settings, the hooks and the builder are unchanged (incremental build), "
        "so pip installs only what they add\n"
    )


def test_a_removed_line_installs_everything_and_says_why(previous_pip_build, tmp_path, capsys):
    _, artifacts = previous_pip_build
    fresh = builder_venv(tmp_path / "fresh")
    before = tree(fresh)
    assert snapshot.restore("G", None, artifacts, fresh, wanted=snapshot.Requirements("B", ("six",))) is None
    assert tree(fresh) == before
    assert capsys.readouterr().out == (
        "---> The previous build's virtualenv is not reused: requirements.txt no longer has flask, and pip does "
        "not uninstall what it installed for it. Installing the dependencies.\n"
    )


def test_undo_gives_the_builder_virtualenv_back_after_a_starting_point(previous_pip_build, tmp_path):
    _, artifacts = previous_pip_build
    fresh = builder_venv(tmp_path / "fresh")
    builder, before = snapshot.listing(fresh), tree(fresh)
    assert snapshot.restore("G", None, artifacts, fresh, wanted=snapshot.Requirements("B", ("flask", "x"))) == "start"
    (fresh / "lib" / "python3.13" / "site-packages" / "x.py").write_text("what pip installed before it failed")
    snapshot.undo(builder, snapshot.backup(artifacts), fresh)
    assert tree(fresh) == before
    assert not snapshot.backup(artifacts).exists()
    assert not (fresh / "lib" / "python3.13" / "site-packages" / "flask").exists()


def test_pins_name_every_distribution_in_the_virtualenv(tmp_path):
    site = tmp_path / "lib" / "python3.13" / "site-packages"
    for name, version in (("Flask", "3.1.3"), ("python_dateutil", "2.9.0.post0")):
        (site / f"{name}-{version}.dist-info").mkdir(parents=True)
        (site / f"{name}-{version}.dist-info" / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nVersion: not a header\n"
        )
    (site / "broken-1.dist-info").mkdir()
    assert snapshot.pins(tmp_path) == ["Flask==3.1.3", "python_dateutil==2.9.0.post0"]


@pytest.fixture
def started(monkeypatch):
    """install_dependencies with restore answering START; every command and undo recorded."""
    runs: list[list[str]] = []
    undone: list = []
    fail: list[str] = []

    def run(argv, *, cwd=None, env=None, collect=None) -> int:
        runs.append(list(argv))
        return 1 if any(word in argv for word in fail) else 0

    monkeypatch.setattr(build.output, "run", run)
    monkeypatch.setattr(snapshot, "restore", lambda *args, **kwargs: snapshot.START)
    monkeypatch.setattr(snapshot, "pins", lambda: ["flask==3.1.3"])
    monkeypatch.setattr(snapshot, "undo", lambda builder, backup: undone.append(builder))
    monkeypatch.setattr(cache, "restore", lambda cache_dir, artifacts: False)
    monkeypatch.setattr(cache, "keep", lambda *args: None)
    return runs, undone, fail


def pip_installs(runs):
    return [argv[argv.index("install") + 1 :] for argv in runs if "install" in argv]


def test_a_starting_point_installs_the_requirements_with_the_installed_packages_pinned(
    make_app, load_config, started, capsys
):
    runs, undone, _ = started
    config = load_config(make_app(FLASK))
    assert build.install_dependencies(deps.plan(config), config, build.Reuse({"a": (1, 1)}, "F")) is True
    (installed,) = pip_installs(runs)
    assert installed[:3] == ["-r", "requirements.txt", "--constraint"]
    assert undone == []
    assert "---> Installing what requirements.txt adds (pip install -r requirements.txt, the installed packages" in (
        capsys.readouterr().out
    )


def test_a_starting_point_pip_cannot_use_gives_the_builder_virtualenv_back_and_installs_everything(
    make_app, load_config, started, capsys
):
    runs, undone, fail = started
    fail.append("--constraint")
    config = load_config(make_app(FLASK))
    assert build.install_dependencies(deps.plan(config), config, build.Reuse({"a": (1, 1)}, "F")) is False
    assert [argv[:3] for argv in pip_installs(runs)] == [
        ["-r", "requirements.txt", "--constraint"],
        ["-r", "requirements.txt"],
    ]
    assert undone == [{"a": (1, 1)}]
    assert "WARNING: pip could not install the new requirements on the previous build's virtualenv" in (
        capsys.readouterr().err
    )
