"""The build (s2i assemble) decisions, with pip replaced by a recorder: what is installed, and when it stops."""

from __future__ import annotations

import pytest

from s2i_wsgi import build, output
from s2i_wsgi.errors import BuildError, ConfigError, DetectError

APP = {"app.py": "app = object()\n"}
PYPROJECT = '[project]\nname = "web"\nversion = "1"\n'


class Runs(list):
    """Every command the build ran, as argv lists; a command containing a word in `fail` exits 1."""

    def __init__(self) -> None:
        super().__init__()
        self.fail: list[str] = []

    def __call__(self, argv, *, cwd=None, env=None, collect=None) -> int:
        self.append(list(argv))
        return 1 if any(word in argv for word in self.fail) else 0


@pytest.fixture(autouse=True)
def no_import_check(monkeypatch) -> list:
    """The import check runs the app's interpreter; here it only records its calls (see test_importcheck.py)."""
    calls: list = []
    monkeypatch.setattr(build.importcheck, "check", lambda config, entry, env: calls.append(entry.target))
    return calls


@pytest.fixture(autouse=True)
def no_sbom(monkeypatch) -> list:
    """The bill of materials runs its generator; here it only records its calls (see test_sbom.py)."""
    calls: list = []
    monkeypatch.setattr(build.sbom, "write", lambda config, environ: calls.append(environ))
    return calls


@pytest.fixture
def pip_runs(monkeypatch) -> Runs:
    """output.run replaced: nothing is installed, every command is recorded."""
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    return runs


def run_build(app_dir, **environ):
    """The build of app_dir with exactly that process environment."""
    return build.build(dict(environ), app_dir)


def pip_args(runs: list[list[str]]) -> list[list[str]]:
    return [argv[argv.index("install") + 1 :] for argv in runs if "pip" in argv]


def test_requirements_txt_is_installed_with_pip(make_app, load_config, pip_runs, capsys):
    app = make_app({**APP, "requirements.txt": "flask\n"})
    entry = run_build(app)
    assert pip_args(pip_runs) == [["-r", "requirements.txt"]]
    assert pip_runs[0][:3] == [str(build.PYTHON), "-m", "pip"]
    assert entry.target == "app:app"
    out = capsys.readouterr().out
    assert "---> Installing dependencies from requirements.txt\n" in out
    assert "---> Entry point: app:app (app.py defines `app`)\n" in out


def test_an_installable_pyproject_is_installed_after_requirements(make_app, load_config, pip_runs):
    app = make_app({**APP, "requirements.txt": "flask\n", "pyproject.toml": PYPROJECT})
    run_build(app)
    assert pip_args(pip_runs) == [["-r", "requirements.txt"], ["."]]


def test_a_pyproject_with_only_tool_settings_is_not_installed(make_app, load_config, pip_runs):
    app = make_app({**APP, "requirements.txt": "flask\n", "pyproject.toml": "[tool.ruff]\nline-length = 100\n"})
    run_build(app)
    assert pip_args(pip_runs) == [["-r", "requirements.txt"]]


def test_disable_pyproject_toml_processing_skips_pip_install_dot(make_app, load_config, pip_runs):
    app = make_app({**APP, "requirements.txt": "", "pyproject.toml": PYPROJECT})
    run_build(app, DISABLE_PYPROJECT_TOML_PROCESSING="true")
    assert pip_args(pip_runs) == [["-r", "requirements.txt"]]


def test_setup_py_is_installed_when_there_is_no_pyproject(make_app, load_config, pip_runs):
    run_build(make_app({**APP, "setup.py": "from setuptools import setup\nsetup()\n"}))
    assert pip_args(pip_runs) == [["."]]


def test_a_project_with_setup_py_and_pyproject_is_installed_once(make_app, load_config, pip_runs):
    app = make_app({**APP, "setup.py": "", "pyproject.toml": PYPROJECT})
    run_build(app)
    assert pip_args(pip_runs) == [["."]]


def test_disable_setup_py_processing_skips_pip_install_dot(make_app, load_config, pip_runs):
    app = make_app(
        {**APP, "setup.cfg": "[metadata]\nname = web\n", ".s2i/environment": "DISABLE_SETUP_PY_PROCESSING=1\n"}
    )
    run_build(app)
    assert pip_args(pip_runs) == []


def test_upgrade_pip_to_latest_upgrades_before_installing(make_app, load_config, pip_runs):
    run_build(make_app({**APP, "requirements.txt": ""}), UPGRADE_PIP_TO_LATEST="yes")
    assert pip_args(pip_runs) == [["--upgrade", "pip", "setuptools", "wheel"], ["-r", "requirements.txt"]]


