"""The pure part of `make bench` (bench/stats.py): wrk parsing, medians,
ratios, target checks and the Markdown report. No engine needed."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import stats

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:32768/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.52ms   22.30ms 331.36ms   95.12%
    Req/Sec     1.80k   250.11     2.30k    71.00%
  Latency Distribution
     50%  812.00us
     75%    6.10ms
     90%   12.40ms
     99%    1.02s
  35880 requests in 10.01s, 5.41MB read
  Socket errors: connect 0, read 314, write 2, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   3584.53
Transfer/sec:    553.80KB
"""


def test_wrk_output_gives_rps_percentiles_in_ms_and_errors():
    figures = stats.parse_wrk(WRK_OUTPUT)
    assert figures["rps"] == 3584.53
    assert figures["p50_ms"] == pytest.approx(0.812)
    assert figures["p75_ms"] == pytest.approx(6.1)
    assert figures["p99_ms"] == pytest.approx(1020.0)
    assert figures["requests"] == 35880
    assert figures["socket_errors"] == 317
    assert figures["timeouts"] == 1
    assert figures["non_2xx"] == 7


def test_wrk_output_without_errors_counts_zero():
    clean = "\n".join(line for line in WRK_OUTPUT.splitlines() if "errors" not in line and "Non-2xx" not in line)
    figures = stats.parse_wrk(clean)
    assert figures["socket_errors"] == 0
    assert figures["non_2xx"] == 0


def test_wrk_output_without_latency_distribution_is_an_error_that_says_so():
    with pytest.raises(ValueError, match="--latency"):
        stats.parse_wrk("Requests/sec:   10.00\n")


def test_wrk_output_without_rps_is_an_error():
    with pytest.raises(ValueError, match="Requests/sec"):
        stats.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


@pytest.mark.parametrize(("text", "ms"), [("812.00us", 0.812), ("4.10ms", 4.1), ("1.02s", 1020.0), ("1.00m", 60000.0)])
def test_wrk_durations_convert_to_milliseconds(text, ms):
    assert stats.duration_ms(text) == pytest.approx(ms)


@pytest.mark.parametrize(
    ("text", "mib"),
    [("45.3MiB / 23.54GiB", 45.3), ("1.5GiB / 2GiB", 1536.0), ("512KiB / 1GiB", 0.5), ("0B / 0B", 0.0)],
)
def test_docker_stats_memory_converts_to_mib(text, mib):
    assert stats.parse_mem_mib(text) == pytest.approx(mib)


def test_median_ignores_unmeasured_runs_and_none_when_nothing_measured():
    assert stats.median([3.0, 1.0, 2.0]) == 2.0
    assert stats.median([4.0, None, 1.0]) == 2.5
    assert stats.median([None]) is None
    assert stats.median([]) is None


def test_ratio_is_none_without_both_figures_or_with_a_zero_reference():
    assert stats.ratio(3.0, 2.0) == 1.5
    assert stats.ratio(None, 2.0) is None
    assert stats.ratio(3.0, None) is None
    assert stats.ratio(3.0, 0.0) is None


def test_medians_are_taken_per_system_and_metric():
    runs = {"A": {"ttfb": [1.0, 3.0, 2.0]}, "ours": {"ttfb": [2.0, 2.0, 5.0], "size_runtime": [None]}}
    assert stats.medians(runs) == {"A": {"ttfb": 2.0}, "ours": {"ttfb": 2.0, "size_runtime": None}}


def figures(**ours):
    base = {key.key: 10.0 for key in stats.METRICS}
    return {"A": dict(base), "B": dict(base), "ours": {**base, **ours}}


def target(metric, against="A", other=None):
    return next(t for t in stats.TARGETS if t.metric == metric and t.against == against and t.other_metric == other)


def test_the_targets_are_issue_15s_and_none_is_against_warpdrive():
    described = {(t.metric, t.describe()) for t in stats.TARGETS}
    assert described == {
        ("rps_hello_eq1", ">= 1.3x A"),
        ("p99_hello_eq1", "<= 1x A"),
        ("rps_hello_eq2", ">= 1.3x A"),
        ("p99_hello_eq2", "<= 1x A"),
        ("rps_hello", ">= 1.5x A"),
        ("rps_sleep", ">= 1x A"),
        ("mem_idle", "<= 1.5x A"),
        ("size_full", "<= 2.5x A"),
        ("size_runtime", "<= 1.1x A image size above the base (plain build)"),
        ("rebuild_dep", "<= 1x A"),
        ("rebuild_source", "<= 0.35x ours cold app build"),
        ("ttfb", "<= 1.2x A"),
        ("build_cold", "<= 1.1x A"),
    }


def test_lower_is_better_target_met_at_the_bound_and_missed_above():
    assert stats.check_target(target("ttfb"), figures(ttfb=12.0)) == (pytest.approx(1.2), "met")
    assert stats.check_target(target("ttfb"), figures(ttfb=12.1))[1] == "missed"
    assert stats.check_target(target("p99_hello_eq1"), figures(p99_hello_eq1=10.0)) == (1.0, "met")
    assert stats.check_target(target("p99_hello_eq2"), figures(p99_hello_eq2=10.5))[1] == "missed"


