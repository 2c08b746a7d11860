"""The pure part of `make bench`: wrk output parsing, medians, ratios to
baseline A, target checks and the Markdown table. No engine, no I/O, so it is
unit-tested (test/unit/test_bench.py)."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

# The systems compared, in table order. "A" is the reference for every ratio.
SYSTEMS = ("A", "B", "ours")
SYSTEM_NAMES = {
    "A": "A: Dockerfile + gunicorn",
    "B": "B: warpdrive + mod_wsgi",
    "ours": "ours: s2i-wsgi",
}
# Baseline A serves each app the way a hand-written Dockerfile usually does for its interface:
# gunicorn's gthread worker for a WSGI app, uvicorn's own `--workers` for an ASGI app. warpdrive
# (B) serves WSGI apps only (through mod_wsgi), so an ASGI app has no B.
INTERFACES = ("wsgi", "asgi")
SYSTEM_NAMES_BY_INTERFACE = {
    "wsgi": SYSTEM_NAMES,
    "asgi": {**SYSTEM_NAMES, "A": "A: Dockerfile + uvicorn"},
}


# The three configurations each system runs in, in table order. A WSGI server runs at its image's
# defaults and at equal processes x threads (1x5, 2x5); an ASGI server has one event loop per
# process, so its equal configurations are 1 and 2 processes.
CONFIGS = ("defaults", "eq1", "eq2")
CONFIG_NAMES = {
    "wsgi": {"defaults": "defaults", "eq1": "1x5", "eq2": "2x5"},
    "asgi": {"defaults": "defaults", "eq1": "1 process", "eq2": "2 processes"},
}


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # {eq1}/{eq2} stand for the configuration's name for the app's interface
    unit: str
    higher_is_better: bool = False

    def label_for(self, interface: str = "wsgi") -> str:
        return self.label.format(**CONFIG_NAMES[interface])


# Only what a target or a reader needs: the targets of #15, and the p99 at defaults beside them.
METRICS = (
    Metric("build_cold", "cold app build", "s"),
    Metric("rebuild_source", "rebuild after a source-only change", "s"),
    Metric("rebuild_dep", "rebuild after adding one dependency", "s"),
    Metric("size_full", "image size above the base (plain build)", "MB"),
    Metric("size_runtime", "image size above the base (runtime image)", "MB"),
    Metric("ttfb", "docker run to first 200 (defaults)", "s"),
    Metric("mem_idle", "idle memory (defaults)", "MiB"),
    Metric("rps_hello", "hello at defaults: requests/s", "req/s", higher_is_better=True),
    Metric("p99_hello", "hello at defaults: p99", "ms"),
    Metric("rps_sleep", "sleep 20 ms at defaults: requests/s", "req/s", higher_is_better=True),
    Metric("p99_sleep", "sleep 20 ms at defaults: p99", "ms"),
    Metric("rps_hello_eq1", "hello at {eq1}: requests/s", "req/s", higher_is_better=True),
    Metric("p99_hello_eq1", "hello at {eq1}: p99", "ms"),
    Metric("rps_hello_eq2", "hello at {eq2}: requests/s", "req/s", higher_is_better=True),
    Metric("p99_hello_eq2", "hello at {eq2}: p99", "ms"),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}


@dataclass(frozen=True)
class Target:
    """`ours` `metric` compared with `against`'s `other_metric`, times `factor`."""

    metric: str
    against: str  # "A" or "ours"
    factor: float
    other_metric: str | None = None

    @property
    def higher_is_better(self) -> bool:
        return METRIC_BY_KEY[self.metric].higher_is_better

    def describe(self) -> str:
        sign = ">=" if self.higher_is_better else "<="
        other = f" {METRIC_BY_KEY[self.other_metric].label}" if self.other_metric else ""
        return f"{sign} {self.factor:g}x {self.against}{other}"


