"""One rule for keeping credentials out of everything printed: the build log, `config`, `detect`,
labels and bin/s2i-build's messages.

- A URL's userinfo is masked: `https://user:secret@host` shows as `https://user:****@host` (as pip
  shows it), and `https://token@host`, where the one word may be the secret, as `https://****@host`.
- A variable whose name says it holds a secret (PASSWORD, TOKEN, SECRET, a key, credentials, netrc
  contents) is shown as `****` whole, whatever it looks like.

Values are never changed where they are used: only what is shown.
"""

from __future__ import annotations

import re

MASK = "****"
# scheme://userinfo@ : the userinfo is everything up to the last @ before the host's path.
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")
_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|TOKEN|SECRET|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY|AUTH|NETRC_CONTENT)", re.IGNORECASE
)


def _mask_userinfo(match: re.Match[str]) -> str:
    user, sep, _password = match["userinfo"].partition(":")
    shown = f"{user}:{MASK}" if sep else MASK
    return f"{match['scheme']}{shown}@"


def text(value: str) -> str:
    """`value` with every URL's credentials masked."""
    return _URL_USERINFO.sub(_mask_userinfo, value)


def is_secret_name(name: str) -> bool:
    return _SECRET_NAME.search(name) is not None


def value(name: str, shown: str) -> str:
    """How to show the variable `name`'s value: masked whole when its name says it is a secret,
    else with any URL credentials masked."""
    if is_secret_name(name) and shown:
        return MASK
    return text(shown)
