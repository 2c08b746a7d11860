"""Each server's command line (servers/gunicorn.py, uwsgi.py, waitress.py) and the MOD_WSGI_* table."""

from __future__ import annotations

import json
import os
import runpy
import signal
import subprocess
import sys

import pytest

from s2i_wsgi.config import APP_ROOT
from s2i_wsgi.detect import entry_point
from s2i_wsgi.errors import ConfigError
from s2i_wsgi.resources import Limits
from s2i_wsgi.servers import command
from s2i_wsgi.servers.gunicorn import GUNICORN_SETTINGS, gunicorn_defaults
from s2i_wsgi.servers.waitress import WAITRESS_SERVE

from .conftest import TWO_CPUS, value_of

APP = {"wsgi.py": "application = object()\n"}


# ---------------------------------------------------------------------------
# mod_wsgi tuning from the table.


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("MOD_WSGI_MAX_CLIENTS", "40", ["--max-clients", "40"]),
        ("MOD_WSGI_INITIAL_WORKERS", "0.2", ["--initial-workers", "0.2"]),
        ("MOD_WSGI_MAXIMUM_REQUESTS", "1000", ["--maximum-requests", "1000"]),
        ("MOD_WSGI_INACTIVITY_TIMEOUT", "300", ["--inactivity-timeout", "300"]),
        ("MOD_WSGI_RESTART_INTERVAL", "3600", ["--restart-interval", "3600"]),
        ("MOD_WSGI_HEADER_MAX_TIMEOUT", "40", ["--header-max-timeout", "40"]),
        ("MOD_WSGI_BODY_MIN_RATE", "1000", ["--body-min-rate", "1000"]),
        ("MOD_WSGI_SERVER_BACKLOG", "1024", ["--server-backlog", "1024"]),
        ("MOD_WSGI_DAEMON_BACKLOG", "200", ["--daemon-backlog", "200"]),
        ("MOD_WSGI_KEEP_ALIVE_TIMEOUT", "5", ["--keep-alive-timeout", "5"]),
        ("MOD_WSGI_SERVER_MPM", "worker", ["--server-mpm", "worker"]),
        ("MOD_WSGI_LOG_LEVEL", "info", ["--log-level", "info"]),
        ("MOD_WSGI_ACCESS_LOG_FORMAT", "%h %r %>s", ["--access-log-format", "%h %r %>s"]),
        ("MOD_WSGI_RELOAD_ON_CHANGES", "true", ["--reload-on-changes"]),
        ("MOD_WSGI_SERVER_STATUS", "1", ["--server-status"]),
        ("MOD_WSGI_ENABLE_DEBUGGER", "yes", ["--debug-mode", "--enable-debugger"]),
        (
            "MOD_WSGI_TRUST_PROXY_HEADERS",
            "X-Forwarded-Proto, X-Forwarded-For",
            ["--trust-proxy-header", "X-Forwarded-Proto", "--trust-proxy-header", "X-Forwarded-For"],
        ),
        ("MOD_WSGI_TRUST_PROXY", "10.0.0.0/8", ["--trust-proxy", "10.0.0.0/8"]),
    ],
)
def test_a_tuning_variable_sets_its_option(launch, variable, value, expected):
    argv, _ = launch(**{variable: value})
    position = next(i for i, arg in enumerate(argv) if arg == expected[0])
    assert argv[position : position + len(expected)] == expected


def test_url_aliases_map_to_paths_in_the_app_directory(launch, make_app, load_config):
    app = make_app(APP)
    config = load_config(app, MOD_WSGI_URL_ALIAS="/static=static /robots.txt=/srv/robots.txt")
    argv, _ = command(config, "mod_wsgi", entry_point(config), TWO_CPUS)
    aliases = [argv[i + 1 : i + 3] for i, arg in enumerate(argv) if arg == "--url-alias"]
    assert aliases == [["/static", str(app / "static")], ["/robots.txt", "/srv/robots.txt"]]


def test_threads_and_request_timeout_come_from_the_generic_variables(launch):
    argv, _ = launch(WSGI_THREADS="9", WSGI_REQUEST_TIMEOUT="30")
    assert (value_of(argv, "--threads"), value_of(argv, "--request-timeout")) == ("9", "30")


