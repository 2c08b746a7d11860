"""What to run: a pure function of the app directory and the configuration.

Files are read and parsed, never imported: detection runs no user code. The
first rule that applies wins (docs/detection.md, "How detection works", is this list):

Explicit settings
 1. APP_MODULE=module[:callable] (or warpdrive's WARPDRIVE_WSGI_MODULE_NAME and
    WARPDRIVE_WSGI_CALLABLE_OBJECT): that WSGI callable (default `application`);
    APP_MODULE=module:factory(args) calls that app factory (factory.py).
    Without APP_MODULE, a `wsgi_app = "module:callable"` in the app's gunicorn
    configuration (APP_CONFIG, --config in GUNICORN_CMD_ARGS, gunicorn.conf.py)
    comes next, before warpdrive's variables, for whichever server runs the app.
 2. APP_SCRIPT: that executable script starts the app itself.
 3. APP_FILE: that Python file; its WSGI callable (or app factory) is served if
    it defines one, otherwise it is run with python.
 4. Procfile with a `web:` line: that command, run by bash (PORT is set).
 5. WARPDRIVE_DEPLOY_MODE / .warpdrive/deploy_mode other than `auto`: shell
    (app.sh), python (app.py), wsgi (the WARPDRIVE_WSGI_* module, default
    wsgi:application) or django (the Django project).
Detection
 6. An executable app.sh (sclorg and warpdrive both start it first).
 7. A Django project: manage.py naming DJANGO_SETTINGS_MODULE, whose settings
    give ASGI_APPLICATION (Channels, Daphne), else WSGI_APPLICATION (else
    <settings package>/wsgi.py).
 8. wsgi.py defining `application` or `app`, else an app factory.
 9. app.py defining `application` or `app`, else an app factory.
10. main.py defining `application` or `app`, else an app factory (Google's
    buildpacks and Railpack serve main:app).
11. The package named by pyproject.toml or setup.py, in the app directory or
    src/, defining `application` or `app`, else an app factory (sclorg's
    setup.py rule).
12. The module a pyproject.toml [project.scripts] or [tool.poetry.scripts]
    entry names, defining `application` or `app`, else an app factory: the
    callable its script serves, served in production.
13. Exactly one */wsgi.py one directory down defining `application` or `app`,
    else an app factory; two or more is an error that lists them.
14. app.py with no WSGI callable: run with python (sclorg's APP_FILE default).

In a file defining both, `application` is preferred to `app` (mod_wsgi's
convention). An app factory is a function `create_app` or `make_app` that can
be called without arguments: it is called once per server process (factory.py),
as `flask run` does; one that needs arguments is an error naming APP_MODULE.
A framework's development server (Flask's app.run() under
`if __name__ == "__main__"`) is never what serves an app that has a callable.

main.py comes after wsgi.py and app.py: every app that was served before it
was a rule is served as it was (an app.py beside a main.py keeps app.py, as
sclorg and `flask run`, which never looks at main.py, would have it), and
where main.py merely imports and runs the app from app.py both name the same
object.

The package: entry.py (what is decided), rules.py (the rules in this order:
entry_point, detect), python_files.py (reading Python files for callables and
factories), project.py (Procfile, manage.py, pyproject.toml/setup.py),
gunicorn_config.py (the app's gunicorn file and its wsgi_app).
"""

from __future__ import annotations

from .entry import Django, EntryPoint
from .gunicorn_config import gunicorn_config_file, wsgi_app_setting
from .project import django_project, procfile_web, project_package, script_entries
from .python_files import Defines, callable_in, defines, factory_in, module_file, python_path, top_level_names
from .rules import detect, entry_point, explicit_target

__all__ = [
    "Defines",
    "Django",
    "EntryPoint",
    "callable_in",
    "defines",
    "detect",
    "django_project",
    "entry_point",
    "explicit_target",
    "factory_in",
    "gunicorn_config_file",
    "module_file",
    "procfile_web",
    "project_package",
    "python_path",
    "script_entries",
    "top_level_names",
    "wsgi_app_setting",
]