# Issue #15's targets, all ratios to A in the same run (or to our own cold build). B (warpdrive)
# is shown for information only.
TARGETS: tuple[Target, ...] = (
    Target("build_cold", "A", 1.1),
    Target("rebuild_source", "ours", 0.35, other_metric="build_cold"),
    Target("rebuild_dep", "A", 1.0),
    Target("size_full", "A", 2.5),
    Target("size_runtime", "A", 1.1, other_metric="size_full"),
    Target("ttfb", "A", 1.2),
    Target("mem_idle", "A", 1.5),
    Target("rps_hello", "A", 1.5),
    Target("rps_sleep", "A", 1.0),
    Target("rps_hello_eq1", "A", 1.3),
    Target("p99_hello_eq1", "A", 1.0),
    Target("rps_hello_eq2", "A", 1.3),
    Target("p99_hello_eq2", "A", 1.0),
)


def dockerfile_env(dockerfile: str) -> dict[str, str]:
    """The NAME=value pairs of a Dockerfile's ENV instructions (later ones win): a baseline's defaults."""
    env: dict[str, str] = {}
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    for line in joined.splitlines():
        match = re.match(r"\s*ENV\s+(.*)", line, re.I)
        if match:
            env.update(re.findall(r"(\w+)=(\"[^\"]*\"|\S+)", match.group(1)))
    return {k: v.strip('"') for k, v in env.items()}


_UNIT_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_SI = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


def duration_ms(text: str) -> float:
    """wrk's '812.00us', '4.10ms', '1.02s', '1.00m' -> milliseconds."""
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)] * 1000.0


def parse_wrk(output: str) -> dict[str, float]:
    """The figures of one `wrk --latency` run: rps, p50/p99 in ms, requests, errors."""
    result: dict[str, float] = {}
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M)
    if not rps:
        raise ValueError("wrk output has no Requests/sec line:\n" + output)
    result["rps"] = float(rps.group(1))
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.0+)?%\s+(\S+)", output, re.M)
        if match:
            result[f"p{pct}_ms"] = duration_ms(match.group(1))
    if "p50_ms" not in result or "p99_ms" not in result:
        raise ValueError("wrk output has no latency distribution (run wrk with --latency):\n" + output)
    total = re.search(r"^\s+(\d+) requests in ([0-9.]+)(us|ms|s|m)", output, re.M)
    result["requests"] = float(total.group(1)) if total else 0.0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = float(sum(int(g) for g in errors.groups())) if errors else 0.0
    result["timeouts"] = float(errors.group(4)) if errors else 0.0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = float(non2xx.group(1)) if non2xx else 0.0
    return result


def parse_mem_mib(text: str) -> float:
    """`docker stats` MemUsage ('45.3MiB / 23.4GiB') -> MiB used."""
    used = text.split("/", maxsplit=1)[0].strip()
    match = re.fullmatch(r"([0-9.]+)\s*([KMGT]i?B|B)", used)
    if not match:
        raise ValueError(f"not a docker memory figure: {text!r}")
    scale = {"B": 1 / 2**20, "KiB": 1 / 1024, "MiB": 1, "GiB": 1024, "TiB": 2**20}
    scale |= {"kB": 1e3 / 2**20, "KB": 1e3 / 2**20, "MB": 1e6 / 2**20, "GB": 1e9 / 2**20, "TB": 1e12 / 2**20}
    return float(match.group(1)) * scale[match.group(2)]


def median(values: list[float | None]) -> float | None:
    """Median of the measured values; None when nothing was measured."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or reference == 0:
        return None
    return value / reference


def medians(runs: dict[str, dict[str, list[float | None]]]) -> dict[str, dict[str, float | None]]:
    """{system: {metric: [run values]}} -> {system: {metric: median}}."""
    return {system: {key: median(values) for key, values in by_metric.items()} for system, by_metric in runs.items()}


def check_target(target: Target, figures: dict[str, dict[str, float | None]]) -> tuple[float | None, str]:
    """(ratio, 'met' | 'missed' | 'n/a') of ours against the target's reference."""
    ours = figures.get("ours", {}).get(target.metric)
    reference = figures.get(target.against, {}).get(target.other_metric or target.metric)
    value = ratio(ours, reference)
    if value is None:
        return None, "n/a"
    ok = value >= target.factor if target.higher_is_better else value <= target.factor
    return value, "met" if ok else "missed"


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if unit in {"req/s", "MB", "MiB"} or abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return text


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def interface_of(result: dict, app: str) -> str:
    """The app's interface as the run recorded it (WSGI when the run did not say)."""
    return result.get("settings", {}).get("interfaces", {}).get(app, "wsgi")


