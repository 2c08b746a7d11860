"""A load balancer in front of replicas, as a Service is in front of pods: HAProxy in a container on
the host's network, whose runtime API puts replicas in, drains them and takes them out."""

from __future__ import annotations

import csv
import socket
import uuid
from dataclasses import dataclass

from .engine import BASE_IMAGE, LABEL, REPO, engine, exclusive, free_port, poll_until, text

LB_IMAGE = "s2i-wsgi-test-haproxy:latest"


def ensure_load_balancer_image() -> str:
    """HAProxy from Debian (test/integration/lb), built on the builder's base. Kept between
    runs like the builder, so that its apt layer comes from the build cache next time."""
    with exclusive("haproxy"):
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
