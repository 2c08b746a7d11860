"""The container engine and the images every test needs: which engine and builder (from the
environment), running the engine's CLI with its output in the failure, building the builder and its
runtime variant once for all parallel workers, and removing what a test made."""

from __future__ import annotations

import fcntl
import os
import re
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
APPS = REPO / "test" / "apps"
ENGINE = os.environ.get("CONTAINER_ENGINE", "docker")
BUILDER = os.environ.get("S2I_WSGI_IMAGE", "s2i-wsgi:latest")
# The runtime variant (`--target runtime`), tagged TAG-runtime by the Makefile.
RUNTIME = os.environ.get(
    "S2I_WSGI_RUNTIME_IMAGE", f"{BUILDER}-runtime" if ":" in BUILDER else f"{BUILDER}:latest-runtime"
)
BASE_IMAGE = os.environ.get("BASE_IMAGE", "debian:trixie-slim")
# A variant's tag is its Python version, which the Dockerfile checks (PYTHON_VERSION).
_TAG = BUILDER.rpartition(":")[2]
BUILD_ARGS = ["--build-arg", f"BASE_IMAGE={BASE_IMAGE}"]
if re.fullmatch(r"\d+\.\d+", _TAG):
    BUILD_ARGS += ["--build-arg", f"PYTHON_VERSION={_TAG}"]
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


def poll_until(predicate, deadline: float, interval: float = 0.1):
    """The first truthy value of `predicate()`, tried every `interval` s, or None at the deadline."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def free_port() -> int:
    """A 127.0.0.1 port nothing listens on now, for a process on the host's network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def exclusive(name: str) -> Iterator[None]:
    """Held by one process at a time: parallel workers (pytest -n) share one engine, and must not
    build the same image twice."""
    lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"s2i-wsgi-{name}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_builder() -> str:
    """Build the builder image unless it exists (the Makefile builds it first;
    the lock keeps parallel workers from building it twice)."""
    with exclusive("builder"):
        if engine("image", "inspect", BUILDER, check=False).returncode != 0:
            engine("build", *BUILD_ARGS, "-t", BUILDER, str(REPO), timeout=1800)
    return BUILDER


def ensure_runtime() -> str:
    """The runtime image, built (`--target runtime`) unless it exists."""
    with exclusive("runtime"):
        if engine("image", "inspect", RUNTIME, check=False).returncode != 0:
            engine(
                "build",
                *BUILD_ARGS,
                "--target",
                "runtime",
                "-t",
                RUNTIME,
                str(REPO),
                timeout=1800,
            )
    return RUNTIME


def remove_image(image: str) -> None:
    engine("rmi", "-f", image, check=False)
