"""The server command line, built as a list from the configuration table."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .config import APP_ROOT, BOOLEAN, MOD_WSGI, VARIABLES, Config
from .detect import EntryPoint
from .resources import Limits, default_processes


def processes(config: Config, limits: Limits) -> tuple[int, str]:
    """The daemon process count and where it came from."""
    if config.is_set("MOD_WSGI_PROCESSES"):
        return config["MOD_WSGI_PROCESSES"], "MOD_WSGI_PROCESSES"
    if config.is_set("WEB_CONCURRENCY"):
        return config["WEB_CONCURRENCY"], "WEB_CONCURRENCY"
    memory = f", {limits.memory // (1024 * 1024)} MiB" if limits.memory else ""
    return default_processes(limits), f"{limits.cpus:g} CPUs{memory}"


def mod_wsgi_express(
    config: Config, entry: EntryPoint, limits: Limits, static: tuple[str, str] | None = None
) -> list[str]:
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
        "--python-path",
        str(app_dir),
        "--port",
        str(port),
        "--server-root",
        str(Path(tempfile.gettempdir()) / f"mod_wsgi-{port}"),
        "--log-to-terminal",
        "--startup-log",
        "--processes",
        str(processes(config, limits)[0]),
    ]
    if (app_dir / "src").is_dir():
        argv += ["--python-path", str(app_dir / "src")]
    if static:
        argv += ["--url-alias", *static]
    for variable in VARIABLES:
        if variable.section != MOD_WSGI or variable.name == "MOD_WSGI_PROCESSES" or not variable.option:
            continue
        value = config[variable.name]
        if value is None:
            continue
        if variable.kind is BOOLEAN:
            if value:
                argv.append(variable.option)
        else:
            argv += [variable.option, str(value)]
    return argv
