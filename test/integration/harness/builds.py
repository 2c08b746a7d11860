"""Building apps as users build them: through the real s2i CLI by default, or, where a test is about
another path, OpenShift's way (`s2i build --as-dockerfile` then an image build) or bin/s2i-build (the
documented no-s2i command). A build's output is kept for the assertions and the failure message."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .engine import APPS, BUILDER, ENGINE, REPO, RUN_ID, text

# The real s2i CLI (the Makefile puts the pinned one first on PATH).
S2I = os.environ.get("S2I", "s2i")
# How apps are built, unless a test says otherwise:
#   s2i         the real `s2i build` (the default: what users run)
#   dockerfile  `s2i build --as-dockerfile` + an image build (what OpenShift 4 does)
#   s2i-build   bin/s2i-build --no-s2i (the documented no-s2i command)
BUILD_PATHS = ("s2i", "dockerfile", "s2i-build")
BUILD_PATH = os.environ.get("S2I_WSGI_BUILD_PATH", "s2i")

# test/apps/server_<name> -> the unique text that proves which server answered: one app per server
# of the launcher's table (servers.SERVERS), each choosing it by name.
SERVED = {
    "server_mod_wsgi": "server_mod_wsgi served by mod_wsgi/6.1.1\n",
    "server_gunicorn": "server_gunicorn served by gunicorn/27.0.1\n",
    "server_gunicorn_conf": "server_gunicorn_conf served by gunicorn/27.0.1\n",
    "server_uwsgi": "server_uwsgi served by uWSGI/2.0.31\n",
    "server_waitress": "server_waitress served by waitress\n",
    "server_warpdrive_type": "server_warpdrive_type served by waitress\n",
}


@dataclass
class Build:
    """A build's result. `output` has every line trimmed, as the real s2i prints the build's
    lines (it trims each one), so that an assertion holds on every build path."""

    app: str
    image: str
    returncode: int
    output: str

    def __post_init__(self) -> None:
        self.output = "\n".join(line.strip() for line in self.output.splitlines()) + "\n"

    def assert_ok(self) -> Build:
        assert self.returncode == 0, f"building {self.app} failed:\n{self.output[-6000:]}"
        return self


def _run(argv: list[str], timeout: float = 1500) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, capture_output=True, timeout=timeout, env={**os.environ, "CONTAINER_ENGINE": ENGINE}, check=False
    )


def s2i_argv(source: Path, image: str, env: tuple[str, ...], inject: tuple[str, ...], options: tuple[str, ...]):
    """`s2i build` with locally built images only (no registry is asked for the builder,
    the previous image or the runtime image)."""
    argv = [S2I, "build", str(source), BUILDER, image, "--pull-policy", "never"]
    if "--incremental" in options:
        argv += ["--incremental-pull-policy", "never"]
    if "--runtime-image" in options:
        argv += ["--runtime-pull-policy", "never"]
    for item in env:
        argv += ["-e", item]
    for item in inject:
        argv += ["--inject", item]
    return [*argv, *options]


def _build_as_dockerfile(argv: list[str], image: str) -> subprocess.CompletedProcess:
    """OpenShift 4's source build: s2i writes a Dockerfile and its context, an image build builds it."""
    with tempfile.TemporaryDirectory(prefix="s2i-dockerfile-") as work:
        dockerfile = Path(work) / "build" / "Dockerfile"
        written = _run([*argv, "--as-dockerfile", str(dockerfile)])
        if written.returncode != 0:
            return written
        built = _run([ENGINE, "build", "--tag", image, str(dockerfile.parent)])
        return subprocess.CompletedProcess(
            built.args, built.returncode, written.stdout + built.stdout, written.stderr + built.stderr
        )


def build_app(
    app: str,
    *env: str,
    source: Path | None = None,
    tag: str | None = None,
    inject: tuple[str, ...] = (),
    options: tuple[str, ...] = (),
    path: str | None = None,
) -> Build:
    """Build test/apps/<app> (or `source`) with the builder through `path` (default BUILD_PATH);
    -e NAME=VALUE per env item, --inject SRC:DEST per inject item; `options` are further
    `s2i build` options (--incremental, --runtime-image IMAGE, --context-dir DIR ...)."""
    path = path or BUILD_PATH
    assert path in BUILD_PATHS, f"S2I_WSGI_BUILD_PATH={path} is not one of {BUILD_PATHS}"
    image = tag or f"s2i-wsgi-test-{app.replace('_', '-')}:{RUN_ID}"
    where = source or APPS / app
    if path == "s2i-build":
        argv = [str(REPO / "bin" / "s2i-build"), str(where), BUILDER, image, "--no-s2i", *options]
        for item in env:
            argv += ["-e", item]
        for item in inject:
            argv += ["--inject", item]
        result = _run(argv)
    elif path == "dockerfile":
        result = _build_as_dockerfile(s2i_argv(where, image, env, inject, options), image)
    else:
        result = _run(s2i_argv(where, image, env, inject, options))
    return Build(app, image, result.returncode, text(result))
