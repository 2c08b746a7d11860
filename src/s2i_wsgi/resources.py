"""How much CPU and memory the container may use (cgroup v2 or v1), and the
process count that follows from it."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
MIB = 1024 * 1024
# A conservative budget per mod_wsgi daemon process (interpreter + typical
# framework + headroom); a limit below it still gets one process.
MEMORY_PER_PROCESS = 256 * MIB
MAX_DEFAULT_PROCESSES = 12


@dataclass(frozen=True)
class Limits:
    cpus: float  # may be fractional (a CPU quota)
    memory: int | None  # bytes, None when unlimited


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _cgroup_cpus(root: Path) -> float | None:
    v2 = _read(root / "cpu.max")
    if v2:
        quota, _, period = v2.partition(" ")
        if quota != "max" and period:
            return int(quota) / int(period)
        return None
    quota, period = _read(root / "cpu" / "cpu.cfs_quota_us"), _read(root / "cpu" / "cpu.cfs_period_us")
    if quota and period and int(quota) > 0:
        return int(quota) / int(period)
    return None


def _cgroup_memory(root: Path) -> int | None:
    text = _read(root / "memory.max") or _read(root / "memory" / "memory.limit_in_bytes")
    if not text or text == "max":
        return None
    value = int(text)
    # cgroup v1 reports "unlimited" as a huge page-aligned number.
    return value if value < (1 << 62) else None


def detect(root: Path = CGROUP_ROOT) -> Limits:
    try:
        available = float(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        available = float(os.cpu_count() or 1)
    quota = _cgroup_cpus(root)
    cpus = min(available, quota) if quota else available
    return Limits(cpus=cpus, memory=_cgroup_memory(root))


def default_processes(limits: Limits, minimum: int = 1) -> int:
    """One process per CPU (rounded up) and at least `minimum`, fewer if memory is tight, capped at 12."""
    processes = max(minimum, math.ceil(limits.cpus))
    if limits.memory is not None:
        processes = min(processes, max(1, limits.memory // MEMORY_PER_PROCESS))
    return min(processes, MAX_DEFAULT_PROCESSES)
