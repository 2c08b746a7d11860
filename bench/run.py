#!/usr/bin/env python3
"""`make bench`: our builder against two baselines, on the same base image and
the same reference apps, in one run.

    python3 bench/run.py [--repeat N] [--duration SECONDS] [--apps flask_hello,django_static,asgi_hello]

Systems: A = a hand-written best-practice Dockerfile with gunicorn (gthread)
for the WSGI apps, with uvicorn (--workers) for the ASGI app, B = warpdrive
0.34 with mod_wsgi (WSGI apps only), ours = the builder image through the real
s2i CLI (on PATH; `make bench` puts the pinned one there). Each repetition,
for each app and system: a cold build, the container started and timed to its
first 200, idle memory, wrk at 32 keep-alive connections on / and /sleep20
(ours: on / again with METRICS_PORT set, the metrics' cost), then a rebuild
after a source-only change (`s2i build --incremental` for ours) and one after
adding a dependency. For ours also: the runtime variant's size
(`--runtime-image`), and a source-only rebuild through bin/s2i-build's layered
rebuild. Figures are medians over the repetitions; ratios are to A. Writes
bench/results/latest.{json,md,png}.

Load goes only to 127.0.0.1, from wrk, for a bounded time. Every container and
image made here is removed at the end, also on failure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart
import stats

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
ENGINE = os.environ.get("CONTAINER_ENGINE", "docker")
S2I = os.environ.get("S2I", "s2i")
LABEL = "s2i-wsgi-bench=1"
PROCESSES, THREADS, CONNECTIONS, WRK_THREADS = 2, 5, 32, 2
WARMUP_SECONDS, SETTLE_SECONDS = 2, 2

# The entry point each server is given, the file a source-only change edits,
# the dependency the third build adds, and the app's interface (stats.INTERFACES).
ADDED_DEPENDENCY = "python-dateutil==2.9.0.post0"
APPS = {
    "flask_hello": {"module": "wsgi:application", "edit": "hello.py", "add": ADDED_DEPENDENCY, "interface": "wsgi"},
    "django_static": {
        "module": "mysite.wsgi:application",
        "edit": "pages/views.py",
        "add": ADDED_DEPENDENCY,
        "interface": "wsgi",
    },
    "asgi_hello": {"module": "main:app", "edit": "main.py", "add": ADDED_DEPENDENCY, "interface": "asgi"},
}

# The Dockerfile of each baseline (bench/baselines/NAME/Dockerfile), by interface. warpdrive (B)
# serves WSGI apps only: an ASGI app is measured against A alone.
BASELINES = {"wsgi": {"A": "dockerfile", "B": "warpdrive"}, "asgi": {"A": "uvicorn"}}

# Equal process and thread counts for every server; an ASGI server has one event loop per process.
RUN_ENV = {
    "wsgi": {
        "A": {"WEB_CONCURRENCY": str(PROCESSES), "GUNICORN_THREADS": str(THREADS)},
        "B": {"MOD_WSGI_PROCESSES": str(PROCESSES), "MOD_WSGI_THREADS": str(THREADS), "MOD_WSGI_ACCESS_LOG": "1"},
        "ours": {"MOD_WSGI_PROCESSES": str(PROCESSES), "MOD_WSGI_THREADS": str(THREADS)},
    },
    "asgi": {
        "A": {"WEB_CONCURRENCY": str(PROCESSES)},
        "ours": {"WEB_CONCURRENCY": str(PROCESSES)},
    },
}
SETTINGS = {
    "wsgi": {
        "A": f"gunicorn 27.0.1 --worker-class gthread --workers {PROCESSES} --threads {THREADS}, access log on",
        "B": f"warpdrive 0.34.0 + mod_wsgi 6.1.1 (daemon mode), MOD_WSGI_PROCESSES={PROCESSES} "
        f"MOD_WSGI_THREADS={THREADS} MOD_WSGI_ACCESS_LOG=1, other settings warpdrive's defaults",
        "ours": f"mod_wsgi-express (daemon mode), MOD_WSGI_PROCESSES={PROCESSES} MOD_WSGI_THREADS={THREADS}, "
        "everything else the image's defaults (access log on)",
    },
    "asgi": {
        "A": f"uvicorn 0.54.0 (httptools, uvloop) --workers {PROCESSES}, access log on",
        "B": "n/a: warpdrive serves WSGI apps only (mod_wsgi)",
        "ours": f"the image's ASGI default (gunicorn 27.0.1 with uvicorn-worker 0.4.0, uvicorn 0.54.0), "
        f"WEB_CONCURRENCY={PROCESSES}, everything else the image's defaults (access log on)",
    },
}


def systems_for(app: str) -> tuple[str, ...]:
    """The systems an app is measured on, in table order: ours and the baselines for its interface."""
    baselines = BASELINES[APPS[app]["interface"]]
    return tuple(s for s in stats.SYSTEMS if s in baselines or s == "ours")


class BenchError(Exception):
    pass


STARTED = time.monotonic()


def step(message: str) -> None:
    print(f"---> [{time.monotonic() - STARTED:6.0f} s] {message}", flush=True)


def run(argv: list[str], timeout: float = 1200, env: dict | None = None, check: bool = True) -> str:
    try:
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, env=env, check=False, errors="replace"
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"`{' '.join(argv)}` did not finish within {timeout:.0f} s") from error
    if check and result.returncode != 0:
        raise BenchError(
            f"`{' '.join(argv)}` exited {result.returncode}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout + result.stderr


@dataclass
class Features:
    """What our builder can do on this branch, found out rather than assumed."""

    incremental: bool
    runtime: bool
    why_not: dict[str, str] = field(default_factory=dict)

    @classmethod
    def detect(cls) -> Features:
        if shutil.which(S2I) is None:
            raise BenchError(
                f"The real s2i CLI ({S2I}) is not on PATH: run `make bench`, which installs the pinned one."
            )
        help_text = run([sys.executable, str(REPO / "bin" / "s2i-build"), "--help"], check=False)
        dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
        # s2i itself always builds incrementally; bin/s2i-build's layered rebuild is measured beside it.
        incremental = "--incremental" in help_text
        runtime = re.search(r"^FROM\s+\S+\s+AS\s+runtime\b", dockerfile, re.I | re.M) is not None
        why = {}
        if not incremental:
            why["rebuild_source_layered"] = "bin/s2i-build has no --incremental on this branch"
        if not runtime:
            why["size_runtime"] = "no runtime variant on this branch (Dockerfile target `runtime`, --runtime-image)"
        return cls(incremental, runtime, why)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_id = uuid.uuid4().hex[:8]
        self.builder = args.builder
        self.runtime_builder = f"{args.builder.rsplit(':', 1)[0]}-runtime:{self.run_id}"
        self.images: list[str] = []
        self.containers: list[str] = []
        self.base_size = 0
        self.features = Features(False, False)
        self.tmp = Path(tempfile.mkdtemp(prefix="s2i-wsgi-bench-"))

    # --- plumbing -------------------------------------------------------
    def image_id(self, tag: str) -> str:
        return run([ENGINE, "image", "inspect", "--format", "{{.Id}}", tag]).strip()

    def image_size_mb(self, tag: str) -> float:
        size = int(run([ENGINE, "image", "inspect", "--format", "{{.Size}}", tag]).strip())
        return (size - self.base_size) / 1e6

    def remove_images(self) -> None:
        for image in reversed(self.images):
            run([ENGINE, "rmi", "-f", image], check=False)
        self.images.clear()

    def remove_containers(self) -> None:
        for name in self.containers:
            run([ENGINE, "rm", "-f", name], check=False)
        self.containers.clear()

    def cleanup(self) -> None:
        self.remove_containers()
        self.remove_images()
        run([ENGINE, "rmi", "-f", self.runtime_builder], check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- building -------------------------------------------------------
    def prepare(self) -> None:
        step(f"Building the builder image {self.builder} (the layer cache may be used: it is not measured)")
        run(
            [
                ENGINE,
                "build",
                "--pull=false",
                "--build-arg",
                f"BASE_IMAGE={self.args.base}",
                "-t",
                self.builder,
                str(REPO),
            ]
        )
        self.base_size = int(run([ENGINE, "image", "inspect", "--format", "{{.Size}}", self.args.base]).strip())
        self.features = Features.detect()
        if self.features.runtime:
            step("Building the runtime variant of the builder (Dockerfile target `runtime`)")
            run(
                [
                    ENGINE,
                    "build",
                    "--pull=false",
                    "--target",
                    "runtime",
                    "--build-arg",
                    f"BASE_IMAGE={self.args.base}",
                    "-t",
                    self.runtime_builder,
                    str(REPO),
                ]
            )
        for reason in sorted(set(self.features.why_not.values())):
            step(f"n/a: {reason}")

    def build(self, system: str, app: str, source: Path, tag: str, *, cold: bool, tool: str = "s2i") -> float:
        """Seconds to build `source` as `tag`. Cold: no layer cache (A, B) or a fresh s2i build (ours).
        For ours, `tool` is the real s2i CLI or bin/s2i-build (without s2i, for its layered rebuild)."""
        if system == "ours" and tool == "s2i":
            argv = [S2I, "build", str(source), self.builder, tag, "--pull-policy", "never"]
            if not cold:
                argv += ["--incremental", "--incremental-pull-policy", "never"]
        elif system == "ours":
            argv = [sys.executable, str(REPO / "bin" / "s2i-build"), str(source), self.builder, tag, "--no-s2i"]
            if not cold:
                argv.append("--incremental")
        else:
            dockerfile = BENCH / "baselines" / BASELINES[APPS[app]["interface"]][system] / "Dockerfile"
            argv = [
                ENGINE,
                "build",
                "--pull=false",
                "-f",
                str(dockerfile),
                "--build-arg",
                f"BASE_IMAGE={self.args.base}",
            ]
            if system == "A":
                argv += ["--build-arg", f"APP_MODULE={APPS[app]['module']}"]
            if cold:
                argv.append("--no-cache")
            argv += ["-t", tag, str(source)]
        start = time.perf_counter()
        run(argv, env={**os.environ, "CONTAINER_ENGINE": ENGINE})
        seconds = time.perf_counter() - start
        self.images.append(self.image_id(tag))
        return seconds

    def layered_rebuild(self, app: str, source: Path) -> float:
        """A source-only rebuild through bin/s2i-build's layered rebuild, on an image it built (unmeasured)."""
        tag = f"s2i-wsgi-bench-ours-layered-{app.replace('_', '-')}:{self.run_id}"
        self.build("ours", app, source, tag, cold=True, tool="s2i-build")
        edit = source / APPS[app]["edit"]
        edit.write_text(edit.read_text(encoding="utf-8") + f"\n# layered source-only change {self.run_id}\n")
        return self.build("ours", app, source, tag, cold=False, tool="s2i-build")

    def runtime_variant_size(self, app: str, source: Path) -> float | None:
        if not self.features.runtime:
            return None
        tag = f"s2i-wsgi-bench-ours-rt-{app.replace('_', '-')}:{self.run_id}"
        argv = [S2I, "build", str(source), self.builder, tag, "--pull-policy", "never"]
        argv += ["--runtime-image", self.runtime_builder, "--runtime-pull-policy", "never"]
        run(argv, env={**os.environ, "CONTAINER_ENGINE": ENGINE})
        self.images.append(self.image_id(tag))
        return self.image_size_mb(tag)

    # --- running --------------------------------------------------------
    def serve(
        self, system: str, app: str, image: str, extra_env: dict[str, str] | None = None
    ) -> tuple[str, int, float]:
        """Start the image; (name, port, seconds from `docker run` to the first 200 on /)."""
        name = f"s2i-wsgi-bench-{self.run_id}-{uuid.uuid4().hex[:6]}"
        env = {**RUN_ENV[APPS[app]["interface"]][system], **(extra_env or {})}
        env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        start = time.perf_counter()
        self.containers.append(name)
        run([ENGINE, "run", "-d", "--name", name, "--label", LABEL, "-p", "127.0.0.1::8080", *env_args, image])
        port = int(run([ENGINE, "port", name, "8080/tcp"]).split()[0].rsplit(":", 1)[1])
        deadline = start + 120
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    if response.status == 200:
                        return name, port, time.perf_counter() - start
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.02)
        logs = run([ENGINE, "logs", name], check=False)
        raise BenchError(f"{system} ({image}) gave no 200 on / within 120 s; logs:\n{logs[-4000:]}")

    def wrk(self, port: int, path: str, seconds: int) -> dict[str, float]:
        out = run(
            [
                "wrk",
                f"-t{WRK_THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "5s",
                f"http://127.0.0.1:{port}{path}",
            ],
            timeout=seconds + 30,
        )
        return stats.parse_wrk(out)

    def measure_running(self, system: str, app: str, image: str) -> dict[str, float]:
        name, port, ttfb = self.serve(system, app, image)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sleep20", timeout=5) as response:
                if response.status != 200:
                    raise BenchError(f"{system}: /sleep20 answered {response.status}")
            self.wrk(port, "/", WARMUP_SECONDS)
            time.sleep(SETTLE_SECONDS)
            mem = stats.parse_mem_mib(run([ENGINE, "stats", "--no-stream", "--format", "{{.MemUsage}}", name]))
            hello = self.wrk(port, "/", self.args.duration)
            sleep = self.wrk(port, "/sleep20", self.args.duration)
        finally:
            run([ENGINE, "rm", "-f", name], check=False)
            self.containers.remove(name)
        return {
            "ttfb": ttfb,
            "mem_idle": mem,
            "rps_hello": hello["rps"],
            "p50_hello": hello["p50_ms"],
            "p99_hello": hello["p99_ms"],
            "errors_hello": hello["socket_errors"] + hello["non_2xx"],
            "rps_sleep": sleep["rps"],
            "p50_sleep": sleep["p50_ms"],
            "p99_sleep": sleep["p99_ms"],
            "errors_sleep": sleep["socket_errors"] + sleep["non_2xx"],
        }

    def measure_metrics_cost(self, app: str, image: str) -> float:
        """Ours: requests/s on / with METRICS_PORT set (the telemetry listener running), as rps_hello is measured."""
        name, port, _ = self.serve("ours", app, image, {"METRICS_PORT": "9100"})
        try:
            self.wrk(port, "/", WARMUP_SECONDS)
            time.sleep(SETTLE_SECONDS)
            return self.wrk(port, "/", self.args.duration)["rps"]
        finally:
            run([ENGINE, "rm", "-f", name], check=False)
            self.containers.remove(name)

    # --- one repetition for one app and system --------------------------
    def trial(self, app: str, system: str, rep: int) -> dict[str, float | None]:
        source = self.tmp / f"{app}-{system}-{rep}"
        shutil.copytree(BENCH / "apps" / app, source)
        tag = f"s2i-wsgi-bench-{system.lower()}-{app.replace('_', '-')}:{self.run_id}"
        figures: dict[str, float | None] = {}
        try:
            step(f"{app} / {system} / run {rep + 1}: cold build")
            figures["build_cold"] = self.build(system, app, source, tag, cold=True)
            figures["size_full"] = self.image_size_mb(tag)
            # A's image is already only what runs the app; B has no runtime variant.
            figures["size_runtime"] = {"A": figures["size_full"], "B": None}.get(system)
            if system == "ours":
                figures["size_runtime"] = self.runtime_variant_size(app, source) if rep == 0 else None
            step(f"{app} / {system} / run {rep + 1}: start, idle memory, wrk")
            figures.update(self.measure_running(system, app, tag))
            if system == "ours" and APPS[app]["interface"] == "wsgi":  # METRICS_PORT is mod_wsgi's
                figures["rps_hello_metrics"] = self.measure_metrics_cost(app, tag)
            step(f"{app} / {system} / run {rep + 1}: rebuilds")
            edit = source / APPS[app]["edit"]
            edit.write_text(edit.read_text(encoding="utf-8") + f"\n# source-only change {self.run_id}\n")
            figures["rebuild_source"] = self.build(system, app, source, tag, cold=False)
            requirements = source / "requirements.txt"
            requirements.write_text(requirements.read_text(encoding="utf-8") + APPS[app]["add"] + "\n")
            figures["rebuild_dep"] = self.build(system, app, source, tag, cold=False)
            if system == "ours" and self.features.incremental:
                figures["rebuild_source_layered"] = self.layered_rebuild(app, source)
        finally:
            # Containers first: an image a container still uses cannot be removed.
            self.remove_containers()
            self.remove_images()
        return figures

    def main(self) -> dict:
        load_before = os.getloadavg()
        started = time.perf_counter()
        self.prepare()
        raw: dict[str, dict[str, dict[str, list]]] = {}
        failures: list[str] = []
        for app in self.args.apps:
            systems = systems_for(app)
            raw[app] = {s: {} for s in systems}
            for rep in range(self.args.repeat):
                # Rotate the order so slow drift in the machine's load does not favour one system.
                order = systems[rep % len(systems) :] + systems[: rep % len(systems)]
                for system in order:
                    try:
                        figures = self.trial(app, system, rep)
                    except BenchError as error:
                        # One failed trial leaves its cells unmeasured; the rest of the run goes on.
                        step(f"FAILED: {app} / {system} / run {rep + 1}: {str(error)[:2000]}")
                        failures.append(f"{app} / {system} / run {rep + 1}: {str(error).splitlines()[0]}")
                        continue
                    for key, value in figures.items():
                        raw[app][system].setdefault(key, []).append(value)
        per_app = {app: stats.medians(by_system) for app, by_system in raw.items()}
        return {
            "machine": machine(load_before),
            "settings": {
                "repeat": self.args.repeat,
                "duration_s": self.args.duration,
                "connections": CONNECTIONS,
                "wrk": f"wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{self.args.duration}s --latency --timeout 5s",
                "warmup_s": WARMUP_SECONDS,
                "settle_s": SETTLE_SECONDS,
                "processes": PROCESSES,
                "threads": THREADS,
                # "servers" as before ASGI apps, so older readers of latest.json still find the WSGI settings.
                "servers": SETTINGS["wsgi"],
                "servers_by_interface": SETTINGS,
                "interfaces": {app: APPS[app]["interface"] for app in self.args.apps},
                "base_image": self.args.base,
                "added_dependency": {app: APPS[app]["add"] for app in self.args.apps},
                "features": {"incremental": self.features.incremental, "runtime": self.features.runtime},
            },
            "not_available": self.features.why_not,
            "failures": failures,
            "raw": raw,
            "medians": per_app,
            "targets": stats.summarize_targets(per_app),
            "elapsed_s": round(time.perf_counter() - started),
            "load_after": list(os.getloadavg()),
        }