def render_table(
    app: str,
    figures: dict[str, dict[str, float | None]],
    notes: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
    interface: str = "wsgi",
) -> str:
    """One Markdown table for one app: medians, ratios to A, and the targets on each row.
    `names`: the column titles (SYSTEM_NAMES_BY_INTERFACE[the app's interface])."""
    notes = notes or {}
    names = names or SYSTEM_NAMES
    header = (
        f"| {app} | {names['A']} | {names['B']} | {names['ours']} "
        "| ours/A | B/A | targets for ours |\n|---|---:|---:|---:|---:|---:|---|\n"
    )
    rows = []
    for metric in METRICS:
        a, b, ours = (figures.get(s, {}).get(metric.key) for s in SYSTEMS)
        checks = []
        for target in TARGETS:
            if target.metric != metric.key:
                continue
            value, status = check_target(target, figures)
            mark = {"met": "met", "missed": "**missed**", "n/a": "n/a"}[status]
            checks.append(
                f"{target.describe()}: {mark}" if value is None else f"{target.describe()}: {fmt_ratio(value)} {mark}"
            )
        note = notes.get(metric.key)
        if note:
            checks.append(note)
        rows.append(
            f"| {metric.label_for(interface)} ({metric.unit}) | {fmt(a, metric.unit)} | {fmt(b, metric.unit)} "
            f"| {fmt(ours, metric.unit)} | {fmt_ratio(ratio(ours, a))} | {fmt_ratio(ratio(b, a))} "
            f"| {'; '.join(checks) or 'information'} |"
        )
    return header + "\n".join(rows) + "\n"


def summarize_targets(per_app: dict[str, dict[str, dict[str, float | None]]]) -> list[dict]:
    """Every target for every app, as records for the JSON and the README."""
    out = []
    for app, figures in per_app.items():
        for target in TARGETS:
            value, status = check_target(target, figures)
            out.append(
                {
                    "app": app,
                    "metric": target.metric,
                    "target": target.describe(),
                    "ratio": value,
                    "status": status,
                    "ours": figures.get("ours", {}).get(target.metric),
                    "reference": figures.get(target.against, {}).get(target.other_metric or target.metric),
                }
            )
    return out


def missed_targets(result: dict) -> list[str]:
    """One line per missed target: app, figure, target, ratio."""
    lines = []
    for record in result["targets"]:
        if record["status"] != "missed":
            continue
        metric = METRIC_BY_KEY[record["metric"]]
        lines.append(
            f"{record['app']}: {metric.label_for(interface_of(result, record['app']))} "
            f"{fmt(record['ours'], metric.unit)} {metric.unit} "
            f"is {fmt_ratio(record['ratio'])} (target {record['target']})"
        )
    return lines


def render_settings(settings: dict, interface: str, apps: list[str]) -> str:
    """The header lines of one interface's tables: each system's server, then each configuration's settings."""
    names = SYSTEM_NAMES_BY_INTERFACE[interface]
    servers = settings["servers_by_interface"][interface]
    configs = settings.get("configs", {}).get(interface, {})
    lines = [f"{interface.upper()} apps ({', '.join(apps)}):\n"]
    for system in SYSTEMS:
        by_config = configs.get(system)
        sizing = (
            "; ".join(f"{CONFIG_NAMES[interface][c]}: {by_config[c]}" for c in CONFIGS if c in by_config)
            if by_config
            else ""
        )
        lines.append(f"- {names[system]}: {servers[system]}" + (f". {sizing}" if sizing else ""))
    return "\n".join(lines) + "\n"


