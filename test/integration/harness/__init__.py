"""Container plumbing for the integration tests: build the builder once, build
apps through the real s2i CLI (or, where a test is about another path,
OpenShift's way: `s2i build --as-dockerfile` then an image build; or
bin/s2i-build, the documented no-s2i command), run them on random 127.0.0.1
ports, poll for readiness with a deadline, and always clean up. Failures carry
the container's logs and the build's output."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
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


def ensure_builder() -> str:
    """Build the builder image unless it exists (the Makefile builds it first;
    the lock keeps parallel workers from building it twice)."""
    lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / "s2i-wsgi-builder.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if engine("image", "inspect", BUILDER, check=False).returncode != 0:
            engine("build", *BUILD_ARGS, "-t", BUILDER, str(REPO), timeout=1800)
    return BUILDER


def ensure_runtime() -> str:
    """The runtime image, built (`--target runtime`) unless it exists."""
    lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / "s2i-wsgi-runtime.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
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


def git_source(app: str, into: Path, *, extra: dict[str, str] | None = None) -> Path:
    """test/apps/<app> as a git repository with one commit (what s2i clones), plus `extra`
    files written after the commit (uncommitted: s2i leaves them out)."""
    target = into / app
    shutil.copytree(APPS / app, target)
    git = ["git", "-C", str(target), "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"], ["commit", "--quiet", "-m", "app"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    for name, content in (extra or {}).items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(content)
    return target


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


SBOM_LABEL = "io.s2i-wsgi.sbom"


def sbom(image: str, *run_args: str) -> tuple[str, dict]:
    """An app image's bill of materials, found the way the README says: the path its label names,
    read with `docker run --rm IMAGE cat PATH`; (that path, the document)."""
    labels = json.loads(engine("image", "inspect", "--format", "{{json .Config.Labels}}", image).stdout) or {}
    assert SBOM_LABEL in labels, f"{image} has no label {SBOM_LABEL}: {sorted(labels)}"
    read = run_once(image, "cat", labels[SBOM_LABEL], run_args=run_args)
    assert read.returncode == 0, text(read)
    return labels[SBOM_LABEL], json.loads(read.stdout)


LB_IMAGE = "s2i-wsgi-test-haproxy:latest"


def ensure_load_balancer_image() -> str:
    """HAProxy from Debian (test/integration/lb), built on the builder's base. Kept between
    runs like the builder, so that its apt layer comes from the build cache next time."""
    lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / "s2i-wsgi-haproxy.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        engine("build", "--build-arg", f"BASE_IMAGE={BASE_IMAGE}", "-t", LB_IMAGE, str(REPO / "test/integration/lb"))
    return LB_IMAGE


@dataclass
class LoadBalancer:
    """HAProxy on 127.0.0.1:`port` with the host's network, in front of server slots r1..r6
    (test/integration/lb/haproxy.cfg). A slot is DOWN until it is given a replica's port,
    then UP once its health check passes, as a Service adds a pod once its readiness probe
    passes; the runtime API on `admin_port` drains a slot and takes it out."""

    name: str
    port: int
    admin_port: int

    def command(self, line: str) -> str:
        with socket.create_connection(("127.0.0.1", self.admin_port), timeout=10) as sock:
            sock.sendall(line.encode() + b"\n")
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        return reply.decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """`show stat` of the replicas' backend: each slot's status (UP, DOWN, DRAIN, MAINT), scur ..."""
        rows = csv.DictReader(self.command("show stat").removeprefix("# ").splitlines())
        return {row["svname"]: row for row in rows if row["pxname"] == "replicas" and row["svname"].startswith("r")}

    def wait_status(self, slot: str, status: str, deadline: float = 60) -> None:
        if not poll_until(lambda: self.servers()[slot]["status"] == status, deadline):
            raise AssertionError(
                f"HAProxy slot {slot} is {self.servers()[slot]['status']}, not {status}, after {deadline} s; "
                f"HAProxy's log:\n{self.logs()[-3000:]}"
            )

    def put_in(self, slot: str, port: int) -> None:
        """Point `slot` at 127.0.0.1:`port` and wait until its health check lets requests in."""
        self.command(f"set server replicas/{slot} addr 127.0.0.1 port {port}")
        self.wait_status(slot, "UP")

    def drain(self, slot: str) -> None:
        """No new requests to `slot` (the requests in flight go on)."""
        self.command(f"set server replicas/{slot} state drain")

    def take_out(self, slot: str) -> None:
        self.command(f"set server replicas/{slot} state maint")

    def logs(self) -> str:
        return text(engine("logs", self.name, check=False))

    def remove(self) -> None:
        engine("rm", "-f", self.name, check=False)


def start_load_balancer() -> LoadBalancer:
    image = ensure_load_balancer_image()
    lb = LoadBalancer(f"s2i-wsgi-test-lb-{uuid.uuid4().hex[:10]}", free_port(), free_port())
    engine(
        "run", "-d", "--name", lb.name, "--label", LABEL, "--network", "host",
        "-e", f"LB_PORT={lb.port}", "-e", f"ADMIN_PORT={lb.admin_port}", image,
    )  # fmt: skip

    def answers() -> bool:
        try:
            return len(lb.servers()) == 6
        except OSError:
            return False

    if not poll_until(answers, deadline=30):
        logs = lb.logs()
        lb.remove()
        raise AssertionError(f"HAProxy's runtime API did not answer on 127.0.0.1:{lb.admin_port} in 30 s:\n{logs}")
    return lb


# --- sources prepared in the builder ------------------------------------------
# Lock files that record an index URL (uv.lock, Pipfile.lock) are never committed: tests copy the
# app and lock the copy with the builder image's own tools, in a throwaway container.

UV = "/opt/s2i-wsgi/tools/bin/uv"


def in_builder(directory: Path, script: str, *env: str) -> None:
    """Run `script` in a throwaway builder container with `directory` at /w, failing with its output."""
    args = [
        "--user",
        "0",
        "-v",
        f"{directory}:/w:z",
        "-w",
        "/w",
        "-e",
        "UV_SYSTEM_CERTS=1",
        "-e",
        "UV_CACHE_DIR=/tmp/uv",
    ]
    for item in env:
        args += ["-e", item]
    result = run_once(BUILDER, "bash", "-c", script, run_args=tuple(args))
    assert result.returncode == 0, f"{script} failed:\n{text(result)}"


def copy_app(app: str, tmp_path_factory) -> Path:
    """A copy of test/apps/<app> in a new temporary directory (a pytest TempPathFactory's)."""
    target = tmp_path_factory.mktemp(app) / app
    shutil.copytree(APPS / app, target)
    return target


def uv_locked(app: str, tmp_path_factory) -> Path:
    """A copy of test/apps/<app> with the uv.lock that `uv lock` makes for it with the app's Python."""
    source = copy_app(app, tmp_path_factory)
    in_builder(source, f"{UV} lock --python /opt/app-root/bin/python")
    return source
