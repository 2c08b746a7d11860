"""App factories served (factory.py): the call syntax, the wrapper module every server loads, the
command line of each server, and the build's import check calling the factory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from s2i_wsgi import cli, factory, importcheck, start
from s2i_wsgi.detect import detect
from s2i_wsgi.errors import BuildError
from s2i_wsgi.factory import Target, parse_target

from .conftest import TWO_CPUS

# A factory as Flask's tutorial writes it, without Flask: it counts its calls and returns a WSGI app.
SHOP = {
    "pyproject.toml": '[project]\nname = "shop"\n',
    "shop/__init__.py": """\
        CALLS = []


        def create_app(test_config=None):
            CALLS.append(test_config)

            def app(environ, start_response):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [f"shop {test_config!r} after {len(CALLS)} call(s)".encode()]

            return app
        """,
}


@pytest.fixture(autouse=True)
def wrapper_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(factory, "WRAPPER_DIR", tmp_path / "factory-modules")
    monkeypatch.setattr(cli, "detect_limits", lambda: TWO_CPUS)
    return tmp_path / "factory-modules"


@pytest.fixture
def environ():
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


# ---------------------------------------------------------------------------
# The syntax.


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("shop", Target("shop", None)),
        ("shop.web:app", Target("shop.web", "app")),
        ("shop:create_app()", Target("shop", "create_app", "")),
        ("shop:create_app( 'x' ,debug = True )", Target("shop", "create_app", "'x', debug=True")),
        ('shop:make_app({"A": [1, 2.5, None]}, -1)', Target("shop", "make_app", "{'A': [1, 2.5, None]}, -1")),
    ],
)
def test_targets_are_parsed_as_gunicorn_parses_them(text, target):
    assert parse_target(text) == target


@pytest.mark.parametrize(
    "text",
    ["shop:create_app(x)", "shop:create_app(*a)", "shop:create_app(**k)", "shop:a.b()", "shop:f()()", "shop:", ":a"],
)
def test_anything_but_a_name_or_a_call_with_literal_arguments_is_refused(text):
    with pytest.raises(ValueError):
        parse_target(text)


# ---------------------------------------------------------------------------
# The wrapper module and every server's command line.


def test_the_wrapper_module_calls_the_factory_once_when_it_is_imported(make_app, environ, wrapper_dir):
    app = make_app(SHOP)
    plan = start.plan({**environ, "APP_MODULE": "shop:create_app({'DEBUG': False})"}, app)
    start.write_files(plan, TWO_CPUS)
    assert (wrapper_dir / "s2i_wsgi_factory.py").read_text() == (
        "# Written by s2i-wsgi at start: the app factory, called once per server process.\n"
        "from shop import create_app as _factory\n\n"
        "application = _factory({'DEBUG': False})\n"
    )
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "import s2i_wsgi_factory, shop\n"
            "body = s2i_wsgi_factory.application({}, lambda status, headers: None)\n"
            "import s2i_wsgi_factory\n"
            "print(b''.join(body).decode(), len(shop.CALLS))",
        ],
        env={**environ, "PYTHONPATH": f"{wrapper_dir}:{app}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert served.stdout == "shop {'DEBUG': False} after 1 call(s) 1\n"


def test_mod_wsgi_loads_the_wrapper_module_from_the_wrapper_directory(make_app, environ, wrapper_dir):
    plan = start.plan(environ, make_app(SHOP))
    argv, env = start.command(plan, TWO_CPUS)
    assert argv[argv.index("--entry-point") + 1] == "s2i_wsgi_factory"
    assert argv[argv.index("--callable-object") + 1] == "application"
    assert argv[-2:] == ["--python-path", str(wrapper_dir)]
    assert env == {}


def test_uwsgi_loads_the_wrapper_module_from_the_wrapper_directory(make_app, environ, wrapper_dir):
    plan = start.plan({**environ, "WSGI_SERVER": "uwsgi"}, make_app(SHOP))
    argv, _ = start.command(plan, TWO_CPUS)
    assert argv[argv.index("--wsgi") + 1] == "s2i_wsgi_factory:application"
    assert argv[-2:] == ["--pythonpath", str(wrapper_dir)]


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_gunicorn_and_waitress_find_the_wrapper_module_on_pythonpath(make_app, environ, wrapper_dir, server):
    app = make_app(SHOP)
    plan = start.plan({**environ, "WSGI_SERVER": server}, app)
    argv, env = start.command(plan, TWO_CPUS)
    assert argv[-1] == "s2i_wsgi_factory:application"
    assert env["PYTHONPATH"].split(":")[0] == str(wrapper_dir)
    if server == "waitress":  # the app directory stays importable
        assert env["PYTHONPATH"] == f"{wrapper_dir}:{app}"


def test_a_plain_callable_is_served_without_a_wrapper(make_app, environ, wrapper_dir):
    plan = start.plan(environ, make_app({"main.py": "app = object()\n"}))
    argv, _ = start.command(plan, TWO_CPUS)
    assert argv[argv.index("--entry-point") + 1] == "main"
    assert "--python-path" not in argv[-2:]
    start.write_files(plan, TWO_CPUS)
    assert not wrapper_dir.exists()


def test_start_says_which_factory_it_serves(make_app, monkeypatch, capsys):
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(make_app(SHOP)))
    assert cli.main(["start", "--dry-run"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(
        "---> Serving shop:create_app() (package shop (named in the project metadata) defines the app factory "
        "`create_app` (and no `application` or `app`)) with mod_wsgi-express"
    )


def test_detect_explains_the_factory_and_its_wrapper(make_app, monkeypatch, capsys, wrapper_dir):
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(make_app(SHOP)))
    assert cli.main(["detect"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "entry point:  shop:create_app()",
        "file:         shop/__init__.py",
        "because:      package shop (named in the project metadata) defines the app factory `create_app` "
        "(and no `application` or `app`)",
    ]
    assert (
        f"factory:      create_app() is called once per server process, by {wrapper_dir}/s2i_wsgi_factory.py"
    ) in lines


# ---------------------------------------------------------------------------
# The build's import check calls the factory, as the server will.


@pytest.fixture
def check(make_app, load_config, monkeypatch):
    monkeypatch.setattr(importcheck, "PYTHON", sys.executable)

    def run(files, **environ):
        config = load_config(make_app(files), **environ)
        importcheck.check(config, detect(config), {"PATH": "/usr/bin:/bin"})

    return run


def test_the_import_check_calls_the_factory(check, capsys):
    check(SHOP)
    assert capsys.readouterr().out == "---> Importing shop and calling create_app() to check that it loads\n"


def test_arguments_the_factory_cannot_take_fail_the_build(check):
    """A decorated factory's parameters cannot be read, so the call finds out."""
    files = {"web.py": "import functools\n\n\n@functools.cache\ndef create_app(name):\n    return None\n"}
    with pytest.raises(BuildError) as raised:
        check(files, APP_MODULE="web:create_app(1, 2)")
    assert str(raised.value) == (
        "web:create_app(1, 2) cannot be called: create_app() takes 1 positional argument but 2 were given.\n\n"
        "The server calls the app factory once per process with these arguments, so no process could load the "
        "app.\n\n"
        "Give the arguments it needs in APP_MODULE, as literal values (e.g. APP_MODULE=web:create_app('production')), "
        "or give its parameters defaults; then build again."
    )


