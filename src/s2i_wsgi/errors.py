"""Errors a user can cause and fix. Their str() is the whole message they see."""

from __future__ import annotations

from .paths import REBUILD_FROM_BUILDER


class UserError(Exception):
    """A problem with the app or its settings, explained as short paragraphs.

    ``what`` says what was found, ``why`` why it is a problem, ``fix`` what to
    do. The top-level handler prints it without a traceback and exits non-zero.
    """

    exit_code = 1

    def __init__(self, what: str, why: str = "", fix: str = "") -> None:
        self.what, self.why, self.fix = what, why, fix
        super().__init__(what)

    def __str__(self) -> str:
        return "\n\n".join(part for part in (self.what, self.why, self.fix) if part)


class ConfigError(UserError):
    """An environment variable or settings file has a value we cannot use."""


class DetectError(UserError):
    """Nothing to serve was found, or several candidates and no explicit choice."""


class BuildError(UserError):
    """A build step (dependency install, hook, ...) failed."""


class StartError(UserError):
    """The server cannot be started as configured."""


class HookError(UserError):
    """A user hook is not executable or failed."""


class RebuildFromBuilder(UserError):
    """A layered rebuild (bin/s2i-build --incremental) cannot build on the previous image; the
    tool then builds on the builder. Not a failure: the message is a step of the build log."""

    exit_code = REBUILD_FROM_BUILDER
