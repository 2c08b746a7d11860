"""One output vocabulary for every step: `---> step` lines on stdout, indented
subprocess output, and WARNING:/ERROR: paragraphs on stderr. Everything shown
here has URL credentials masked (redact.py), whoever wrote it: the launcher, an
installer or a hook."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import redact

INDENT = "    "


def step(message: str) -> None:
    print(f"---> {redact.text(message)}", flush=True)


def info(message: str) -> None:
    print(f"{INDENT}{redact.text(message)}", flush=True)


def _paragraph(label: str, message: str) -> None:
    sys.stdout.flush()
    print(f"{label}: {redact.text(message)}", file=sys.stderr, flush=True)


def warning(message: str) -> None:
    _paragraph("WARNING", message)


def error(message: str) -> None:
    _paragraph("ERROR", message)


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    collect: list[str] | None = None,
) -> int:
    """Run a child process, showing its combined output indented; return its exit code.

    With `collect`, each line (decoded, without its newline) is also appended there."""
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    except OSError as exc:  # not found, not executable, bad interpreter line
        error(f"could not run {argv[0]}: {exc.strerror}")
        return 127
    assert proc.stdout is not None
    out = sys.stdout.buffer
    for line in proc.stdout:
        if b"://" in line:  # the only lines that can hold a URL's credentials
            line = redact.text(line.decode(errors="replace")).encode()  # noqa: PLW2901
        out.write(INDENT.encode() + line)
        out.flush()
        if collect is not None:
            collect.append(line.decode(errors="replace").rstrip("\n"))
    return proc.wait()


def environ_with(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
