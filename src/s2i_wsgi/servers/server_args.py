""".warpdrive/server_args: extra options for the server, from a file (or a directory with one file
per server), split like a shell would split words but never run by one.

Options the launcher sets itself (table.Server.owned_options: where the server listens, what it
serves) are refused, with the reason the table gives and what to set instead.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from .table import SERVERS

SERVER_ARGS_FILE = Path(".warpdrive") / "server_args"

_SHELL_SYNTAX = re.compile(r"\$\(|`|[;|&<>]")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def server_args_file(config: Config, server: str) -> Path | None:
    path = config.source_dir / SERVER_ARGS_FILE
    if path.is_dir():
        path = path / server
    if path.is_symlink() and not path.exists():
        shown = path.relative_to(config.source_dir)
        raise ConfigError(
            f"{shown} is a symbolic link to {os.readlink(path)}, which is not in the source.",
            "A link to a file outside the source (or to one that is not committed) does not reach the build, "
            "so the server would start without the options it holds.",
            f"Replace the link with the file itself, or remove {shown}.",
        )
    return path if path.is_file() else None


def server_args(config: Config, server: str) -> list[str]:
    """Words of .warpdrive/server_args (or .warpdrive/server_args/SERVER).

    Split with shell quoting rules and `#` comments; `$NAME` and `${NAME}` are
    replaced from the environment, as warpdrive does. Nothing is executed:
    command substitution, pipes, redirections and command separators are refused.
    """
    path = server_args_file(config, server)
    if path is None:
        return []
    shown = path.relative_to(config.source_dir)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{shown} cannot be read ({exc}).",
            "It holds options for the server, as UTF-8 text.",
            f"Save {shown} as UTF-8 text with the options separated by spaces or lines.",
        ) from None
    # Lines end at "\n" only: a shell splits words at spaces, tabs and newlines, nothing else.
    lines = [line for line in text.split("\n") if not line.lstrip().startswith("#")]
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("#"):
            continue
        if "\x00" in line:
            raise ConfigError(
                f"{shown} line {number} contains a NUL byte.",
                "No argument can hold a NUL byte; a file that has one is binary, or saved in another encoding "
                "such as UTF-16.",
                f"Save {shown} as UTF-8 text with the options separated by spaces or lines.",
            )
        match = _SHELL_SYNTAX.search(line)
        if match:
            raise ConfigError(
                f"{shown} line {number} contains `{match.group()}`: {line.strip()!r}",
                "This file holds server options only. It is split into words but never run by a shell, "
                "so command substitution, pipes, redirections and `;` or `&` cannot work.",
                "Write the options literally ($NAME and ${NAME} are replaced from the environment); "
                "run commands in a hook instead.",
            )

    def expand(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in config.environment:
            raise ConfigError(
                f"{shown} refers to ${name}, which is not set.",
                "The option would be given an empty value.",
                f"Set {name} (in .s2i/environment or with -e), or remove the reference.",
            )
        return config.environment[name]

    try:
        words = shlex.split(_VARIABLE.sub(expand, "\n".join(lines)), comments=True)
    except ValueError as exc:
        raise ConfigError(
            f"{shown} cannot be split into words: {exc}.",
            "Its quoting follows the shell's rules.",
            f"Close the quote in {shown}.",
        ) from None
    server_entry = SERVERS[server]
    for word in words:
        for option in server_entry.owned_options:
            if (
                word == option
                or (option.startswith("--") and word.startswith(option + "="))
                or (not option.startswith("--") and word.startswith(option) and len(word) > len(option))
            ):
                raise ConfigError(
                    f"{shown} sets {option}, which the launcher sets for {server_entry.title}.",
                    server_entry.owned_why,
                    f"Remove {option} from {shown}. {server_entry.owned_fix}",
                )
    return words
