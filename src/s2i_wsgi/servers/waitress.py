"""waitress: one process, threads, through waitress_serve.py (waitress-serve, made to stop on
SIGTERM as PID 1)."""

from __future__ import annotations

from pathlib import Path

from ..config import APP_PYTHON, Config
from ..detect import EntryPoint, python_path
from ..resources import Limits
from .server_args import server_args
from .sizing import threads

# waitress-serve, made to stop on SIGTERM as PID 1 (see the file).
WAITRESS_SERVE = Path(__file__).resolve().parent.parent / "waitress_serve.py"


def argv(config: Config, entry: EntryPoint, limits: Limits) -> list[str]:
    return [
        str(APP_PYTHON),
        str(WAITRESS_SERVE),
        f"--listen=0.0.0.0:{config['PORT']}",
        f"--threads={threads(config, 'waitress')}",
        *server_args(config, "waitress"),
        entry.target,
    ]


def environment(config: Config, limits: Limits) -> dict[str, str]:
    return {"PYTHONPATH": ":".join(str(path) for path in python_path(config))}