def test_higher_is_better_target_missed_below_the_bound():
    assert stats.check_target(target("rps_hello"), figures(rps_hello=14.0)) == (1.4, "missed")
    assert stats.check_target(target("rps_hello"), figures(rps_hello=15.0)) == (1.5, "met")
    assert stats.check_target(target("rps_hello_eq1"), figures(rps_hello_eq1=13.0)) == (1.3, "met")


def test_target_against_another_figure_of_ours():
    # rebuild after a source change <= 0.35x our own cold build
    check = target("rebuild_source", "ours", "build_cold")
    assert stats.check_target(check, figures(rebuild_source=2.0, build_cold=10.0)) == (0.2, "met")
    assert stats.check_target(check, figures(rebuild_source=5.0, build_cold=10.0)) == (0.5, "missed")


def test_runtime_size_is_compared_with_a_full_image_and_unmeasured_is_na():
    check = target("size_runtime", "A", "size_full")
    assert stats.check_target(check, figures(size_runtime=11.0)) == (1.1, "met")
    assert stats.check_target(check, figures(size_runtime=12.0))[1] == "missed"
    assert stats.check_target(check, figures(size_runtime=None)) == (None, "n/a")


def test_target_descriptions_read_as_bounds():
    assert target("ttfb").describe() == "<= 1.2x A"
    assert target("rps_sleep").describe() == ">= 1x A"
    assert target("rebuild_source", "ours", "build_cold").describe() == "<= 0.35x ours cold app build"


def test_a_baselines_defaults_are_read_from_its_dockerfiles_env():
    dockerfile = (
        "FROM x\nENV PATH=/opt/venv/bin:$PATH \\\n    PIP_NO_CACHE_DIR=1\n"
        'ENV APP_MODULE=${APP_MODULE} \\\n    WEB_CONCURRENCY=2 \\\n    GUNICORN_THREADS="5"\nUSER 1001\n'
    )
    env = stats.dockerfile_env(dockerfile)
    assert env["WEB_CONCURRENCY"] == "2" and env["GUNICORN_THREADS"] == "5"
    assert env["PIP_NO_CACHE_DIR"] == "1" and "USER" not in env


def test_table_has_a_row_per_metric_with_ratios_and_target_status():
    table = stats.render_table("flask_hello", figures(ttfb=20.0, size_runtime=None), {"size_runtime": "no variant"})
    lines = table.strip().splitlines()
    assert lines[0].startswith("| flask_hello | A: Dockerfile + gunicorn |")
    assert len(lines) == 2 + len(stats.METRICS)
    ttfb = next(line for line in lines if line.startswith("| docker run to first 200 (defaults) (s)"))
    assert "| 10.0 | 10.0 | 20.0 | 2.00x | 1.00x |" in ttfb
    assert "<= 1.2x A: 2.00x **missed**" in ttfb
    runtime = next(line for line in lines if "runtime image" in line)
    assert "| n/a |" in runtime and "no variant" in runtime
    sleep_p99 = next(line for line in lines if line.startswith("| sleep 20 ms at defaults: p99"))
    assert sleep_p99.endswith("| information |")
    assert any(line.startswith("| hello at 1x5: requests/s (req/s) |") for line in lines)
    assert any(line.startswith("| hello at 2x5: p99 (ms) |") for line in lines)


def test_an_asgi_table_names_its_equal_configurations_by_processes():
    table = stats.render_table("asgi_hello", figures(), interface="asgi")
    assert "| hello at 1 process: requests/s (req/s) |" in table
    assert "| hello at 2 processes: p99 (ms) |" in table
    assert "1x5" not in table


def machine():
    return {
        "cpu": "Test CPU",
        "cores": 2,
        "memory_gib": 23.5,
        "kernel": "6.1.0",
        "engine": "docker 20.10.24",
        "wrk": "wrk 4.1.0",
        "date": "2026-01-01 00:00 UTC",
        "load_before": [1.0, 1.0, 1.0],
    }


def report_result(per_app, interfaces):
    return {
        "machine": machine(),
        "load_after": [2.0, 2.0, 2.0],
        "elapsed_s": 600,
        "settings": {
            "repeat": 3,
            "processes": 2,
            "threads": 5,
            "wrk": "wrk -c32",
            "warmup_s": 2,
            "settle_s": 2,
            "base_image": "debian:trixie-slim",
            "servers_by_interface": {
                "wsgi": {"A": "gunicorn gthread", "B": "warpdrive", "ours": "mod_wsgi"},
                "asgi": {"A": "uvicorn", "B": "n/a: WSGI only", "ours": "gunicorn + uvicorn workers"},
            },
            "configs": {
                "wsgi": {
                    "A": {"defaults": "its Dockerfile's `W=2`", "eq1": "`W=1`", "eq2": "`W=2` (measured once)"},
                    "ours": {"defaults": "nothing set", "eq1": "`P=1 T=5`", "eq2": "`P=2 T=5`"},
                },
                "asgi": {"A": {"defaults": "its Dockerfile's `W=2`", "eq1": "`W=1`", "eq2": "`W=2`"}},
            },
            "chosen": {"flask_hello": "3 processes (2 CPUs) x 5 threads"},
            "interfaces": interfaces,
        },
        "medians": per_app,
        "targets": stats.summarize_targets(per_app),
        "not_available": {},
    }


