"""gunicorn (gthread workers): the builder's settings file loads the app's own configuration on top
of the builder's defaults (gunicorn_settings.py), so the app's gunicorn.conf.py, APP_CONFIG and
GUNICORN_CMD_ARGS keep the meaning they have with sclorg's image.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..config import APP_ROOT, Config
from ..detect import EntryPoint, gunicorn_config_file, python_path
from ..resources import Limits
from .server_args import server_args
from .sizing import processes, request_timeout, threads

GUNICORN_SETTINGS = Path(__file__).resolve().parent.parent / "gunicorn_settings.py"


def gunicorn_defaults(config: Config, limits: Limits) -> dict[str, object]:
    """The builder's gunicorn settings, below the app's own (see gunicorn_settings.py)."""
    return {
        "bind": [f"0.0.0.0:{config['PORT']}"],
        "workers": processes(config, limits, "gunicorn")[0],
        "worker_class": "gthread",
        "threads": threads(config, "gunicorn"),
        "timeout": request_timeout(config, "gunicorn"),
        "graceful_timeout": 15,
        "keepalive": 2,
        "accesslog": "-",
        "errorlog": "-",
        # The heartbeat file on a container's overlay filesystem can stall workers.
        "worker_tmp_dir": "/dev/shm",
        "chdir": str(config.app_dir),
        "pythonpath": ",".join(str(path) for path in python_path(config)),
    }


def argv(config: Config, entry: EntryPoint, limits: Limits) -> list[str]:
    return [
        str(APP_ROOT / "bin" / "gunicorn"),
        "--config",
        str(GUNICORN_SETTINGS),
        *server_args(config, "gunicorn"),
        entry.target,
    ]


def environment(config: Config, limits: Limits, defaults: dict[str, object] | None = None) -> dict[str, str]:
    """`defaults`: the builder's settings when not gunicorn_defaults() (an ASGI app's: servers/asgi.py)."""
    found = gunicorn_config_file(config)
    chosen = gunicorn_defaults(config, limits) if defaults is None else defaults
    return {
        "S2I_WSGI_GUNICORN_DEFAULTS": json.dumps(chosen, sort_keys=True),
        "S2I_WSGI_GUNICORN_APP_CONFIG": str(found[0]) if found else "",
    }
