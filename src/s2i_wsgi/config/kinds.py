"""The kinds of value a variable may hold: each parses a string or raises ValueError, and says in
words what it allows (shown in errors, `s2i-wsgi config` and the generated reference)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..factory import parse_target


@dataclass(frozen=True)
class Kind:
    allowed: str
    parse: Callable[[str], Any]


def integer(minimum: int, maximum: int | None = None) -> Kind:
    allowed = f"a whole number from {minimum} to {maximum}" if maximum else f"a whole number, at least {minimum}"

    def parse(text: str) -> int:
        if not re.fullmatch(r"\d+", text.strip()):
            raise ValueError
        value = int(text)
        if value < minimum or (maximum is not None and value > maximum):
            raise ValueError
        return value

    return Kind(allowed, parse)


_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n", ""}


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError


BOOLEAN = Kind("true or false (also 1/0, yes/no, on/off; empty means false)", _boolean)


def choice(*values: str) -> Kind:
    def parse(text: str) -> str:
        lowered = text.strip().lower()
        if lowered not in values:
            raise ValueError
        return lowered

    return Kind("one of " + ", ".join(values), parse)


TEXT = Kind("any text", lambda text: text)

_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"


def _app_module(text: str) -> str:
    parse_target(text)  # the syntax gunicorn accepts: a name, or a call with literal arguments
    return text.strip()


APP_MODULE_KIND = Kind(
    "MODULE, MODULE:CALLABLE or MODULE:FACTORY(ARGS), e.g. myproject.wsgi:application or flaskr:create_app()",
    _app_module,
)


# No file or directory has a longer name (Linux's NAME_MAX, in bytes); a relative path longer than
# _PATH_MAX is a mistake, and with the source directory in front it could pass the system's limit.
_NAME_MAX, _PATH_MAX = 255, 1024


def _relative_path(text: str) -> str:
    path = Path(text.strip())
    if (
        not text.strip()
        or "\x00" in text
        or path.is_absolute()
        or ".." in path.parts
        or len(os.fsencode(path)) > _PATH_MAX
        or any(len(os.fsencode(part)) > _NAME_MAX for part in path.parts)
    ):
        raise ValueError
    return str(path)


RELATIVE_DIR = Kind("a directory inside the source, relative to it (e.g. src/web)", _relative_path)


def _url_path(text: str) -> str:
    if not text.strip().startswith("/") or any(c.isspace() for c in text.strip()):
        raise ValueError
    return text.strip()


URL_PATH = Kind("a URL path starting with /, e.g. /healthz", _url_path)


def _asgi_mount(text: str) -> str:
    prefix, equals, target = text.strip().partition("=")
    if not equals or _url_path(prefix).rstrip("/") == "":
        raise ValueError
    parse_target(target)
    return f"{prefix.rstrip('/')}={target.strip()}"


ASGI_MOUNT_KIND = Kind(
    "URL-PATH=MODULE:CALLABLE, a prefix other than / and an ASGI app, e.g. /ws=chat.asgi:app", _asgi_mount
)

RELATIVE_FILE = Kind("a file inside the app directory, relative to it (e.g. bin/start.sh)", _relative_path)


def _dotted(text: str) -> str:
    if not re.fullmatch(_DOTTED, text.strip()):
        raise ValueError
    return text.strip()


DOTTED_KIND = Kind("a dotted module name, e.g. myproject.wsgi", _dotted)


def _identifier(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z_]\w*", text.strip()):
        raise ValueError
    return text.strip()


IDENTIFIER_KIND = Kind("a Python identifier, e.g. application", _identifier)


def _fraction(text: str) -> float:
    value = float(text.strip())
    if not 0 <= value <= 1:
        raise ValueError
    return value


FRACTION = Kind("a fraction from 0 to 1, e.g. 0.25", _fraction)

SERVER_NAMES = ("mod_wsgi", "gunicorn", "uwsgi", "waitress")
SERVER_KIND = choice(*SERVER_NAMES)


def _url_aliases(text: str) -> list[tuple[str, str]]:
    pairs = []
    for item in text.split():
        url, sep, path = item.partition("=")
        if not sep or not url.startswith("/") or not path:
            raise ValueError
        pairs.append((url, path))
    if not pairs:
        raise ValueError
    return pairs


URL_ALIASES = Kind(
    "URL=PATH pairs separated by spaces, e.g. `/static=static /robots.txt=static/robots.txt` "
    "(PATH relative to the app directory, or absolute)",
    _url_aliases,
)


def _words(pattern: str) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        words = text.replace(",", " ").split()
        if not words or not all(re.fullmatch(pattern, word) for word in words):
            raise ValueError
        return words

    return parse


HEADER_NAMES = Kind(
    "header names separated by spaces or commas, e.g. `X-Forwarded-Proto X-Forwarded-For`",
    _words(r"[A-Za-z0-9-]+"),
)
ADDRESSES = Kind(
    "IP addresses or subnets separated by spaces or commas, e.g. `10.0.0.0/8`",
    _words(r"[0-9A-Fa-f:.]+(?:/\d{1,3})?"),
)
