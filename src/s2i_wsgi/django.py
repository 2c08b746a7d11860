"""Django projects: static files collected at build and served by Apache;
migrations when the container starts.

Static files. `manage.py collectstatic` runs at build (unless
DISABLE_COLLECTSTATIC) when django.contrib.staticfiles is installed, for every
Django project (a manage.py naming its settings), however the app is started:
detection, APP_MODULE, a Procfile `web:` line, app.sh or APP_SCRIPT (as
Heroku's buildpack does; a manifest storage such as WhiteNoise's answers 500
for a page using {% static %} when nothing was collected). A project
without STATIC_ROOT still works: the files go to /opt/app-root/static. What
was collected (STATIC_URL, the directory) is recorded in
/opt/app-root/etc/s2i-wsgi/django-static.json, and at start mod_wsgi-express
maps STATIC_URL to that directory with --url-alias, so Apache serves them (with
sendfile and proper content types), not Django.

Migrations. Like the sclorg image, `manage.py migrate --noinput` runs when the
container starts, before the server, unless DISABLE_MIGRATE is set: a fresh
deployment of a single replica then just works, and the database is never
touched at build time (it is usually unreachable there, and an image must not
depend on one database). With several replicas, concurrent migrations can
collide: set DISABLE_MIGRATE=true and run `s2i-wsgi migrate` once per release
from a Kubernetes Job or an init container. A failing migration stops the
container with a non-zero exit instead of serving a half-migrated app.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from . import output
from .config import Config
from .detect import Django, EntryPoint, django_project
from .errors import BuildError, StartError
from .paths import APP_PYTHON, APP_ROOT, STATE_DIR

STATE_FILE = APP_ROOT / "etc" / "s2i-wsgi" / "django-static.json"
DEFAULT_STATIC_ROOT = APP_ROOT / "static"
PYTHON = APP_PYTHON

# Run by the app's own interpreter; prints one result line for the launcher.
_COLLECTSTATIC = r"""
import json, sys
import django
from django.conf import settings
django.setup()
from django.core.management import call_command
result = {"staticfiles": "django.contrib.staticfiles" in settings.INSTALLED_APPS,
          "static_url": settings.STATIC_URL or "", "static_root": str(settings.STATIC_ROOT or ""),
          "static_root_default": False}
if result["staticfiles"]:
    if not settings.STATIC_ROOT:
        settings.STATIC_ROOT = sys.argv[1]
        result["static_root"], result["static_root_default"] = sys.argv[1], True
    call_command("collectstatic", interactive=False, verbosity=1)
print("S2I_WSGI_DJANGO " + json.dumps(result))
"""


def django_env(entry: EntryPoint, env: Mapping[str, str], project: Django | None = None) -> dict[str, str]:
    merged = dict(env)
    project = project or entry.django
    if project:
        merged.setdefault("DJANGO_SETTINGS_MODULE", project.settings_module)
    return merged


def project(config: Config, entry: EntryPoint) -> Django | None:
    """The Django project, however the app is started: the one detection served, or else the one
    manage.py names (for a Procfile line, app.sh, APP_SCRIPT or an APP_MODULE)."""
    return entry.django or django_project(config.app_dir, config.environment.get("DJANGO_SETTINGS_MODULE"))


def collectstatic(config: Config, entry: EntryPoint, env: Mapping[str, str]) -> None:
    found = project(config, entry)
    if found is None:
        return
    if config["DISABLE_COLLECTSTATIC"]:
        output.step("Skipping collectstatic (DISABLE_COLLECTSTATIC)")
        return
    output.step("Collecting Django static files (manage.py collectstatic)")
    lines: list[str] = []
    code = output.run(
        [str(PYTHON), "-c", _COLLECTSTATIC, str(DEFAULT_STATIC_ROOT)],
        cwd=config.app_dir,
        env=django_env(entry, env, found),
        collect=lines,
    )
    if code != 0:
        raise BuildError(
            f"collectstatic failed (exit status {code}) for the Django settings {found.settings_module}.",
            "The traceback above says why; often a setting reads an environment variable that is only set "
            "at run time, or a static file referenced by a manifest is missing.",
            "Fix the settings (give such variables a default for the build), or set "
            "DISABLE_COLLECTSTATIC=true and serve static files yourself.",
        )
    result = next(
        (json.loads(line.split(" ", 1)[1]) for line in reversed(lines) if line.startswith("S2I_WSGI_DJANGO ")),
        None,
    )
    if not result:
        output.warning("collectstatic printed no result line; static files will not be served by Apache.")
        return
    if not result["staticfiles"]:
        output.info("django.contrib.staticfiles is not installed: nothing to collect")
        return
    if result["static_root_default"]:
        output.info(f"STATIC_ROOT is not set: collected into {DEFAULT_STATIC_ROOT}")
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_text(json.dumps(result) + "\n", encoding="utf-8")


def static_alias() -> tuple[str, str] | None:
    """(URL path, directory) for Apache to serve, when collectstatic recorded one."""
    try:
        result = json.loads(STATE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(result, dict):
        return None
    url, root = result.get("static_url", ""), result.get("static_root", "")
    if not url or not root or "://" in url or url.startswith("//"):
        return None  # served from elsewhere (a CDN)
    if not url.startswith("/"):
        url = "/" + url
    url = url.rstrip("/")
    if not url:
        return None  # STATIC_URL "/" would hide the whole app behind the static directory
    return url, root


WRAPPER_DIR = STATE_DIR / "modules"
WRAPPER_MODULE = "s2i_wsgi_static"


def whitenoise_wrapper(entry: EntryPoint, static: tuple[str, str]) -> str:
    """A module wrapping the app in WhiteNoise, for servers without a static file handler
    (gunicorn, waitress): the static files are then served without reaching Django."""
    url, root = static
    return (
        "# Written by s2i-wsgi at start: Django's static files served by WhiteNoise.\n"
        "from whitenoise import WhiteNoise\n\n"
        f"from {entry.module} import {entry.callable} as _application\n\n"
        f"application = WhiteNoise(_application, root={root!r}, prefix={url + '/'!r})\n"
    )


def migrate(config: Config, entry: EntryPoint, env: Mapping[str, str], *, when: str = "at start") -> None:
    if entry.django is None:
        return
    output.step(f"Running Django migrations {when} (manage.py migrate; DISABLE_MIGRATE=true turns this off)")
    code = output.run(
        [str(PYTHON), str(entry.django.manage_py), "migrate", "--noinput"],
        cwd=config.app_dir,
        env=django_env(entry, env),
    )
    if code != 0:
        raise StartError(
            f"manage.py migrate failed (exit status {code}).",
            "Serving the app against a database whose schema does not match its code would fail requests "
            "in ways that are hard to trace, so the container stops instead.",
            "Check the database settings and that the database is reachable; or set DISABLE_MIGRATE=true "
            "and run `s2i-wsgi migrate` yourself (a Job or an init container).",
        )
