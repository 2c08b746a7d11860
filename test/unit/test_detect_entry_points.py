"""Entry points named by convention (detect/ rules 8-13): main.py, Flask app factories, the call
syntax of APP_MODULE, and pyproject.toml scripts; which wins when several apply, and the messages
when one cannot be served."""

from __future__ import annotations

import pytest

from s2i_wsgi.detect import detect, factory_in, script_entries
from s2i_wsgi.errors import DetectError

from .conftest import SEARCH_LIST

FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n"
# The layout of Flask's tutorial (flaskr): a package whose __init__.py has only the factory.
FLASKR_INIT = """\
import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    return app
"""
FLASKR = {"pyproject.toml": '[project]\nname = "flaskr"\nversion = "1.0.0"\n', "flaskr/__init__.py": FLASKR_INIT}
FACTORY = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
SERVABLE = "defining `application`, `app`, `create_app()` or `make_app()`"
# The whole search, in the documented order, as the none-found error lists it.
SEARCHED = SEARCH_LIST


@pytest.fixture
def detect_in(make_app, load_config):
    """detect_in({files}, NAME=value...): the entry point detected for that app and environment."""

    def run(files, **environ):
        return detect(load_config(make_app(files), **environ))

    return run


@pytest.fixture
def detect_error(make_app, load_config):
    """detect_error({files}, NAME=value...) -> (app directory, the DetectError's text)."""

    def run(files, **environ):
        app = make_app(files)
        with pytest.raises(DetectError) as raised:
            detect(load_config(app, **environ))
        return app, str(raised.value)

    return run


# ---------------------------------------------------------------------------
# 10. main.py (Google Cloud's buildpacks and Railpack serve main:app).


def test_main_py_defining_app_is_served_as_google_buildpacks_and_railpack_do(detect_in):
    entry = detect_in({"main.py": FLASK_APP, "requirements.txt": "Flask\ngunicorn\n"})
    assert (entry.target, entry.reason, entry.file.name) == ("main:app", "main.py defines `app`", "main.py")
    assert not entry.is_factory


def test_main_py_defining_application_is_served(detect_in):
    assert detect_in({"main.py": "application = object()\n"}).target == "main:application"


def test_app_py_beats_main_py_when_both_define_app(detect_in):
    """The documented order: an app that was served before main.py was a rule is served as it was."""
    entry = detect_in({"main.py": "from app import app\n\napp.run()\n", "app.py": FLASK_APP})
    assert entry.target == "app:app"
    assert entry.reason == "app.py defines `app`"


def test_wsgi_py_beats_main_py(detect_in):
    assert detect_in({"main.py": FLASK_APP, "wsgi.py": "application = object()\n"}).target == "wsgi:application"


def test_main_py_beats_the_project_package_and_a_project_package_wsgi_py(detect_in):
    files = {
        "main.py": FLASK_APP,
        "pyproject.toml": '[project]\nname = "shop"\n',
        "shop/__init__.py": FLASK_APP,
        "mysite/wsgi.py": "application = object()\n",
    }
    entry = detect_in(files)
    assert entry.target == "main:app"
    assert entry.searched == [
        "an executable app.sh",
        "manage.py naming DJANGO_SETTINGS_MODULE (a Django project)",
        f"wsgi.py {SERVABLE}",
        f"app.py {SERVABLE}",
        f"main.py {SERVABLE}",
    ]


def test_a_main_py_without_a_callable_is_not_run_and_the_error_says_how_to_run_it(detect_error):
    app, message = detect_error({"main.py": "print('a batch job')\n"})
    assert message == (
        f"No WSGI application found in {app}. Searched, in order:\n{SEARCHED}"
        "Passed over:\n"
        "  - main.py defines no WSGI callable or app factory (APP_FILE=main.py runs it with python)\n\n"
        "Without an entry point there is nothing to serve.\n\n"
        "Add a wsgi.py that defines `application`, or set APP_MODULE=module:callable "
        "(in .s2i/environment or with -e), e.g. APP_MODULE=myapp.web:app."
    )


def test_a_main_py_without_a_callable_leaves_app_py_to_be_run_with_python(detect_in):
    entry = detect_in({"main.py": "print('helper')\n", "app.py": "print('serving')\n"})
    assert entry.command == ["python", str(entry.file)]
    assert entry.file.name == "app.py"


