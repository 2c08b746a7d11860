"""The table of every variable the launcher reads: name, kind, default, help and section.

It feeds `config` (load.py), `s2i-wsgi config`, the generated variable reference and its
freshness test; a new variable is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .kinds import (
    ADDRESSES,
    APP_MODULE_KIND,
    BOOLEAN,
    DOTTED_KIND,
    FRACTION,
    HEADER_NAMES,
    IDENTIFIER_KIND,
    RELATIVE_DIR,
    RELATIVE_FILE,
    SERVER_KIND,
    TEXT,
    URL_ALIASES,
    URL_PATH,
    Kind,
    choice,
    integer,
)


@dataclass(frozen=True)
class Variable:
    name: str
    kind: Kind
    default: Any
    help: str
    section: str
    # For server tuning rows: the mod_wsgi-express option this variable sets (`--name`), or the
    # Apache directive (`Name`) the launcher writes into the server's include file.
    option: str | None = None
    # What to show as the default when it is computed, not fixed.
    default_doc: str | None = None


APPLICATION = "Application"
DEPENDENCIES = "Dependencies (build)"
SERVER = "Server"
MOD_WSGI = "mod_wsgi-express tuning"

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
        "DISABLE_IMPORT_CHECK",
        BOOLEAN,
        False,
        "Do not import the WSGI entry point at build time to check it (for apps whose import has side "
        "effects). The check fails the build on ImportError/SyntaxError and only warns on other errors.",
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


def _mod_wsgi(
    name: str, kind: Kind, default: Any, help_text: str, *, option: str | None = None, default_doc: str | None = None
) -> Variable:
    return Variable(
        f"MOD_WSGI_{name}",
        kind,
        default,
        help_text,
        MOD_WSGI,
        option=option or "--" + name.lower().replace("_", "-"),
        default_doc=default_doc,
    )


SECONDS = integer(0, 86400)

# mod_wsgi-express's queue timeout, which ours never exceeds (servers.queue_timeout lowers it to the
# request timeout when that is shorter).
QUEUE_TIMEOUT_DEFAULT = 45

# Production values chosen explicitly rather than inherited, so they are
# visible in `s2i-wsgi config` and do not change under us with mod_wsgi.
VARIABLES += [
    _mod_wsgi(
        "PROCESSES",
        integer(1, 64),
        None,
        "Daemon processes running the app. Default: `WEB_CONCURRENCY`, else derived from limits.",
        default_doc="from `WEB_CONCURRENCY` or limits",
    ),
    _mod_wsgi(
        "THREADS", integer(1, 256), None, "Request threads in each daemon process.", default_doc="`WSGI_THREADS` (5)"
    ),
    _mod_wsgi(
        "MAX_CLIENTS",
        integer(1, 10000),
        None,
        "Simultaneous client connections Apache serves. It must exceed the connections clients and proxies "
        "keep open, or Apache closes keep-alive connections under load (clients see reset connections).",
        default_doc="the larger of 100 and 1.5 x processes x threads",
    ),
    _mod_wsgi("INITIAL_WORKERS", FRACTION, None, "Apache workers started at once, as a fraction of max clients."),
    _mod_wsgi("MINIMUM_SPARE_WORKERS", FRACTION, None, "Idle Apache workers kept, as a fraction of max clients."),
    _mod_wsgi("MAXIMUM_SPARE_WORKERS", FRACTION, None, "Most idle Apache workers kept, as a fraction of max clients."),
    _mod_wsgi(
        "REQUEST_TIMEOUT",
        SECONDS,
        None,
        "Seconds a request may run before the daemon process is recycled to recover the thread; "
        "mod_wsgi acts at this x (1 + ln threads): 1.7x at 2 threads, 2.6x at 5.",
        default_doc="`WSGI_REQUEST_TIMEOUT` (60)",
    ),
    _mod_wsgi(
        "INTERRUPT_TIMEOUT",
        SECONDS,
        None,
        "When non-zero, a request over the request timeout gets a RequestTimeout exception and the "
        "process is kept if it unwinds within this many seconds. Only a thread running Python code "
        "can; one blocked in C (a lock, a read without a timeout) is recycled this much later.",
    ),
    _mod_wsgi(
        "QUEUE_TIMEOUT",
        SECONDS,
        None,
        "Seconds a request may wait for a free daemon thread: one that waited longer is answered 504, "
        "without running, when a thread takes it. Unset, it is never longer than the request timeout, so "
        "requests queued behind hung ones are shed when the stuck process is recycled instead of each "
        "hanging in turn (see [Backlogs](production.md#backlogs-when-every-thread-is-busy)).",
        default_doc=f"the request timeout, at most {QUEUE_TIMEOUT_DEFAULT}",
    ),
    _mod_wsgi(
        "CONNECT_TIMEOUT",
        SECONDS,
        15,
        "Seconds Apache retries connecting to the daemon processes while their queue is full "
        "(`MOD_WSGI_DAEMON_BACKLOG`) before answering 503.",
    ),
    _mod_wsgi("SOCKET_TIMEOUT", SECONDS, 60, "Seconds a read or write on a socket may block."),
    _mod_wsgi(
        "RESPONSE_SOCKET_TIMEOUT",
        SECONDS,
        None,
        "Seconds a write of the response to the client may block (mod_wsgi's default: the socket timeout).",
    ),
    _mod_wsgi(
        "STARTUP_TIMEOUT", SECONDS, 15, "Seconds a daemon process may take to load the app before it is restarted."
    ),
    _mod_wsgi("SHUTDOWN_TIMEOUT", SECONDS, 5, "Seconds a daemon process is given to exit when told to."),
    _mod_wsgi(
        "GRACEFUL_TIMEOUT", SECONDS, 15, "Seconds in-flight requests get to finish when a daemon process is restarted."
    ),
    _mod_wsgi(
        "EVICTION_TIMEOUT",
        SECONDS,
        None,
        "Seconds in-flight requests get on a forced graceful restart (mod_wsgi's default: the graceful timeout).",
    ),
    _mod_wsgi("DEADLOCK_TIMEOUT", SECONDS, 60, "Seconds the GIL may stay held before the process is restarted."),
    _mod_wsgi(
        "INACTIVITY_TIMEOUT", SECONDS, None, "Restart a daemon process after this many idle seconds (unset: never)."
    ),
    _mod_wsgi(
        "RESTART_INTERVAL",
        SECONDS,
        None,
        "Restart daemon processes every this many seconds, gracefully (unset: never).",
    ),
    _mod_wsgi(
        "CPU_TIME_LIMIT", SECONDS, None, "Restart a daemon process after this many seconds of CPU time (unset: never)."
    ),
    _mod_wsgi("HEADER_TIMEOUT", SECONDS, 15, "Seconds allowed to receive the request line and headers."),
    _mod_wsgi(
        "HEADER_MAX_TIMEOUT",
        SECONDS,
        None,
        "Hard limit on the header timeout after increases by the minimum rate (mod_wsgi's default: 30).",
    ),
    _mod_wsgi(
        "HEADER_MIN_RATE",
        integer(0),
        None,
        "Bytes of headers that extend the header timeout by a second (mod_wsgi's default: 500).",
    ),
    _mod_wsgi("BODY_TIMEOUT", SECONDS, 15, "Seconds allowed to receive the request body (raised by a minimum rate)."),
    _mod_wsgi(
        "BODY_MAX_TIMEOUT",
        SECONDS,
        None,
        "Hard limit on the body timeout after increases by the minimum rate (mod_wsgi's default: none).",
    ),
    _mod_wsgi(
        "BODY_MIN_RATE",
        integer(0),
        None,
        "Bytes of body that extend the body timeout by a second (mod_wsgi's default: 500).",
    ),
    _mod_wsgi(
        "KEEP_ALIVE_TIMEOUT",
        SECONDS,
        None,
        "Seconds an idle client connection is kept open (mod_wsgi's default: 2). Behind a load balancer, "
        "set it above the time the load balancer keeps idle connections open. "
        "See [Scaling out](production.md#scaling-out).",
    ),
    _mod_wsgi("MAXIMUM_REQUESTS", integer(0), 0, "Recycle a daemon process after this many requests (0: never)."),
    _mod_wsgi(
        "LIMIT_REQUEST_BODY",
        integer(0),
        10485760,
        "Largest request body accepted, in bytes (0: no limit); a larger one is answered 413.",
    ),
    _mod_wsgi(
        "LIMIT_REQUEST_LINE",
        integer(1, 1048576),
        8190,
        "Longest request line (method, URL, protocol) accepted, in bytes; a longer one is answered 414.",
        option="LimitRequestLine",
    ),
    _mod_wsgi(
        "LIMIT_REQUEST_FIELDS",
        integer(1, 10000),
        100,
        "Most request header lines accepted; more are answered 400.",
        option="LimitRequestFields",
    ),
    _mod_wsgi(
        "LIMIT_REQUEST_FIELD_SIZE",
        integer(1, 1048576),
        8190,
        "Longest request header line accepted, in bytes; a longer one is answered 400.",
        option="LimitRequestFieldSize",
    ),
    _mod_wsgi(
        "SERVER_BACKLOG", integer(1, 65535), None, "Listen backlog of Apache's socket (mod_wsgi's default: 500)."
    ),
    _mod_wsgi(
        "DAEMON_BACKLOG",
        integer(1, 65535),
        None,
        "Requests that may wait for a daemon thread before more get 503 after `MOD_WSGI_CONNECT_TIMEOUT` "
        "(the daemon socket's listen backlog; mod_wsgi's default: 100). "
        "See [Backlogs](production.md#backlogs-when-every-thread-is-busy).",
    ),
    _mod_wsgi(
        "SERVER_MPM",
        choice("event", "worker", "prefork"),
        None,
        "Apache MPM to prefer (mod_wsgi's default order: event, worker, prefork).",
    ),
    _mod_wsgi("ACCESS_LOG", BOOLEAN, True, "Log every request (Apache's access log) to the terminal."),
    _mod_wsgi(
        "ACCESS_LOG_FORMAT",
        TEXT,
        None,
        "Format of access log lines (Apache LogFormat, or a name: common, combined, referer, agent).",
    ),
    _mod_wsgi(
        "LOG_LEVEL",
        choice("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"),
        "warn",
        "Apache's log level.",
    ),
    _mod_wsgi(
        "URL_ALIAS",
        URL_ALIASES,
        None,
        "Static files or directories served by Apache at a URL, not by the app.",
        option="--url-alias",
    ),
    _mod_wsgi(
        "TRUST_PROXY_HEADERS",
        HEADER_NAMES,
        None,
        "Front-end proxy headers to trust (e.g. X-Forwarded-Proto sets `wsgi.url_scheme`).",
        option="--trust-proxy-header",
    ),
    _mod_wsgi(
        "TRUST_PROXY",
        ADDRESSES,
        None,
        "Proxies (IPs or subnets) whose trusted headers are believed; from any other client they are "
        "removed before the app sees them. See [Behind a proxy](production.md#behind-a-proxy-or-router).",
        option="--trust-proxy",
        default_doc="the private networks (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8, ::1, fc00::/7)",
    ),
    _mod_wsgi("COMPRESS_RESPONSES", BOOLEAN, False, "Compress text responses (HTML, CSS, JSON, ...)."),
    _mod_wsgi("CHUNKED_REQUEST", BOOLEAN, False, "Accept request bodies sent with chunked transfer encoding."),
    _mod_wsgi(
        "SERVER_STATUS",
        BOOLEAN,
        False,
        "Serve Apache's status page at /server-status, to clients inside the container only (other clients get 403).",
    ),
    _mod_wsgi(
        "RELOAD_ON_CHANGES", BOOLEAN, False, "Restart daemon processes when a loaded Python file changes (development)."
    ),
    _mod_wsgi(
        "ENABLE_DEBUGGER",
        BOOLEAN,
        False,
        "Development only: one process, and pdb on the terminal for uncaught exceptions (run the container with -it).",
        option="--debug-mode --enable-debugger",
    ),
]

BY_NAME: dict[str, Variable] = {variable.name: variable for variable in VARIABLES}
