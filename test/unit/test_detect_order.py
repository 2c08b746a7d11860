"""Entry-point detection: the documented order, the callable names, and the errors that list candidates."""

from __future__ import annotations

from pathlib import Path

import pytest

from s2i_wsgi.detect import detect
from s2i_wsgi.errors import DetectError

from .conftest import DETECTION_SEARCH, SEARCH_LIST

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"
DJANGO_WSGI = "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"


@pytest.fixture
def detect_in(make_app, load_config):
    """detect_in({files}, NAME=value...): the entry point detected for that app and environment."""

    def run(files, **environ):
        return detect(load_config(make_app(files), **environ))

    return run


# ---------------------------------------------------------------------------
# The search order.


def test_wsgi_py_is_preferred_to_app_py(detect_in):
    entry = detect_in({"wsgi.py": "application = object()\n", "app.py": FLASK_APP})
    assert entry.target == "wsgi:application"
    assert entry.file.name == "wsgi.py"
    assert entry.reason == "wsgi.py defines `application`"


def test_app_py_is_used_when_there_is_no_wsgi_py(detect_in):
    entry = detect_in({"app.py": FLASK_APP, "requirements.txt": "flask\n"})
    assert entry.target == "app:app"
    assert entry.reason == "app.py defines `app`"


def test_a_wsgi_py_without_a_callable_falls_through_to_app_py(detect_in):
    entry = detect_in({"wsgi.py": "import os\n", "app.py": FLASK_APP})
    assert entry.target == "app:app"


def test_app_py_is_preferred_to_a_project_package_wsgi_py(detect_in):
    entry = detect_in({"app.py": FLASK_APP, "mysite/wsgi.py": DJANGO_WSGI})
    assert entry.target == "app:app"


def test_a_single_project_package_wsgi_py_is_found(detect_in):
    entry = detect_in({"manage.py": "", "mysite/__init__.py": "", "mysite/wsgi.py": DJANGO_WSGI})
    assert entry.target == "mysite.wsgi:application"
    assert entry.reason == "mysite/wsgi.py defines `application`"
    assert entry.file.parts[-2:] == ("mysite", "wsgi.py")


def test_the_search_records_every_place_it_looked(detect_in):
    entry = detect_in({"mysite/wsgi.py": DJANGO_WSGI})
    assert entry.searched == list(DETECTION_SEARCH[:-1])


def test_wsgi_py_in_hidden_directories_is_ignored(detect_in):
    entry = detect_in({".venv/wsgi.py": "application = 1\n", "mysite/wsgi.py": DJANGO_WSGI})
    assert entry.target == "mysite.wsgi:application"


def test_project_packages_whose_wsgi_py_defines_no_callable_are_not_candidates(detect_in):
    entry = detect_in({"docs/wsgi.py": "# how to deploy\n", "mysite/wsgi.py": DJANGO_WSGI})
    assert entry.target == "mysite.wsgi:application"


def test_wsgi_py_two_levels_down_is_not_searched(make_app, load_config):
    app = make_app({"src/mysite/wsgi.py": DJANGO_WSGI})
    with pytest.raises(DetectError, match="No WSGI application found"):
        detect(load_config(app))


# ---------------------------------------------------------------------------
# Errors: nothing found, and more than one candidate.


def test_two_project_packages_are_ambiguous_and_both_are_listed(make_app, load_config):
    app = make_app({"alpha/wsgi.py": DJANGO_WSGI, "beta/wsgi.py": "app = object()\n"})
    with pytest.raises(DetectError) as raised:
        detect(load_config(app))
    message = str(raised.value)
    assert message.startswith("Found 2 WSGI entry points and no setting to choose between them:\n")
    assert "  - alpha/wsgi.py\n  - beta/wsgi.py" in message
    assert "Set APP_MODULE (in .s2i/environment or with -e), e.g. APP_MODULE=alpha.wsgi:application." in message