def test_app_file_main_py_runs_a_main_py_without_a_callable(detect_in):
    entry = detect_in({"main.py": "print('serving')\n"}, APP_FILE="main.py")
    assert entry.command == ["python", str(entry.file)]


# ---------------------------------------------------------------------------
# App factories found by convention: create_app() / make_app(), as `flask run` finds them.


@pytest.mark.parametrize("filename", ["wsgi.py", "app.py", "main.py"])
def test_a_file_with_only_an_app_factory_serves_what_the_factory_returns(detect_in, filename):
    entry = detect_in({filename: FACTORY})
    module = filename.removesuffix(".py")
    assert (entry.module, entry.callable, entry.call) == (module, "create_app", "")
    assert entry.target == f"{module}:create_app()"
    assert entry.is_factory and entry.is_wsgi
    assert entry.reason == f"{filename} defines the app factory `create_app` (and no `application` or `app`)"


def test_the_flask_tutorial_layout_serves_the_package_factory(detect_in):
    entry = detect_in(FLASKR)
    assert entry.target == "flaskr:create_app()"
    assert entry.file.parts[-2:] == ("flaskr", "__init__.py")
    assert entry.reason == (
        "package flaskr (named in the project metadata) defines the app factory `create_app` "
        "(and no `application` or `app`)"
    )


def test_make_app_is_a_factory_too(detect_in):
    assert detect_in({"app.py": "def make_app():\n    return None\n"}).target == "app:make_app()"


def test_create_app_is_preferred_to_make_app_as_flask_looks_for_them(detect_in):
    source = "def make_app():\n    pass\n\n\ndef create_app():\n    pass\n"
    assert detect_in({"wsgi.py": source}).target == "wsgi:create_app()"


def test_a_wsgi_callable_beats_a_factory_in_the_same_file(detect_in):
    source = FACTORY + "\napp = create_app()\n"
    entry = detect_in({"wsgi.py": source})
    assert (entry.target, entry.is_factory) == ("wsgi:app", False)


def test_a_factory_in_wsgi_py_beats_app_in_app_py_as_flask_run_does(detect_in):
    """`flask run` looks into wsgi.py, then app.py, and in each for an app and then a factory."""
    assert detect_in({"wsgi.py": FACTORY, "app.py": FLASK_APP}).target == "wsgi:create_app()"


def test_a_project_package_wsgi_py_with_a_factory_is_found(detect_in):
    entry = detect_in({"site/__init__.py": "", "site/wsgi.py": FACTORY})
    assert entry.target == "site.wsgi:create_app()"
    assert entry.reason == "site/wsgi.py defines the app factory `create_app` (and no `application` or `app`)"


def test_a_factory_and_an_app_in_two_project_packages_are_ambiguous(detect_error):
    _, message = detect_error({"alpha/wsgi.py": FACTORY, "beta/wsgi.py": "app = object()\n"})
    assert message.startswith("Found 2 WSGI entry points and no setting to choose between them:\n")
    assert "  - alpha/wsgi.py\n  - beta/wsgi.py" in message


@pytest.mark.parametrize(
    "source",
    [
        "from .factory import create_app\n",
        "from factories import build as create_app\n",
        "import functools\n\n\n@functools.cache\ndef create_app(config):\n    pass\n",
        "create_app = lambda: None\n",
    ],
    ids=["imported", "imported-as", "decorated", "assigned"],
)
def test_a_factory_whose_parameters_cannot_be_read_is_called_without_arguments(make_app, source):
    """Its parameters are unknown without running code: the build's import check calls it."""
    app = make_app({"wsgi.py": source})
    factory = factory_in(app / "wsgi.py")
    assert factory is not None and factory.node is None
    assert factory.shown == "create_app(...)"


def test_a_factory_imported_from_a_submodule_is_served(detect_in):
    entry = detect_in(
        {"pyproject.toml": '[project]\nname = "shop"\n', "shop/__init__.py": "from .web import create_app\n"}
    )
    assert entry.target == "shop:create_app()"


