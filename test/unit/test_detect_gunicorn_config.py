"""gunicorn's wsgi_app as the entry point (detect/gunicorn_config.py, detect.entry_point)."""

from __future__ import annotations

import pytest

from s2i_wsgi.detect import entry_point, wsgi_app_setting
from s2i_wsgi.errors import ConfigError, DetectError

APP = {"wsgi.py": "application = object()\n"}


def test_wsgi_app_in_gunicorn_conf_py_is_the_entry_point(make_app, load_config):
    app = make_app(
        {
            "service/web.py": "handler = object()\n",
            "gunicorn.conf.py": "import os\nworkers = 2\nwsgi_app = 'service.web:handler'\n",
        }
    )
    entry = entry_point(load_config(app))
    assert (entry.target, entry.reason) == ("service.web:handler", "gunicorn.conf.py sets wsgi_app")
    assert entry.file == app / "service" / "web.py"


def test_wsgi_app_beats_a_detected_wsgi_py(make_app, load_config):
    app = make_app({**APP, "other.py": "app = 1\n", "gunicorn.conf.py": "wsgi_app = 'other:app'\n"})
    assert entry_point(load_config(app)).target == "other:app"


def test_app_module_beats_wsgi_app(make_app, load_config):
    app = make_app({**APP, "other.py": "app = 1\n", "gunicorn.conf.py": "wsgi_app = 'other:app'\n"})
    assert entry_point(load_config(app, APP_MODULE="wsgi:application")).target == "wsgi:application"


def test_wsgi_app_is_read_from_app_config(make_app, load_config):
    app = make_app({"other.py": "app = 1\n", "etc/gunicorn.py": "wsgi_app = 'other:app'\n"})
    entry = entry_point(load_config(app, APP_CONFIG="etc/gunicorn.py"))
    assert (entry.target, entry.reason) == ("other:app", "etc/gunicorn.py sets wsgi_app")


def test_wsgi_app_without_a_callable_means_application(make_app, load_config):
    app = make_app({"other.py": "application = 1\n", "gunicorn.conf.py": "wsgi_app = 'other'\n"})
    assert entry_point(load_config(app)).target == "other:application"


def test_gunicorn_conf_py_without_wsgi_app_falls_back_to_detection(make_app, load_config):
    app = make_app({**APP, "gunicorn.conf.py": "workers = 2\n"})
    assert entry_point(load_config(app)).reason == "wsgi.py defines `application`"


def test_the_config_file_is_not_run(tmp_path):
    path = tmp_path / "gunicorn.conf.py"
    path.write_text("raise SystemExit('ran')\nwsgi_app = 'a:b'\n")
    assert wsgi_app_setting(path) == "a:b"


def test_a_computed_wsgi_app_is_not_guessed(tmp_path):
    path = tmp_path / "gunicorn.conf.py"
    path.write_text("import os\nwsgi_app = os.environ['APP']\n")
    assert wsgi_app_setting(path) is None


def test_a_factory_call_in_wsgi_app_is_served_as_gunicorn_would(make_app, load_config):
    app = make_app(
        {"gunicorn.conf.py": "wsgi_app = 'web:create_app(\"prod\")'\n", "web.py": "def create_app(env): ...\n"}
    )
    entry = entry_point(load_config(app))
    assert (entry.target, entry.reason) == ("web:create_app('prod')", "gunicorn.conf.py sets wsgi_app")
    assert entry.is_factory


def test_wsgi_app_that_gunicorn_could_not_load_is_rejected_clearly(make_app, load_config):
    app = make_app({"gunicorn.conf.py": "wsgi_app = 'web:app.wsgi_app'\n"})
    with pytest.raises(ConfigError) as error:
        entry_point(load_config(app))
    assert str(error.value) == (
        "gunicorn.conf.py sets wsgi_app = 'web:app.wsgi_app', which is not MODULE:CALLABLE or MODULE:FACTORY(ARGS).\n\n"
        "gunicorn reads wsgi_app as a module and a name in it, or a call of that name with literal arguments; "
        "every server here loads it the same way.\n\n"
        "Set wsgi_app (or APP_MODULE) to MODULE:CALLABLE, e.g. myproject.wsgi:application, or to an app factory "
        "call, e.g. flaskr:create_app()."
    )


def test_wsgi_app_naming_a_callable_its_module_lacks_says_which_file_set_it(make_app, load_config):
    app = make_app({"gunicorn.conf.py": "wsgi_app = 'web:application'\n", "web.py": "app = object()\n"})
    with pytest.raises(DetectError) as error:
        entry_point(load_config(app))
    assert str(error.value).startswith(
        "wsgi_app = 'web:application' (gunicorn.conf.py) names `application`, but web.py defines no top-level "
        "`application`. It does define `app`: use APP_MODULE=web:app.\n\n"
    )
