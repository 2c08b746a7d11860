"""Every setting the launcher reads, as one table, validated once.

Only this package reads the settings. Values come, lowest precedence first, from
the table's defaults, the app's .warpdrive/environment, its .s2i/environment,
and the process environment (image ENV, `-e` at build, `-e` at run). Each value
is parsed once; a wrong one is reported with the variable's name, where it came
from and what is allowed. The variable reference in docs/configuration.md is generated from
this same table (`s2i-wsgi envvars --markdown`).

kinds.py: what a value may be (Kind and its parsers); table.py: the variables
(VARIABLES); load.py: resolving them for one app (load -> Config).
"""

from __future__ import annotations

from ..paths import APP_PYTHON, APP_ROOT, BUILDER_HOME, SOURCE_DIR
from .kinds import BOOLEAN, SERVER_NAMES, Kind
from .load import Config, Setting, load
from .mod_wsgi_table import QUEUE_TIMEOUT_DEFAULT
from .table import BY_NAME, VARIABLES
from .variable import APPLICATION, DEPENDENCIES, MOD_WSGI, SERVER, Variable

# What other modules import from `.config` (the image paths live in paths.py).
__all__ = [
    "APPLICATION",
    "APP_PYTHON",
    "APP_ROOT",
    "BOOLEAN",
    "BUILDER_HOME",
    "BY_NAME",
    "DEPENDENCIES",
    "MOD_WSGI",
    "QUEUE_TIMEOUT_DEFAULT",
    "SERVER",
    "SERVER_NAMES",
    "SOURCE_DIR",
    "VARIABLES",
    "Config",
    "Kind",
    "Setting",
    "Variable",
    "load",
]
