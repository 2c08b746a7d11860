#!/usr/bin/env python3
"""`make bench`: our builder against two baselines, on the same base image and
the same reference apps, in one run.

    python3 bench/run.py [--repeat N] [--duration SECONDS] [--apps flask_hello,django_static,asgi_hello]

Systems: A = a hand-written best-practice Dockerfile with gunicorn (gthread)
for the WSGI apps, with uvicorn (--workers) for the ASGI app, B = warpdrive
0.34 with mod_wsgi (WSGI apps only; for information), ours = the builder image
through the real s2i CLI (on PATH; `make bench` puts the pinned one there).
Each repetition, for each app and system: a cold build; the container at its
image's defaults, timed from `docker run` to its first 200, its idle memory,
wrk at 32 keep-alive connections on / and /sleep20; the container at equal
processes x threads (1x5 and 2x5; an ASGI server: 1 and 2 processes), wrk on
/; then a rebuild after a source-only change (`s2i build --incremental` for
ours) and one after adding a dependency. For ours also: the size of the app
image from `--runtime-image`. Figures are medians over the repetitions; ratios
are to A, and the targets are issue #15's. Writes
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

# The environment of each configuration (stats.CONFIGS), by interface and system. "defaults" sets
# nothing: each image as it ships (A's Dockerfile sets WEB_CONCURRENCY and GUNICORN_THREADS; ours
# sizes itself from the container's CPUs and memory). The equal configurations give every server the
# same processes x threads, each logging every request (B's access log is off unless asked for).
RUN_ENV = {
    "wsgi": {
        "A": {
            "defaults": {},
            "eq1": {"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": str(THREADS)},
            "eq2": {"WEB_CONCURRENCY": str(PROCESSES), "GUNICORN_THREADS": str(THREADS)},
        },
        "B": {
            "defaults": {},
            "eq1": {"MOD_WSGI_PROCESSES": "1", "MOD_WSGI_THREADS": str(THREADS), "MOD_WSGI_ACCESS_LOG": "1"},
            "eq2": {
                "MOD_WSGI_PROCESSES": str(PROCESSES),
                "MOD_WSGI_THREADS": str(THREADS),
                "MOD_WSGI_ACCESS_LOG": "1",
            },
        },
        "ours": {
            "defaults": {},
            "eq1": {"MOD_WSGI_PROCESSES": "1", "MOD_WSGI_THREADS": str(THREADS)},
            "eq2": {"MOD_WSGI_PROCESSES": str(PROCESSES), "MOD_WSGI_THREADS": str(THREADS)},
        },
    },
    "asgi": {
        "A": {"defaults": {}, "eq1": {"WEB_CONCURRENCY": "1"}, "eq2": {"WEB_CONCURRENCY": str(PROCESSES)}},
        "ours": {"defaults": {}, "eq1": {"WEB_CONCURRENCY": "1"}, "eq2": {"WEB_CONCURRENCY": str(PROCESSES)}},
    },
}
SERVERS = {
    "wsgi": {
        "A": "gunicorn 27.0.1 --worker-class gthread, access log on",
        "B": "warpdrive 0.34.0 + mod_wsgi 6.1.1 (daemon mode), other settings warpdrive's defaults",
        "ours": "mod_wsgi-express (daemon mode), everything not named here the image's defaults (access log on)",
    },
    "asgi": {
        "A": "uvicorn 0.54.0 (httptools, uvloop) --workers, access log on",
        "B": "n/a: warpdrive serves WSGI apps only (mod_wsgi)",
        "ours": "the image's ASGI default (gunicorn 27.0.1 with uvicorn-worker 0.4.0, uvicorn 0.54.0), "
        "everything not named here the image's defaults (access log on)",
    },
}


# The variables that size a baseline (its Dockerfile's ENV sets them).
SIZING_VARIABLES = ("WEB_CONCURRENCY", "GUNICORN_THREADS")


def baseline_defaults(interface: str, system: str) -> dict[str, str]:
    """What a baseline's Dockerfile sets in ENV: its defaults, read rather than repeated here."""
    dockerfile = BENCH / "baselines" / BASELINES[interface][system] / "Dockerfile"
    return stats.dockerfile_env(dockerfile.read_text(encoding="utf-8"))


