"""The app's environment files (.s2i/environment, .warpdrive/environment): one meaning on every path.

Users write these files the way they write a Dockerfile's ENV or a shell
assignment, so `APP_MODULE="pkg.wsgi:application"` (as sclorg's own test apps
write it) means the value without the quotes. The build paths do not agree on
that by themselves:

- the real s2i passes each line's value verbatim (trimmed), quotes included,
  into the build container and the image's ENV;
- `s2i build --as-dockerfile` (v1.6: what OpenShift 4 builds) escapes the
  quotes into its ENV lines, so they survive too;
- older s2i releases wrote them unescaped, and Docker's ENV parsing removed one pair.

So the launcher decides, here: a value that is one quoted word, in double or
single quotes, means its content (`\\`, `\"` and `\\$` unescaped inside double
quotes, as Docker's ENV and a shell do); anything else is taken as written.
A variable whose process value is still exactly the file's raw text (the
file's own line, passed on verbatim) gets the unquoted value, for the
launcher's settings and for every process it starts (server, hooks, app).

Lines are what s2i reads as lines: split at "\n" only, each name and value
trimmed of what Go calls space. A NUL byte is refused (no environment variable
can hold one), and so is a file that is a link to nothing (a link to a file
outside the source, which never reaches the build).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from . import appfiles
from .errors import ConfigError

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The escapes a double-quoted Dockerfile ENV value (and a shell) honours.
_ESCAPABLE = '\\"$'
# What s2i trims from each line's name and value: Go's unicode.IsSpace (str.strip() would also
# trim \x1c-\x1f, which s2i keeps).
SPACE = (
    " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def unquote(raw: str) -> str:
    """The value a Dockerfile ENV or a shell assignment gives `raw`, when it is one quoted word."""
    value = raw.strip(SPACE)
    if len(value) < 2 or value[0] not in "\"'" or value[-1] != value[0]:
        return value
    inner = value[1:-1]
    if value[0] == "'":
        return value if "'" in inner else inner
    out: list[str] = []
    index = 0
    while index < len(inner):
        char = inner[index]
        if char == "\\" and index + 1 == len(inner):
            return value  # the closing quote is escaped: not one quoted word
        if char == "\\" and inner[index + 1] in _ESCAPABLE:
            out.append(inner[index + 1])
            index += 2
            continue
        if char == '"':
            return value  # an unescaped quote inside: not one quoted word, taken as written
        out.append(char)
        index += 1
    return "".join(out)


def read_raw(path: Path) -> dict[str, str]:
    """NAME=VALUE lines as written (trimmed, as s2i reads them); # comments and blank lines skipped.

    `export NAME=VALUE` is accepted (shell habit). A line that sets no variable is an error naming it.
    """
    values: dict[str, str] = {}
    where = f"{path.parent.name}/{path.name}"
    text = read_text(
        path,
        where,
        f"{where} sets variables for the build and the app, as UTF-8 text.",
        f"Save {where} as UTF-8 text with NAME=VALUE lines.",
    )
    if text is None:
        return values
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip(SPACE)
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, value = stripped.partition("=")
        name = name.strip(SPACE).removeprefix("export ").strip(SPACE)
        if not sep or not NAME.fullmatch(name):
            raise ConfigError(
                f"{where} line {number} is not NAME=VALUE: {line!r}",
                f"Every line of {where} must set one variable.",
                "Fix or remove that line (comments start with #).",
            )
        values[name] = value.strip(SPACE)
    return values


def read_text(path: Path, where: str, why: str, fix: str) -> str | None:
    """The text of one of the app's settings files (`where`), None when there is none.

    A file that is there but cannot be used is an error naming it: a link to a file that is not
    in the source, a directory, an unreadable file, text that is not UTF-8, or a NUL byte.
    """
    appfiles.check_link(path, where, why)
    try:
        text = path.read_bytes().decode("utf-8")  # not read_text(): it would make a lone "\r" a line break
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} cannot be read ({exc}).", why, fix) from None
    number = appfiles.nul_byte_line(text)
    if number is not None:
        raise ConfigError(
            f"{where} line {number} contains a NUL byte.",
            f"{why} A NUL byte cannot be part of a setting (nor of any environment variable or argument); "
            "a file that holds one is binary, or saved in another encoding such as UTF-16.",
            fix,
        )
    return text


def read(path: Path) -> dict[str, str]:
    """The file's variables with their meaning: each value unquoted (see `unquote`)."""
    return {name: unquote(raw) for name, raw in read_raw(path).items()}


def passed_verbatim(environ: Mapping[str, str], path: Path) -> dict[str, str]:
    """Variables whose process value is the file's raw quoted text, mapped to their meaning.

    The real s2i puts .s2i/environment's values verbatim into the build and the image; a
    value that differs from the file's text was set on purpose (`-e`) and is left alone.
    """
    return verbatim_fixes(environ, read_raw(path))


def verbatim_fixes(environ: Mapping[str, str], raw_values: Mapping[str, str]) -> dict[str, str]:
    """passed_verbatim for a file already read (read_raw)."""
    fixed = {}
    for name, raw in raw_values.items():
        meaning = unquote(raw)
        if meaning != raw and environ.get(name) == raw:
            fixed[name] = meaning
    return fixed