def test_app_module_resolves_an_ambiguity(make_app, load_config):
    app = make_app({"alpha/wsgi.py": DJANGO_WSGI, "beta/wsgi.py": "app = object()\n"})
    assert detect(load_config(app, APP_MODULE="beta.wsgi:app")).target == "beta.wsgi:app"


def test_no_entry_point_lists_what_was_searched_and_names_app_module(make_app, load_config):
    app = make_app({"hello.py": "print('hello')\n", "requirements.txt": ""})
    with pytest.raises(DetectError) as raised:
        detect(load_config(app))
    message = str(raised.value)
    assert message.startswith(f"No WSGI application found in {app}. Searched, in order:\n")
    assert SEARCH_LIST.rstrip("\n") in message
    assert "Without an entry point there is nothing to serve." in message
    assert "Add a wsgi.py that defines `application`, or set APP_MODULE=module:callable" in message


def test_an_app_py_without_a_callable_is_run_with_python_as_sclorg_does(make_app, load_config):
    app = make_app({"app.py": "import socketserver\n\nserver = socketserver.TCPServer(('', 8080), None)\n"})
    entry = detect(load_config(app))
    assert entry.command == ["python", str(app / "app.py")]
    assert entry.reason == "app.py defines no WSGI callable: run with python"


def test_no_entry_point_under_app_home_names_app_home(make_app, load_config):
    app = make_app({"web/README": "", "wsgi.py": "application = 1\n"})
    with pytest.raises(DetectError) as raised:
        detect(load_config(app, APP_HOME="web"))
    assert f"No WSGI application found in {app / 'web'} (APP_HOME=web)." in str(raised.value)


def test_the_shipped_no_entry_point_test_app_is_reported_as_such(load_config):
    app = Path(__file__).resolve().parents[1] / "apps" / "no_entry_point"
    if not app.is_dir():
        pytest.fail(f"test app {app} is missing")
    with pytest.raises(DetectError, match="No WSGI application found"):
        detect(load_config(app))


# ---------------------------------------------------------------------------
# Which callable in a file.


def test_application_is_preferred_to_app_in_the_same_file(detect_in):
    entry = detect_in({"wsgi.py": "app = object()\napplication = app\n"})
    assert entry.callable == "application"


def test_a_file_defining_only_app_serves_app(detect_in):
    assert detect_in({"wsgi.py": "def app(environ, start_response):\n    return []\n"}).callable == "app"


def test_a_callable_bound_in_a_try_block_is_detected(detect_in):
    entry = detect_in(
        {
            "wsgi.py": """
                try:
                    from whitenoise import WhiteNoise
                except ImportError:
                    from mysite.wsgi import application
                else:
                    application = WhiteNoise(None)
            """
        }
    )
    assert entry.target == "wsgi:application"


def test_a_callable_imported_from_elsewhere_is_detected(detect_in):
    assert detect_in({"app.py": "from myproject.web import app\n"}).target == "app:app"


# ---------------------------------------------------------------------------
# Files that cannot be read.


def test_a_syntax_error_in_wsgi_py_is_a_clear_detect_error(make_app, load_config):
    app = make_app({"wsgi.py": "application = (\n", "app.py": FLASK_APP})
    with pytest.raises(DetectError) as raised:
        detect(load_config(app))
    message = str(raised.value)
    assert message.startswith("wsgi.py has a syntax error at line 1:")
    assert "The entry point cannot be loaded by any server while it does not parse." in message
    assert f"Fix {app / 'wsgi.py'} (python -m py_compile wsgi.py shows the same error)." in message


def test_a_syntax_error_reports_the_line_it_is_on(make_app, load_config):
    app = make_app({"app.py": "import os\n\ndef broken(:\n    pass\n"})
    with pytest.raises(DetectError, match=r"^app\.py has a syntax error at line 3: "):
        detect(load_config(app))


