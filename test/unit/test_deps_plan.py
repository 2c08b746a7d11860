"""deps.plan(): which installer, which files, why, and what was found but not used; no engine, no network."""

from __future__ import annotations

import pytest

from s2i_wsgi import deps, output
from s2i_wsgi.errors import ConfigError

from .deps_support import PYPROJECT, WEB_APP, Runs, plan_for


def test_requirements_then_the_project(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": "", "pyproject.toml": PYPROJECT})
    assert (p.manager, p.files, p.project, p.not_used) == ("pip", ("requirements.txt",), "pyproject.toml", ())


def test_a_pyproject_with_only_tool_settings_is_not_a_project(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": "", "pyproject.toml": "[tool.ruff]\nline-length = 99\n"})
    assert p.project is None


def test_disable_pyproject_toml_processing_is_reported(make_app, load_config):
    p = plan_for(make_app, load_config, {"pyproject.toml": PYPROJECT}, DISABLE_PYPROJECT_TOML_PROCESSING="1")
    assert (p.project, p.not_used) == (None, (("pyproject.toml", "DISABLE_PYPROJECT_TOML_PROCESSING is set"),))
    p = plan_for(
        make_app, load_config, {"uv.lock": "", "pyproject.toml": PYPROJECT}, DISABLE_PYPROJECT_TOML_PROCESSING="1"
    )
    assert p.not_used == (("pyproject.toml (the project itself)", "DISABLE_PYPROJECT_TOML_PROCESSING is set"),)


def test_the_warpdrive_wheelhouse_is_found_at_the_source_root(make_app, load_config):
    app = make_app(
        {"web/wsgi.py": "application = None\n", ".warpdrive/wheelhouse/x.whl": "", ".s2i/environment": "APP_HOME=web\n"}
    )
    p = deps.plan(load_config(app), python="3.13.5")
    assert p.wheelhouse == app / ".warpdrive" / "wheelhouse"


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


def test_a_conda_environment_alone_is_refused_before_anything_is_installed(make_app, load_config):
    files = {"environment.yml": "name: shop\ndependencies:\n  - python=3.13\n  - pip:\n    - flask\n"}
    with pytest.raises(ConfigError) as raised:
        plan_for(make_app, load_config, files)
    assert str(raised.value).startswith("There is an environment.yml (a conda environment) but no requirements.txt, ")
    assert str(raised.value).endswith(
        "This image installs packages with pip, pipenv, poetry or uv; conda is not in it, so the packages "
        "environment.yml lists would not be installed.\n\n"
        "List the app's packages in a requirements.txt (those under `pip:` in environment.yml as they are, "
        "conda packages by their names on PyPI), or build with an image that has conda."
    )


def test_a_conda_environment_beside_requirements_is_named_as_not_used(make_app, load_config):
    p = plan_for(make_app, load_config, {"environment.yaml": "name: shop\n", "requirements.txt": "flask\n"})
    assert p.manager == "pip"
    assert ("environment.yaml", "conda is not in this image; the packages come from the files above") in p.not_used
