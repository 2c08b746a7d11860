"""A WSGI app with an ASGI part under a URL prefix: ASGI_MOUNT=/ws=chat.asgi:app.

The shape mod_wsgi's documentation gives for WebSockets beside a WSGI app: Apache (mod_wsgi-express)
stays in front of the whole site, serving the WSGI app from its daemon processes, and proxies the
prefix, WebSocket upgrades included (`--proxy-mount-point`, `ProxyPass ... upgrade=websocket`), to an
ASGI server. Here that server is uvicorn on a UNIX socket in $TMPDIR, which only the container's
user can reach, run by supervisord beside Apache as an extra process named PROCESS (so that a
crash restarts it, and one it gives up on stops the container, as for any extra process).

uvicorn is given the prefix as the ASGI root_path, so a Starlette or FastAPI app routes as if it
were mounted there, and the same request timeout as the WSGI app (asgi.py's wrapper).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from .config import Config
from .detect import EntryPoint, python_path
from .errors import ConfigError
from .extra_processes import ProcfileProcess
from .factory import parse_target
from .interface import Interface
from .paths import APP_ROOT, STATE_DIR
from .servers.asgi import GRACEFUL_TIMEOUT, KEEP_ALIVE_TIMEOUT

SOCKET = STATE_DIR / "asgi-mount.sock"
PROCESS = "asgi-mount"


@dataclass(frozen=True)
class Mount:
    prefix: str
    entry: EntryPoint  # the ASGI app served under the prefix


def mount(config: Config) -> Mount | None:
    if not config["ASGI_MOUNT"]:
        return None
    prefix, _, text = config["ASGI_MOUNT"].partition("=")  # checked by the config's kind
    target = parse_target(text)
    reason = f"ASGI_MOUNT={config['ASGI_MOUNT']} (from {config.source_of('ASGI_MOUNT')})"
    return Mount(prefix, EntryPoint(target.module, target.name or "application", None, reason, call=target.call))


def check(config: Config, entry: EntryPoint, server: str, found: Interface | None) -> None:
    """The mount needs Apache in front: a WSGI callable served by mod_wsgi."""
    if not config["ASGI_MOUNT"]:
        return
    setting = f"ASGI_MOUNT={config['ASGI_MOUNT']}"
    if found is None or found.is_asgi:
        what = f"the app is served by {entry.target} itself" if found is None else f"{entry.target} is an ASGI app"
        raise ConfigError(
            f"{setting} is set, but {what}.",
            "ASGI_MOUNT adds an ASGI part to a WSGI app served by mod_wsgi, whose Apache proxies the prefix to it.",
            "Unset ASGI_MOUNT: an ASGI app serves every path itself, WebSockets included."
            if found is not None
            else "Unset ASGI_MOUNT, or serve a WSGI app (APP_MODULE) so that mod_wsgi is in front.",
        )
    if server != "mod_wsgi":
        raise ConfigError(
            f"{setting} is set, but the server is {server}.",
            "The ASGI part is reached through mod_wsgi-express's Apache, which proxies the prefix to it.",
            "Serve the app with mod_wsgi (unset WSGI_SERVER, or set WSGI_SERVER=mod_wsgi), or unset ASGI_MOUNT.",
        )


def _backend() -> str:
    # Apache strips the prefix, and uvicorn gives it back as the ASGI root_path (--root-path), as a
    # Starlette or FastAPI app behind a path-stripping proxy expects.
    return f"unix:{SOCKET}|http://localhost"


def proxy_args(found: Mount) -> list[str]:
    """mod_wsgi-express's options that send the prefix (and WebSocket upgrades) to the ASGI server."""
    return ["--proxy-mount-point", found.prefix, _backend()]


def apache_directives(found: Mount) -> str:
    """For the Apache include file. mod_proxy puts a backend it could not reach out of use for 60 s
    by default: at start, before uvicorn has made its socket, a first request would cost a minute of
    503s. retry=0 tries the socket again on the next request. The include comes before
    mod_wsgi-express's ProxyPass, and only a <Proxy> section may define the worker first."""
    return f'<Proxy "{_backend()}">\nProxySet retry=0\n</Proxy>\n'


def process(config: Config, found: Mount, wrapper_dir: str) -> ProcfileProcess:
    """The ASGI server, as an extra process run by bash under supervisord."""
    paths = ":".join([wrapper_dir, *(str(path) for path in python_path(config))])
    argv = [
        str(APP_ROOT / "bin" / "uvicorn"),
        "--uds",
        str(SOCKET),
        "--root-path",
        found.prefix,
        # Only Apache reaches the socket: its X-Forwarded-For names the client.
        "--forwarded-allow-ips",
        "*",
        "--timeout-keep-alive",
        str(KEEP_ALIVE_TIMEOUT),
        "--timeout-graceful-shutdown",
        str(GRACEFUL_TIMEOUT),
        "s2i_wsgi_asgi:application",
    ]
    command = f"PYTHONPATH={shlex.quote(paths)} exec {shlex.join(argv)}"
    return ProcfileProcess(PROCESS, command, 0, declared="ASGI_MOUNT")