def test_a_file_that_is_not_utf8_is_a_detect_error(make_app, load_config):
    app = make_app()
    (app / "wsgi.py").write_bytes(b"application = '\xff\xfe'\n")
    with pytest.raises(DetectError) as raised:
        detect(load_config(app))
    assert f"{app / 'wsgi.py'} is not UTF-8 text." in str(raised.value)
    assert "Save it as UTF-8." in str(raised.value)


# ---------------------------------------------------------------------------
# APP_MODULE: explicit, checked when the file is in the source.


def test_app_module_overrides_detection(detect_in):
    entry = detect_in({"wsgi.py": "application = 1\n", "web.py": "app = 1\n"}, APP_MODULE="web:app")
    assert entry.target == "web:app"
    assert entry.file.name == "web.py"
    assert entry.reason == "APP_MODULE=web:app (from environment)"


def test_app_module_without_callable_means_application(detect_in):
    entry = detect_in({"mysite/wsgi.py": DJANGO_WSGI}, APP_MODULE="mysite.wsgi")
    assert entry.target == "mysite.wsgi:application"


def test_app_module_reason_names_the_file_it_came_from(detect_in):
    entry = detect_in({"web.py": "app = 1\n", ".s2i/environment": "APP_MODULE=web:app\n"})
    assert entry.reason == "APP_MODULE=web:app (from .s2i/environment)"


def test_app_module_may_name_a_package(detect_in):
    entry = detect_in({"web/__init__.py": "app = 1\n"}, APP_MODULE="web:app")
    assert entry.file.parts[-2:] == ("web", "__init__.py")


def test_app_module_is_also_looked_up_under_src(detect_in):
    entry = detect_in({"src/myapp/__init__.py": "", "src/myapp/web.py": "app = 1\n"}, APP_MODULE="myapp.web:app")
    assert entry.file.parts[-3:] == ("src", "myapp", "web.py")


def test_app_module_with_a_missing_callable_suggests_the_one_that_exists(make_app, load_config):
    app = make_app({"web.py": FLASK_APP})
    with pytest.raises(DetectError) as raised:
        detect(load_config(app, APP_MODULE="web:application"))
    message = str(raised.value)
    assert message.startswith(
        "APP_MODULE=web:application (from environment) names `application`, "
        "but web.py defines no top-level `application`."
    )
    assert "It does define `app`: use APP_MODULE=web:app." in message
    assert "Set APP_MODULE to MODULE:CALLABLE naming the WSGI callable in web.py." in message


def test_app_module_with_a_missing_callable_and_nothing_to_suggest(make_app, load_config):
    app = make_app({"web.py": "x = 1\n"})
    with pytest.raises(DetectError) as raised:
        detect(load_config(app, APP_MODULE="web:app"))
    assert "web.py defines no top-level `app`." in str(raised.value)
    assert "It does define" not in str(raised.value)


def test_app_module_for_a_module_not_in_the_source_has_no_file(detect_in):
    entry = detect_in({"requirements.txt": "some-package\n"}, APP_MODULE="installed_pkg.wsgi:app")
    assert entry.target == "installed_pkg.wsgi:app"
    assert entry.file is None


def test_app_module_with_a_star_import_is_trusted(detect_in):
    entry = detect_in({"web.py": "from elsewhere import *\n"}, APP_MODULE="web:app")
    assert entry.target == "web:app"


# ---------------------------------------------------------------------------
# APP_HOME.


def test_detection_happens_inside_app_home(detect_in):
    entry = detect_in({"wsgi.py": "application = 1\n", "web/app.py": FLASK_APP}, APP_HOME="web")
    assert entry.target == "app:app"
    assert entry.file.parts[-2:] == ("web", "app.py")


def test_app_home_that_does_not_exist_is_a_detect_error(make_app, load_config):
    app = make_app({"wsgi.py": "application = 1\n"})
    with pytest.raises(DetectError) as raised:
        detect(load_config(app, APP_HOME="missing"))
    message = str(raised.value)
    assert f"APP_HOME=missing but {app / 'missing'} is not a directory in the source." in message
    assert "unset it to use the top of the source" in message
