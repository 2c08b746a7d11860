"""deps.plan(): which installer, which files, why, and what was found but not used; no engine, no network."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from s2i_wsgi import deps, output, secrets
from s2i_wsgi.errors import BuildError, ConfigError

APP = {"wsgi.py": "application = None\n"}
PYPROJECT = '[project]\nname = "web"\nversion = "1"\n'
PIPFILE = '[[source]]\nname = "pypi"\nurl = "https://index.invalid/simple"\n\n[packages]\n'


def lock_for(pipfile: str, sha256: str | None = None, sources: list | None = None) -> str:
    """A Pipfile.lock recording `sha256` (default: the Pipfile's hash as today's pipenv computes it)."""
    sha256 = sha256 or deps.pipfile_hashes(tomllib.loads(pipfile))[0]
    meta = {"hash": {"sha256": sha256}, "pipfile-spec": 6, "requires": {}, "sources": sources or []}
    return json.dumps({"_meta": meta, "default": {}, "develop": {}})


LOCKS = {
    "uv.lock": "version = 1\n",
    "Pipfile": PIPFILE,
    "Pipfile.lock": lock_for(PIPFILE),
    "poetry.lock": "",
    "requirements.txt": "flask\n",
    "pyproject.toml": PYPROJECT,
}


def plan_for(make_app, load_config, files, python="3.13.5", **environ):
    return deps.plan(load_config(make_app({**APP, **files}), **environ), python=python)


def test_uv_lock_wins_over_every_other_file_and_says_what_it_ignored(make_app, load_config):
    p = plan_for(make_app, load_config, LOCKS)
    assert (p.manager, p.files, p.reason) == ("uv", ("pyproject.toml", "uv.lock"), "there is a uv.lock")
    assert p.project is None  # uv sync installs the project itself
    why = "uv.lock pins the complete set of packages"
    assert p.not_used == (("Pipfile.lock", why), ("poetry.lock", why), ("requirements.txt", why))


def test_pipfile_lock_uses_micropipenv_unless_enable_pipenv(make_app, load_config):
    files = {k: LOCKS[k] for k in ("Pipfile", "Pipfile.lock", "requirements.txt")}
    p = plan_for(make_app, load_config, files)
    assert (p.manager, p.files) == ("micropipenv", ("Pipfile", "Pipfile.lock"))
    assert p.reason == "there is a Pipfile.lock and ENABLE_PIPENV is not set"
    assert p.not_used == (("requirements.txt", "Pipfile.lock pins the complete set of packages"),)
    p = plan_for(make_app, load_config, files, ENABLE_PIPENV="true")
    assert (p.manager, p.reason, p.pipenv_version) == ("pipenv", "ENABLE_PIPENV is set", None)


def test_enable_pipenv_picks_pipfile_lock_over_uv_lock_and_takes_the_pinned_version(make_app, load_config):
    p = plan_for(make_app, load_config, LOCKS, ENABLE_PIPENV="1", PIN_PIPENV_VERSION="2024.4.1")
    assert (p.manager, p.files, p.pipenv_version) == ("pipenv", ("Pipfile", "Pipfile.lock"), "2024.4.1")
    assert ("uv.lock", "Pipfile.lock pins the complete set of packages") in p.not_used


def test_enable_micropipenv_picks_poetry_lock_over_uv_lock(make_app, load_config):
    files = {k: LOCKS[k] for k in ("uv.lock", "poetry.lock", "pyproject.toml")}
    p = plan_for(make_app, load_config, files, ENABLE_MICROPIPENV="yes")
    assert (p.manager, p.files) == ("micropipenv", ("pyproject.toml", "poetry.lock"))
    assert p.reason == "ENABLE_MICROPIPENV is set and there is a poetry.lock"


def test_both_pipenv_switches_are_a_config_error(make_app, load_config):
    with pytest.raises(ConfigError) as raised:
        plan_for(make_app, load_config, LOCKS, ENABLE_PIPENV="1", ENABLE_MICROPIPENV="1")
    assert str(raised.value) == (
        "ENABLE_PIPENV and ENABLE_MICROPIPENV are both set.\n\n"
        "Each names a different installer for Pipfile.lock; the build cannot use both.\n\n"
        "Unset one of them: ENABLE_MICROPIPENV (the default for Pipfile.lock) installs the locked packages "
        "with pip, ENABLE_PIPENV runs pipenv itself."
    )


def test_enable_pipenv_with_nothing_for_pipenv_to_install_is_a_config_error(make_app, load_config):
    app = make_app({**APP, "pyproject.toml": PYPROJECT})
    with pytest.raises(ConfigError) as raised:
        deps.plan(load_config(app, ENABLE_PIPENV="1"), python="3.13.5")
    assert str(raised.value) == (
        f"ENABLE_PIPENV is set, but there is no Pipfile.lock, Pipfile or requirements.txt in {app}.\n\n"
        "pipenv installs the packages one of them lists; without any it would install nothing.\n\n"
        "Run `pipenv lock` and commit Pipfile and Pipfile.lock (or add a requirements.txt), or unset ENABLE_PIPENV."
    )


def test_enable_pipenv_with_only_requirements_txt_installs_it_with_pipenv_as_sclorg_does(make_app, load_config):
    p = plan_for(
        make_app, load_config, {"requirements.txt": "flask\n"}, ENABLE_PIPENV="1", PIN_PIPENV_VERSION="2026.2.2"
    )
    assert (p.manager, p.files, p.pipenv_version) == ("pipenv", ("requirements.txt",), "2026.2.2")
    assert p.reason == "ENABLE_PIPENV is set and there is a requirements.txt but no Pipfile"
    assert (p.not_used, p.warnings) == ((), ())


def test_enable_pipenv_with_a_pipfile_and_no_lock_lets_pipenv_lock_it_and_warns(make_app, load_config):
    p = plan_for(make_app, load_config, {"Pipfile": "[packages]\n", "requirements.txt": ""}, ENABLE_PIPENV="1")
    assert (p.manager, p.files) == ("pipenv", ("Pipfile",))
    assert p.reason == "ENABLE_PIPENV is set and there is a Pipfile but no Pipfile.lock"
    assert p.not_used == (("requirements.txt", "pipenv installs from Pipfile when there is one"),)
    assert p.warnings == (
        "There is no Pipfile.lock, so pipenv resolves Pipfile now and the versions installed can change from one "
        "build to the next. Run `pipenv lock` and commit Pipfile.lock for repeatable builds.",
    )


@pytest.mark.parametrize("lock", ["uv.lock", "poetry.lock"])
def test_a_uv_or_poetry_lock_without_pyproject_is_a_config_error(make_app, load_config, lock):
    with pytest.raises(ConfigError, match=rf"^There is a {lock} but no pyproject.toml in "):
        plan_for(make_app, load_config, {lock: ""})


def test_poetry_lock_installs_the_project_without_deps_only_when_it_is_a_package(make_app, load_config):
    package = PYPROJECT + '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    p = plan_for(make_app, load_config, {"poetry.lock": "", "pyproject.toml": package})
    assert (p.manager, p.project) == ("micropipenv", "pyproject.toml")
    p = plan_for(
        make_app, load_config, {"poetry.lock": "", "pyproject.toml": package + "[tool.poetry]\npackage-mode = false\n"}
    )
    assert p.project is None
    p = plan_for(make_app, load_config, {"poetry.lock": "", "pyproject.toml": PYPROJECT})
    assert p.project is None  # no build backend: nothing pip could build


def test_requirements_then_the_project(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": "", "pyproject.toml": PYPROJECT})
    assert (p.manager, p.files, p.project, p.not_used) == ("pip", ("requirements.txt",), "pyproject.toml", ())


def test_a_pyproject_with_only_tool_settings_is_not_a_project(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": "", "pyproject.toml": "[tool.ruff]\nline-length = 99\n"})
    assert p.project is None


def test_setup_py_alone_is_installed_unless_disabled(make_app, load_config):
    p = plan_for(make_app, load_config, {"setup.py": ""})
    assert (p.manager, p.project) == ("none", "setup.py")
    assert p.reason == "there is no lock file or requirements.txt, only the project's setup.py"
    p = plan_for(make_app, load_config, {"setup.cfg": ""}, DISABLE_SETUP_PY_PROCESSING="1")
    assert (p.project, p.not_used) == (None, (("setup.cfg", "DISABLE_SETUP_PY_PROCESSING is set"),))


def test_disable_pyproject_toml_processing_is_reported(make_app, load_config):
    p = plan_for(make_app, load_config, {"pyproject.toml": PYPROJECT}, DISABLE_PYPROJECT_TOML_PROCESSING="1")
    assert (p.project, p.not_used) == (None, (("pyproject.toml", "DISABLE_PYPROJECT_TOML_PROCESSING is set"),))
    p = plan_for(
        make_app, load_config, {"uv.lock": "", "pyproject.toml": PYPROJECT}, DISABLE_PYPROJECT_TOML_PROCESSING="1"
    )
    assert p.not_used == (("pyproject.toml (the project itself)", "DISABLE_PYPROJECT_TOML_PROCESSING is set"),)


def test_a_pipfile_without_its_lock_is_reported_as_not_used(make_app, load_config):
    p = plan_for(make_app, load_config, {"Pipfile": "", "requirements.txt": ""})
    assert p.manager == "pip"
    assert p.not_used == (("Pipfile", "there is no Pipfile.lock; run `pipenv lock` to use it"),)


def test_the_warpdrive_wheelhouse_is_found_at_the_source_root(make_app, load_config):
    app = make_app(
        {"web/wsgi.py": "application = None\n", ".warpdrive/wheelhouse/x.whl": "", ".s2i/environment": "APP_HOME=web\n"}
    )
    p = deps.plan(load_config(app), python="3.13.5")
    assert p.wheelhouse == app / ".warpdrive" / "wheelhouse"


# ---------------------------------------------------------------------------
# Where the dependency files are read: APP_HOME, or the source root as sclorg's image reads them.

WEB_APP = {"web/wsgi.py": "application = None\n", ".s2i/environment": "APP_HOME=web\n"}


def test_without_app_home_the_files_are_read_at_the_source_root_and_nothing_is_explained(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": "flask\n"})
    assert (p.directory, p.directory_reason) == (".", "")


def test_app_home_without_dependency_files_reads_them_at_the_source_root_as_sclorg_does(make_app, load_config):
    p = deps.plan(load_config(make_app({**WEB_APP, "requirements.txt": "flask\n"})), python="3.13.5")
    assert (p.manager, p.files, p.directory) == ("pip", ("requirements.txt",), ".")
    assert p.directory_reason == (
        "APP_HOME=web holds no dependency files and the source root holds requirements.txt; "
        "as in sclorg's image, APP_HOME is where the app runs"
    )
    assert p.not_used == ()


def test_app_home_with_dependency_files_of_its_own_reads_them_there(make_app, load_config):
    p = deps.plan(load_config(make_app({**WEB_APP, "web/requirements.txt": "flask\n"})), python="3.13.5")
    assert (p.manager, p.directory, p.directory_reason) == ("pip", "web", "APP_HOME=web holds requirements.txt")


def test_when_both_hold_dependency_files_app_home_wins_and_the_roots_are_reported(make_app, load_config):
    files = {
        **WEB_APP,
        ".s2i/environment": "APP_HOME=services/web\n",
        "services/web/wsgi.py": "application = None\n",
        "services/web/requirements.txt": "flask\n",
        "requirements.txt": "flask\n",
        "setup.py": "",
    }
    p = deps.plan(load_config(make_app(files)), python="3.13.5")
    assert (p.directory, p.directory_reason) == ("services/web", "APP_HOME=services/web holds requirements.txt")
    assert p.not_used == (
        (
            "requirements.txt, setup.py at the source root",
            "APP_HOME=services/web has dependency files of its own, and those next to the app win; sclorg's "
            "image would install the root's instead; to install both, include it from "
            "services/web/requirements.txt with a line `-r ../../requirements.txt`",
        ),
    )


def test_a_pyproject_toml_that_only_configures_tools_holds_no_dependencies(make_app, load_config):
    files = {**WEB_APP, "web/pyproject.toml": "[tool.ruff]\nline-length = 100\n", "requirements.txt": ""}
    assert deps.plan(load_config(make_app(files)), python="3.13.5").directory == "."
    files["web/pyproject.toml"] = "[tool.poetry]\nname = 'web'\n"
    assert deps.plan(load_config(make_app(files)), python="3.13.5").directory == "web"


def test_app_home_is_kept_when_neither_directory_holds_dependency_files(make_app, load_config):
    p = deps.plan(load_config(make_app(WEB_APP)), python="3.13.5")
    assert (p.manager, p.directory) == ("none", "web")
    assert p.directory_reason == "neither APP_HOME=web nor the source root holds dependency files"


def test_a_dangling_link_in_app_home_is_reported_not_passed_over_for_the_root(make_app, load_config):
    app = make_app({**WEB_APP, "requirements.txt": "flask\n"})
    (app / "web" / "requirements.txt").symlink_to("/nowhere/requirements.txt")
    with pytest.raises(ConfigError) as raised:
        deps.plan(load_config(app), python="3.13.5")
    assert str(raised.value).startswith(
        "requirements.txt is a symbolic link to /nowhere/requirements.txt, which is not in the source."
    )


def test_the_python_version_files_follow_the_dependency_directory(make_app, load_config):
    files = {**WEB_APP, "pyproject.toml": PYPROJECT + 'requires-python = "<3.12"\n'}
    with pytest.raises(ConfigError) as raised:
        deps.plan(load_config(make_app(files)), python="3.13.5")
    assert str(raised.value).startswith('pyproject.toml requires Python "<3.12" (requires-python)')
    files = {**WEB_APP, "requirements.txt": "", ".python-version": "3.11\n"}
    (warning,) = deps.plan(load_config(make_app(files)), python="3.13.5").warnings
    assert warning.startswith(".python-version asks for Python 3.11")


def test_the_installers_and_the_project_run_in_the_dependency_directory(make_app, load_config, monkeypatch, capsys):
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    app = make_app({**WEB_APP, "requirements.txt": "flask\n", "pyproject.toml": PYPROJECT})
    config = load_config(app)
    deps.install(deps.plan(config, python="3.13.5"), config)
    assert [argv[1:] for argv, _ in runs] == [
        ["-m", "pip", "install", "-r", "requirements.txt"],
        ["-m", "pip", "install", "."],
    ]
    assert runs.cwds == [app, app]
    assert capsys.readouterr().out.splitlines()[:2] == [
        "---> Dependencies: pip from requirements.txt (there is a requirements.txt)",
        "    Dependency files are read at the source root: APP_HOME=web holds no dependency files and the source "
        "root holds requirements.txt, pyproject.toml; as in sclorg's image, APP_HOME is where the app runs.",
    ]


def test_uv_and_micropipenv_run_in_the_dependency_directory(make_app, load_config, monkeypatch):
    for lock in ("uv.lock", "poetry.lock"):
        runs = Runs()
        monkeypatch.setattr(output, "run", runs)
        app = make_app({**WEB_APP, lock: "", "pyproject.toml": PYPROJECT})
        config = load_config(app)
        deps.install(deps.plan(config, python="3.13.5"), config)
        assert set(runs.cwds) == {app}, lock


def test_pin_pipenv_version_without_enable_pipenv_warns(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": ""}, PIN_PIPENV_VERSION="2024.4.1")
    assert p.warnings == ("PIN_PIPENV_VERSION is set but ENABLE_PIPENV is not, so pipenv is not used.",)


def test_requires_python_excluding_this_python_names_the_variant_that_fits(make_app, load_config):
    files = {"pyproject.toml": PYPROJECT + 'requires-python = "<3.12"\n'}
    with pytest.raises(ConfigError) as raised:
        plan_for(make_app, load_config, files, python="3.13.5")
    assert str(raised.value) == (
        'pyproject.toml requires Python "<3.12" (requires-python), but this image has Python 3.13.5.\n\n'
        "The project's dependencies would not install, or the app would not run, on this Python.\n\n"
        "Build with the s2i-wsgi:3.11 builder image (Python 3.11) instead, or widen requires-python if the "
        "project does support Python 3.13."
    )
    assert plan_for(make_app, load_config, files, python="3.11.2").manager == "none"


class Runs(list):
    """output.run replaced: records (argv, env); a command containing a word in `fail` exits 1."""

    def __init__(self, *fail: str) -> None:
        super().__init__()
        self.fail = fail
        self.cwds: list[Path | None] = []  # where each command ran

    def __call__(self, argv, *, cwd=None, env=None) -> int:
        self.append((list(argv), dict(env or {})))
        self.cwds.append(cwd)
        return 1 if any(word in argv for word in self.fail) else 0


def test_install_checks_the_lock_before_installing_and_names_the_stale_file(make_app, load_config, monkeypatch):
    runs = Runs("--check")
    monkeypatch.setattr(output, "run", runs)
    config = load_config(make_app({**APP, "uv.lock": "", "pyproject.toml": PYPROJECT}))
    with pytest.raises(BuildError) as raised:
        deps.install(deps.plan(config, python="3.13.5"), config)
    assert str(raised.value).startswith(
        "uv.lock is out of date with pyproject.toml (uv lock --check exited with status 1)."
    )
    assert len(runs) == 1
    argv, env = runs[0]
    assert argv[1:4] == ["lock", "--check", "--offline"]
    assert env["UV_PROJECT_ENVIRONMENT"] == "/opt/app-root"
    assert env["UV_SYSTEM_CERTS"] == "1"


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


def test_micropipenv_installs_with_the_app_pip_and_the_project_without_deps(make_app, load_config, monkeypatch):
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    package = PYPROJECT + '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    config = load_config(make_app({**APP, "poetry.lock": "", "pyproject.toml": package, ".warpdrive/wheelhouse/a": ""}))
    deps.install(deps.plan(config, python="3.13.5"), config)
    commands = [argv[1:] for argv, _ in runs]
    assert commands == [
        ["verify", "--method", "poetry"],
        ["install", "--method", "poetry"],
        ["-m", "pip", "install", "--no-deps", "."],
    ]
    env = runs[1][1]
    assert env["MICROPIPENV_PIP_BIN"] == "/opt/app-root/bin/pip"
    assert env["PIP_FIND_LINKS"].endswith(".warpdrive/wheelhouse")


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
    monkeypatch.setattr(deps, "BUILD_TOOLS_REQUIREMENTS", pinned)
    version = deps.bundled_uv()
    assert version and f"\nuv=={version}\n" in f"\n{pinned.read_text()}"
    monkeypatch.setattr(deps, "BUILD_TOOLS_REQUIREMENTS", pinned.with_name("no-such-file.txt"))
    assert deps.bundled_uv() is None


# ---------------------------------------------------------------------------
# Pipfile.lock against Pipfile: the hash every pipenv release records.

# Hashes recorded by real pipenv releases for these Pipfiles (Project's Pipfile hash, printed by
# pipenv 2026.10.3, 2024.4.1 and 2022.8.5 themselves).
RENAMED = """\
[packages]
Flask = "==3.1.1"
zope_interface = {version = "*", markers = "python_version >= '3.9'"}

