"""mod_wsgi-express in daemon mode: its command line, from the configuration table's MOD_WSGI_* rows,
and the two Apache files it is started with (written at start, where the root may be read-only).

Apache itself is run by the launcher, which stays PID 1 above it (pid1.py).
"""

from __future__ import annotations

import math
from pathlib import Path

from .. import metrics
from ..config import APP_ROOT, BOOLEAN, MOD_WSGI, VARIABLES, Config, Variable
from ..detect import EntryPoint, python_path
from ..paths import STATE_DIR
from ..resources import Limits
from .server_args import server_args
from .sizing import processes, queue_timeout, request_timeout, threads


def is_option(variable: Variable) -> bool:
    return bool(variable.option) and variable.option.startswith("--")


def _tuning_args(config: Config) -> list[str]:
    """mod_wsgi-express options from the MOD_WSGI_* rows of the table."""
    argv: list[str] = []
    handled_elsewhere = {
        "MOD_WSGI_PROCESSES",
        "MOD_WSGI_THREADS",
        "MOD_WSGI_REQUEST_TIMEOUT",
        "MOD_WSGI_QUEUE_TIMEOUT",
        "MOD_WSGI_MAX_CLIENTS",
        "MOD_WSGI_SLOW_REQUESTS",  # with the telemetry target: metrics.server_args()
    }
    for variable in VARIABLES:
        # A row without an option, or whose option is an Apache directive (see apache_conf()).
        if variable.section != MOD_WSGI or variable.name in handled_elsewhere or not is_option(variable):
            continue
        value = config[variable.name]
        if value is None:
            continue
        if variable.kind is BOOLEAN:
            if value:
                argv += variable.option.split()
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, tuple):
                    url, path = item
                    argv += [variable.option, url, str(config.app_dir / path)]
                else:
                    argv += [variable.option, item]
        else:
            argv += [variable.option, str(value)]
    if config["MOD_WSGI_TRUST_PROXY_HEADERS"] and config["MOD_WSGI_TRUST_PROXY"] is None:
        for network in PRIVATE_NETWORKS:
            argv += ["--trust-proxy", network]
    return argv


# Where an OpenShift router, a Kubernetes ingress controller or a proxy beside the container reach
# it from. Without any --trust-proxy, mod_wsgi believes the trusted headers from every client, so
# anyone on the internet could claim https or another address; from these networks only, a
# client reaching the container directly cannot.
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1", "fc00::/7")

MIN_MAX_CLIENTS = 100
# Apache is started with APACHE_CONF (`apachectl start -f`, see pid1.run_mod_wsgi): our
# directives first, then mod_wsgi-express's httpd.conf, which includes APACHE_INCLUDE last.
APACHE_CONF = STATE_DIR / "httpd.conf"
APACHE_INCLUDE = STATE_DIR / "apache.conf"


# No TRACE (it echoes a request, cookies included, back to whoever sent it), and no version in the
# Server header or on error pages (it tells an attacker which vulnerabilities to try).
APACHE_HARDENING = "TraceEnable Off\nServerTokens Prod\nServerSignature Off\n"


def server_root(config: Config) -> Path:
    """Where mod_wsgi-express writes its configuration (--server-root)."""
    return STATE_DIR.parent / f"mod_wsgi-{config['PORT']}"


def apache_conf(config: Config) -> str:
    """The file Apache is started with: the request limits of the MOD_WSGI_* rows whose option is
    an Apache directive, then mod_wsgi-express's configuration.

    They must come before it: a <VirtualHost> takes its copy of LimitRequestLine,
    LimitRequestFields and LimitRequestFieldSize from the main server where it is defined
    (ap_init_virtual_host), and Apache reads a request's line and headers with the limits of
    the default virtual host; mod_wsgi-express defines its virtual hosts before the file it
    includes last, where these settings had no effect.
    """
    directives = "".join(
        f"{variable.option} {config[variable.name]}\n"
        for variable in VARIABLES
        if variable.section == MOD_WSGI and variable.option and not is_option(variable)
        if config[variable.name] is not None
    )
    # The comment names the function by its name before servers/ was a package: the file's text is unchanged.
    header = "# Written by s2i-wsgi: see servers.apache_conf().\n"
    return f"{header}{directives}Include '{server_root(config)}/httpd.conf'\n"


