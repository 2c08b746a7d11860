"""A bounded keep-alive HTTP/1.1 load generator for 127.0.0.1, in asyncio.

Each of N connections sends GET requests one after another on the same
socket for a fixed time and reads each response fully (Content-Length), so
every server-side close of a kept-alive connection, reset or short read is
counted as an error, not retried. It only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import collections
import time
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

    def summary(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p50, p99 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]
        return (
            f"{self.requests} requests, statuses {dict(self.statuses)}, errors {dict(self.errors)}, "
            f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
        )


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" not in headers:
        raise ValueError("response without Content-Length")
    await reader.readexactly(int(headers["content-length"]))
    if headers.get("connection", "").lower() == "close":
        raise ConnectionAbortedError("server asked to close the connection")
    return status


async def _connection(port: int, path: str, until: float, result: LoadResult) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: s2i-wsgi-loadgen\r\n\r\n".encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < until:
            started = time.monotonic()
            writer.write(request)
            await writer.drain()
            try:
                status = await asyncio.wait_for(_read_response(reader), timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                result.errors[type(error).__name__] += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            result.requests += 1
            result.statuses[status] += 1
            result.latencies.append(time.monotonic() - started)
    finally:
        writer.close()


def run(port: int, path: str = "/", connections: int = 64, seconds: float = 60) -> LoadResult:
    result = LoadResult()

    async def main() -> None:
        until = time.monotonic() + seconds
        await asyncio.gather(*(_connection(port, path, until, result) for _ in range(connections)))

    asyncio.run(main())
    return result
