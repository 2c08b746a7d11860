"""CPU and memory limits from fake cgroup v1 and v2 trees, and the process count they give."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from s2i_wsgi import resources
from s2i_wsgi.resources import MIB, Limits, default_processes

GIB = 1024 * MIB
# What cgroup v1 reports for "no memory limit" (LONG_MAX rounded down to a page).
V1_UNLIMITED = "9223372036854771712"


@pytest.fixture(autouse=True)
def eight_cpus_available(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine the tests run on has 8 CPUs, whatever it really has."""
    monkeypatch.setattr(resources.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)


def cgroup(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    return root


# ---------------------------------------------------------------------------
# cgroup v2.


def test_v2_cpu_max_without_quota_leaves_every_available_cpu(tmp_path):
    root = cgroup(tmp_path, {"cpu.max": "max 100000", "memory.max": "max"})
    assert resources.detect(root) == Limits(cpus=8.0, memory=None)


def test_v2_cpu_quota_gives_fractional_cpus(tmp_path):
    root = cgroup(tmp_path, {"cpu.max": "150000 100000"})
    assert resources.detect(root).cpus == 1.5


def test_v2_cpu_quota_above_the_available_cpus_is_capped(tmp_path):
    root = cgroup(tmp_path, {"cpu.max": "1600000 100000"})
    assert resources.detect(root).cpus == 8.0


def test_v2_memory_max_is_the_memory_limit(tmp_path):
    root = cgroup(tmp_path, {"cpu.max": "max 100000", "memory.max": str(512 * MIB)})
    assert resources.detect(root).memory == 512 * MIB


def test_v2_limits_are_preferred_to_v1_files(tmp_path):
    root = cgroup(
        tmp_path,
        {
            "cpu.max": "50000 100000",
            "memory.max": str(GIB),
            "cpu/cpu.cfs_quota_us": "400000",
            "cpu/cpu.cfs_period_us": "100000",
            "memory/memory.limit_in_bytes": str(2 * GIB),
        },
    )
    assert resources.detect(root) == Limits(cpus=0.5, memory=GIB)


# ---------------------------------------------------------------------------
# cgroup v1.


def test_v1_cfs_quota_gives_cpus(tmp_path):
    root = cgroup(tmp_path, {"cpu/cpu.cfs_quota_us": "200000", "cpu/cpu.cfs_period_us": "100000"})
    assert resources.detect(root).cpus == 2.0


def test_v1_quota_of_minus_one_means_no_cpu_limit(tmp_path):
    root = cgroup(tmp_path, {"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"})
    assert resources.detect(root).cpus == 8.0


def test_v1_memory_limit_in_bytes_is_the_memory_limit(tmp_path):
    root = cgroup(tmp_path, {"memory/memory.limit_in_bytes": str(GIB)})
    assert resources.detect(root).memory == GIB


def test_v1_huge_memory_limit_means_unlimited(tmp_path):
    root = cgroup(tmp_path, {"memory/memory.limit_in_bytes": V1_UNLIMITED})
    assert resources.detect(root).memory is None


# ---------------------------------------------------------------------------
# No cgroup files, and machines without CPU affinity.


def test_without_cgroup_files_every_available_cpu_and_no_memory_limit(tmp_path):
    assert resources.detect(tmp_path / "nonexistent") == Limits(cpus=8.0, memory=None)


def test_cpu_affinity_limits_the_available_cpus(tmp_path, monkeypatch):
    monkeypatch.setattr(resources.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert resources.detect(tmp_path).cpus == 2.0


def test_without_sched_getaffinity_the_cpu_count_is_used(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert resources.detect(tmp_path).cpus == 3.0


# ---------------------------------------------------------------------------
# The default process count.


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        (Limits(cpus=1.0, memory=None), 1),
        (Limits(cpus=0.5, memory=None), 1),
        (Limits(cpus=1.5, memory=None), 2),
        (Limits(cpus=4.0, memory=None), 4),
        (Limits(cpus=4.0, memory=GIB), 4),
        (Limits(cpus=4.0, memory=512 * MIB), 2),
        (Limits(cpus=4.0, memory=300 * MIB), 1),
        (Limits(cpus=4.0, memory=64 * MIB), 1),
        (Limits(cpus=64.0, memory=None), 12),
        (Limits(cpus=64.0, memory=64 * GIB), 12),
    ],
    ids=lambda value: repr(value) if isinstance(value, Limits) else str(value),
)
def test_default_processes_are_one_per_cpu_within_memory_and_at_most_twelve(limits, expected):
    assert default_processes(limits) == expected


def test_default_processes_honour_a_minimum_within_memory():
    assert default_processes(Limits(cpus=1.0, memory=None), minimum=2) == 2
    assert default_processes(Limits(cpus=4.0, memory=None), minimum=2) == 4
    assert default_processes(Limits(cpus=1.0, memory=300 * MIB), minimum=2) == 1
