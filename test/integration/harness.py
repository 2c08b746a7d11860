"""Container plumbing for the integration tests: build the builder once, build
apps through bin/s2i-build (the documented no-s2i command, or real s2i when
on PATH), run them on random 127.0.0.1 ports, poll for readiness with a
deadline, and always clean up. Failures carry the container's logs."""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / "test" / "apps"
ENGINE = os.environ.get("CONTAINER_ENGINE", "docker")
BUILDER = os.environ.get("S2I_WSGI_IMAGE", "s2i-wsgi:latest")
# The runtime variant (`--target runtime`), tagged TAG-runtime by the Makefile.
RUNTIME = os.environ.get(
    "S2I_WSGI_RUNTIME_IMAGE", f"{BUILDER}-runtime" if ":" in BUILDER else f"{BUILDER}:latest-runtime"
)
BASE_IMAGE = os.environ.get("BASE_IMAGE", "debian:trixie-slim")
RUN_ID = os.environ.get("S2I_WSGI_TEST_RUN", uuid.uuid4().hex[:8])
LABEL = "s2i-wsgi-test=1"


def engine(
    *args: str, check: bool = True, timeout: float = 900, input: bytes | None = None
) -> subprocess.CompletedProcess:
    result = subprocess.run([ENGINE, *args], capture_output=True, timeout=timeout, input=input, check=False)
    if check and result.returncode != 0:
        raise AssertionError(
            f"`{ENGINE} {' '.join(args)}` exited {result.returncode}:\n"
            f"{result.stdout.decode(errors='replace')}\n{result.stderr.decode(errors='replace')}"
        )
    return result


def text(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")


def ensure_builder() -> str:
    """Build the builder image unless it exists (the Makefile builds it first;
    the lock keeps parallel workers from building it twice)."""
    lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / "s2i-wsgi-builder.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if engine("image", "inspect", BUILDER, check=False).returncode != 0:
            engine("build", "--build-arg", f"BASE_IMAGE={BASE_IMAGE}", "-t", BUILDER, str(REPO), timeout=1800)
    return BUILDER


def ensure_runtime() -> str:
    """The runtime image, built (`--target runtime`) unless it exists."""
    lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / "s2i-wsgi-runtime.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if engine("image", "inspect", RUNTIME, check=False).returncode != 0:
            engine(
                "build",
                "--build-arg",
                f"BASE_IMAGE={BASE_IMAGE}",
                "--target",
                "runtime",
                "-t",
                RUNTIME,
                str(REPO),
                timeout=1800,
            )
    return RUNTIME


@dataclass
class Build:
    app: str
    image: str
    returncode: int
    output: str

    def assert_ok(self) -> Build:
        assert self.returncode == 0, f"building {self.app} failed:\n{self.output[-6000:]}"
        return self


def build_app(
    app: str,
    *env: str,
    source: Path | None = None,
    tag: str | None = None,
    inject: tuple[str, ...] = (),
    options: tuple[str, ...] = (),
) -> Build:
    """Build test/apps/<app> (or `source`) with the builder; -e NAME=VALUE per env item,
    --inject SRC:DEST per inject item; `options` are further bin/s2i-build options
    (--incremental, --runtime-image IMAGE)."""
    image = tag or f"s2i-wsgi-test-{app.replace('_', '-')}:{RUN_ID}"
    argv = [str(REPO / "bin" / "s2i-build"), str(source or APPS / app), BUILDER, image, *options]
    for item in env:
        argv += ["-e", item]
    for item in inject:
        argv += ["--inject", item]
    result = subprocess.run(
        argv, capture_output=True, timeout=1500, env={**os.environ, "CONTAINER_ENGINE": ENGINE}, check=False
    )
    return Build(app, image, result.returncode, text(result))


def remove_image(image: str) -> None:
    engine("rmi", "-f", image, check=False)


@dataclass
class Container:
    name: str
    image: str
    port: int = 0
    exited: bool = False
    _cleanup: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return text(engine("logs", self.name, check=False))

    def logs_with(self, *texts: str, deadline: float = 5) -> str:
        """The logs once they hold every one of `texts`, or as they are at the deadline: a line
        written after the response (an access log) reaches `docker logs` a moment later."""
        end = time.monotonic() + deadline
        while True:
            found = self.logs()
            if all(wanted in found for wanted in texts) or time.monotonic() >= end:
                return found
            time.sleep(0.1)

    def state(self) -> str:
        return (
            engine("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", self.name, check=False)
            .stdout.decode()
            .strip()
        )

    def get(self, path: str = "/", timeout: float = 30) -> tuple[int, bytes, dict]:
        request = urllib.request.Request(self.url + path)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def wait_ready(self, path: str = "/", deadline: float = 60) -> None:
        """Poll until the app answers (any HTTP status), failing with the logs."""
        end = time.monotonic() + deadline
        last = "no attempt"
        while time.monotonic() < end:
            status = self.state()
            if not status.startswith("running"):
                raise AssertionError(f"container {self.name} is not running ({status}); logs:\n{self.logs()}")
            try:
                self.get(path, timeout=5)
                return
            except (OSError, urllib.error.URLError) as error:
                last = repr(error)
            time.sleep(0.2)
        raise AssertionError(
            f"{self.name} did not answer on {self.url}{path} within {deadline}s ({last}); logs:\n{self.logs()}"
        )

    def exec(self, *argv: str, user: str | None = None) -> subprocess.CompletedProcess:
        args = ["exec"] + (["--user", user] if user else []) + [self.name, *argv]
        return engine(*args, check=False)

    def remove(self) -> None:
        engine("rm", "-f", self.name, check=False)


def run_app(image: str, *run_args: str, command: list[str] | None = None) -> Container:
    """Start `image` detached, port 8080 published on a random 127.0.0.1 port."""
    name = f"s2i-wsgi-test-{uuid.uuid4().hex[:10]}"
    engine("run", "-d", "--name", name, "--label", LABEL, "-p", "127.0.0.1::8080", *run_args, image, *(command or []))
    container = Container(name, image)
    mapping = engine("port", name, "8080/tcp").stdout.decode().split()[0]
    container.port = int(mapping.rsplit(":", 1)[1])
    return container


def run_once(image: str, *argv: str, run_args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`docker run --rm` a command to completion."""
    return engine("run", "--rm", "--label", LABEL, *run_args, image, *argv, check=False, timeout=300)
