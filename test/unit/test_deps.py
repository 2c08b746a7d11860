"""deps.plan(): which installer, which files, why, and what was found but not used; no engine, no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from s2i_wsgi import deps, output
from s2i_wsgi.errors import BuildError, ConfigError

APP = {"wsgi.py": "application = None\n"}
PYPROJECT = '[project]\nname = "web"\nversion = "1"\n'
LOCKS = {
    "uv.lock": "version = 1\n",
    "Pipfile": '[[source]]\nname = "pypi"\nurl = "https://index.invalid/simple"\n\n[packages]\n',
    "Pipfile.lock": "{}\n",
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


def test_enable_pipenv_without_a_pipfile_lock_is_a_config_error(make_app, load_config):
    with pytest.raises(ConfigError, match=r"^ENABLE_PIPENV is set, but there is no Pipfile.lock in "):
        plan_for(make_app, load_config, {"Pipfile": "[packages]\n"}, ENABLE_PIPENV="1")


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

    def __call__(self, argv, *, cwd=None, env=None) -> int:
        self.append((list(argv), dict(env or {})))
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


def test_a_pipfile_without_a_source_is_a_config_error_for_micropipenv(make_app, load_config):
    files = {"Pipfile": "[packages]\n", "Pipfile.lock": "{}\n"}
    with pytest.raises(ConfigError, match=r"^Pipfile has no \[\[source\]\] section\."):
        plan_for(make_app, load_config, files)
    assert plan_for(make_app, load_config, files, ENABLE_PIPENV="1").manager == "pipenv"


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