def test_a_factory_imported_from_elsewhere_that_needs_arguments_fails_the_build(check):
    files = {"wsgi.py": "from factories import create_app\n", "factories.py": "def create_app(env):\n    pass\n"}
    with pytest.raises(BuildError, match=r"^wsgi:create_app\(\) cannot be called: create_app\(\) missing 1"):
        check(files)


def test_a_factory_that_returns_nothing_fails_the_build(check):
    with pytest.raises(BuildError) as raised:
        check({"app.py": "def create_app():\n    app = object()\n"})
    assert str(raised.value) == (
        "app:create_app() returned a NoneType, not a WSGI callable.\n\n"
        "The server serves what the app factory returns, calling it with (environ, start_response) for every "
        "request.\n\n"
        "Make create_app return the application object (e.g. end it with `return app`)."
    )


def test_calling_something_that_is_no_function_fails_the_build(check):
    with pytest.raises(BuildError) as raised:
        check({"web.py": "app = 'not callable'\n"}, APP_MODULE="web:app()")
    assert str(raised.value).startswith("web.app is a str, not an app factory that can be called.\n\n")


def test_an_error_inside_the_factory_only_warns_as_it_may_need_run_time_settings(check, capsys):
    files = {"app.py": "import os\n\n\ndef create_app():\n    return os.environ['DATABASE_URL']\n"}
    check(files)
    assert capsys.readouterr().err.startswith(
        "WARNING: Importing app or calling create_app() raised KeyError: 'DATABASE_URL' (traceback above)."
    )


def test_a_type_error_raised_inside_the_factory_is_not_taken_for_wrong_arguments(check, capsys):
    check({"app.py": "def create_app():\n    return len(3)\n"})
    assert "raised TypeError: object of type 'int' has no len()" in capsys.readouterr().err


def test_an_import_error_inside_the_factory_fails_the_build(check):
    files = {"app.py": "def create_app():\n    import no_such_blueprints\n"}
    with pytest.raises(BuildError, match=r"^Importing app \(app.py\) failed: ModuleNotFoundError"):
        check(files)
