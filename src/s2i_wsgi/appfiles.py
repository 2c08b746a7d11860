"""The app's own files, as the build reads them: one rule for a file that is a link out of the source.

A symbolic link to a file outside the repository (or to one that is not committed) reaches the
build as a link to nothing; reading it as "no such file" would build without what it holds, so
it is an error that names it. Used by every reader of the app's settings and dependency files.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError


def check_link(path: Path, shown: str, why: str) -> None:
    """Raise a ConfigError naming `shown` when `path` is a link to nothing; `why` says what it is for."""
    if path.is_symlink() and not path.exists():
        raise ConfigError(
            f"{shown} is a symbolic link to {os.readlink(path)}, which is not in the source.",
            f"{why} A link to a file outside the source (or to one that is not committed) does not reach the build.",
            f"Replace the link with the file itself, or remove {shown}.",
        )


def nul_byte_line(text: str) -> int | None:
    """The line number of the first NUL byte in `text` (no setting, command or source can hold one)."""
    at = text.find("\x00")
    return None if at < 0 else text.count("\n", 0, at) + 1
