"""The build-time import check, run with this machine's Python in place of the app's virtualenv."""

from __future__ import annotations

import sys

import pytest

from s2i_wsgi import importcheck
from s2i_wsgi.detect import detect
from s2i_wsgi.errors import BuildError


@pytest.fixture(autouse=True)
def host_python(monkeypatch):
    monkeypatch.setattr(importcheck, "PYTHON", sys.executable)


def check(make_app, load_config, files, **environ):
    config = load_config(make_app(files), **environ)
    return importcheck.check(config, detect(config), {"PATH": "/usr/bin:/bin"})


def test_an_app_that_imports_passes_silently(make_app, load_config, capsys):
    check(make_app, load_config, {"wsgi.py": "def application(environ, start_response):\n    return []\n"})
    assert capsys.readouterr().out == "---> Importing wsgi to check that `application` loads\n"


def test_a_missing_package_fails_the_build_with_the_traceback(make_app, load_config, capsys):
    with pytest.raises(BuildError) as raised:
        check(make_app, load_config, {"wsgi.py": "import no_such_package_here\napplication = None\n"})
    message = str(raised.value)
    assert message.startswith(
        "Importing wsgi (wsgi.py) failed: ModuleNotFoundError: No module named 'no_such_package_here'"
    )
    assert "Add the missing package to the app's dependencies" in message
    out = capsys.readouterr().out
    assert "    Traceback (most recent call last):" in out
    assert "    ModuleNotFoundError: No module named 'no_such_package_here'" in out


def test_a_syntax_error_in_an_imported_module_fails_the_build(make_app, load_config):
    files = {"wsgi.py": "from helpers import x\napplication = None\n", "helpers.py": "x = (\n"}
    with pytest.raises(BuildError, match=r"^Importing wsgi \(wsgi.py\) failed: SyntaxError"):
        check(make_app, load_config, files)


def test_other_exceptions_only_warn_because_they_may_need_run_time_settings(make_app, load_config, capsys):
    files = {"wsgi.py": "import os\nDB = os.environ['DATABASE_URL']\napplication = None\n"}
    check(make_app, load_config, files)
    err = capsys.readouterr().err
    assert err.startswith("WARNING: Importing wsgi raised KeyError: 'DATABASE_URL' (traceback above).")


def test_a_callable_that_is_not_callable_fails_the_build(make_app, load_config):
    with pytest.raises(BuildError, match=r"^wsgi.application is a str, not a WSGI callable."):
        check(make_app, load_config, {"wsgi.py": "application = 'hello'\n"})


def test_a_callable_that_only_a_star_import_could_provide_and_does_not_is_reported(make_app, load_config):
    files = {"wsgi.py": "from helpers import *\n", "helpers.py": "other = 1\n"}
    with pytest.raises(BuildError, match="has no attribute `application` once imported"):
        check(make_app, load_config, files, APP_MODULE="wsgi:application")


def test_disable_import_check_skips_it(make_app, load_config, capsys):
    check(make_app, load_config, {"wsgi.py": "import no_such_package_here\napplication = 1\n"},
          DISABLE_IMPORT_CHECK="true")  # fmt: skip
    assert capsys.readouterr().out == "---> Skipping the import check (DISABLE_IMPORT_CHECK)\n"


def test_command_entry_points_are_not_imported(make_app, load_config, capsys):
    check(make_app, load_config, {"Procfile": "web: ./serve\n"})
    assert capsys.readouterr().out == ""


def test_the_source_and_its_src_directory_are_importable(make_app, load_config):
    files = {"src/web/__init__.py": "", "src/web/app.py": "def app(environ, start_response):\n    return []\n"}
    check(make_app, load_config, files, APP_MODULE="web.app:app")


ASGI_APP = """
class Starlette:
    async def __call__(self, scope, receive, send):
        pass


app = Starlette()
"""


def test_an_asgi_app_is_told_from_a_wsgi_one_by_the_object_the_server_would_serve(make_app, load_config):
    assert check(make_app, load_config, {"main.py": ASGI_APP}) == ("asgi", "Starlette")
    wsgi = {"wsgi.py": "def application(environ, start_response):\n    return []\n"}
    assert check(make_app, load_config, wsgi) == ("wsgi", "function")


def test_an_async_function_is_an_asgi_app_too(make_app, load_config):
    files = {"wsgi.py": "async def application(scope, receive, send):\n    pass\n"}
    assert check(make_app, load_config, files) == ("asgi", "an `async def` function")


def test_an_asgi_app_that_app_interface_says_is_wsgi_fails_the_build_with_why(make_app, load_config):
    with pytest.raises(BuildError) as raised:
        check(make_app, load_config, {"main.py": ASGI_APP}, APP_INTERFACE="wsgi")
    assert str(raised.value) == (
        "main:app is an ASGI application (Starlette), not a WSGI one.\n\n"
        "APP_INTERFACE=wsgi (from environment) has it served by a WSGI server, which would call it with "
        "(environ, start_response), and every request would fail.\n\n"
        "Unset APP_INTERFACE (an ASGI app is then served by an ASGI server), or point APP_MODULE at a WSGI "
        "application."
    )


def test_what_importing_the_app_writes_into_the_source_is_removed(make_app, load_config, capsys):
    """FastHTML's fast_app() writes its session signing key next to the app: it must not reach the image."""
    app = {
        "wsgi.py": (
            "import pathlib\n"
            "pathlib.Path('.sesskey').write_text('signing key')\n"
            "pathlib.Path('cache/sub').mkdir(parents=True)\n"
            "pathlib.Path('cache/sub/x').write_text('x')\n"
            "import helper\n"
            "def application(environ, start_response):\n    return []\n"
        ),
        "helper.py": "",
        "kept.txt": "the app's own\n",
    }
    config = load_config(make_app(app))
    importcheck.check(config, detect(config), {"PATH": "/usr/bin:/bin"})
    left = sorted(str(path.relative_to(config.source_dir)) for path in config.source_dir.rglob("*"))
    assert [path for path in left if "__pycache__" not in path] == ["helper.py", "kept.txt", "wsgi.py"]
    assert capsys.readouterr().out.splitlines()[-1] == (
        "---> Removed what importing the app wrote into the source, so that the image does not carry it: "
        ".sesskey, cache"
    )
