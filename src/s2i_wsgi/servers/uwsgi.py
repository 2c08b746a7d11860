"""uWSGI: master, threads, HTTP on PORT, stopped gracefully by SIGTERM (--die-on-term)."""

from __future__ import annotations

from ..config import APP_ROOT, Config
from ..detect import EntryPoint, python_path
from ..resources import Limits
from .server_args import server_args
from .sizing import processes, request_timeout, threads


# uWSGI also reads UWSGI_<OPTION> variables; the command line would beat them,
# so an option set that way is left out.
def _uwsgi_set(config: Config, *names: str) -> bool:
    return any(f"UWSGI_{name.upper().replace('-', '_')}" in config.environment for name in names)


def argv(config: Config, entry: EntryPoint, limits: Limits) -> list[str]:
    argv = [
        str(APP_ROOT / "bin" / "uwsgi"),
        "--strict",
        "--master",
        "--http-socket",
        f":{config['PORT']}",
        "--wsgi",
        entry.target,
        "--virtualenv",
        str(APP_ROOT),
        "--chdir",
        str(config.app_dir),
        "--enable-threads",
        "--single-interpreter",
        "--thunder-lock",
        "--die-on-term",
        "--need-app",
        "--vacuum",
    ]
    for path in python_path(config):
        argv += ["--pythonpath", str(path)]
    tunables = [
        (("processes", "workers"), str(processes(config, limits, "uwsgi")[0])),
        (("threads",), str(threads(config, "uwsgi"))),
        (("harakiri",), str(request_timeout(config, "uwsgi"))),
        # Room for large cookies: the default (4 KiB) answers 502 to them.
        (("buffer-size",), "32768"),
    ]
    for names, value in tunables:
        if not _uwsgi_set(config, *names):
            argv += [f"--{names[0]}", value]
    return argv + server_args(config, "uwsgi")


def environment(config: Config, limits: Limits) -> dict[str, str]:
    return {"PYTHONPATH": ":".join(str(path) for path in python_path(config))}
