"""A bounded HTTP/1.1 load generator for 127.0.0.1, in asyncio.

Keep-alive clients send GET requests one after another on one socket and
read each response fully (Content-Length), so every server-side close of a
kept-alive connection, reset or short read is counted as an error, not
retried (the client then opens a new connection and goes on). New-connection
clients open a connection per request (`Connection: close`), so they also see
every refused or reset connection. `run` is a fixed time of keep-alive load;
`steady` runs a mix in the background while the caller changes things behind
the port. It only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    errors: collections.Counter = field(default_factory=collections.Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def non_2xx(self) -> int:
        return sum(count for status, count in self.statuses.items() if not 200 <= status < 300)

    @property
    def sent(self) -> int:
        return self.requests + sum(self.errors.values())

    @property
    def failed(self) -> int:
        """Requests that got no 2xx answer: other statuses, and requests lost to a socket error."""
        return self.non_2xx + sum(self.errors.values())

    def summary(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p50, p99 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]
        return (
            f"{self.requests} requests, statuses {dict(self.statuses)}, errors {dict(self.errors)}, "
            f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
        )


@dataclass(frozen=True)
class Clients:
    """`count` clients sending GET `path`, on one kept-alive connection each or a new one per
    request, each waiting a random time between `pause` seconds after every answer."""

    path: str
    count: int
    keep_alive: bool = True
    pause: tuple[float, float] = (0, 0)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status, and whether the server said it closes the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" not in headers:
        raise ValueError("response without Content-Length")
    await reader.readexactly(int(headers["content-length"]))
    return status, headers.get("connection", "").lower() == "close"


def _request(port: int, path: str, *, close: bool) -> bytes:
    connection = "Connection: close\r\n" if close else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: s2i-wsgi-loadgen\r\n{connection}\r\n".encode()


# What a lost request looks like from the client: no answer in time, a refused or reset
# connection, a short read, a malformed answer, or (keep-alive) the server closing the connection.
LOST = (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError)


async def _keep_alive_client(clients: Clients, port: int, running: Callable[[], bool], result: LoadResult) -> None:
    request = _request(port, clients.path, close=False)
    writer = None
    try:
        while running():
            started = time.monotonic()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request)
                await writer.drain()
                status, close = await asyncio.wait_for(_read_response(reader), timeout=30)
                if close:
                    raise ConnectionAbortedError("server asked to close the connection")
            except LOST as error:
                result.errors[type(error).__name__] += 1
                if writer is not None:
                    writer.close()
                writer = None
                continue
            result.requests += 1
            result.statuses[status] += 1
            result.latencies.append(time.monotonic() - started)
            await _pause(clients)
    finally:
        if writer is not None:
            writer.close()


async def _new_connection_client(clients: Clients, port: int, running: Callable[[], bool], result: LoadResult) -> None:
    request = _request(port, clients.path, close=True)
    while running():
        started = time.monotonic()
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            status, _ = await asyncio.wait_for(_read_response(reader), timeout=30)
        except LOST as error:
            result.errors[type(error).__name__] += 1
            continue
        finally:
            if writer is not None:
                writer.close()
        result.requests += 1
        result.statuses[status] += 1
        result.latencies.append(time.monotonic() - started)
        await _pause(clients)


async def _pause(clients: Clients) -> None:
    if clients.pause[1] > 0:
        await asyncio.sleep(random.uniform(*clients.pause))


async def _load(port: int, clients: Sequence[Clients], running: Callable[[], bool], result: LoadResult) -> None:
    await asyncio.gather(*(
        (_keep_alive_client if group.keep_alive else _new_connection_client)(group, port, running, result)
        for group in clients
        for _ in range(group.count)
    ))  # fmt: skip


def run(port: int, path: str = "/", connections: int = 64, seconds: float = 60) -> LoadResult:
    """`connections` keep-alive clients for `seconds`."""
    return for_seconds(port, [Clients(path, connections)], seconds)


def for_seconds(port: int, clients: Sequence[Clients], seconds: float) -> LoadResult:
    result = LoadResult()
    until = time.monotonic() + seconds
    asyncio.run(_load(port, clients, lambda: time.monotonic() < until, result))
    return result


@contextlib.contextmanager
def steady(port: int, clients: Sequence[Clients]) -> Iterator[LoadResult]:
    """Load from a background thread for as long as the block runs; the result is complete
    once the block is left (each client finishes the request it is in)."""
    result = LoadResult()
    stop = threading.Event()
    failure: list[BaseException] = []

    def load() -> None:
        try:
            asyncio.run(_load(port, clients, lambda: not stop.is_set(), result))
        except BaseException as error:  # handed to the caller below
            failure.append(error)

    thread = threading.Thread(target=load, name="loadgen", daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join(timeout=60)
    if thread.is_alive():
        raise AssertionError("the load generator did not stop within 60 s")
    if failure:
        raise failure[0]
