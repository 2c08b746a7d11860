"""The app's gunicorn configuration: which file (APP_CONFIG, --config in GUNICORN_CMD_ARGS, or
gunicorn.conf.py), and the `wsgi_app` it sets, read, never run (rules.entry_point)."""

from __future__ import annotations

import ast
import shlex
from pathlib import Path

from ..config import Config
from ..errors import ConfigError


def gunicorn_config_file(config: Config) -> tuple[Path, str] | None:
    """The app's gunicorn configuration file and what named it, if any."""
    app_dir = config.app_dir
    if config["APP_CONFIG"]:
        return app_dir / config["APP_CONFIG"], f"APP_CONFIG={config['APP_CONFIG']}"
    if config["GUNICORN_CMD_ARGS"]:
        try:
            words = shlex.split(config["GUNICORN_CMD_ARGS"])
        except ValueError as exc:  # gunicorn splits it the same way, and would fail too
            raise ConfigError(
                f"GUNICORN_CMD_ARGS={config['GUNICORN_CMD_ARGS']!r} cannot be split into options ({exc}).",
                "gunicorn reads GUNICORN_CMD_ARGS as a shell would split it.",
                "Close the quote in GUNICORN_CMD_ARGS, or quote the value that holds a quote character.",
            ) from None
        for index, word in enumerate(words):
            if word in ("-c", "--config") and index + 1 < len(words):
                return app_dir / words[index + 1], "--config in GUNICORN_CMD_ARGS"
            if word.startswith("--config="):
                return app_dir / word.partition("=")[2], "--config in GUNICORN_CMD_ARGS"
    if (app_dir / "gunicorn.conf.py").is_file():
        return app_dir / "gunicorn.conf.py", "gunicorn.conf.py"
    return None


def wsgi_app_setting(path: Path) -> str | None:
    """The string a gunicorn configuration file assigns to `wsgi_app` at top level (read, not run)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None  # gunicorn itself reports a broken file, with its traceback
    except (MemoryError, RecursionError):
        raise ConfigError(
            f"{path.name} is nested too deeply for Python's parser.",
            "gunicorn runs it as Python, and Python cannot compile it either.",
            f"Split the deeply nested expression in {path.name} into several statements.",
        ) from None
    value = None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(target, ast.Name) and target.id == "wsgi_app" for target in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            value = node.value.value
    return value