def test_mod_wsgi_variables_beat_the_generic_ones_for_mod_wsgi(launch):
    argv, _ = launch(WSGI_THREADS="9", MOD_WSGI_THREADS="3", WSGI_REQUEST_TIMEOUT="30", MOD_WSGI_REQUEST_TIMEOUT="90")
    assert (value_of(argv, "--threads"), value_of(argv, "--request-timeout")) == ("3", "90")


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("MOD_WSGI_PROCESSES", "four", "a whole number from 1 to 64"),
        ("MOD_WSGI_INITIAL_WORKERS", "2", "a fraction from 0 to 1, e.g. 0.25"),
        ("MOD_WSGI_SERVER_MPM", "threaded", "one of event, worker, prefork"),
        ("MOD_WSGI_URL_ALIAS", "static", "URL=PATH pairs separated by spaces"),
        ("MOD_WSGI_TRUST_PROXY_HEADERS", "X-Forwarded-Proto;", "header names separated by spaces or commas"),
    ],
)
def test_a_bad_tuning_value_names_the_variable_and_what_is_allowed(make_app, load_config, variable, value, allowed):
    with pytest.raises(ConfigError) as error:
        load_config(make_app(APP), **{variable: value})
    what, why, _ = str(error.value).split("\n\n")
    assert what == f"{variable}={value!r} is not a valid value."
    assert why.startswith(f"{variable} must be {allowed}")


def test_a_non_numeric_process_count_is_rejected_with_the_exact_message(make_app, load_config):
    with pytest.raises(ConfigError) as error:
        load_config(make_app(APP), MOD_WSGI_PROCESSES="four")
    assert str(error.value) == (
        "MOD_WSGI_PROCESSES='four' is not a valid value.\n\n"
        "MOD_WSGI_PROCESSES must be a whole number from 1 to 64.\n\n"
        "Change or unset MOD_WSGI_PROCESSES. `s2i-wsgi config` lists every setting and where it came from."
    )


# ---------------------------------------------------------------------------
# gunicorn.


def test_gunicorn_loads_the_builder_settings_file_and_serves_the_entry_point(launch):
    argv, env = launch("gunicorn")
    assert argv == [str(APP_ROOT / "bin" / "gunicorn"), "--config", str(GUNICORN_SETTINGS), "wsgi:application"]
    assert env["S2I_WSGI_GUNICORN_APP_CONFIG"] == ""


def test_gunicorn_production_defaults(make_app, load_config):
    config = load_config(make_app(APP), PORT="9000", WSGI_THREADS="4")
    defaults = gunicorn_defaults(config, Limits(cpus=3.0, memory=None))
    assert defaults["bind"] == ["0.0.0.0:9000"]
    assert (defaults["workers"], defaults["worker_class"], defaults["threads"]) == (3, "gthread", 4)
    assert (defaults["accesslog"], defaults["errorlog"]) == ("-", "-")
    assert (defaults["timeout"], defaults["graceful_timeout"], defaults["keepalive"]) == (60, 15, 2)


def test_gunicorn_workers_follow_web_concurrency_but_not_mod_wsgi_processes(make_app, load_config):
    config = load_config(make_app(APP), WEB_CONCURRENCY="6", MOD_WSGI_PROCESSES="2")
    assert gunicorn_defaults(config, TWO_CPUS)["workers"] == 6


def test_gunicorn_workers_are_reduced_by_a_memory_limit(make_app, load_config):
    config = load_config(make_app(APP))
    assert gunicorn_defaults(config, Limits(cpus=8.0, memory=512 * 1024 * 1024))["workers"] == 2


def test_the_apps_gunicorn_conf_py_is_layered_on_top(launch):
    _, env = launch("gunicorn", {"gunicorn.conf.py": "workers = 7\n"})
    assert env["S2I_WSGI_GUNICORN_APP_CONFIG"].endswith("/gunicorn.conf.py")


def test_app_config_names_the_layered_file(launch):
    _, env = launch("gunicorn", {"etc/g.py": ""}, APP_CONFIG="etc/g.py")
    assert env["S2I_WSGI_GUNICORN_APP_CONFIG"].endswith("/etc/g.py")