@pytest.mark.parametrize(
    "source",
    [
        "async def create_app():\n    pass\n",
        "class create_app:\n    pass\n",
        "def main():\n    def create_app():\n        pass\n",
    ],
    ids=["coroutine-function", "class", "nested-def"],
)
def test_what_flask_would_not_call_is_no_factory(make_app, load_config, source):
    app = make_app({"wsgi.py": source})
    assert factory_in(app / "wsgi.py") is None
    with pytest.raises(DetectError, match="No WSGI application found"):
        detect(load_config(app))


@pytest.mark.parametrize(
    "signature",
    ["test_config=None", "*args, **kwargs", "*, debug=False", "config=None, /"],
)
def test_a_factory_whose_parameters_all_have_defaults_is_called_without_arguments(detect_in, signature):
    assert detect_in({"app.py": f"def create_app({signature}):\n    pass\n"}).target == "app:create_app()"


def test_a_factory_that_needs_arguments_is_an_error_naming_app_module(detect_error):
    _, message = detect_error({"wsgi.py": "def create_app(config_name, debug=False):\n    pass\n"})
    assert message == (
        "wsgi.py defines no `application` or `app`, and its app factory `create_app(config_name, debug=False)` "
        "cannot be called without arguments (missing a required argument: 'config_name').\n\n"
        "An app factory found by convention is called with no arguments, as `flask run` calls it, so the server "
        "could not load the app.\n\n"
        "Set APP_MODULE=wsgi:create_app(...) with its arguments as literal values, e.g. "
        "APP_MODULE=wsgi:create_app('production') (in .s2i/environment or with -e), or give its parameters "
        "defaults."
    )


def test_a_package_factory_with_a_required_keyword_only_argument_is_an_error(detect_error):
    files = {"pyproject.toml": '[project]\nname = "shop"\n', "shop/__init__.py": "def make_app(*, env):\n    pass\n"}
    _, message = detect_error(files)
    assert message.startswith(
        "package shop (named in the project metadata) defines no `application` or `app`, and its app factory "
        "`make_app(*, env)` cannot be called without arguments (missing a required argument: 'env').\n\n"
    )
    assert "Set APP_MODULE=shop:make_app(...) with its arguments as literal values" in message


def test_app_module_with_arguments_serves_a_factory_that_needs_them(detect_in):
    entry = detect_in({"wsgi.py": "def create_app(config_name):\n    pass\n"}, APP_MODULE="wsgi:create_app('prod')")
    assert entry.target == "wsgi:create_app('prod')"


# ---------------------------------------------------------------------------
# 1. APP_MODULE=module:factory(args): the call syntax gunicorn and Flask accept.


def test_app_module_can_call_a_factory(detect_in):
    entry = detect_in(FLASKR, APP_MODULE="flaskr:create_app()")
    assert (entry.module, entry.callable, entry.call) == ("flaskr", "create_app", "")
    assert entry.target == "flaskr:create_app()"
    assert entry.reason == "APP_MODULE=flaskr:create_app() (from environment)"
    assert entry.searched == []


def test_app_module_passes_literal_arguments_written_back_as_python(detect_in):
    entry = detect_in(FLASKR, APP_MODULE='flaskr:create_app( {"TESTING": True} )')
    assert entry.call == "{'TESTING': True}"
    assert entry.target == "flaskr:create_app({'TESTING': True})"


def test_app_module_keyword_arguments_are_kept(detect_in):
    source = "def create_app(name, *, debug=False):\n    pass\n"
    entry = detect_in({"web.py": source}, APP_MODULE="web:create_app('shop', debug=True)")
    assert entry.call == "'shop', debug=True"


def test_app_module_arguments_that_the_factory_cannot_take_are_an_error(detect_error):
    _, message = detect_error(FLASKR, APP_MODULE="flaskr:create_app('a', 'b')")
    assert message == (
        "APP_MODULE=flaskr:create_app('a', 'b') (from environment) calls `create_app(test_config=None)` in "
        "flaskr/__init__.py, which cannot take those arguments (too many positional arguments).\n\n"
        "The server calls the app factory once per process with exactly these arguments, so it could not load "
        "the app.\n\n"
        "Change the arguments in APP_MODULE to fit the parameters of create_app (literal values, e.g. "
        "APP_MODULE=flaskr:create_app('production'))."
    )


