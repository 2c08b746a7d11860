"""The table of every variable the launcher reads: name, kind, default, help and section.

It feeds `config` (load.py), `s2i-wsgi config`, the generated variable reference and its
freshness test; a new variable is one row here.
"""

from __future__ import annotations

from .kinds import (
    APP_MODULE_KIND,
    ASGI_MOUNT_KIND,
    BOOLEAN,
    DOTTED_KIND,
    IDENTIFIER_KIND,
    RELATIVE_DIR,
    RELATIVE_FILE,
    SERVER_KIND,
    TEXT,
    URL_PATH,
    choice,
    integer,
)
from .mod_wsgi_table import MOD_WSGI_ROWS
from .variable import APPLICATION, DEPENDENCIES, SERVER, Variable

VARIABLES: list[Variable] = [
    Variable(
        "APP_MODULE",
        APP_MODULE_KIND,
        None,
        "The WSGI callable to serve, as `module:callable` (callable defaults to `application`), or an app "
        "factory to call once per process, as `module:create_app()` (literal arguments allowed, as gunicorn "
        "takes them). Overrides detection.",
        APPLICATION,
    ),
    Variable(
        "APP_HOME",
        RELATIVE_DIR,
        None,
        "Subdirectory of the source that holds the application: detection, the server's working directory "
        "and Django's manage.py commands are taken from there; dependency files too when it has any, else "
        "from the source root (as in sclorg's image). warpdrive's `.warpdrive/home` sets it.",
        APPLICATION,
    ),
    Variable(
        "APP_SCRIPT",
        RELATIVE_FILE,
        None,
        "An executable script (relative to the app directory) that starts the app itself; it is exec'd "
        "as PID 1 and must listen on `PORT`. Without it, an executable `app.sh` is used if present.",
        APPLICATION,
    ),
    Variable(
        "APP_FILE",
        RELATIVE_FILE,
        None,
        "A Python file to start the app. If it defines a WSGI callable (`application` or `app`) or an app "
        "factory (`create_app` or `make_app`), that callable (or what the factory returns) is served by the "
        "WSGI server; otherwise the file is run with `python`.",
        APPLICATION,
    ),
    Variable(
        "APP_INTERFACE",
        choice("auto", "wsgi", "asgi"),
        "auto",
        "Whether the entry point is a WSGI or an ASGI application. `auto`: as the build's import check "
        "finds it (an `async def __call__` is ASGI), else as reading its file suggests (`FastAPI()`, "
        "`Starlette()`, `get_asgi_application()`, `async def app`...). An ASGI app is served by an ASGI "
        "server (`ASGI_SERVER`), never by a WSGI one.",
        APPLICATION,
        default_doc="auto (see [ASGI apps](servers.md#asgi-apps))",
    ),
    Variable(
        "DISABLE_IMPORT_CHECK",
        BOOLEAN,
        False,
        "Do not import the entry point at build time to check it (for apps whose import has side "
        "effects). The check fails the build on ImportError/SyntaxError and only warns on other errors; "
        "it also tells a WSGI app from an ASGI one (`APP_INTERFACE`).",
        APPLICATION,
    ),
    Variable(
        "DISABLE_COLLECTSTATIC",
        BOOLEAN,
        False,
        "Django: do not run `manage.py collectstatic` at build time.",
        APPLICATION,
    ),
    Variable(
        "DISABLE_MIGRATE",
        BOOLEAN,
        False,
        "Django: do not run `manage.py migrate` when the container starts (run `s2i-wsgi migrate` "
        "from a Job or init container instead).",
        APPLICATION,
    ),
    Variable(
        "ENABLE_INIT_WRAPPER",
        BOOLEAN,
        False,
        "Run a command entry point (APP_SCRIPT, APP_FILE run with python, app.sh, a Procfile `web:` line) "
        "under dumb-init, which reaps zombie processes and passes signals on, as sclorg's image does. "
        "WSGI servers reap their own processes and are never wrapped.",
        APPLICATION,
    ),
    Variable(
        "WARPDRIVE_DEPLOY_MODE",
        choice("auto", "shell", "python", "wsgi", "django"),
        "auto",
        "warpdrive's deploy mode (also read from `.warpdrive/deploy_mode`): `shell` runs app.sh, "
        "`python` runs app.py, `wsgi` serves `WARPDRIVE_WSGI_MODULE_NAME`, `django` the Django "
        "project, `auto` detects.",
        APPLICATION,
    ),
    Variable(
        "WARPDRIVE_WSGI_MODULE_NAME",
        DOTTED_KIND,
        None,
        "warpdrive's name for the WSGI module (like the module part of `APP_MODULE`).",
        APPLICATION,
    ),
    Variable(
        "WARPDRIVE_WSGI_CALLABLE_OBJECT",
        IDENTIFIER_KIND,
        None,
        "warpdrive's name for the WSGI callable (default `application`).",
        APPLICATION,
    ),
    Variable(
        "PORT",
        integer(1, 65535),
        8080,
        "Port the server listens on (all interfaces).",
        SERVER,
    ),
    Variable(
        "HEALTHCHECK_PATH",
        URL_PATH,
        "/",
        "Path that `s2i-wsgi ready` (the image's HEALTHCHECK) requests; any status below 500 is ready.",
        SERVER,
    ),
    Variable(
        "WEB_CONCURRENCY",
        integer(1, 64),
        None,
        "Number of server processes (gunicorn and uWSGI workers, mod_wsgi daemon processes); when unset "
        "it is derived from the container's CPU and memory limits. `MOD_WSGI_PROCESSES` takes precedence "
        "for mod_wsgi; waitress always runs one process.",
        SERVER,
        default_doc="from CPU/memory limits",
    ),
    Variable(
        "WSGI_SERVER",
        SERVER_KIND,
        None,
        "The server that runs the app. Unset: gunicorn when the app configures gunicorn "
        "(`gunicorn.conf.py`, `APP_CONFIG` or `GUNICORN_CMD_ARGS`), else mod_wsgi. A server other "
        "than mod_wsgi is installed (pinned) at build time unless the app's requirements install it, "
        "so set this for the build (e.g. in .s2i/environment).",
        SERVER,
        default_doc="mod_wsgi (see [Choosing the server](servers.md#choosing-the-server))",
    ),
    Variable(
        "WARPDRIVE_SERVER_TYPE",
        SERVER_KIND,
        None,
        "warpdrive's name for `WSGI_SERVER` (as is its file `.warpdrive/server_type`); "
        "when more than one is set they must agree.",
        SERVER,
    ),
    Variable(
        "ASGI_SERVER",
        choice("gunicorn", "uvicorn"),
        "gunicorn",
        "The server for an ASGI app: `gunicorn` (gunicorn's arbiter with uvicorn's worker class: it "
        "replaces a worker whose event loop is blocked) or `uvicorn` (uvicorn's own `--workers` "
        "supervisor). Installed (pinned) at build time unless the app's requirements install it. "
        "`WSGI_SERVER=gunicorn`, or an app that configures gunicorn, also means gunicorn.",
        SERVER,
        default_doc="gunicorn (see [ASGI apps](servers.md#asgi-apps))",
    ),
    Variable(
        "ASGI_MOUNT",
        ASGI_MOUNT_KIND,
        None,
        "A WSGI app with an ASGI part: `/ws=chat.asgi:app` serves that ASGI app under `/ws` (WebSocket "
        "connections included), proxied by mod_wsgi-express's Apache to uvicorn on a UNIX socket; the rest "
        "of the site stays with the WSGI app in mod_wsgi's daemon processes. Needs mod_wsgi as the server.",
        SERVER,
        default_doc="unset (see [A WSGI app with an ASGI part](servers.md#a-wsgi-app-with-an-asgi-part))",
    ),
    Variable(
        "WSGI_THREADS",
        integer(1, 256),
        5,
        "Request threads in each server process (gunicorn's gthread workers, uWSGI, waitress, "
        "mod_wsgi unless `MOD_WSGI_THREADS` is set).",
        SERVER,
    ),
    Variable(
        "WSGI_REQUEST_TIMEOUT",
        integer(1, 86400),
        60,
        "Seconds a request may run before its worker is recycled: gunicorn's `--timeout`, uWSGI's "
        "`--harakiri`, mod_wsgi's `--request-timeout` unless `MOD_WSGI_REQUEST_TIMEOUT` is set "
        "(waitress has no such limit).",
        SERVER,
    ),
    Variable(
        "APP_CONFIG",
        TEXT,
        None,
        "A gunicorn configuration file, relative to the app directory (as in sclorg's image). "
        "Choosing it selects gunicorn; its settings win over the builder's defaults.",
        SERVER,
    ),
    Variable(
        "GUNICORN_CMD_ARGS",
        TEXT,
        None,
        "gunicorn's own variable, read by gunicorn; its settings win over the builder's defaults "
        "and over the configuration file. Setting it selects gunicorn.",
        SERVER,
    ),
    Variable(
        "UPGRADE_PIP_TO_LATEST",
        BOOLEAN,
        False,
        "Upgrade pip, setuptools and wheel in the app's virtualenv to the newest releases before "
        "installing the app's dependencies.",
        DEPENDENCIES,
    ),
    Variable(
        "DISABLE_SETUP_PY_PROCESSING",
        BOOLEAN,
        False,
        "Do not `pip install .` a project that has setup.py/setup.cfg.",
        DEPENDENCIES,
    ),
    Variable(
        "DISABLE_PYPROJECT_TOML_PROCESSING",
        BOOLEAN,
        False,
        "Do not `pip install .` a project that has pyproject.toml (with uv.lock: `uv sync --no-install-project`).",
        DEPENDENCIES,
    ),
    Variable(
        "ENABLE_PIPENV",
        BOOLEAN,
        False,
        "Install with pipenv itself, as sclorg's image does: Pipfile.lock with `pipenv sync` (instead of "
        "micropipenv), else a Pipfile with `pipenv install --deploy`, else requirements.txt with `pipenv install "
        "-r requirements.txt`. pipenv stays in the app image on PATH, in a virtualenv of its own. Cannot be "
        "combined with `ENABLE_MICROPIPENV`.",
        DEPENDENCIES,
    ),
    Variable(
        "PIN_PIPENV_VERSION",
        TEXT,
        None,
        "The pipenv release `ENABLE_PIPENV` installs (and `pipenv --version` then prints in the app image), "
        "e.g. `2024.4.1`.",
        DEPENDENCIES,
        default_doc="the version pinned in the image's requirements/pipenv.txt",
    ),
    Variable(
        "ENABLE_MICROPIPENV",
        BOOLEAN,
        False,
        "Install Pipfile.lock or poetry.lock with micropipenv even when a uv.lock is present "
        "(micropipenv is already the default for these lock files).",
        DEPENDENCIES,
    ),
    Variable(
        "BUILD_CACHE",
        choice("all", "built", "none"),
        "built",
        "What the app image keeps of the dependency cache for incremental builds (`save-artifacts`): "
        "`built` (only wheels built from source, the slow part; nothing downloaded from an index stays "
        "in the image), `all` (also what pip and uv downloaded: rebuilds download nothing, but the "
        "image carries the files, private index ones included) or `none`. The runtime image never "
        "carries it. See [Incremental builds](builds.md#incremental-builds).",
        DEPENDENCIES,
    ),
    Variable(
        "DISABLE_SBOM",
        BOOLEAN,
        False,
        "Do not write the app image's software bill of materials (`/opt/app-root/sbom.cdx.json`, "
        "CycloneDX). See [Software bill of materials](production.md#software-bill-of-materials).",
        DEPENDENCIES,
    ),
    Variable(
        "PIP_INDEX_URL",
        TEXT,
        None,
        "Package index for pip (and micropipenv and pipenv, which run pip); passed through unchanged. For "
        "a Pipfile.lock or `ENABLE_PIPENV` it also replaces PyPI in pipenv's sources (what pipenv's "
        "`PIPENV_PYPI_MIRROR` does, which wins when set).",
        DEPENDENCIES,
        default_doc="PyPI",
    ),
    Variable(
        "PIP_EXTRA_INDEX_URL",
        TEXT,
        None,
        "Further package indexes for pip, space-separated; passed through unchanged.",
        DEPENDENCIES,
    ),
    Variable(
        "S2I_WSGI_SECRETS_DIR",
        TEXT,
        None,
        "Directory holding build secrets (`ca.crt`, `pip.conf`, `netrc`, `index-url`, `extra-index-url`); "
        "see [Build secrets and corporate proxies](build-secrets.md#build-secrets-and-corporate-proxies).",
        DEPENDENCIES,
        default_doc="`/tmp/secrets`",
    ),
    Variable(
        "UV_DEFAULT_INDEX",
        TEXT,
        None,
        "Package index for uv (`UV_INDEX_URL` is its older name); passed through unchanged.",
        DEPENDENCIES,
        default_doc="PyPI",
    ),
    Variable(
        "UV_INDEX",
        TEXT,
        None,
        "Further package indexes for uv, space-separated (`UV_EXTRA_INDEX_URL` is its older name); passed "
        "through unchanged.",
        DEPENDENCIES,
    ),
]
VARIABLES += MOD_WSGI_ROWS

BY_NAME: dict[str, Variable] = {variable.name: variable for variable in VARIABLES}