def machine(load_before: tuple[float, float, float]) -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(encoding="utf-8"), re.M)
        cpu = match.group(1).strip() if match else cpu
    mem_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(encoding="utf-8"), re.M)
        mem_gib = round(int(match.group(1)) / 2**20, 1) if match else None
    engine_version = run([ENGINE, "version", "--format", "{{.Server.Version}}"], check=False).strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "kernel": platform.release(),
        "engine": f"{ENGINE} {engine_version}",
        "wrk": run(["wrk", "--version"], check=False).split(" Copyright")[0].strip() if shutil.which("wrk") else None,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": list(load_before),
    }


def write_results(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, content in (
        ("latest.json", json.dumps(result, indent=2, sort_keys=True) + "\n"),
        ("latest.md", stats.render_report(result)),
    ):
        tmp = out / (name + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(out / name)
    chart.draw(result, out / "latest.png")


def write_readme(result: dict, readme: Path, out: Path) -> None:
    # The chart is linked relative to the README, wherever --readme and --out put them.
    chart_path = os.path.relpath(out / "latest.png", readme.parent)
    readme.write_text(stats.update_readme(readme.read_text(encoding="utf-8"), result, chart_path), encoding="utf-8")
    step(f"Updated the Performance section of {readme}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "6")))
    parser.add_argument("--apps", default=",".join(APPS), help="comma-separated: " + ", ".join(APPS))
    parser.add_argument("--base", default=os.environ.get("BASE_IMAGE", "debian:trixie-slim"))
    parser.add_argument("--builder", default="s2i-wsgi-bench:3.13")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--readme", type=Path, default=BENCH / "README.md", help="README whose BENCH block is updated")
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    parser.add_argument("--render-only", action="store_true", help="redraw table and chart from OUT/latest.json")
    args = parser.parse_args(argv)
    args.apps = [a for a in args.apps.split(",") if a]
    unknown = [a for a in args.apps if a not in APPS]
    if unknown or not 1 <= args.repeat <= 9 or not 1 <= args.duration <= 60:
        parser.error("apps must be among " + ", ".join(APPS) + "; 1 <= --repeat <= 9; 1 <= --duration <= 60")
    if args.render_only:
        result = json.loads((args.out / "latest.json").read_text(encoding="utf-8"))
        write_results(result, args.out)
        if not args.no_readme:
            write_readme(result, args.readme, args.out)
        return 0
    if shutil.which("wrk") is None:
        print("ERROR: wrk is not installed (Debian: apt-get install wrk); `make bench` installs it.", file=sys.stderr)
        return 1
    bench = Bench(args)
    try:
        result = bench.main()
    except BenchError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    finally:
        step("Removing the containers and images made by this run")
        bench.cleanup()
    write_results(result, args.out)
    if not args.no_readme:
        write_readme(result, args.readme, args.out)
    step(f"Wrote {args.out}/latest.md, latest.json and latest.png in {result['elapsed_s']} s")
    print((args.out / "latest.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