def test_app_module_naming_a_factory_without_calling_it_says_to_call_it(detect_error):
    _, message = detect_error(FLASKR, APP_MODULE="flaskr:create_app")
    assert message == (
        "APP_MODULE=flaskr:create_app (from environment) names `create_app(test_config=None)` in "
        "flaskr/__init__.py, which cannot be called as a WSGI application (with environ and start_response).\n\n"
        "The server calls the WSGI callable with those two arguments for every request, so every request would "
        "fail.\n\n"
        "If create_app is an app factory, call it: APP_MODULE=flaskr:create_app(). Otherwise name the WSGI "
        "callable, e.g. APP_MODULE=flaskr:app."
    )


def test_app_module_naming_a_wsgi_function_is_served_as_it_is(detect_in):
    source = "def application(environ, start_response, *extra):\n    return []\n"
    entry = detect_in({"web.py": source}, APP_MODULE="web")
    assert (entry.target, entry.is_factory) == ("web:application", False)


def test_app_module_defaulting_to_application_in_a_factory_module_suggests_the_call(detect_error):
    _, message = detect_error(FLASKR, APP_MODULE="flaskr")
    assert message.startswith(
        "APP_MODULE=flaskr (from environment) names `application`, but flaskr/__init__.py defines no top-level "
        "`application`. It defines the app factory `create_app`: use APP_MODULE=flaskr:create_app().\n\n"
    )


def test_app_module_calling_a_factory_of_an_installed_package_is_left_to_the_build(detect_in):
    entry = detect_in({"requirements.txt": "shop\n"}, APP_MODULE="shop.web:make_app(3)")
    assert (entry.target, entry.file) == ("shop.web:make_app(3)", None)


def test_app_file_with_only_a_factory_serves_it(detect_in):
    entry = detect_in({"main.py": FACTORY}, APP_FILE="main.py")
    assert entry.target == "main:create_app()"
    assert entry.reason == "APP_FILE=main.py defines the app factory `create_app` (and no `application` or `app`)"


def test_app_file_that_is_no_module_name_names_the_factory_in_the_fix(detect_error):
    _, message = detect_error({"my-app.py": FACTORY}, APP_FILE="my-app.py")
    assert message == (
        "APP_FILE=my-app.py defines the app factory `create_app`, but my-app.py cannot be imported as a Python "
        "module (my-app).\n\n"
        "The WSGI server imports the file as a module, and module names cannot contain - or spaces.\n\n"
        "Rename the file (e.g. my_app.py), or set APP_MODULE=module:create_app()."
    )


# ---------------------------------------------------------------------------
# 12. pyproject.toml scripts: the callable a console script serves is served in production.

SHOP_CLI = """\
from flask import Flask

app = Flask(__name__)


def main():
    app.run(port=8000)
"""


@pytest.mark.parametrize(
    "pyproject",
    [
        '[project]\nname = "shop-site"\n\n[project.scripts]\nshop = "shop.cli:main"\n',
        '[tool.poetry]\nname = "shop-site"\n\n[tool.poetry.scripts]\nshop = "shop.cli:main"\n',
        '[tool.poetry]\nname = "shop-site"\n\n[tool.poetry.scripts]\nshop = { callable = "shop.cli:main" }\n',
        '[project]\nname = "shop-site"\n\n[project.scripts]\nshop = "shop.cli:main [web]"\n',
    ],
    ids=["pep621", "poetry", "poetry-table", "with-extras"],
)
def test_a_script_whose_module_defines_app_serves_that_app(detect_in, pyproject):
    entry = detect_in({"pyproject.toml": pyproject, "shop/__init__.py": "", "shop/cli.py": SHOP_CLI})
    assert entry.target == "shop.cli:app"
    assert entry.file.parts[-2:] == ("shop", "cli.py")
    table = "[project.scripts]" if "[project.scripts]" in pyproject else "[tool.poetry.scripts]"
    value = "shop.cli:main [web]" if "[web]" in pyproject else "shop.cli:main"
    assert entry.reason == f'{table} shop = "{value}": shop/cli.py defines `app`'