def test_an_app_without_dependency_files_builds_with_a_warning(make_app, load_config, pip_runs, capsys):
    run_build(make_app(APP))
    assert pip_args(pip_runs) == []
    err = capsys.readouterr().err
    assert err.startswith(
        "WARNING: No requirements.txt, lock file, pyproject.toml or setup.py found; installing no dependencies."
    )
    assert "Add a requirements.txt" in err


def test_the_entry_point_is_checked_before_the_long_install(make_app, load_config, pip_runs):
    app = make_app({"requirements.txt": "flask\n", "hello.py": "print('hi')\n"})
    with pytest.raises(DetectError, match="No WSGI application found"):
        run_build(app)
    assert pip_runs == []


def test_a_failed_pip_install_says_what_failed_and_how_to_fix_it(make_app, load_config, pip_runs):
    pip_runs.fail.append("-r")
    with pytest.raises(BuildError) as raised:
        run_build(make_app({**APP, "requirements.txt": "no-such-package\n"}))
    message = str(raised.value)
    assert message.startswith("Installing the packages in requirements.txt failed (pip exited with status 1).")
    assert "PIP_INDEX_URL" in message


def test_a_pyproject_that_does_not_parse_is_a_config_error(make_app, load_config, pip_runs):
    app = make_app({**APP, "pyproject.toml": "[project\nname = 'x'\n"})
    with pytest.raises(ConfigError) as raised:
        run_build(app)
    assert str(raised.value).startswith("pyproject.toml does not parse: ")


def test_an_app_module_outside_the_source_must_be_importable(make_app, load_config, pip_runs):
    pip_runs.fail.append("-c")
    app = make_app({"requirements.txt": "mypkg\n"})
    with pytest.raises(BuildError) as raised:
        run_build(app, APP_MODULE="mypkg.web:app")
    message = str(raised.value)
    assert message.startswith(
        "APP_MODULE=mypkg.web:app names module `mypkg.web`, which is neither in the source nor installed"
    )
    assert "add the package that provides it to requirements.txt" in message


def test_an_installed_app_module_passes_the_import_check(make_app, load_config, pip_runs):
    entry = run_build(make_app({"requirements.txt": "mypkg\n"}), APP_MODULE="mypkg.web:app")
    assert entry.file is None
    probe = pip_runs[-1]
    assert probe[1] == "-c"
    assert "'mypkg.web'" in probe[2]


def test_pip_runs_in_the_app_directory_with_the_app_environment(make_app, load_config, monkeypatch):
    seen = {}

    def fake_run(argv, *, cwd=None, env=None):
        seen.update(cwd=cwd, env=env)
        return 0

    monkeypatch.setattr(output, "run", fake_run)
    app = make_app({"web/app.py": "app = 1\n", "web/requirements.txt": "", ".s2i/environment": "APP_HOME=web\nX=1\n"})
    run_build(app)
    assert seen["cwd"] == app / "web"
    assert seen["env"]["X"] == "1"


def test_the_bill_of_materials_is_written_after_everything_is_installed(make_app, load_config, pip_runs, monkeypatch):
    monkeypatch.setattr(build.sbom, "write", lambda config, environ: pip_runs.append(["sbom"]))
    run_build(make_app({**APP, "requirements.txt": "flask\n"}), WSGI_SERVER="gunicorn")
    assert [argv[-1] for argv in pip_runs if "pip" in argv or argv == ["sbom"]][-3:] == [
        "requirements.txt",
        "gunicorn",
        "sbom",
    ]


def test_herokus_hooks_run_first_and_last_as_its_buildpack_runs_them(make_app, load_config, pip_runs, monkeypatch):
    # bin/pre_compile before anything is installed; bin/post_compile after the packages (and
    # collectstatic), before the bill of materials, which lists what it installed too.
    monkeypatch.setattr(build.sbom, "write", lambda config, environ: pip_runs.append(["sbom"]))
    monkeypatch.setattr(build.hooks, "run_heroku", lambda name, source, env: pip_runs.append([name]))
    run_build(make_app({**APP, "requirements.txt": "flask\n"}))
    steps = [argv[-1] for argv in pip_runs if "pip" in argv or len(argv) == 1]
    assert steps[0] == "pre_compile"
    assert steps[-3:] == ["requirements.txt", "post_compile", "sbom"]


def test_pips_own_bytecode_is_dropped_and_the_installed_packages_keep_theirs(tmp_path):
    site = tmp_path / "lib" / "python3.13" / "site-packages"
    for directory in ("pip/__pycache__", "pip/_internal/__pycache__", "flask/__pycache__"):
        (site / directory).mkdir(parents=True)
        (site / directory / "x.cpython-313.pyc").write_bytes(b"")
    (site / "pip" / "__init__.py").write_text("")
    build.drop_pip_bytecode(tmp_path)
    left = sorted(str(path.relative_to(site)) for path in site.rglob("*") if path.is_file())
    assert left == ["flask/__pycache__/x.cpython-313.pyc", "pip/__init__.py"]
