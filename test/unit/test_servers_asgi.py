"""ASGI apps: which server serves them (servers/asgi.py), its command line, the wrapper module the
start writes (asgi.py), and what `detect` and the start line say."""

from __future__ import annotations

import json
import os

import pytest

from s2i_wsgi import asgi, cli, django, start
from s2i_wsgi.errors import ConfigError

from .conftest import TWO_CPUS

FASTAPI = {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}


@pytest.fixture
def plan(make_app, monkeypatch, tmp_path):
    """plan(files, NAME=value...): the start's plan for an app with those files and that environment."""
    monkeypatch.setattr(asgi, "WRAPPER_DIR", tmp_path / "asgi")

    def make(files=None, **environ):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environ}
        return start.plan(env, make_app({**FASTAPI, **(files or {})}), env_hooks=False)

    return make


@pytest.mark.parametrize(
    ("files", "environ", "server", "why"),
    [
        ({}, {}, "gunicorn", "the default for ASGI apps; ASGI_SERVER=uvicorn chooses uvicorn alone"),
        ({}, {"ASGI_SERVER": "uvicorn"}, "uvicorn", "ASGI_SERVER=uvicorn (from environment)"),
        ({}, {"WSGI_SERVER": "gunicorn"}, "gunicorn", "WSGI_SERVER=gunicorn (from environment)"),
        ({"gunicorn.conf.py": "workers = 3\n"}, {}, "gunicorn", "the app has a gunicorn.conf.py"),
    ],
)
def test_an_asgi_app_is_served_by_an_asgi_server(plan, files, environ, server, why):
    chosen = plan(files, **environ)
    assert (chosen.is_asgi, chosen.server, chosen.server_why) == (True, server, why)


@pytest.mark.parametrize(("setting", "title"), [("uwsgi", "uWSGI"), ("mod_wsgi", "mod_wsgi-express")])
def test_a_wsgi_only_server_chosen_for_an_asgi_app_is_refused_with_why(plan, setting, title):
    with pytest.raises(ConfigError) as raised:
        plan(WSGI_SERVER=setting)
    assert str(raised.value) == (
        f"WSGI_SERVER={setting} (from environment) chooses {title}, but main:app is an ASGI application.\n\n"
        f"{title} speaks WSGI: it would call the app with (environ, start_response), and every request would "
        "fail.\n\n"
        "Remove that setting: an ASGI app is served by gunicorn with uvicorn's workers, or by uvicorn alone with "
        "ASGI_SERVER=uvicorn."
    )


def test_gunicorn_runs_uvicorns_worker_class_on_the_wrapper_module(plan, tmp_path):
    argv, env = start.command(plan(WSGI_REQUEST_TIMEOUT="30"), TWO_CPUS)
    assert argv[-1] == "s2i_wsgi_asgi:application"
    assert argv[0] == "/opt/app-root/bin/gunicorn"
    defaults = json.loads(env["S2I_WSGI_GUNICORN_DEFAULTS"])
    assert defaults["worker_class"] == "uvicorn_worker.UvicornWorker"
    assert (defaults["workers"], defaults["timeout"], defaults["keepalive"], defaults["graceful_timeout"]) == (
        2,
        30,
        5,
        15,
    )
    assert "threads" not in defaults
    assert env["PYTHONPATH"] == str(tmp_path / "asgi")


def test_uvicorn_gets_workers_timeouts_and_the_apps_python_path(plan, tmp_path, make_app):
    chosen = plan(ASGI_SERVER="uvicorn", WEB_CONCURRENCY="3")
    argv, env = start.command(chosen, TWO_CPUS)
    assert argv == [
        "/opt/app-root/bin/uvicorn",
        "s2i_wsgi_asgi:application",
        "--host",
        "0.0.0.0",
        "--port",
        "8080",
        "--workers",
        "3",
        "--timeout-keep-alive",
        "5",
        "--timeout-graceful-shutdown",
        "15",
    ]
    assert env["PYTHONPATH"] == f"{tmp_path / 'asgi'}:{chosen.config.app_dir}"


def test_the_start_writes_the_wrapper_with_the_request_timeout_and_an_app_factory_call(plan, tmp_path):
    files = {"main.py": "from fastapi import FastAPI\ndef create_app():\n    return FastAPI()\n"}
    chosen = plan(files, APP_INTERFACE="asgi", WSGI_REQUEST_TIMEOUT="7")
    start.write_files(chosen, TWO_CPUS)
    assert (tmp_path / "asgi" / "s2i_wsgi_asgi.py").read_text(encoding="utf-8") == (
        "# Written by s2i-wsgi at start: main:create_app(), cancelled after 7 s (WSGI_REQUEST_TIMEOUT).\n"
        "from s2i_wsgi_asgi_timeout import RequestTimeout\n"
        "from main import create_app as _factory\n\n"
        "_app = _factory()\n\n"
        "application = RequestTimeout(_app, 7)\n"
    )
    assert "class RequestTimeout" in (tmp_path / "asgi" / "s2i_wsgi_asgi_timeout.py").read_text(encoding="utf-8")


def test_detect_says_it_is_asgi_why_and_what_serves_it(make_app, monkeypatch, capsys):
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(make_app(FASTAPI)))
    monkeypatch.setattr(cli, "detect_limits", lambda: TWO_CPUS)
    assert cli.main(["detect"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[4:9] == [
        "interface:    ASGI (main.py makes `app` with FastAPI)",
        "server:       gunicorn with uvicorn workers",
        "chosen:       the default for ASGI apps; ASGI_SERVER=uvicorn chooses uvicorn alone",
        "processes:    2 (2 CPUs)",
        "threads:      none: an event loop per process; requests cancelled after 60 s",
    ]
    assert lines[9].startswith("command:      /opt/app-root/bin/gunicorn --config ")
    assert lines[9].endswith("gunicorn_settings.py s2i_wsgi_asgi:application")


def test_the_start_line_says_what_serves_the_asgi_app(plan, capsys):
    start.announce(plan(), TWO_CPUS, start.extra_processes(plan().config))
    assert capsys.readouterr().out == (
        "---> Serving main:app (main.py defines `app`), an ASGI app (main.py makes `app` with FastAPI), with "
        "gunicorn with uvicorn workers (the default for ASGI apps; ASGI_SERVER=uvicorn chooses uvicorn alone) on "
        "port 8080: 2 processes (2 CPUs), an event loop each\n"
    )


def test_an_asgi_django_projects_static_files_are_served_before_django(plan, tmp_path, monkeypatch):
    monkeypatch.setattr(django, "STATE_FILE", tmp_path / "django-static.json")
    (tmp_path / "django-static.json").write_text('{"static_url": "/static/", "static_root": "/opt/app-root/static"}')
    files = {
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
        "mysite/__init__.py": "",
        "mysite/settings.py": 'ASGI_APPLICATION = "mysite.asgi.application"\n',
        "mysite/asgi.py": "from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n",
    }
    chosen = plan(files)
    assert chosen.is_asgi
    start.write_files(chosen, TWO_CPUS)
    wrapper = (tmp_path / "asgi" / "s2i_wsgi_asgi.py").read_text(encoding="utf-8")
    assert wrapper.endswith(
        "from s2i_wsgi_asgi_static import StaticFiles\n\n"
        "application = StaticFiles(application, '/static', '/opt/app-root/static')\n"
    )
    assert (tmp_path / "asgi" / "s2i_wsgi_asgi_static.py").is_file()