def test_a_script_in_a_src_layout_with_a_factory_serves_the_factory(detect_in):
    files = {
        "pyproject.toml": '[project]\nname = "portal"\n\n[project.scripts]\nportal-serve = "portal.server:run"\n',
        "src/portal/__init__.py": "",
        "src/portal/server.py": FACTORY + "\n\ndef run():\n    create_app().run()\n",
    }
    entry = detect_in(files)
    assert entry.target == "portal.server:create_app()"
    assert entry.reason == (
        '[project.scripts] portal-serve = "portal.server:run": src/portal/server.py defines the app factory '
        "`create_app` (and no `application` or `app`)"
    )


def test_the_project_package_beats_a_script(detect_in):
    files = {
        "pyproject.toml": '[project]\nname = "shop"\n\n[project.scripts]\nshop = "shop.cli:main"\n',
        "shop/__init__.py": "application = object()\n",
        "shop/cli.py": SHOP_CLI,
    }
    assert detect_in(files).target == "shop:application"


def test_a_script_beats_a_project_package_wsgi_py(detect_in):
    files = {
        "pyproject.toml": '[project]\nname = "x"\n\n[project.scripts]\nshop = "shop.cli:main"\n',
        "shop/__init__.py": "",
        "shop/cli.py": SHOP_CLI,
        "mysite/wsgi.py": "application = object()\n",
    }
    assert detect_in(files).target == "shop.cli:app"


def test_scripts_that_name_the_same_module_are_one_entry_point(detect_in):
    pyproject = '[project]\nname = "x"\n\n[project.scripts]\nshop = "shop.cli:main"\nshop-dev = "shop.cli:dev"\n'
    assert detect_in({"pyproject.toml": pyproject, "shop/cli.py": SHOP_CLI}).target == "shop.cli:app"


def test_scripts_naming_two_modules_that_each_serve_are_ambiguous(detect_error):
    files = {
        "pyproject.toml": '[project]\nname = "x"\n\n[project.scripts]\nshop = "shop.cli:main"\nadmin = "admin:main"\n',
        "shop/cli.py": SHOP_CLI,
        "admin.py": FACTORY,
    }
    _, message = detect_error(files)
    assert message == (
        "pyproject.toml's scripts name 2 modules that each define a WSGI entry point, and no setting chooses "
        "between them:\n"
        '  - [project.scripts] shop = "shop.cli:main" (shop.cli:app)\n'
        '  - [project.scripts] admin = "admin:main" (admin:create_app())\n\n'
        "Serving one of them at random would be a guess.\n\n"
        "Set APP_MODULE (in .s2i/environment or with -e), e.g. APP_MODULE=shop.cli:app."
    )


def test_a_script_that_serves_nothing_found_is_named_with_app_module_in_the_error(detect_error):
    files = {
        "pyproject.toml": (
            '[project]\nname = "tool"\n\n[project.scripts]\nserve = "tool.cli:main"\nmigrate = "migrations:run"\n'
        ),
        "tool/__init__.py": "",
        "tool/cli.py": "from tool.web import start\n\n\ndef main():\n    start()\n",
    }
    app, message = detect_error(files)
    assert message == (
        f"No WSGI application found in {app}. Searched, in order:\n{SEARCHED}"
        "Passed over:\n"
        '  - [project.scripts] serve = "tool.cli:main": tool/cli.py defines none of `application`, `app`, '
        "`create_app` or `make_app`\n"
        '  - [project.scripts] migrate = "migrations:run": module migrations is not in the source\n\n'
        "Without an entry point there is nothing to serve.\n\n"
        "Add a wsgi.py that defines `application`, or set APP_MODULE=module:callable (in .s2i/environment or "
        "with -e), e.g. APP_MODULE=myapp.web:app. A console script is not run, as it would start a server of its "
        "own choosing: set APP_MODULE to the WSGI callable it serves, or run it with a Procfile line "
        "(web: SCRIPT-NAME)."
    )


def test_script_entries_that_name_no_module_are_passed_over(make_app):
    pyproject = """\
[project]
name = "x"

[project.scripts]
good = "pkg.cli:main"
number = 3
blank = ""
dashed = "my-pkg:main"

[tool.poetry.scripts]
binary = { reference = "bin/tool", type = "file" }
"""
    scripts = script_entries(make_app({"pyproject.toml": pyproject}))
    assert [(script.name, script.module) for script in scripts] == [("good", "pkg.cli")]


def test_a_broken_pyproject_names_no_scripts(make_app):
    assert script_entries(make_app({"pyproject.toml": "[project.scripts\n"})) == []
