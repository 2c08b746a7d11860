"""The build (s2i assemble): install the app's dependencies into the app's
virtualenv (deps.py decides how), then make sure there is something to serve."""

from __future__ import annotations

import sys

from . import deps, output
from .config import Config
from .deps import PYTHON
from .detect import EntryPoint, detect
from .errors import BuildError


def check_importable(config: Config, entry: EntryPoint) -> None:
    """An APP_MODULE outside the source must at least be installed."""
    if entry.file is not None:
        return
    probe = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({entry.module!r}) else 1)"
    code = output.run([str(PYTHON), "-c", probe], cwd=config.app_dir)
    if code != 0:
        raise BuildError(
            f"APP_MODULE={config['APP_MODULE']} names module `{entry.module}`, which is neither in the "
            "source nor installed in the app's virtualenv.",
            "The server would fail every request with ModuleNotFoundError.",
            "Check the spelling of the module path (dotted, e.g. mypackage.wsgi), or add the package "
            "that provides it to requirements.txt.",
        )


def build(config: Config) -> EntryPoint:
    output.step(f"Building the app in {config.app_dir} with Python {sys.version.split()[0]}")
    # Both fail fast, before a long install.
    entry = detect(config)
    dependency_plan = deps.plan(config)
    deps.install(dependency_plan, config)
    check_importable(config, entry)
    output.step(f"Entry point: {entry.target} ({entry.reason})")
    return entry
