"""Resolving the table's variables for one app: defaults < .warpdrive files < .s2i/environment <
the process environment, each value parsed once and a wrong one reported by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import envfile
from ..errors import ConfigError
from ..paths import SOURCE_DIR
from .kinds import BOOLEAN
from .table import BY_NAME, VARIABLES

# Reading the app's environment files (envfile: one meaning of quotes on every path).


# warpdrive keeps some settings as one-value files in .warpdrive/. Its `home` names the app's
# directory in the source with the meaning of sclorg's APP_HOME: warpdrive installs requirements.txt
# from the source root, then runs the app (and Django's manage.py) from there.
WARPDRIVE_VALUE_FILES = {"deploy_mode": "WARPDRIVE_DEPLOY_MODE", "home": "APP_HOME"}


def _warpdrive_value_files(source_dir: Path) -> list[tuple[str, dict[str, str]]]:
    layers = []
    for filename, variable in WARPDRIVE_VALUE_FILES.items():
        where = f".warpdrive/{filename}"
        text = envfile.read_text(
            source_dir / ".warpdrive" / filename,
            where,
            f"{where} sets {variable}, as one word of UTF-8 text.",
            f"Write one of the values {variable} allows into {where} ({BY_NAME[variable].kind.allowed}), "
            "or delete the file.",
        )
        if text is not None:
            layers.append((where, {variable: text.strip()}))
    return layers


# ---------------------------------------------------------------------------
# The resolved configuration.


@dataclass(frozen=True)
class Setting:
    value: Any
    source: str  # "default", ".s2i/environment", ".warpdrive/environment", "environment"


@dataclass(frozen=True)
class Config:
    settings: dict[str, Setting]
    source_dir: Path
    # Variables from the app's files that are not in the table; they are
    # passed on to the app (and hooks) as environment.
    app_environment: dict[str, str] = field(default_factory=dict)
    # Every variable from every layer, merged (for servers' own variables such
    # as UWSGI_*, and $NAME references in .warpdrive/server_args).
    environment: dict[str, str] = field(default_factory=dict)
    # Variables from build secrets (build_secrets.py): for the build's child
    # processes only, applied last; never printed, never in the image.
    build_secrets: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.settings[name].value

    def source_of(self, name: str) -> str:
        return self.settings[name].source

    def is_set(self, name: str) -> bool:
        return self.settings[name].source != "default"

    @property
    def app_dir(self) -> Path:
        home = self["APP_HOME"]
        return self.source_dir / home if home else self.source_dir


def load(environ: Mapping[str, str], source_dir: Path = SOURCE_DIR) -> Config:
    """Resolve every variable in the table, or raise ConfigError naming the first bad one."""
    s2i_environment = source_dir / ".s2i" / "environment"
    # The real s2i passes .s2i/environment's values verbatim: a quoted one means its content.
    raw_from_file = envfile.read_raw(s2i_environment)  # read once: its meaning and s2i's verbatim copies
    environ = {**environ, **envfile.verbatim_fixes(environ, raw_from_file)}
    layers: list[tuple[str, Mapping[str, str]]] = [
        (".warpdrive/environment", envfile.read(source_dir / ".warpdrive" / "environment")),
        *_warpdrive_value_files(source_dir),
        (".s2i/environment", from_file := {name: envfile.unquote(raw) for name, raw in raw_from_file.items()}),
        ("environment", environ),
    ]
    settings: dict[str, Setting] = {}
    for variable in VARIABLES:
        raw, source = None, "default"
        for layer_name, layer in layers:
            # An empty value means "not set here": it never hides a lower layer's (an OpenShift
            # template parameter left empty must not override the app's .s2i/environment).
            if variable.name in layer and (raw is None or layer[variable.name].strip()):
                raw, source = layer[variable.name], layer_name
        if source == "environment" and from_file.get(variable.name) == raw:
            source = ".s2i/environment"  # s2i passes the file's values on as the process environment
        if raw is None or (raw.strip() == "" and variable.kind is not BOOLEAN):
            settings[variable.name] = Setting(variable.default, "default")
            continue
        try:
            value = variable.kind.parse(raw)
        except ValueError:
            where = "" if source == "environment" else f" (set in {source})"
            raise ConfigError(
                f"{variable.name}={raw!r}{where} is not a valid value.",
                f"{variable.name} must be {variable.kind.allowed}.",
                f"Change or unset {variable.name}. `s2i-wsgi config` lists every setting and where it came from.",
            ) from None
        settings[variable.name] = Setting(value, source)
    app_environment: dict[str, str] = {}
    for _name, layer in layers[:-1]:
        app_environment.update({k: v for k, v in layer.items() if k not in environ})
    environment: dict[str, str] = {}
    for _, layer in layers:
        environment.update(layer)
    return Config(settings, source_dir, app_environment, environment)
