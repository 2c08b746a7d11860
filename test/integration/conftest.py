"""Integration tests: real images, real containers, real HTTP.

They need a container engine; without one they fail (they are never skipped
into a green run). `make test` starts one where it can (bin/ensure-engine).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# The launcher's tables (stdlib only), so that tests derive their cases from them.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

import harness


def pytest_sessionstart(session: pytest.Session) -> None:
    info = harness.engine("info", check=False)
    if info.returncode != 0:
        pytest.exit(
            f"ERROR: the integration tests need a running container engine, and `{harness.ENGINE} info` failed:\n"
            f"{harness.text(info)}\nRun `make test` (it starts one where it can) or start Docker.",
            returncode=3,
        )


@pytest.fixture(scope="session")
def builder() -> str:
    return harness.ensure_builder()


@pytest.fixture
def containers():
    """Start containers through this; they are removed whatever happens."""
    started: list[harness.Container] = []

    def start(image: str, *run_args: str, command: list[str] | None = None) -> harness.Container:
        container = harness.run_app(image, *run_args, command=command)
        started.append(container)
        return container

    yield start
    for container in started:
        container.remove()


@pytest.fixture(scope="module")
def built(builder):
    """Build apps once per module (from `source`, a prepared copy, when given); their images are
    removed afterwards."""
    cache: dict[tuple, harness.Build] = {}

    def build(app: str, *env: str, source: Path | None = None) -> harness.Build:
        key = (app, source, *env)
        if key not in cache:
            cache[key] = harness.build_app(
                app, *env, source=source, tag=f"s2i-wsgi-test-{app.replace('_', '-')}-{len(cache)}:{harness.RUN_ID}"
            )
        return cache[key]

    yield build
    for result in cache.values():
        harness.remove_image(result.image)