def folded_configs(interface: str, system: str) -> dict[str, str]:
    """{config: "defaults"} for each equal configuration that is the baseline's defaults: measured once."""
    if system == "ours":
        return {}
    defaults = baseline_defaults(interface, system)
    equal = RUN_ENV[interface][system]
    same = [c for c in stats.CONFIGS[1:] if equal[c] and all(defaults.get(k) == v for k, v in equal[c].items())]
    return dict.fromkeys(same, "defaults")


def config_settings(interface: str) -> dict[str, dict[str, str]]:
    """{system: {config: the settings it ran with}}, for the table's header lines."""
    out: dict[str, dict[str, str]] = {}
    for system, by_config in RUN_ENV[interface].items():
        folded = folded_configs(interface, system)
        texts = {config: f"`{' '.join(f'{k}={v}' for k, v in env.items())}`" for config, env in by_config.items()}
        if system == "ours":
            texts["defaults"] = "nothing set (the image sizes itself from the CPUs and memory: see each app)"
        elif system == "A":
            named = {k: v for k, v in baseline_defaults(interface, system).items() if k in SIZING_VARIABLES}
            texts["defaults"] = "its Dockerfile's `" + " ".join(f"{k}={v}" for k, v in named.items()) + "`"
        else:
            texts["defaults"] = "nothing set (its own defaults)"
        for config in folded:
            texts[config] += " (its defaults: measured once)"
        out[system] = texts
    return out


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

    runtime: bool
    why_not: dict[str, str] = field(default_factory=dict)

    @classmethod
    def detect(cls) -> Features:
        if shutil.which(S2I) is None:
            raise BenchError(
                f"The real s2i CLI ({S2I}) is not on PATH: run `make bench`, which installs the pinned one."
            )
        dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
        runtime = re.search(r"^FROM\s+\S+\s+AS\s+runtime\b", dockerfile, re.I | re.M) is not None
        why = {}
        if not runtime:
            why["size_runtime"] = "no runtime variant on this branch (Dockerfile target `runtime`, --runtime-image)"
        return cls(runtime, why)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_id = uuid.uuid4().hex[:8]
        # --builder names an image to use as it is (its runtime variant: the same name + "-runtime"),
        # never rebuilt or removed here; without it the builder is built from this tree.
        self.prebuilt = args.builder is not None
        self.builder = args.builder or "s2i-wsgi-bench:3.13"
        self.runtime_builder = (
            f"{self.builder}-runtime" if self.prebuilt else f"{self.builder.rsplit(':', 1)[0]}-runtime:{self.run_id}"
        )
        self.images: list[str] = []
        self.containers: list[str] = []
        self.base_size = 0
        self.features = Features(False)
        self.chosen: dict[str, str] = {}
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
        if not self.prebuilt:
            run([ENGINE, "rmi", "-f", self.runtime_builder], check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- building -------------------------------------------------------
    def prepare(self) -> None:
        self.base_size = int(run([ENGINE, "image", "inspect", "--format", "{{.Size}}", self.args.base]).strip())
        self.features = Features.detect()
        if self.prebuilt:
            step(f"Using the builder image {self.builder} as it is (and {self.runtime_builder})")
            for image in (self.builder, self.runtime_builder):
                run([ENGINE, "image", "inspect", "--format", "{{.Id}}", image])
            return
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

    def build(self, system: str, app: str, source: Path, tag: str, *, cold: bool) -> float:
        """Seconds to build `source` as `tag`. Cold: no layer cache (A, B) or a fresh s2i build (ours);
        otherwise the layer cache (A, B) or `s2i build --incremental` (ours)."""
        if system == "ours":
            argv = [S2I, "build", str(source), self.builder, tag, "--pull-policy", "never"]
            if not cold:
                argv += ["--incremental", "--incremental-pull-policy", "never"]
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
    def serve(self, system: str, app: str, image: str, config: str) -> tuple[str, int, float]:
        """Start the image in `config`; (name, port, seconds from `docker run` to the first 200 on /)."""
        name = f"s2i-wsgi-bench-{self.run_id}-{uuid.uuid4().hex[:6]}"
        env = RUN_ENV[APPS[app]["interface"]][system][config]
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

    def stop(self, name: str) -> None:
        run([ENGINE, "rm", "-f", name], check=False)
        self.containers.remove(name)

    def measure_defaults(self, system: str, app: str, image: str) -> dict[str, float]:
        """At the image's defaults: time to the first 200, idle memory, wrk on / and /sleep20."""
        name, port, ttfb = self.serve(system, app, image, "defaults")
        try:
            if system == "ours":
                # What the image chose for itself, from its `---> Serving ...: N processes (why) x M threads`.
                chosen = re.search(r"^---> Serving .* on port \d+: (.+)$", run([ENGINE, "logs", name]), re.M)
                self.chosen[app] = chosen.group(1).strip() if chosen else "(its start line was not found)"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sleep20", timeout=5) as response:
                if response.status != 200:
                    raise BenchError(f"{system}: /sleep20 answered {response.status}")
            self.wrk(port, "/", WARMUP_SECONDS)
            time.sleep(SETTLE_SECONDS)
            mem = stats.parse_mem_mib(run([ENGINE, "stats", "--no-stream", "--format", "{{.MemUsage}}", name]))
            hello = self.wrk(port, "/", self.args.duration)
            sleep = self.wrk(port, "/sleep20", self.args.duration)
        finally:
            self.stop(name)
        return {
            "ttfb": ttfb,
            "mem_idle": mem,
            "rps_hello": hello["rps"],
            "p99_hello": hello["p99_ms"],
            "errors_hello": hello["socket_errors"] + hello["non_2xx"],
            "rps_sleep": sleep["rps"],
            "p99_sleep": sleep["p99_ms"],
            "errors_sleep": sleep["socket_errors"] + sleep["non_2xx"],
        }

    def measure_hello(self, system: str, app: str, image: str, config: str) -> dict[str, float]:
        """At an equal configuration: wrk on / after a warm-up."""
        name, port, _ = self.serve(system, app, image, config)
        try:
            self.wrk(port, "/", WARMUP_SECONDS)
            hello = self.wrk(port, "/", self.args.duration)
        finally:
            self.stop(name)
        return {
            f"rps_hello_{config}": hello["rps"],
            f"p99_hello_{config}": hello["p99_ms"],
            f"errors_hello_{config}": hello["socket_errors"] + hello["non_2xx"],
        }

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
            # A's image is already only what runs the app; B has no runtime image.
            figures["size_runtime"] = {"A": figures["size_full"], "B": None}.get(system)
            if system == "ours":
                figures["size_runtime"] = self.runtime_variant_size(app, source) if rep == 0 else None
            step(f"{app} / {system} / run {rep + 1}: at defaults: start, idle memory, wrk")
            figures.update(self.measure_defaults(system, app, tag))
            folded = folded_configs(APPS[app]["interface"], system)
            for config in stats.CONFIGS[1:]:
                if config in folded:
                    for key in ("rps_hello", "p99_hello", "errors_hello"):
                        figures[f"{key}_{config}"] = figures[key]
                    continue
                step(f"{app} / {system} / run {rep + 1}: at {config}: wrk")
                figures.update(self.measure_hello(system, app, tag, config))
            step(f"{app} / {system} / run {rep + 1}: rebuilds")
            edit = source / APPS[app]["edit"]
            edit.write_text(edit.read_text(encoding="utf-8") + f"\n# source-only change {self.run_id}\n")
            figures["rebuild_source"] = self.build(system, app, source, tag, cold=False)
            requirements = source / "requirements.txt"
            requirements.write_text(requirements.read_text(encoding="utf-8") + APPS[app]["add"] + "\n")
            figures["rebuild_dep"] = self.build(system, app, source, tag, cold=False)
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
                "servers_by_interface": SERVERS,
                "configs": {i: config_settings(i) for i in stats.INTERFACES},
                "chosen": self.chosen,
                "interfaces": {app: APPS[app]["interface"] for app in self.args.apps},
                "base_image": self.args.base,
                "added_dependency": {app: APPS[app]["add"] for app in self.args.apps},
                "features": {"runtime": self.features.runtime},
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
    parser.add_argument(
        "--builder", help="use this builder image as it is (and NAME-runtime) instead of building one from this tree"
    )
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