def test_report_lists_the_machine_each_configurations_settings_and_every_missed_target():
    met = {"rps_hello": 15.0, "rps_hello_eq1": 13.0, "rps_hello_eq2": 13.0}
    per_app = {"flask_hello": figures(ttfb=20.0, rebuild_source=2.0, errors_hello=3.0, **met)}
    report = stats.render_report(report_result(per_app, {"flask_hello": "wsgi"}))
    assert "Test CPU, 2 cores, 23.5 GiB, kernel 6.1.0, docker 20.10.24" in report
    assert "## flask_hello" in report
    assert (
        "- A: Dockerfile + gunicorn: gunicorn gthread. defaults: its Dockerfile's `W=2`; 1x5: `W=1`; "
        "2x5: `W=2` (measured once)\n" in report
    )
    assert "- ours: s2i-wsgi: mod_wsgi. defaults: nothing set; 1x5: `P=1 T=5`; 2x5: `P=2 T=5`\n" in report
    assert "- B: warpdrive + mod_wsgi: warpdrive\n" in report
    assert "Ours at its defaults (nothing set) served with 3 processes (2 CPUs) x 5 threads.\n" in report
    assert "(median; hello, sleep, hello 1x5, hello 2x5): A n/a / n/a / n/a / n/a;" in report
    assert "ours 3.00 / n/a / n/a / n/a." in report
    missed = stats.missed_targets(report_result(per_app, {"flask_hello": "wsgi"}))
    assert missed == ["flask_hello: docker run to first 200 (defaults) 20.0 s is 2.00x (target <= 1.2x A)"]
    assert all(f"- {line}" in report for line in missed)


def test_readme_block_is_replaced_between_the_markers_only():
    per_app = {"flask_hello": figures()}
    result = report_result(per_app, {"flask_hello": "wsgi"})
    readme = f"# Title\n\n## Performance\n\nBefore.\n\n{stats.README_BEGIN}\nold table\n{stats.README_END}\n\nWhy.\n"
    updated = stats.update_readme(readme, result)
    assert updated.startswith("# Title\n\n## Performance\n\nBefore.\n\n" + stats.README_BEGIN)
    assert updated.endswith(stats.README_END + "\n\nWhy.\n")
    assert "old table" not in updated
    assert "#### flask_hello" in updated and "bench/results/latest.png" in updated
    with pytest.raises(ValueError, match="BEGIN BENCH"):
        stats.update_readme("# no markers\n", result)


def test_asgi_app_is_compared_with_the_uvicorn_baseline_and_has_no_warpdrive_column():
    asgi = figures()
    del asgi["B"]
    per_app = {"flask_hello": figures(), "asgi_hello": asgi}
    report = stats.render_report(report_result(per_app, {"flask_hello": "wsgi", "asgi_hello": "asgi"}))
    tables = report.split("## ")
    flask = next(t for t in tables if t.startswith("flask_hello"))
    asgi_table = next(t for t in tables if t.startswith("asgi_hello"))
    assert "| flask_hello | A: Dockerfile + gunicorn | B: warpdrive + mod_wsgi | ours: s2i-wsgi |" in flask
    assert "| asgi_hello | A: Dockerfile + uvicorn | B: warpdrive + mod_wsgi | ours: s2i-wsgi |" in asgi_table
    rps = next(line for line in asgi_table.splitlines() if line.startswith("| hello at defaults: requests/s"))
    assert rps.startswith("| hello at defaults: requests/s (req/s) | 10 | n/a | 10 | 1.00x | n/a |")
    assert ">= 1.5x A: 1.00x **missed**" in rps
    assert "WSGI apps (flask_hello):\n\n- A: Dockerfile + gunicorn: gunicorn gthread." in report
    assert "ASGI apps (asgi_hello):\n\n- A: Dockerfile + uvicorn: uvicorn. defaults: its Dockerfile's `W=2`; " in report
    assert "1 process: `W=1`; 2 processes: `W=2`\n" in report
    assert "- B: warpdrive + mod_wsgi: n/a: WSGI only\n" in report
    assert "(median; hello, sleep, hello 1 process, hello 2 processes): A " in report


def test_report_of_an_asgi_app_alone_lists_only_the_asgi_servers():
    asgi = figures()
    del asgi["B"]
    report = stats.render_report(report_result({"asgi_hello": asgi}, {"asgi_hello": "asgi"}))
    assert "ASGI apps (asgi_hello):\n\n- A: Dockerfile + uvicorn: uvicorn." in report
    assert "WSGI apps" not in report and "gunicorn gthread" not in report
