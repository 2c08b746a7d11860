"""The `s2i-wsgi` commands, run in-process against app directories in tmp_path."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from s2i_wsgi import __version__, cli, pid1
from s2i_wsgi.config import VARIABLES
from s2i_wsgi.envdoc import markdown_reference
from s2i_wsgi.incremental import cache
from s2i_wsgi.resources import Limits

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"


@pytest.fixture(autouse=True)
def two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command sees a 2-CPU container without memory limit, whatever runs the tests."""
    monkeypatch.setattr(cli, "detect_limits", lambda: Limits(cpus=2.0, memory=None))


@pytest.fixture
def source(make_app, monkeypatch):
    """source({files}): make an app and point the launcher at it, as S2I_WSGI_SOURCE_DIR does."""

    def use(files=None):
        app = make_app(files if files is not None else {"app.py": FLASK_APP})
        monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(app))
        return app

    return use


# ---------------------------------------------------------------------------
# start


def test_start_dry_run_says_what_it_serves_and_prints_the_command(source, capsys):
    app = source()
    assert cli.main(["start", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    step, command = out.splitlines()
    assert step == (
        "---> Serving app:app (app.py defines `app`) with mod_wsgi-express "
        "(the default; WSGI_SERVER chooses another) on port 8080: 2 processes (2 CPUs) x 5 threads"
    )
    assert command.startswith("/opt/app-root/bin/mod_wsgi-express start-server ")
    assert f"--working-directory {app} " in command
    assert "--entry-point app --callable-object app" in command
    assert err == ""


def test_start_dry_run_honours_the_process_environment(source, capsys, monkeypatch):
    source()
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("MOD_WSGI_THREADS", "10")
    assert cli.main(["start", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "on port 9000: 3 processes (WEB_CONCURRENCY) x 10 threads" in out
    assert "--port 9000 " in out
    assert "--processes 3 " in out


def test_start_dry_run_uses_settings_from_s2i_environment(source, capsys):
    source({"web.py": "app = 1\n", ".s2i/environment": "APP_MODULE=web:app\nMOD_WSGI_PROCESSES=4\n"})
    assert cli.main(["start", "--dry-run"]) == 0
    step = capsys.readouterr().out.splitlines()[0]
    assert step == (
        "---> Serving web:app (APP_MODULE=web:app (from .s2i/environment)) with mod_wsgi-express "
        "(the default; WSGI_SERVER chooses another) on port 8080: 4 processes (MOD_WSGI_PROCESSES) x 5 threads"
    )


def test_start_says_when_the_queue_timeout_follows_a_short_request_timeout(source, capsys, monkeypatch):
    source()
    monkeypatch.setenv("MOD_WSGI_REQUEST_TIMEOUT", "5")
    assert cli.main(["start", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == (
        "---> Requests that wait over 5 s for a thread are answered 504 "
        "(MOD_WSGI_QUEUE_TIMEOUT: the request timeout, MOD_WSGI_REQUEST_TIMEOUT=5)"
    )
    assert "--request-timeout 5 --queue-timeout 5 " in lines[2]


def test_start_runs_mod_wsgi_under_the_supervisor_in_the_app_directory_with_the_app_environment(
    source, capsys, monkeypatch
):
    app = source({"web/app.py": FLASK_APP, ".s2i/environment": "APP_HOME=web\nGREETING=hello\n"})
    calls = {}
    monkeypatch.setattr(os, "chdir", lambda path: calls.setdefault("cwd", path))

    def fake_supervise(argv, server_root, env, cwd, telemetry):
        calls.update(argv=argv, env=env, run_cwd=cwd, telemetry=telemetry)
        return 0

    monkeypatch.setattr(pid1, "run_mod_wsgi", fake_supervise)
    assert cli.main(["start"]) == 0
    assert calls["cwd"] == calls["run_cwd"] == app / "web"
    assert calls["argv"][:2] == ["/opt/app-root/bin/mod_wsgi-express", "start-server"]
    assert calls["env"]["GREETING"] == "hello"
    assert calls["env"]["APP_HOME"] == "web"
    assert calls["env"]["PORT"] == "8080"
    assert calls["telemetry"] is None  # no METRICS_PORT, no MOD_WSGI_SLOW_REQUESTS: no listener
    assert capsys.readouterr().out.startswith("---> Serving app:app")


def test_start_execs_a_command_entry_point_so_that_it_is_pid_1(source, monkeypatch):
    source({"Procfile": "web: gunicorn app:app\n"})
    calls = {}
    monkeypatch.setattr(os, "chdir", lambda path: None)

    def fake_exec(file, argv, env):
        calls.update(file=file, argv=argv, env=env)
        raise SystemExit(0)  # execvpe does not return

    monkeypatch.setattr(os, "execvpe", fake_exec)
    with pytest.raises(SystemExit):
        cli.main(["start"])
    assert calls["argv"] == ["bash", "-c", "gunicorn app:app"]
    assert calls["env"]["PORT"] == "8080"


def test_start_refuses_an_app_directory_it_cannot_enter(source, capsys, monkeypatch):
    app = source()
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert cli.main(["start", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR: User {os.getuid()} (group {os.getgid()}) cannot enter {app}.")
    assert "Run as a user in group 0" in err


def test_start_without_an_entry_point_fails_with_the_search_list(source, capsys):
    app = source({"hello.py": "print('hi')\n"})
    assert cli.main(["start", "--dry-run"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"ERROR: No WSGI application found in {app}. Searched, in order:\n")
    assert "  - wsgi.py defining `application`, `app`, `create_app()` or `make_app()`\n" in err
    assert "set APP_MODULE=module:callable" in err
    assert "Traceback" not in err


def test_start_with_a_bad_setting_names_the_variable_and_allowed_values(source, capsys, monkeypatch):
    source()
    monkeypatch.setenv("MOD_WSGI_PROCESSES", "abc")
    assert cli.main(["start", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ERROR: MOD_WSGI_PROCESSES='abc' is not a valid value.\n\n")
    assert "MOD_WSGI_PROCESSES must be a whole number from 1 to 64." in err


def test_a_bad_setting_in_s2i_environment_names_the_file(source, capsys):
    source({"app.py": FLASK_APP, ".s2i/environment": "MOD_WSGI_ACCESS_LOG=sometimes\n"})
    assert cli.main(["start", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "ERROR: MOD_WSGI_ACCESS_LOG='sometimes' (set in .s2i/environment) is not a valid value." in err


# ---------------------------------------------------------------------------
# detect


def test_detect_prints_the_entry_point_and_why(source, capsys):
    source({"mysite/wsgi.py": "application = 1\n", "manage.py": ""})
    assert cli.main(["detect"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "entry point:  mysite.wsgi:application",
        "file:         mysite/wsgi.py",
        "because:      mysite/wsgi.py defines `application`",
    ]
    assert lines[3].startswith("searched:     an executable app.sh; manage.py naming DJANGO_SETTINGS_MODULE")
    assert "server:       mod_wsgi-express (daemon mode)" in lines
    assert "processes:    2 (2 CPUs)" in lines
    assert "threads:      5" in lines
    assert lines[-1].startswith("command:      /opt/app-root/bin/mod_wsgi-express start-server ")


def test_detect_shows_an_app_module_from_an_installed_package(source, capsys, monkeypatch):
    source({"requirements.txt": "mypkg\n"})
    monkeypatch.setenv("APP_MODULE", "mypkg.web:app")
    assert cli.main(["detect"]) == 0
    out = capsys.readouterr().out
    assert "entry point:  mypkg.web:app\n" in out
    assert "file:         (installed package)\n" in out
    assert "because:      APP_MODULE=mypkg.web:app (from environment)\n" in out
    assert "searched:" not in out


def test_detect_explains_where_the_dependency_files_are_read_with_app_home(source, capsys):
    source({"web/wsgi.py": "application = 1\n", "requirements.txt": "", ".s2i/environment": "APP_HOME=web\n"})
    assert cli.main(["detect"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        "dependencies: read at the source root (APP_HOME=web holds no dependency files and the source root "
        "holds requirements.txt; as in sclorg's image, APP_HOME is where the app runs)"
    ) in lines
    assert not [line for line in lines if line.startswith("not used:")]


def test_detect_names_the_root_files_not_used_when_app_home_has_its_own(source, capsys):
    source(
        {
            "web/wsgi.py": "application = 1\n",
            "web/requirements.txt": "",
            "requirements.txt": "",
            ".s2i/environment": "APP_HOME=web\n",
        }
    )
    assert cli.main(["detect"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "dependencies: read at web (APP_HOME=web holds requirements.txt)" in lines
    assert (
        "not used:     requirements.txt at the source root (APP_HOME=web has dependency files of its own, and "
        "those next to the app win; sclorg's image would install the root's instead; to install both, include "
        "it from web/requirements.txt with a line `-r ../requirements.txt`)"
    ) in lines


def test_detect_without_app_home_says_nothing_about_dependencies(source, capsys):
    source({"wsgi.py": "application = 1\n", "requirements.txt": ""})
    assert cli.main(["detect"]) == 0
    assert "dependencies:" not in capsys.readouterr().out


def test_detect_reports_an_ambiguity_with_both_candidates(source, capsys):
    source({"one/wsgi.py": "application = 1\n", "two/wsgi.py": "application = 2\n"})
    assert cli.main(["detect"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ERROR: Found 2 WSGI entry points and no setting to choose between them:\n")
    assert "  - one/wsgi.py\n  - two/wsgi.py\n" in err
    assert "APP_MODULE=one.wsgi:application" in err


# ---------------------------------------------------------------------------
# config, usage, envvars, --version


def test_config_lists_every_variable_with_its_value_and_origin(source, capsys, monkeypatch):
    source({"app.py": FLASK_APP, ".s2i/environment": "MOD_WSGI_THREADS=9\n"})
    monkeypatch.setenv("PORT", "9000")
    assert cli.main(["config"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    assert set(rows) == {"(Python)"} | {variable.name for variable in VARIABLES}
    assert rows["PORT"][1:] == ["9000", "environment"]
    assert rows["MOD_WSGI_THREADS"][1:] == ["9", ".s2i/environment"]
    assert rows["WSGI_REQUEST_TIMEOUT"][1:] == ["60", "default"]
    assert rows["APP_MODULE"][1:] == ["(unset)", "default"]


def test_config_shows_how_a_computed_default_is_derived(source, capsys):
    source()
    cli.main(["config"])
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("WEB_CONCURRENCY "))
    assert "(from CPU/memory limits)" in line


def test_config_shows_the_queue_timeout_derived_from_the_request_timeout(source, capsys, monkeypatch):
    source()
    monkeypatch.setenv("WSGI_REQUEST_TIMEOUT", "20")
    cli.main(["config"])
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("MOD_WSGI_QUEUE_TIMEOUT "))
    assert line.split(None, 2)[1:] == ["20", "default: the request timeout, WSGI_REQUEST_TIMEOUT=20"]


def test_config_does_not_need_an_entry_point(source, capsys):
    source({})
    assert cli.main(["config"]) == 0


def test_usage_explains_how_to_build_and_exits_zero(capsys):
    assert cli.main(["usage"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"s2i-wsgi {__version__}: a Source-to-Image builder")
    assert "s2i build https://github.com/you/yourapp.git s2i-wsgi yourapp" in out
    assert "bin/s2i-build" in out
    assert "APP_MODULE=myproject.wsgi:application" in out
    assert (
        "APP_MODULE, APP_SCRIPT, APP_FILE, a Procfile `web:` line, warpdrive's\n"
        "deploy mode, an executable app.sh, a Django project (manage.py), wsgi.py,\n"
        "app.py, main.py, the package named in pyproject.toml/setup.py, a module a\n"
        "pyproject.toml script names, one */wsgi.py; the Python files must define\n"
        "`application` or `app`, or an app factory `create_app()` or `make_app()`\n"
        "(called once per process; APP_MODULE=pkg:create_app('prod') passes arguments).\n"
    ) in out
    assert (
        "An ASGI app (FastAPI, Starlette,\n"
        "Django's asgi.py; the build's import check tells) is served by gunicorn with\n"
        "uvicorn's workers, or by uvicorn with ASGI_SERVER=uvicorn; ASGI_MOUNT=/ws=chat:app\n"
        "adds an ASGI part under a prefix to a WSGI app. METRICS_PORT serves mod_wsgi's\n"
        "figures (/metrics) on a port of its own; reload, the debugger and the\n"
        "recorder need SERVER_MODE=development."
    ) in out
    assert "In a running app container: `s2i-wsgi ready` / `alive`\n(health checks), `s2i-wsgi migrate`." in out
    assert (
        "Index credentials and CA certificates\n"
        "go in files injected at /tmp/secrets (s2i build --inject), never in -e:\n"
        "s2i writes build variables into the image. Every app image carries a\nCycloneDX bill of materials at "
        "/opt/app-root/sbom.cdx.json (label\nio.s2i-wsgi.sbom). Hooks: .s2i/action_hooks/ and warpdrive's, and "
        "Heroku's\nbin/pre_compile, bin/post_compile and .profile, run where Heroku runs them.\n"
    ) in out
    assert (
        "requirements.txt, a poetry project (locked at build), then the project itself\n"
        "(pyproject.toml or setup.py); with APP_HOME, from the source root unless\n"
        "APP_HOME holds such files itself.\n"
    ) in out
    assert (
        "A value in quotes means what it means in a Dockerfile ENV or a shell\n"
        '(APP_MODULE="pkg.wsgi:app" is pkg.wsgi:app); an empty one counts as unset.\n'
        "Tags: 3.13 (latest), 3.11, and 3.14 on Debian's testing release.\n"
    ) in out
    assert (
        "Rebuilds\nwith `s2i build --incremental` reuse the previous image's virtualenv when the\n"
        "dependency files, install settings and hooks are unchanged, else its\ndependency cache;"
    ) in out


def test_envvars_prints_the_markdown_reference(capsys):
    assert cli.main(["envvars", "--markdown"]) == 0
    assert capsys.readouterr().out == markdown_reference()


def test_version_prints_the_version(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"s2i-wsgi {__version__}"


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve"])
    assert exited.value.code == 2
    assert "invalid choice: 'serve'" in capsys.readouterr().err


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# save-artifacts


def test_save_artifacts_streams_the_dependency_cache_as_a_tar(tmp_path, monkeypatch, capsysbinary):
    (tmp_path / "pip" / "wheels").mkdir(parents=True)
    (tmp_path / "pip" / "wheels" / "a.whl").write_text("wheel")
    (tmp_path / cache.MARKER).write_text("{}")
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path)
    assert cli.main(["save-artifacts"]) == 0
    with tarfile.open(fileobj=io.BytesIO(capsysbinary.readouterr().out)) as tar:
        names = tar.getnames()
    assert "pip/wheels/a.whl" in names
    assert cache.MARKER in names


def test_save_artifacts_without_a_cache_streams_an_empty_tar(tmp_path, monkeypatch, capsysbinary):
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path)
    assert cli.main(["save-artifacts"]) == 0
    with tarfile.open(fileobj=io.BytesIO(capsysbinary.readouterr().out)) as tar:
        assert tar.getnames() == []


def test_a_reader_that_goes_away_ends_the_command_without_a_traceback(source):
    source({"app.py": FLASK_APP})
    done = subprocess.run(
        f"{sys.executable} -m s2i_wsgi config | true",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(cli.__file__).parents[1])},
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
