"""What detection decides: a WSGI callable to serve, or a command that serves the app itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Django:
    """A Django project, as far as it can be known without importing it."""

    manage_py: Path
    settings_module: str


@dataclass(frozen=True)
class EntryPoint:
    """Either a WSGI callable (module, callable) or a command that serves the app itself."""

    module: str | None
    callable: str | None
    file: Path | None
    reason: str
    searched: list[str] = field(default_factory=list)
    command: list[str] | None = None
    django: Django | None = None
    # An app factory's argument list ("" for none): `callable` is called with it once per
    # server process, and what it returns is served (factory.py). None: `callable` is served.
    call: str | None = None

    @property
    def is_wsgi(self) -> bool:
        return self.command is None

    @property
    def is_factory(self) -> bool:
        return self.call is not None

    @property
    def target(self) -> str:
        if self.command is not None:
            return " ".join(self.command)
        if self.call is not None:
            return f"{self.module}:{self.callable}({self.call})"
        return f"{self.module}:{self.callable}"
