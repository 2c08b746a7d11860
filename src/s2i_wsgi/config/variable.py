"""A row of the variable table, and the sections the reference groups rows under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .kinds import Kind


@dataclass(frozen=True)
class Variable:
    name: str
    kind: Kind
    default: Any
    help: str
    section: str
    # For server tuning rows: the mod_wsgi-express option this variable sets (`--name`), or the
    # Apache directive (`Name`) the launcher writes into the server's include file.
    option: str | None = None
    # What to show as the default when it is computed, not fixed.
    default_doc: str | None = None


APPLICATION = "Application"
DEPENDENCIES = "Dependencies (build)"
SERVER = "Server"
MOD_WSGI = "mod_wsgi-express tuning"
