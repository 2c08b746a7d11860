#!/usr/bin/env python3
"""docs/images/live-view.png: the live view's figures (METRICS_PORT's /live.json) over a real load run.

    python3 bench/live_view.py APP_IMAGE

APP_IMAGE is an app image built from test/apps/reliability (its /sleep/<s> and /hang endpoints).
It runs with 2 daemon processes x 3 threads and METRICS_PORT, then: 10 s idle; wrk with 3 and then
12 connections on /sleep/0.1 (half, then over capacity: requests queue); a request that hangs; idle
again. Load goes to 127.0.0.1 only, from wrk, for a bounded time; the container is removed at the end.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

OUT = Path(__file__).resolve().parents[1] / "docs" / "images" / "live-view.png"
PHASES = [("idle", 10, 0), ("3 clients", 20, 3), ("12 clients", 20, 12), ("idle", 5, 0), ("a hung request", 20, 0)]


def port_of(name: str, port: int) -> int:
    out = subprocess.run(["docker", "port", name, f"{port}/tcp"], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0].rsplit(":", 1)[1])


def hang(url: str, timeout: float) -> None:
    """A request that never ends on its own: cut when the container is removed."""
    with contextlib.suppress(OSError):
        urllib.request.urlopen(url, timeout=timeout).read()  # noqa: S310 - 127.0.0.1 only


def main(image: str) -> int:
    name = f"s2i-wsgi-live-view-{uuid.uuid4().hex[:6]}"
    env = ["-e", "MOD_WSGI_PROCESSES=2", "-e", "MOD_WSGI_THREADS=3", "-e", "METRICS_PORT=9100"]
    ports = ["-p", "127.0.0.1::8080", "-p", "127.0.0.1::9100"]
    subprocess.run(["docker", "run", "-d", "--name", name, *ports, *env, image], check=True, capture_output=True)
    try:
        app, metrics = port_of(name, 8080), port_of(name, 9100)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{app}/", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        marks, started = [], time.time()
        for label, seconds, clients in PHASES:
            marks.append((time.time() - started, label))
            if label == "a hung request":
                threading.Thread(target=hang, args=(f"http://127.0.0.1:{app}/hang", seconds + 5), daemon=True).start()
            if clients:
                url = f"http://127.0.0.1:{app}/sleep/0.1"
                subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", url], check=True, capture_output=True)
            else:
                time.sleep(seconds)
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics}/live.json", timeout=5) as response:
            points = [p for p in json.load(response)["points"] if p["stamp"] >= started]
    finally:
        subprocess.run(["docker", "rm", "-f", name], check=False, capture_output=True)
    draw(points, started, marks)
    print(f"wrote {OUT}")
    return 0


def draw(points: list[dict], started: float, marks: list[tuple[float, str]]) -> None:
    t = [p["stamp"] - started for p in points]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    top.step(t, [p["threads"] for p in points], where="post", color="#999999", label="threads")
    top.step(t, [p["in_flight"] for p in points], where="post", color="#1f77b4", label="requests in flight")
    top.set_ylabel("requests")
    right = top.twinx()
    right.plot(t, [p["oldest_request"] for p in points], color="#d62728", label="longest running request (s)")
    right.set_ylabel("seconds", color="#d62728")
    top.legend(loc="upper left")
    right.legend(loc="upper center")
    bottom.plot(t, [100 * p["capacity"] for p in points], color="#2ca02c", label="capacity used (%)")
    bottom.set_ylabel("capacity used (%)")
    bottom.set_ylim(0, 105)
    rate = bottom.twinx()
    rate.plot(t, [p["requests"] for p in points], color="#ff7f0e", label="requests per second")
    rate.set_ylabel("requests per second", color="#ff7f0e")
    bottom.legend(loc="upper left")
    rate.legend(loc="upper center")
    bottom.set_xlabel("seconds")
    for ax in (top, bottom):
        for at, label in marks:
            ax.axvline(at, color="#cccccc", linewidth=0.8)
            if ax is top:
                ax.annotate(label, (at, 1.01), xycoords=("data", "axes fraction"), fontsize=8)
    fig.suptitle("mod_wsgi, 2 processes x 3 threads, seen through METRICS_PORT (a real run)", y=0.99)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=90)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
