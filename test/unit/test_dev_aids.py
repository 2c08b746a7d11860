"""mod_wsgi-express's development aids (dev_aids.py): each one variable, each refused in production."""

from __future__ import annotations

import os

import pytest

from s2i_wsgi import start
from s2i_wsgi.errors import ConfigError

from .conftest import TWO_CPUS

WSGI = {"wsgi.py": "def application(environ, start_response):\n    return []\n"}

AIDS = {
    "MOD_WSGI_RELOAD_ON_CHANGES": (
        ["--reload-on-changes"],
        "restarts the daemon processes whenever a loaded Python file changes, dropping the requests they are "
        "running, and checks every loaded module for changes every second",
    ),
    "MOD_WSGI_ENABLE_DEBUGGER": (
        ["--debug-mode", "--enable-debugger"],
        "runs the app in a single process and stops it in pdb, waiting for someone at the terminal, at the first "
        "uncaught exception: every other request waits",
    ),
    "MOD_WSGI_ENABLE_RECORDER": (
        ["--debug-mode", "--enable-recorder"],
        "runs the app in a single process and writes every request and response, headers, cookies and bodies "
        "included, to files in the container",
    ),
}


@pytest.fixture
def plan(make_app):
    app = make_app(WSGI)

    def make(**environ):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environ}
        return start.plan(env, app, env_hooks=False)

    return make


@pytest.mark.parametrize("name", AIDS)
def test_a_development_aid_is_refused_in_production_mode_by_default(plan, name):
    with pytest.raises(ConfigError) as raised:
        plan(**{name: "true"})
    assert str(raised.value) == (
        f"{name} is set (from environment), and SERVER_MODE is production (the default).\n\n"
        f"{name} is a development aid: it {AIDS[name][1]}.\n\n"
        f"Unset {name} for a deployed app. To use it while developing, set SERVER_MODE=development too."
    )


def test_an_explicit_production_mode_is_named_as_such(plan):
    with pytest.raises(ConfigError) as raised:
        plan(MOD_WSGI_ENABLE_RECORDER="1", SERVER_MODE="production")
    assert str(raised.value).startswith(
        "MOD_WSGI_ENABLE_RECORDER is set (from environment), and SERVER_MODE is production (from environment)."
    )


@pytest.mark.parametrize("name", AIDS)
def test_in_development_mode_each_aid_is_one_mod_wsgi_express_option(plan, name):
    argv, _ = start.command(plan(**{name: "yes", "SERVER_MODE": "development"}), TWO_CPUS)
    options = AIDS[name][0]
    assert argv[argv.index(options[0]) : argv.index(options[0]) + len(options)] == options


def test_development_mode_alone_changes_nothing(plan):
    assert start.command(plan(SERVER_MODE="development"), TWO_CPUS) == start.command(plan(), TWO_CPUS)
