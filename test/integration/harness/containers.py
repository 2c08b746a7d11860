"""Running images: an app's container on a random 127.0.0.1 port, polled until it answers (failing
with its logs), exec'd into, its processes listed, a WebSocket opened to it, and always removable; a
command run to completion; an image's bill of materials read the way docs/production.md says."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

import pytest
from websockets.sync.client import ClientConnection, connect

from .engine import LABEL, engine, text

# Every app is served as the image's USER 1001 (no --user) and as an arbitrary UID in group 0, as
# OpenShift runs it; OPENSHIFT_USER is a UID from an OpenShift project's range.
ARBITRARY_USER = "123456:0"
OPENSHIFT_USER = "1000770000:0"
USERS = pytest.mark.parametrize("user", [None, ARBITRARY_USER], ids=["uid-1001", "arbitrary-uid"])


def as_user(user: str | None) -> list[str]:
    """The `docker run` options that run as `user` (None: the image's own USER 1001)."""
    return ["--user", user] if user else []


def request(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    timeout: float = 30,
) -> tuple[int, bytes, dict]:
    """(status, body, headers) of one HTTP request; an error status is an answer, not an exception."""
    prepared = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


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

    def get(self, path: str = "/", timeout: float = 30, **headers: str) -> tuple[int, bytes, dict]:
        return request(self.url + path, headers=headers, timeout=timeout)

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

    def pid1(self) -> str:
        """The command line of the container's PID 1."""
        listed = self.exec("ps", "-o", "args=", "-p", "1")
        assert listed.returncode == 0, text(listed)
        return listed.stdout.decode().strip()

    def workers(self, word: str, expected: int, deadline: float = 20) -> int:
        """How many children of PID 1 have `word` in their command line, polled until it is
        `expected` or the deadline passes (the app answers as soon as its first worker has booted,
        before the others)."""
        end = time.monotonic() + deadline
        while True:
            ps = self.exec("ps", "-o", "ppid=,args=", "-e").stdout.decode()
            count = sum(1 for line in ps.splitlines() if line.split()[0] == "1" and word in line)
            if count == expected or time.monotonic() > end:
                return count
            time.sleep(0.2)

    def websocket(self, path: str = "/ws", timeout: float = 10) -> ClientConnection:
        """A WebSocket connected to `path`; use it as a context manager (`with container.websocket() as ws`)."""
        return connect(f"ws://127.0.0.1:{self.port}{path}", open_timeout=timeout, close_timeout=timeout)

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


def serve(containers, image: str, *run_args: str, user: str | None = None) -> Container:
    """`image` started through the `containers` fixture as `user`, once it answers."""
    container = containers(image, *as_user(user), *run_args)
    container.wait_ready()
    return container


def answers(image: str, containers, expected: bytes, users: tuple[str | None, ...] = (None, ARBITRARY_USER)) -> None:
    """`image` answers `expected` to GET / with 200 as each of `users`."""
    for user in users:
        container = serve(containers, image, user=user)
        status, body, _ = container.get("/")
        assert (status, body) == (200, expected), container.logs()


def run_once(image: str, *argv: str, run_args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`docker run --rm` a command to completion."""
    return engine("run", "--rm", "--label", LABEL, *run_args, image, *argv, check=False, timeout=300)


SBOM_LABEL = "io.s2i-wsgi.sbom"


def sbom(image: str, *run_args: str) -> tuple[str, dict]:
    """An app image's bill of materials, found the way docs/production.md says: the path its label names,
    read with `docker run --rm IMAGE cat PATH`; (that path, the document)."""
    labels = json.loads(engine("image", "inspect", "--format", "{{json .Config.Labels}}", image).stdout) or {}
    assert SBOM_LABEL in labels, f"{image} has no label {SBOM_LABEL}: {sorted(labels)}"
    read = run_once(image, "cat", labels[SBOM_LABEL], run_args=run_args)
    assert read.returncode == 0, text(read)
    return labels[SBOM_LABEL], json.loads(read.stdout)