def render_report(result: dict) -> str:
    """bench/results/latest.md: the machine, the settings, a table per app, what was missed."""
    machine, settings = result["machine"], result["settings"]
    load_before = ", ".join(f"{x:.2f}" for x in machine["load_before"])
    load_after = ", ".join(f"{x:.2f}" for x in result["load_after"])
    apps_by_interface = {i: [a for a in result["medians"] if interface_of(result, a) == i] for i in INTERFACES}
    parts = [
        "# Benchmark: s2i-wsgi against two baselines\n",
        f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB, kernel {machine['kernel']}, {machine['engine']}, {machine['wrk']}; "
        f"load average before {load_before}, after {load_after}. The whole run took "
        f"{result['elapsed_s'] / 60:.1f} min.\n",
        f"Each figure is the median of {settings['repeat']} runs (the runtime image's size: one build). "
        f"Load: `{settings['wrk']}` on 127.0.0.1, after a {settings['warmup_s']} s warm-up; idle memory is "
        f"`docker stats` {settings['settle_s']} s after the warm-up. Base image `{settings['base_image']}`; "
        "sizes are above it (MB = 10^6 bytes). Ratios are to A; B is shown for information.\n",
    ]
    for interface in INTERFACES:
        if apps_by_interface[interface]:
            parts.append(render_settings(settings, interface, apps_by_interface[interface]))
    chosen = settings.get("chosen", {})
    for app, figures in result["medians"].items():
        interface = interface_of(result, app)
        parts.append(f"## {app}\n")
        if chosen.get(app):
            parts.append(f"Ours at its defaults (nothing set) served with {chosen[app]}.\n")
        names = SYSTEM_NAMES_BY_INTERFACE[interface]
        parts.append(render_table(app, figures, result.get("not_available"), names, interface))
        error_keys = (("errors_hello", "hello"), ("errors_sleep", "sleep"))
        error_keys += tuple((f"errors_hello_{c}", f"hello {CONFIG_NAMES[interface][c]}") for c in CONFIGS[1:])
        systems = [s for s in SYSTEMS if s in figures]
        parts.append(
            f"Socket errors + non-2xx responses during the wrk runs (median; {', '.join(n for _, n in error_keys)}): "
            + "; ".join(f"{s} " + " / ".join(fmt(figures[s].get(k)) for k, _ in error_keys) for s in systems)
            + ".\n"
        )
    if result.get("not_available"):
        parts.append("## Not measured\n")
        parts.append("\n".join(f"- {k}: {v}" for k, v in sorted(result["not_available"].items())) + "\n")
    if result.get("failures"):
        parts.append("## Failed runs (their cells are medians of the other runs, or n/a)\n")
        parts.append("\n".join(f"- {line}" for line in result["failures"]) + "\n")
    missed = missed_targets(result)
    parts.append("## Targets missed\n")
    parts.append(("\n".join(f"- {line}" for line in missed) if missed else "None.") + "\n")
    return "\n".join(parts)


README_BEGIN = "<!-- BEGIN BENCH (written by `make bench` from bench/results/latest.json) -->"
README_END = "<!-- END BENCH -->"


def update_readme(readme: str, result: dict, chart_path: str = "bench/results/latest.png") -> str:
    """The README with the text between the BENCH markers replaced by the latest report.

    chart_path is the chart's path relative to the README (bench/README.md: results/latest.png).
    """
    start, end = readme.find(README_BEGIN), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {README_BEGIN} ... {README_END} block")
    report = render_report(result)
    # The report's own title is the README section's; its sub-headings go one level down.
    body = report.split("\n", 2)[2].replace("\n## ", "\n#### ")
    chart = f"![Ratios to baseline A, with the targets]({chart_path})\n"
    block = f"{README_BEGIN}\n\n{body}\n{chart}\n"
    return readme[:start] + block + readme[end:]
