"""Which server runs the app: a pure function of the configuration and the app's files.

`choose_server(config)` decides, without running app code, in this order:

1. WSGI_SERVER, .warpdrive/server_type, WARPDRIVE_SERVER_TYPE: an explicit
   choice. When more than one is set they must name the same server.
2. An app that configures gunicorn gets gunicorn: APP_CONFIG, GUNICORN_CMD_ARGS,
   or a gunicorn.conf.py in the app directory.
3. Otherwise mod_wsgi (mod_wsgi-express, daemon mode).
"""

from __future__ import annotations

from pathlib import Path

from ..config import SERVER_NAMES, Config
from ..errors import ConfigError

SERVER_TYPE_FILE = Path(".warpdrive") / "server_type"
# Why mod_wsgi runs when nothing chose a server (an ASGI app is then free to take its own: servers/asgi.py).
DEFAULT_WHY = "the default; WSGI_SERVER chooses another"


def _server_type_file(config: Config) -> str | None:
    path = config.source_dir / SERVER_TYPE_FILE
    if not path.is_file():
        return None
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{SERVER_TYPE_FILE} cannot be read ({exc}).",
            f"It names the server, one of {', '.join(SERVER_NAMES)}, as UTF-8 text.",
            f"Write one of them into {SERVER_TYPE_FILE}, or delete the file to use WSGI_SERVER or the default.",
        ) from None
    if value.lower() not in SERVER_NAMES:
        raise ConfigError(
            f"{SERVER_TYPE_FILE} says {value!r}, which is not a server this builder runs.",
            f"The server type must be one of {', '.join(SERVER_NAMES)}.",
            f"Write one of them into {SERVER_TYPE_FILE}, or delete the file to use WSGI_SERVER or the default.",
        )
    return value.lower()


def choose_server(config: Config) -> tuple[str, str]:
    """(server name, why): a pure function of the configuration and the app's files."""
    explicit: list[tuple[str, str]] = []
    if config["WSGI_SERVER"]:
        why = f"WSGI_SERVER={config['WSGI_SERVER']} (from {config.source_of('WSGI_SERVER')})"
        explicit.append((config["WSGI_SERVER"], why))
    from_file = _server_type_file(config)
    if from_file:
        explicit.append((from_file, f"{SERVER_TYPE_FILE} says {from_file}"))
    if config["WARPDRIVE_SERVER_TYPE"]:
        explicit.append(
            (
                config["WARPDRIVE_SERVER_TYPE"],
                f"WARPDRIVE_SERVER_TYPE={config['WARPDRIVE_SERVER_TYPE']} "
                f"(from {config.source_of('WARPDRIVE_SERVER_TYPE')})",
            )
        )
    if explicit:
        names = {name for name, _ in explicit}
        if len(names) > 1:
            listed = "\n".join(f"  - {why}" for _, why in explicit)
            raise ConfigError(
                f"The server is chosen more than once, differently:\n{listed}",
                "Only one server can run the app, and picking one of these would be a guess.",
                "Keep one of these settings (WSGI_SERVER is this builder's name for it), or make them agree.",
            )
        name, why = explicit[0]
        return name, why
    if config["APP_CONFIG"]:
        return "gunicorn", f"APP_CONFIG={config['APP_CONFIG']} is a gunicorn configuration"
    if config["GUNICORN_CMD_ARGS"]:
        return "gunicorn", "GUNICORN_CMD_ARGS is set"
    if (config.app_dir / "gunicorn.conf.py").is_file():
        return "gunicorn", "the app has a gunicorn.conf.py"
    return "mod_wsgi", DEFAULT_WHY
