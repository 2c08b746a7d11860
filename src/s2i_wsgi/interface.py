"""WSGI or ASGI: which protocol the entry point speaks, so that a WSGI server never receives an
ASGI app (and the other way round).

The build's import check is the judge: it holds the object the server will serve, and an
`async def __call__` (or an `async def` function) is ASGI. Its verdict is recorded in the image
(RECORD), where the start reads it. Without a verdict (DISABLE_IMPORT_CHECK, an import that needs
run-time settings) reading the file decides (detect/interface.py). APP_INTERFACE overrides both.

A command entry point (Procfile, app.sh, APP_SCRIPT) has no interface: it serves itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .config import Config
from .detect import EntryPoint
from .detect.interface import asgi_framework
from .paths import APP_ROOT

WSGI, ASGI = "wsgi", "asgi"
# Where the build writes the import check's verdict: inside /opt/app-root, so that an app image
# made with --runtime-image (which copies /opt/app-root) keeps it too.
RECORD = APP_ROOT / "etc" / "s2i-wsgi" / "interface.json"


@dataclass(frozen=True)
class Interface:
    kind: str  # WSGI or ASGI
    why: str

    @property
    def is_asgi(self) -> bool:
        return self.kind == ASGI

    @property
    def title(self) -> str:
        return self.kind.upper()


def record(entry: EntryPoint, kind: str, what: str) -> None:
    """Keep the import check's verdict on `entry` (`what`: the type it found) for the start."""
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps({"target": entry.target, "interface": kind, "what": what}) + "\n", encoding="utf-8")


def forget() -> None:
    """A build starts without the previous image's verdict (an incremental build brings it back)."""
    RECORD.unlink(missing_ok=True)


def recorded(entry: EntryPoint) -> Interface | None:
    try:
        found = json.loads(RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("target") != entry.target or found.get("interface") not in (WSGI, ASGI):
        return None  # a verdict on another entry point (APP_MODULE set at run time) says nothing about this one
    return Interface(found["interface"], f"{found.get('what') or 'callable'}, found by the build's import check")


def by_reading(entry: EntryPoint) -> Interface:
    """What the entry point's file suggests (detect/interface.py); WSGI when nothing says ASGI."""
    if entry.file is not None and entry.file.suffix == ".py" and entry.callable:
        framework = asgi_framework(entry.file, entry.callable)
        if framework:
            return Interface(ASGI, f"{entry.file.name} makes `{entry.callable}` with {framework}")
    return Interface(WSGI, "nothing in its file says ASGI")


def decide(config: Config, entry: EntryPoint) -> Interface | None:
    """The interface of a callable entry point (None for a command): APP_INTERFACE, else the build's
    verdict, else reading the file."""
    if not entry.is_wsgi:
        return None
    if config["APP_INTERFACE"] != "auto":
        kind = config["APP_INTERFACE"]
        return Interface(kind, f"APP_INTERFACE={kind} (from {config.source_of('APP_INTERFACE')})")
    return recorded(entry) or by_reading(entry)