def apache_include(config: Config, limits: Limits) -> str:
    """What mod_wsgi-express's configuration includes last (--include-file), to override it: the
    hardening, and one child for every worker.

    mod_wsgi-express spreads MaxRequestWorkers over several event-MPM children
    of ~16 threads. In daemon mode each Apache thread waits while its request
    is queued for a daemon thread, so under load a child that happened to
    accept more connections than it has threads runs out of idle workers, and
    the event MPM then closes its kept-alive connections: clients see resets
    (the read errors wrk reports). A single child cannot be unevenly loaded,
    and is never reaped by the spare-thread logic either.
    """
    clients = max_clients(config, limits)
    return (
        "# Written by s2i-wsgi: see servers.apache_include().\n"
        f"{APACHE_HARDENING}"
        "<IfModule mpm_event_module>\n"
        "ServerLimit 1\n"
        "StartServers 1\n"
        f"ThreadLimit {clients}\n"
        f"ThreadsPerChild {clients}\n"
        f"MaxRequestWorkers {clients}\n"
        "MinSpareThreads 1\n"
        f"MaxSpareThreads {clients}\n"
        "</IfModule>\n"
    )


def apache_files(config: Config, limits: Limits) -> dict[Path, str]:
    """The files mod_wsgi's Apache is started with, written at start where the root may be read-only."""
    return {APACHE_CONF: apache_conf(config), APACHE_INCLUDE: apache_include(config, limits)}


def max_clients(config: Config, limits: Limits) -> int:
    return config["MOD_WSGI_MAX_CLIENTS"] or default_max_clients(config, limits)


def default_max_clients(config: Config, limits: Limits) -> int:
    """Room for the keep-alive connections of clients and proxies, not just the busy requests:
    Apache event workers are cheap, and too few make Apache drop idle keep-alive connections."""
    capacity = processes(config, limits, "mod_wsgi")[0] * threads(config, "mod_wsgi")
    return max(MIN_MAX_CLIENTS, math.ceil(1.5 * capacity))


def argv(config: Config, entry: EntryPoint, limits: Limits, static: tuple[str, str] | None = None) -> list[str]:
    app_dir = config.app_dir
    port = config["PORT"]
    argv = [
        str(APP_ROOT / "bin" / "mod_wsgi-express"),
        "start-server",
        "--application-type",
        "module",
        "--entry-point",
        entry.module,
        "--callable-object",
        entry.callable,
        "--working-directory",
        str(app_dir),
        "--port",
        str(port),
        "--server-root",
        str(server_root(config)),
        "--log-to-terminal",
        "--startup-log",
        "--processes",
        str(processes(config, limits, "mod_wsgi")[0]),
        "--threads",
        str(threads(config, "mod_wsgi")),
        "--request-timeout",
        str(request_timeout(config, "mod_wsgi")),
        "--queue-timeout",
        str(queue_timeout(config)[0]),
    ]
    for path in python_path(config):
        argv += ["--python-path", str(path)]
    if static:  # Django's collected static files, served by Apache
        argv += ["--url-alias", *static]
    argv += ["--max-clients", str(max_clients(config, limits)), "--include-file", str(APACHE_INCLUDE)]
    tuning, extra = _tuning_args(config) + metrics.server_args(config), server_args(config, "mod_wsgi")
    if "--reload-on-changes" not in tuning + extra:
        # The source does not change in a running container (development reloads with
        # MOD_WSGI_RELOAD_ON_CHANGES), yet by default every request checks it: the daemon calls
        # the handler's reload_required(), which stats the entry point's file in Python.
        tuning.append("--disable-reloading")
    return argv + tuning + extra  # the app's own server_args last, so that they win


def environment(config: Config, limits: Limits) -> dict[str, str]:
    return {}
