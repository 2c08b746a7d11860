"""Unit tests: the launcher and bin/s2i-build, with no container engine and no network.

Apps are small directories written into tmp_path; cgroup trees are fake files.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from s2i_wsgi import config, detect, interface, servers  # noqa: E402
from s2i_wsgi.config import Config  # noqa: E402
from s2i_wsgi.incremental import cache, snapshot  # noqa: E402
from s2i_wsgi.resources import Limits  # noqa: E402

TWO_CPUS = Limits(cpus=2.0, memory=None)
_SERVABLE = "defining `application`, `app`, `create_app()` or `make_app()`"
# Every place detection looks, in the documented order (EntryPoint.searched, and the list the
# none-found error gives).
DETECTION_SEARCH = (
    "an executable app.sh",
    "manage.py naming DJANGO_SETTINGS_MODULE (a Django project)",
    f"wsgi.py {_SERVABLE}",
    f"app.py {_SERVABLE}",
    f"main.py {_SERVABLE}",
    f"the package named in pyproject.toml or setup.py {_SERVABLE}",
    f"a pyproject.toml script's module {_SERVABLE}",
    f"*/wsgi.py (a project package) {_SERVABLE}",
    "app.py (run with python)",
)
# The same, as the none-found error lists it.
SEARCH_LIST = "".join(f"  - {place}\n" for place in DETECTION_SEARCH)

# Fuzzing (test_fuzz_*.py): "ci", the default, is reproducible (the same examples on every run) and
# quick; HYPOTHESIS_PROFILE=long searches much deeper, with new examples each run. No example database:
# a failure is reproduced from the seed and the falsifying example hypothesis prints.
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, database=None)
settings.register_profile("long", max_examples=5000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Variables the tests must not inherit from whoever runs them.
_OUTSIDE_VARIABLES = ("S2I_WSGI_SOURCE_DIR", "S2I_BUILD_NO_S2I", "CONTAINER_ENGINE")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PORT or APP_MODULE in the developer's shell must not change a result."""
    for name in [*config.BY_NAME, *_OUTSIDE_VARIABLES]:
        monkeypatch.delenv(name, raising=False)


MakeApp = Callable[..., Path]


@pytest.fixture
def make_app(tmp_path: Path) -> MakeApp:
    """make_app({"wsgi.py": "application = ...", ".s2i/environment": "A=1\\n"}) -> app dir.

    Text contents are dedented, so they can be written as indented triple-quoted text; bytes are
    written as they are (a file no editor saves: not UTF-8, a NUL byte). Each call makes a new directory.
    """
    count = 0

    def make(files: Mapping[str, str | bytes] | None = None, name: str = "app") -> Path:
        nonlocal count
        count += 1
        root = tmp_path / f"{name}{count}"
        root.mkdir()
        for relative, text in (files or {}).items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make


@pytest.fixture
def load_config() -> Callable[..., Config]:
    """load_config(app_dir, NAME=value, ...): the configuration with that process environment."""

    def load(app_dir: Path, **environ: str) -> Config:
        return config.load(environ, app_dir)

    return load


@pytest.fixture(autouse=True)
def dependency_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds in unit tests cache into a temporary directory, never the host's /opt/s2i-wsgi or /tmp/artifacts."""
    base = tmp_path_factory.mktemp("dependency-cache")
    monkeypatch.setattr(cache, "CACHE_DIR", base / "cache")
    monkeypatch.setattr(cache, "ARTIFACTS_DIR", base / "artifacts")
    monkeypatch.setattr(snapshot, "LAYERED", base / "layered-rebuild")
    monkeypatch.setattr(interface, "RECORD", base / "interface.json")


@pytest.fixture
def launch(make_app: MakeApp, load_config: Callable[..., Config]) -> Callable[..., tuple[list[str], dict[str, str]]]:
    """launch(server, files, limits, NAME=value...) -> (argv, environment) of a server for a small app
    (a wsgi.py defining `application`), on two CPUs unless limits are given."""

    def run(
        server: str = "mod_wsgi", files: Mapping[str, str] | None = None, limits: Limits = TWO_CPUS, **environ: str
    ) -> tuple[list[str], dict[str, str]]:
        config = load_config(make_app({"wsgi.py": "application = object()\n", **(files or {})}), **environ)
        return servers.command(config, server, detect.entry_point(config), limits)

    return run


# The value(s) an option has in an argv a server is given.
def values_of(argv: list[str], option: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv) if arg == option]


def value_of(argv: list[str], option: str) -> str:
    values = values_of(argv, option)
    assert len(values) == 1, f"{option} appears {len(values)} times in {argv}"
    return values[0]