def test_a_config_in_gunicorn_cmd_args_is_layered_too(launch):
    _, env = launch("gunicorn", {"etc/g.py": ""}, GUNICORN_CMD_ARGS="--workers 2 --config etc/g.py")
    assert env["S2I_WSGI_GUNICORN_APP_CONFIG"].endswith("/etc/g.py")


def test_the_settings_file_puts_app_settings_above_the_defaults(tmp_path, monkeypatch):
    """Run gunicorn_settings.py as gunicorn would: the app's values win, hooks come through."""
    app_config = tmp_path / "gunicorn.conf.py"
    app_config.write_text("workers = 7\ndef post_fork(server, worker):\n    pass\n_private = 1\n")
    monkeypatch.setenv("S2I_WSGI_GUNICORN_DEFAULTS", json.dumps({"workers": 2, "threads": 5}))
    monkeypatch.setenv("S2I_WSGI_GUNICORN_APP_CONFIG", str(app_config))
    settings = runpy.run_path(str(GUNICORN_SETTINGS))
    assert (settings["workers"], settings["threads"]) == (7, 5)
    assert callable(settings["post_fork"])
    assert "_private" not in settings


# ---------------------------------------------------------------------------
# uWSGI and waitress.


def test_uwsgi_production_command_line(launch):
    argv, env = launch("uwsgi", WSGI_THREADS="4", WSGI_REQUEST_TIMEOUT="30", PORT="9000")
    assert argv[0] == str(APP_ROOT / "bin" / "uwsgi")
    for flag in ("--strict", "--master", "--enable-threads", "--die-on-term", "--need-app"):
        assert flag in argv
    assert value_of(argv, "--http-socket") == ":9000"
    assert value_of(argv, "--wsgi") == "wsgi:application"
    assert value_of(argv, "--virtualenv") == str(APP_ROOT)
    assert (value_of(argv, "--processes"), value_of(argv, "--threads")) == ("2", "4")
    assert value_of(argv, "--harakiri") == "30"
    assert env["PYTHONPATH"].endswith("app1")


def test_uwsgi_options_set_through_its_own_variables_are_left_to_it(launch):
    argv, _ = launch("uwsgi", UWSGI_WORKERS="5", UWSGI_HARAKIRI="100")
    assert "--processes" not in argv
    assert "--harakiri" not in argv
    assert value_of(argv, "--threads") == "5"


def test_waitress_is_one_process_with_threads(launch):
    argv, _ = launch("waitress", WSGI_THREADS="8", PORT="9000")
    assert argv == [
        str(APP_ROOT / "bin" / "python"),
        str(WAITRESS_SERVE),
        "--listen=0.0.0.0:9000",
        "--threads=8",
        "wsgi:application",
    ]


FAKE_WAITRESS_RUNNER = """\
import json, sys, time
def run(argv):
    print(json.dumps({"argv": argv, "path": sys.path}), flush=True)
    while True:  # serving, until a signal ends it
        time.sleep(0.05)
"""


def test_waitress_serve_stops_with_status_0_on_sigterm_and_hides_the_launchers_modules(tmp_path):
    """waitress-serve has no SIGTERM handler, so as PID 1 it would ignore `docker stop`; the launcher's
    runner has one. Run here with a stand-in waitress, as a child (the handler is what counts)."""
    (tmp_path / "waitress").mkdir()
    (tmp_path / "waitress" / "__init__.py").write_text("")
    (tmp_path / "waitress" / "runner.py").write_text(FAKE_WAITRESS_RUNNER)
    process = subprocess.Popen(
        [sys.executable, str(WAITRESS_SERVE), "--listen=0.0.0.0:8080", "wsgi:application"],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        started = json.loads(process.stdout.readline())
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
    assert started["argv"] == ["waitress-serve", "--listen=0.0.0.0:8080", "wsgi:application"]
    # The launcher's config package, build.py, paths.py ... must not shadow the app's modules or the standard library's.
    assert str(WAITRESS_SERVE.parent) not in started["path"]


# ---------------------------------------------------------------------------
# .warpdrive/server_args