[dev-packages]
PyTest = "*"

[docs]
Sphinx = "*"

[requires]
python_version = "3.13"
"""
PIPENV_2026_10_3 = "9dc662ab2fc11317a3c2136e60ac61b500cefdef8fccd991ecceba42094fddb9"  # names as PEP 503 writes them
PIPENV_2024_4_1 = "9f6741baba98325bf213351c8e69a4fea54a575307f405071ed230faea1d4194"  # names as written
PIPENV_2022_8_5 = "be337248d56ee33b59653087c0b1e26339f85faddc326bec638618f6f0f6dde3"  # no [docs] category yet
# No [[source]]: pipenv hashes its default PyPI source (`pipenv lock` by 2026.10.3 and 2024.4.1).
NO_SOURCE = '[packages]\nSix = "==1.17.0"\n'
NO_SOURCE_TODAY = "84c2e21771457e7e60048cd7d81874d5f8210db4c93d03494250d6e942ed338c"
NO_SOURCE_2024 = "8e307d083e2847f7a7a5be2ae057a947cdadd8070736211b3e9f7dc284c56ef8"


def test_the_pipfile_hashes_are_those_real_pipenv_releases_record():
    assert deps.pipfile_hashes(tomllib.loads(RENAMED)) == (PIPENV_2026_10_3, PIPENV_2024_4_1, PIPENV_2022_8_5)
    assert deps.pipfile_hashes(tomllib.loads(NO_SOURCE)) == (NO_SOURCE_TODAY, NO_SOURCE_2024)


def test_a_pipfile_whose_names_are_already_canonical_hashes_the_same_every_way():
    pipfile = '[[source]]\nname = "private"\nurl = "https://index.invalid/simple"\nverify_ssl = true\n\n'
    pipfile += '[packages]\nrequests = "*"\n'
    # pipenv 2026.10.3 and 2024.4.1 both record this one.
    assert deps.pipfile_hashes(tomllib.loads(pipfile)) == (
        "a513e0c98e4b8ca8a04911c6db84b319d0aae5eb4c9c6938407d523fd4d6b034",
    )


@pytest.mark.parametrize("sha256", [NO_SOURCE_TODAY, NO_SOURCE_2024])
@pytest.mark.parametrize("switch", [{}, {"ENABLE_PIPENV": "1"}, {"ENABLE_MICROPIPENV": "1"}])
def test_a_pipfile_lock_from_any_pipenv_release_is_accepted_without_a_source(make_app, load_config, sha256, switch):
    files = {"Pipfile": NO_SOURCE, "Pipfile.lock": lock_for(NO_SOURCE, sha256)}
    p = plan_for(make_app, load_config, files, **switch)
    assert p.files == ("Pipfile", "Pipfile.lock")


STALE = (
    "Pipfile.lock is out of date with Pipfile: the Pipfile hash it records (_meta.hash) is not this Pipfile's.\n\n"
    "Pipfile changed after Pipfile.lock was made, so installing the lock would not give the packages Pipfile asks "
    "for. The hash as older pipenv releases computed it (package names as written) is accepted too; this lock "
    "matches neither.\n\n"
    "Run `pipenv lock` where you develop, commit the updated Pipfile.lock, and build again."
)


@pytest.mark.parametrize("lock", [lock_for(NO_SOURCE, NO_SOURCE_TODAY), "{}", '{"_meta": []}'])
@pytest.mark.parametrize("switch", [{}, {"ENABLE_PIPENV": "1"}])
def test_a_pipfile_lock_out_of_date_with_pipfile_stops_the_build_naming_pipenv_lock(
    make_app, load_config, lock, switch
):
    files = {"Pipfile": NO_SOURCE.replace("1.17.0", "1.16.0"), "Pipfile.lock": lock}
    with pytest.raises(ConfigError) as raised:
        plan_for(make_app, load_config, files, **switch)
    assert str(raised.value) == STALE


def test_a_pipfile_lock_without_a_pipfile_is_installed_as_it_is(make_app, load_config):
    assert plan_for(make_app, load_config, {"Pipfile.lock": "{}"}).files == ("Pipfile.lock",)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        ("[packages]", "Pipfile.lock does not parse as JSON: Expecting value: line 1 column 2 (char 1)."),
        ("[]", "Pipfile.lock is not a JSON object."),
    ],
)
def test_a_pipfile_lock_that_is_not_a_json_object_is_an_error_naming_it(make_app, load_config, content, what):
    with pytest.raises(ConfigError) as raised:
        plan_for(make_app, load_config, {"Pipfile.lock": content})
    assert str(raised.value) == (
        f"{what}\n\npipenv writes Pipfile.lock as JSON; it lists the packages the build installs.\n\n"
        "Run `pipenv lock` where you develop and commit the Pipfile.lock it writes (it is not edited by hand)."
    )


# ---------------------------------------------------------------------------
# A mirror of PyPI for Pipfile sources.


def test_the_pypi_mirror_is_pipenv_s_own_setting_then_the_secret_then_pip_index_url(make_app, load_config):
    app = make_app({**APP, "Pipfile.lock": "{}", ".s2i/environment": "PIP_INDEX_URL=https://mirror/simple\n"})
    assert deps.plan(load_config(app), python="3.13.5").pypi_mirror == "PIP_INDEX_URL"
    secret = dataclasses.replace(load_config(app), build_secrets={"PIP_INDEX_URL": "https://u:p@m/simple"})
    assert deps.plan(secret, python="3.13.5").pypi_mirror == "the build secret index-url"
    own = load_config(app, PIPENV_PYPI_MIRROR="https://other/simple")
    assert deps.plan(own, python="3.13.5").pypi_mirror == "PIPENV_PYPI_MIRROR"
    assert deps.plan(load_config(make_app({**APP, "Pipfile.lock": "{}"})), python="3.13.5").pypi_mirror is None


def test_pip_index_url_is_no_mirror_for_other_installers(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": ""}, PIP_INDEX_URL="https://mirror/simple")
    assert p.pypi_mirror is None


def test_a_mirror_replaces_only_the_pypi_sources_keeping_their_names():
    sources = [
        {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True},
        {"name": "old", "url": "http://pypi.python.org/simple/", "verify_ssl": False},
        {"name": "private", "url": "https://index.invalid/simple", "verify_ssl": True},
    ]
    lock = json.loads(lock_for(NO_SOURCE, sources=sources))
    mirrored = deps.with_mirror(lock, "http://mirror.invalid/simple")["_meta"]["sources"]
    assert mirrored == [
        {"name": "pypi", "url": "http://mirror.invalid/simple", "verify_ssl": False},
        {"name": "old", "url": "http://mirror.invalid/simple", "verify_ssl": False},
        sources[2],
    ]
    assert deps.with_mirror({"_meta": {"sources": "x"}}, "https://m/") == {"_meta": {"sources": "x"}}


# ---------------------------------------------------------------------------
# Installing Pipfile.lock and with ENABLE_PIPENV.


def test_micropipenv_installs_the_checked_pipfile_lock_without_checking_it_again(make_app, load_config, monkeypatch):
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    app = make_app({**APP, "Pipfile": NO_SOURCE, "Pipfile.lock": lock_for(NO_SOURCE, NO_SOURCE_2024)})
    config = load_config(app)
    deps.install(deps.plan(config, python="3.13.5"), config)
    [(argv, env)] = runs
    assert argv[:2] == [str(deps.TOOLS_PYTHON), "-c"]
    assert argv[3:] == [str(app / "Pipfile.lock"), "/opt/app-root/bin/pip"]
    assert env["MICROPIPENV_NO_LOCKFILE_PRINT"] == "1"


def test_micropipenv_gets_a_copy_of_the_lock_whose_pypi_source_is_the_mirror(make_app, load_config, monkeypatch):
    copies = []

    def run(argv, *, cwd=None, env=None) -> int:
        copies.append((argv[3], json.loads(Path(argv[3]).read_text(encoding="utf-8"))))
        return 0

    monkeypatch.setattr(output, "run", run)
    pypi = {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}
    app = make_app({**APP, "Pipfile": NO_SOURCE, "Pipfile.lock": lock_for(NO_SOURCE, sources=[pypi])})
    config = dataclasses.replace(load_config(app), build_secrets={"PIP_INDEX_URL": "https://u:secret@m.invalid/s/"})
    deps.install(deps.plan(config, python="3.13.5"), config)
    [(path, lock)] = copies
    assert not path.startswith(str(app))
    assert lock["_meta"]["sources"] == [{"name": "pypi", "url": "https://u:secret@m.invalid/s/", "verify_ssl": True}]
    assert not Path(path).exists()  # the scratch copy (with the credentials) is gone


def test_the_micropipenv_driver_reports_micropipenv_s_error_without_a_traceback(tmp_path):
    fake = tmp_path / "micropipenv.py"
    fake.write_text(
        "class MicropipenvException(Exception):\n    pass\n\n"
        "def install_pipenv(pip_bin, pipfile_lock):\n"
        "    raise MicropipenvException(f'cannot install {sorted(pipfile_lock)} with {pip_bin}')\n"
    )
    (tmp_path / "Pipfile.lock").write_text('{"default": {}}')
    result = subprocess.run(
        [sys.executable, "-c", deps._MICROPIPENV_LOCK, str(tmp_path / "Pipfile.lock"), "/opt/app-root/bin/pip"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr == "micropipenv: cannot install ['default'] with /opt/app-root/bin/pip\n"


@pytest.mark.parametrize(
    ("files", "command"),
    [
        ({"Pipfile": NO_SOURCE, "Pipfile.lock": lock_for(NO_SOURCE, NO_SOURCE_2024)}, ["sync"]),
        ({"Pipfile": NO_SOURCE}, ["install", "--deploy"]),
        ({"requirements.txt": "flask\n"}, ["install", "-r", "requirements.txt"]),
    ],
)
def test_enable_pipenv_leaves_the_pinned_pipenv_on_path_and_runs_it_as_sclorg_does(
    make_app, load_config, monkeypatch, files, command
):
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    monkeypatch.setattr(secrets, "system_ca_bundle", lambda: Path("/etc/ssl/certs/ca-certificates.crt"))
    config = load_config(
        make_app({**APP, **files}), ENABLE_PIPENV="1", PIN_PIPENV_VERSION="2026.2.2", PIP_INDEX_URL="https://m/s/"
    )
    deps.install(deps.plan(config, python="3.13.5"), config)
    venv = "/opt/app-root/share/pipenv"
    assert [argv[1:] if argv[0] == str(deps.UV) else argv for argv, _ in runs] == [
        ["venv", "--quiet", "--clear", "--python", "/usr/bin/python3", venv],
        ["pip", "install", "--quiet", "--python", f"{venv}/bin/python", "pipenv==2026.2.2"],
        ["ln", "-sfn", "../share/pipenv/bin/pipenv", "/opt/app-root/bin/pipenv"],
        [f"{venv}/bin/pipenv", *command],
    ]
    env = runs[-1][1]
    assert (env["VIRTUAL_ENV"], env["PIPENV_PYPI_MIRROR"]) == ("/opt/app-root", "https://m/s/")
    # Older pipenv trusts certifi's bundle only: the image's store (a proxy CA in it) is named.
    assert env["REQUESTS_CA_BUNDLE"] == "/etc/ssl/certs/ca-certificates.crt"
