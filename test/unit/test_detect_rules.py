"""Detection rules 1-12 (detect.py's docstring): explicit settings, start scripts, Procfile,
warpdrive's deploy modes, Django projects and project packages, and which rule beats which."""

from __future__ import annotations

import pytest

from s2i_wsgi.detect import detect, procfile_web, project_package
from s2i_wsgi.errors import ConfigError, DetectError

from .conftest import DETECTION_SEARCH, SEARCH_LIST

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"
WSGI_PY = "application = object()\n"
APP_SH = '#!/bin/sh\nexec python -m http.server "$PORT"\n'
DJANGO_WSGI = "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
MANAGE_PY = """\
#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""
# A minimal Django project as `django-admin startproject mysite .` lays it out.
DJANGO = {
    "manage.py": MANAGE_PY,
    "mysite/__init__.py": "",
    "mysite/settings.py": 'SECRET_KEY = "x"\nWSGI_APPLICATION = "mysite.wsgi.application"\n',
    "mysite/wsgi.py": DJANGO_WSGI,
}


@pytest.fixture
def app_with(make_app):
    """app_with({files}, executable=[names]): an app directory, those files chmod +x."""

    def make(files, executable=()):
        app = make_app(files)
        for name in executable:
            (app / name).chmod(0o755)
        return app

    return make


@pytest.fixture
def detect_in(app_with, load_config):
    """detect_in({files}, executable=[names], NAME=value...): the entry point for that app and environment."""

    def run(files, executable=(), **environ):
        return detect(load_config(app_with(files, executable), **environ))

    return run


def detect_error(app, load_config, **environ) -> str:
    with pytest.raises(DetectError) as raised:
        detect(load_config(app, **environ))
    return str(raised.value)


# ---------------------------------------------------------------------------
# 1. APP_MODULE and warpdrive's WARPDRIVE_WSGI_MODULE_NAME / WARPDRIVE_WSGI_CALLABLE_OBJECT.


def test_warpdrive_module_name_serves_that_module_with_application_by_default(detect_in):
    entry = detect_in({"web.py": WSGI_PY}, WARPDRIVE_WSGI_MODULE_NAME="web")
    assert entry.target == "web:application"
    assert entry.file.name == "web.py"
    assert entry.reason == "WARPDRIVE_WSGI_MODULE_NAME=web (from environment)"
    assert entry.is_wsgi


def test_warpdrive_callable_object_names_the_callable(detect_in):
    entry = detect_in({"web.py": FLASK_APP}, WARPDRIVE_WSGI_MODULE_NAME="web", WARPDRIVE_WSGI_CALLABLE_OBJECT="app")
    assert entry.target == "web:app"


def test_warpdrive_module_name_is_read_from_warpdrive_environment(detect_in):
    entry = detect_in({"web.py": WSGI_PY, ".warpdrive/environment": "WARPDRIVE_WSGI_MODULE_NAME=web\n"})
    assert entry.reason == "WARPDRIVE_WSGI_MODULE_NAME=web (from .warpdrive/environment)"
    assert entry.target == "web:application"


def test_warpdrive_module_name_naming_a_missing_callable_is_an_error(app_with, load_config):
    app = app_with({"web.py": FLASK_APP})
    message = detect_error(app, load_config, WARPDRIVE_WSGI_MODULE_NAME="web")
    assert message.startswith(
        "WARPDRIVE_WSGI_MODULE_NAME=web (from environment) names `application`, "
        "but web.py defines no top-level `application`. It does define `app`: use APP_MODULE=web:app."
    )


def test_app_module_beats_warpdrive_module_name(detect_in):
    entry = detect_in(
        {"web.py": FLASK_APP, "other.py": WSGI_PY}, APP_MODULE="web:app", WARPDRIVE_WSGI_MODULE_NAME="other"
    )
    assert entry.target == "web:app"


def test_app_module_beats_every_other_rule(detect_in):
    files = {
        "web.py": FLASK_APP,
        "start.sh": APP_SH,
        "Procfile": "web: gunicorn wsgi\n",
        "app.sh": APP_SH,
        "wsgi.py": WSGI_PY,
        **DJANGO,
    }
    entry = detect_in(
        files,
        executable=["start.sh", "app.sh"],
        APP_MODULE="web:app",
        APP_SCRIPT="start.sh",
        APP_FILE="wsgi.py",
        WARPDRIVE_DEPLOY_MODE="shell",
    )
    assert entry.target == "web:app"
    assert entry.searched == []


# ---------------------------------------------------------------------------
# 2. APP_SCRIPT.


def test_app_script_is_run_as_the_command(detect_in):
    entry = detect_in({"bin/start.sh": APP_SH}, executable=["bin/start.sh"], APP_SCRIPT="bin/start.sh")
    assert entry.command == [str(entry.file)]
    assert entry.file.parts[-2:] == ("bin", "start.sh")
    assert entry.reason == "APP_SCRIPT=bin/start.sh"
    assert not entry.is_wsgi
    assert entry.target == str(entry.file)


def test_app_script_that_does_not_exist_is_an_error_naming_the_path(app_with, load_config):
    app = app_with({"wsgi.py": WSGI_PY})
    message = detect_error(app, load_config, APP_SCRIPT="start.sh")
    assert message.startswith(f"APP_SCRIPT=start.sh, but there is no file start.sh in {app}.")
    assert "Fix the path (it is relative to the app directory) or unset the variable." in message


def test_app_script_that_is_not_executable_says_to_chmod_it(app_with, load_config):
    app = app_with({"start.sh": APP_SH})
    message = detect_error(app, load_config, APP_SCRIPT="start.sh")
    assert message.startswith("start.sh is not executable (APP_SCRIPT=start.sh).")
    assert "A start script is run directly, so it needs its executable bit and a #! line." in message
    assert "Run `chmod +x start.sh` (or `git update-index --chmod=+x start.sh`) and commit it." in message


def test_app_script_beats_app_file(detect_in):
    entry = detect_in({"start.sh": APP_SH, "web.py": FLASK_APP}, ["start.sh"], APP_SCRIPT="start.sh", APP_FILE="web.py")
    assert entry.reason == "APP_SCRIPT=start.sh"


# ---------------------------------------------------------------------------
# 3. APP_FILE.


def test_app_file_with_a_wsgi_callable_is_served_as_a_module(detect_in):
    entry = detect_in({"server.py": FLASK_APP}, APP_FILE="server.py")
    assert entry.target == "server:app"
    assert entry.is_wsgi
    assert entry.reason == "APP_FILE=server.py defines `app`"


def test_app_file_in_a_subdirectory_becomes_a_dotted_module(detect_in):
    entry = detect_in({"web/api/server.py": WSGI_PY}, APP_FILE="web/api/server.py")
    assert entry.target == "web.api.server:application"
    assert entry.file.parts[-3:] == ("web", "api", "server.py")


def test_app_file_without_a_callable_is_run_with_python(detect_in):
    entry = detect_in({"main.py": "print('serving')\n", "wsgi.py": WSGI_PY}, APP_FILE="main.py")
    assert entry.command == ["python", str(entry.file)]
    assert entry.file.name == "main.py"
    assert entry.reason == "APP_FILE=main.py defines no WSGI callable: run with python"


def test_app_file_that_is_not_a_py_file_is_run_with_python_even_with_a_callable(detect_in):
    entry = detect_in({"server": FLASK_APP}, APP_FILE="server")
    assert entry.command == ["python", str(entry.file)]


def test_app_file_that_does_not_exist_is_an_error_naming_the_path(app_with, load_config):
    app = app_with({"wsgi.py": WSGI_PY})
    message = detect_error(app, load_config, APP_FILE="main.py")
    assert message.startswith(f"APP_FILE=main.py, but there is no file main.py in {app}.")
    assert "Fix the path (it is relative to the app directory) or unset APP_FILE." in message


def test_app_file_beats_a_procfile(detect_in):
    entry = detect_in({"main.py": FLASK_APP, "Procfile": "web: gunicorn main:app\n"}, APP_FILE="main.py")
    assert entry.target == "main:app"


# ---------------------------------------------------------------------------
# 4. Procfile.


def test_a_procfile_web_line_is_run_by_bash(detect_in):
    entry = detect_in({"Procfile": "web: gunicorn -b 0.0.0.0:$PORT wsgi:application\n", "wsgi.py": WSGI_PY})
    assert entry.command == ["bash", "-c", "gunicorn -b 0.0.0.0:$PORT wsgi:application"]
    assert entry.reason == "Procfile `web:` line"
    assert entry.file.name == "Procfile"
    assert not entry.is_wsgi


def test_procfile_process_types_other_than_web_are_ignored(detect_in):
    entry = detect_in(
        {
            "Procfile": "release: python manage.py migrate\nworker: celery -A proj worker\nweb: ./serve\n",
            "wsgi.py": WSGI_PY,
        }
    )
    assert entry.command == ["bash", "-c", "./serve"]


def test_a_procfile_without_a_web_line_is_ignored(detect_in):
    entry = detect_in({"Procfile": "worker: celery -A proj worker\nwebpack: npm run watch\n", "wsgi.py": WSGI_PY})
    assert entry.target == "wsgi:application"


@pytest.mark.parametrize(
    "line",
    [
        "web: serve --fast",
        "web:serve --fast",
        "  web  :  serve --fast  ",
        "web:\tserve --fast\r",
        "\tweb: serve --fast",
    ],
)
def test_procfile_web_lines_are_read_with_any_surrounding_whitespace(make_app, line):
    app = make_app({"Procfile": f"# processes\n{line}\n"})
    assert procfile_web(app) == "serve --fast"


def test_a_commented_out_web_line_does_not_count(make_app):
    assert procfile_web(make_app({"Procfile": "# web: serve\n"})) is None


def test_a_procfile_beats_an_executable_app_sh_wsgi_py_and_django(detect_in):
    entry = detect_in({"Procfile": "web: ./serve\n", "app.sh": APP_SH, "wsgi.py": WSGI_PY, **DJANGO}, ["app.sh"])
    assert entry.command == ["bash", "-c", "./serve"]


def test_a_procfile_beats_the_warpdrive_deploy_mode(detect_in):
    entry = detect_in({"Procfile": "web: ./serve\n", "app.py": FLASK_APP}, WARPDRIVE_DEPLOY_MODE="python")
    assert entry.command == ["bash", "-c", "./serve"]


# ---------------------------------------------------------------------------
# 5. WARPDRIVE_DEPLOY_MODE and .warpdrive/deploy_mode.


def test_deploy_mode_shell_runs_app_sh(detect_in):
    entry = detect_in({"app.sh": APP_SH, "wsgi.py": WSGI_PY}, ["app.sh"], WARPDRIVE_DEPLOY_MODE="shell")
    assert entry.command == [str(entry.file)]
    assert entry.file.name == "app.sh"
    assert entry.reason == "WARPDRIVE_DEPLOY_MODE=shell (from environment)"


def test_deploy_mode_shell_without_app_sh_is_an_error(app_with, load_config):
    app = app_with({"wsgi.py": WSGI_PY})
    message = detect_error(app, load_config, WARPDRIVE_DEPLOY_MODE="shell")
    assert message.startswith(f"WARPDRIVE_DEPLOY_MODE=shell (from environment), but there is no file app.sh in {app}.")


def test_deploy_mode_shell_with_a_non_executable_app_sh_says_to_chmod_it(app_with, load_config):
    app = app_with({"app.sh": APP_SH})
    message = detect_error(app, load_config, WARPDRIVE_DEPLOY_MODE="shell")
    assert message.startswith("app.sh is not executable (WARPDRIVE_DEPLOY_MODE=shell (from environment)).")
    assert "Run `chmod +x app.sh`" in message


def test_deploy_mode_python_runs_app_py_even_when_it_defines_a_callable(detect_in):
    entry = detect_in({"app.py": FLASK_APP, "wsgi.py": WSGI_PY}, WARPDRIVE_DEPLOY_MODE="python")
    assert entry.command == ["python", str(entry.file)]
    assert entry.file.name == "app.py"
    assert entry.reason == "WARPDRIVE_DEPLOY_MODE=python (from environment)"


def test_deploy_mode_python_without_app_py_is_an_error(app_with, load_config):
    app = app_with({"wsgi.py": WSGI_PY})
    message = detect_error(app, load_config, WARPDRIVE_DEPLOY_MODE="python")
    assert message == (
        "WARPDRIVE_DEPLOY_MODE=python (from environment), but there is no app.py.\n\n"
        "Add app.py or change the deploy mode."
    )


def test_deploy_mode_wsgi_serves_wsgi_application(detect_in):
    entry = detect_in({"wsgi.py": WSGI_PY, "app.sh": APP_SH}, ["app.sh"], WARPDRIVE_DEPLOY_MODE="wsgi")
    assert entry.target == "wsgi:application"
    assert entry.reason == "WARPDRIVE_DEPLOY_MODE=wsgi (from environment)"


def test_deploy_mode_wsgi_uses_the_warpdrive_callable_object(detect_in):
    entry = detect_in({"wsgi.py": FLASK_APP}, WARPDRIVE_DEPLOY_MODE="wsgi", WARPDRIVE_WSGI_CALLABLE_OBJECT="app")
    assert entry.target == "wsgi:app"


def test_deploy_mode_wsgi_with_a_wsgi_py_lacking_the_callable_is_an_error(app_with, load_config):
    app = app_with({"wsgi.py": FLASK_APP})
    message = detect_error(app, load_config, WARPDRIVE_DEPLOY_MODE="wsgi")
    assert message.startswith(
        "WARPDRIVE_DEPLOY_MODE=wsgi (from environment) names `application`, "
        "but wsgi.py defines no top-level `application`."
    )


def test_deploy_mode_django_serves_the_django_project(detect_in):
    entry = detect_in({**DJANGO, "app.sh": APP_SH}, ["app.sh"], WARPDRIVE_DEPLOY_MODE="django")
    assert entry.target == "mysite.wsgi:application"
    assert entry.django.settings_module == "mysite.settings"


def test_deploy_mode_django_without_manage_py_is_an_error(app_with, load_config):
    app = app_with({"wsgi.py": WSGI_PY})
    message = detect_error(app, load_config, WARPDRIVE_DEPLOY_MODE="django")
    assert message.startswith(
        f"WARPDRIVE_DEPLOY_MODE=django (from environment), but there is no manage.py naming "
        f"DJANGO_SETTINGS_MODULE in {app}."
    )
    assert "Add the Django project's manage.py, or change the deploy mode." in message


def test_deploy_mode_is_read_from_the_warpdrive_deploy_mode_file(detect_in):
    entry = detect_in({".warpdrive/deploy_mode": "python\n", "app.py": FLASK_APP})
    assert entry.command == ["python", str(entry.file)]
    assert entry.reason == "WARPDRIVE_DEPLOY_MODE=python (from .warpdrive/deploy_mode)"


def test_deploy_mode_from_the_environment_beats_the_file(detect_in):
    entry = detect_in({".warpdrive/deploy_mode": "python\n", "wsgi.py": WSGI_PY}, WARPDRIVE_DEPLOY_MODE="wsgi")
    assert entry.target == "wsgi:application"


def test_deploy_mode_auto_detects(detect_in):
    entry = detect_in({".warpdrive/deploy_mode": "auto\n", "app.py": FLASK_APP})
    assert entry.target == "app:app"
    assert entry.reason == "app.py defines `app`"


def test_an_unknown_deploy_mode_in_the_file_is_a_config_error_naming_the_file(app_with, load_config):
    app = app_with({".warpdrive/deploy_mode": "gunicorn\n", "wsgi.py": WSGI_PY})
    with pytest.raises(ConfigError) as raised:
        load_config(app)
    message = str(raised.value)
    assert message.startswith("WARPDRIVE_DEPLOY_MODE='gunicorn' (set in .warpdrive/deploy_mode) is not a valid value.")
    assert "WARPDRIVE_DEPLOY_MODE must be one of auto, shell, python, wsgi, django." in message


# ---------------------------------------------------------------------------
# 6. An executable app.sh.


def test_an_executable_app_sh_beats_django_and_wsgi_py(detect_in):
    entry = detect_in({"app.sh": APP_SH, "wsgi.py": WSGI_PY, **DJANGO}, ["app.sh"])
    assert entry.command == [str(entry.file)]
    assert entry.reason == "app.sh is executable"
    assert entry.searched == ["an executable app.sh"]


def test_a_non_executable_app_sh_is_ignored(detect_in):
    entry = detect_in({"app.sh": APP_SH, "wsgi.py": WSGI_PY})
    assert entry.target == "wsgi:application"


# ---------------------------------------------------------------------------
# 7. Django projects.


def test_a_django_project_serves_its_wsgi_application_setting(detect_in):
    entry = detect_in(DJANGO)
    assert entry.target == "mysite.wsgi:application"
    assert entry.file.parts[-2:] == ("mysite", "wsgi.py")
    assert entry.reason == "Django project (mysite.settings.WSGI_APPLICATION = 'mysite.wsgi.application')"
    assert entry.django.settings_module == "mysite.settings"
    assert entry.django.manage_py.name == "manage.py"
    assert entry.searched == ["an executable app.sh", "manage.py naming DJANGO_SETTINGS_MODULE (a Django project)"]


def test_wsgi_application_may_name_another_module_and_callable(detect_in):
    entry = detect_in(
        {
            **DJANGO,
            "mysite/settings.py": 'WSGI_APPLICATION = "mysite.asgi_free.handler"\n',
            "mysite/asgi_free.py": "handler = object()\n",
        }
    )
    assert entry.target == "mysite.asgi_free:handler"
    assert entry.file.name == "asgi_free.py"


def test_without_wsgi_application_the_settings_packages_wsgi_py_is_served(detect_in):
    entry = detect_in({**DJANGO, "mysite/settings.py": 'SECRET_KEY = "x"\n'})
    assert entry.target == "mysite.wsgi:application"
    assert entry.reason == "Django project (mysite.settings; its package's wsgi.py)"


def test_split_settings_fall_back_to_the_settings_package_wsgi_py(detect_in):
    files = {
        **DJANGO,
        "manage.py": MANAGE_PY.replace("mysite.settings", "mysite.settings.production"),
        "mysite/settings/__init__.py": "",
        "mysite/settings/production.py": "DEBUG = False\n",
        "mysite/settings/wsgi.py": DJANGO_WSGI,
    }
    del files["mysite/settings.py"]
    entry = detect_in(files)
    assert entry.target == "mysite.settings.wsgi:application"


def test_a_top_level_settings_module_falls_back_to_a_top_level_wsgi_py(detect_in):
    entry = detect_in(
        {
            "manage.py": MANAGE_PY.replace("mysite.settings", "settings"),
            "settings.py": "DEBUG = False\n",
            "wsgi.py": DJANGO_WSGI,
        }
    )
    assert entry.target == "wsgi:application"
    assert entry.django.settings_module == "settings"


def test_a_django_project_whose_wsgi_module_is_missing_is_an_error(app_with, load_config):
    files = {**DJANGO, "mysite/settings.py": 'WSGI_APPLICATION = "mysite.server.application"\n'}
    app = app_with(files)
    message = detect_error(app, load_config)
    assert message.startswith(
        f"The Django settings are mysite.settings, but the WSGI module mysite.server is not in {app}."
    )
    assert "Set WSGI_APPLICATION in the settings, or APP_MODULE=yourproject.wsgi:application." in message


ASGI_SETTINGS = 'WSGI_APPLICATION = "mysite.wsgi.application"\nASGI_APPLICATION = "mysite.asgi.application"\n'


def test_asgi_application_wins_over_wsgi_application_as_channels_and_daphne_serve_it(detect_in):
    asgi_py = "from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n"
    entry = detect_in({**DJANGO, "mysite/settings.py": ASGI_SETTINGS, "mysite/asgi.py": asgi_py})
    assert entry.target == "mysite.asgi:application"
    assert entry.reason == "Django project (mysite.settings.ASGI_APPLICATION = 'mysite.asgi.application')"
    assert entry.django.settings_module == "mysite.settings"


def test_a_django_project_whose_asgi_module_is_missing_is_an_error(app_with, load_config):
    app = app_with({**DJANGO, "mysite/settings.py": ASGI_SETTINGS})
    assert detect_error(app, load_config) == (
        f"The Django settings are mysite.settings, but the ASGI module mysite.asgi is not in {app}.\n\n"
        "Django's ASGI_APPLICATION is what the server loads when the settings give it.\n\n"
        "Fix ASGI_APPLICATION in the settings (e.g. yourproject.asgi.application), or remove it to serve "
        "WSGI_APPLICATION."
    )


def test_django_settings_module_from_s2i_environment_beats_manage_py(detect_in):
    entry = detect_in(
        {
            **DJANGO,
            ".s2i/environment": "DJANGO_SETTINGS_MODULE=config.settings\n",
            "config/__init__.py": "",
            "config/settings.py": 'WSGI_APPLICATION = "config.wsgi.application"\n',
            "config/wsgi.py": DJANGO_WSGI,
        }
    )
    assert entry.target == "config.wsgi:application"
    assert entry.django.settings_module == "config.settings"


def test_django_settings_module_from_s2i_environment_makes_any_manage_py_a_django_project(detect_in):
    entry = detect_in(
        {**DJANGO, "manage.py": "import django\n", ".s2i/environment": "DJANGO_SETTINGS_MODULE=mysite.settings\n"}
    )
    assert entry.django.settings_module == "mysite.settings"


def test_a_manage_py_that_names_no_settings_is_not_a_django_project(detect_in):
    entry = detect_in({**DJANGO, "manage.py": "import django\n"})
    assert entry.django is None
    assert entry.target == "mysite.wsgi:application"
    assert entry.reason == "mysite/wsgi.py defines `application`"


def test_a_django_project_under_src_is_found(detect_in):
    files = {"manage.py": MANAGE_PY, **{f"src/{name}": text for name, text in DJANGO.items() if name != "manage.py"}}
    entry = detect_in(files)
    assert entry.target == "mysite.wsgi:application"
    assert entry.file.parts[-3:] == ("src", "mysite", "wsgi.py")


def test_django_beats_wsgi_py_and_app_py(detect_in):
    entry = detect_in({**DJANGO, "wsgi.py": WSGI_PY, "app.py": FLASK_APP})
    assert entry.target == "mysite.wsgi:application"
    assert entry.django is not None


def test_django_settings_module_from_the_given_environment_beats_manage_py(detect_in):
    entry = detect_in(
        {
            **DJANGO,
            "config/__init__.py": "",
            "config/settings.py": 'WSGI_APPLICATION = "config.wsgi.application"\n',
            "config/wsgi.py": DJANGO_WSGI,
        },
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    assert entry.django.settings_module == "config.settings"


def test_django_settings_module_from_the_environment_beats_s2i_environment(detect_in):
    entry = detect_in(
        {
            **DJANGO,
            ".s2i/environment": "DJANGO_SETTINGS_MODULE=nowhere.settings\n",
            "config/__init__.py": "",
            "config/wsgi.py": DJANGO_WSGI,
            "config/settings.py": 'WSGI_APPLICATION = "config.wsgi.application"\n',
        },
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    assert entry.django.settings_module == "config.settings"


# ---------------------------------------------------------------------------
# 8-9. wsgi.py and app.py (more in test_detect.py).


def test_wsgi_py_beats_app_py_and_the_project_package(detect_in):
    entry = detect_in(
        {"wsgi.py": WSGI_PY, "app.py": FLASK_APP, "pyproject.toml": '[project]\nname = "web"\n', "web.py": FLASK_APP}
    )
    assert entry.target == "wsgi:application"
    assert entry.searched == [
        "an executable app.sh",
        "manage.py naming DJANGO_SETTINGS_MODULE (a Django project)",
        "wsgi.py defining `application`, `app`, `create_app()` or `make_app()`",
    ]


# ---------------------------------------------------------------------------
# 10. The project package named by the project metadata.


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        ("pyproject.toml", '[project]\nname = "my-shop"\nversion = "1"\n'),
        ("pyproject.toml", '[tool.poetry]\nname = "my-shop"\nversion = "1"\n'),
        ("setup.cfg", "[metadata]\nname = my-shop\nversion = 1\n"),
        ("setup.py", 'from setuptools import setup\nsetup(\n    name="my-shop",\n    version="1",\n)\n'),
        ("setup.py", "from setuptools import setup\nsetup(name = 'My.Shop')\n"),
    ],
    ids=["pyproject-project", "pyproject-poetry", "setup-cfg", "setup-py", "setup-py-dots-and-capitals"],
)
def test_the_project_package_is_named_by_the_project_metadata(make_app, filename, text):
    assert project_package(make_app({filename: text})) == "my_shop"


def test_pyproject_name_is_preferred_to_setup_py(make_app):
    app = make_app({"pyproject.toml": '[project]\nname = "first"\n', "setup.py": 'setup(name="second")\n'})
    assert project_package(app) == "first"


def test_a_pyproject_without_a_name_falls_back_to_setup_cfg(make_app):
    app = make_app({"pyproject.toml": "[tool.ruff]\nline-length = 100\n", "setup.cfg": "[metadata]\nname = second\n"})
    assert project_package(app) == "second"


def test_unparsable_metadata_names_no_package(make_app):
    assert project_package(make_app({"pyproject.toml": "[project\n"})) is None
    assert project_package(make_app({"setup.cfg": "name = x\n"})) is None
    assert project_package(make_app({})) is None


def test_the_project_package_defining_app_is_served(detect_in):
    entry = detect_in({"pyproject.toml": '[project]\nname = "my-shop"\n', "my_shop/__init__.py": FLASK_APP})
    assert entry.target == "my_shop:app"
    assert entry.file.parts[-2:] == ("my_shop", "__init__.py")
    assert entry.reason == "package my_shop (named in the project metadata) defines `app`"
    assert entry.searched[-1] == (
        "the package named in pyproject.toml or setup.py defining `application`, `app`, `create_app()` or `make_app()`"
    )


def test_the_project_package_is_found_under_src(detect_in):
    entry = detect_in({"setup.py": 'setup(name="shop")\n', "src/shop/__init__.py": WSGI_PY})
    assert entry.target == "shop:application"
    assert entry.file.parts[-3:] == ("src", "shop", "__init__.py")


def test_a_project_module_file_counts_as_the_project_package(detect_in):
    assert detect_in({"setup.cfg": "[metadata]\nname = shop\n", "shop.py": FLASK_APP}).target == "shop:app"


def test_app_py_with_a_callable_beats_the_project_package(detect_in):
    entry = detect_in(
        {"pyproject.toml": '[project]\nname = "shop"\n', "shop/__init__.py": WSGI_PY, "app.py": FLASK_APP}
    )
    assert entry.target == "app:app"


def test_the_project_package_beats_a_project_package_wsgi_py(detect_in):
    entry = detect_in(
        {"pyproject.toml": '[project]\nname = "shop"\n', "shop/__init__.py": FLASK_APP, "mysite/wsgi.py": DJANGO_WSGI}
    )
    assert entry.target == "shop:app"


def test_a_project_package_without_a_callable_falls_through(detect_in):
    entry = detect_in(
        {"pyproject.toml": '[project]\nname = "shop"\n', "shop/__init__.py": "", "mysite/wsgi.py": DJANGO_WSGI}
    )
    assert entry.target == "mysite.wsgi:application"


# ---------------------------------------------------------------------------
# 12. app.py without a callable: the last resort.


def test_app_py_without_a_callable_loses_to_a_project_package_wsgi_py(detect_in):
    entry = detect_in({"app.py": "print('hi')\n", "mysite/wsgi.py": DJANGO_WSGI})
    assert entry.target == "mysite.wsgi:application"


def test_app_py_without_a_callable_is_run_after_searching_everything(detect_in):
    entry = detect_in({"app.py": "print('hi')\n"})
    assert entry.command == ["python", str(entry.file)]
    assert entry.searched == list(DETECTION_SEARCH)


def test_the_no_entry_point_error_is_three_paragraphs(app_with, load_config):
    app = app_with({"README.md": "hello\n", "app.sh": APP_SH})
    assert detect_error(app, load_config) == (
        f"No WSGI application found in {app}. Searched, in order:\n"
        f"{SEARCH_LIST}\n"
        "Without an entry point there is nothing to serve.\n\n"
        "Add a wsgi.py that defines `application`, or set APP_MODULE=module:callable "
        "(in .s2i/environment or with -e), e.g. APP_MODULE=myapp.web:app."
    )
