"""mod_wsgi-express's development aids, and the switch that keeps them out of production.

Each aid is one MOD_WSGI_* variable (the table passes its option to mod_wsgi-express); each is
refused unless SERVER_MODE=development, because an image built with one left on behaves
badly, or leaks, once deployed, and nothing else would say so.
"""

from __future__ import annotations

from .config import Config
from .errors import ConfigError

# What each aid does that a deployed app must not, in the words of the refusal.
AIDS = {
    "MOD_WSGI_RELOAD_ON_CHANGES": "restarts the daemon processes whenever a loaded Python file changes, dropping "
    "the requests they are running, and checks every loaded module for changes every second",
    "MOD_WSGI_ENABLE_DEBUGGER": "runs the app in a single process and stops it in pdb, waiting for someone at the "
    "terminal, at the first uncaught exception: every other request waits",
    "MOD_WSGI_ENABLE_RECORDER": "runs the app in a single process and writes every request and response, headers, "
    "cookies and bodies included, to files in the container",
}


def check(config: Config) -> None:
    if config["SERVER_MODE"] == "development":
        return
    for name, why in AIDS.items():
        if config[name]:
            where = f"from {config.source_of('SERVER_MODE')}" if config.is_set("SERVER_MODE") else "the default"
            raise ConfigError(
                f"{name} is set (from {config.source_of(name)}), and SERVER_MODE is production ({where}).",
                f"{name} is a development aid: it {why}.",
                f"Unset {name} for a deployed app. To use it while developing, set SERVER_MODE=development too.",
            )
