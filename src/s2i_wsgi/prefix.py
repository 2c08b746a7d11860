"""`s2i-wsgi prefix NAME -- COMMAND...`: run COMMAND with every line it writes
prefixed by `NAME | `, stdout to stdout and stderr to stderr.

supervisord cannot prefix a program's output itself; each program it runs for
us is started through this, so `docker logs` says which process wrote what.
Signals are passed on to COMMAND (supervisord signals this process, not its
child), and the exit status is COMMAND's, so supervisord's restart and stop
logic sees the program as if it ran it directly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import BinaryIO

FORWARDED = (
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGWINCH,
)
MAX_LINE = 64 * 1024  # a longer line is cut into pieces, each prefixed
DRAIN_SECONDS = 2.0  # after COMMAND exits, how long a grandchild holding its output may keep us


def label(name: str, width: int = 0) -> bytes:
    return f"{name:<{width}} | ".encode()


def copy_lines(source: BinaryIO, sink: BinaryIO, prefix: bytes) -> None:
    for line in iter(lambda: source.readline(MAX_LINE), b""):
        sink.write(prefix + (line if line.endswith(b"\n") else line + b"\n"))
        sink.flush()


def status_of(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def run(name: str, argv: Sequence[str], width: int = 0) -> int:
    prefix = label(name, width)
    try:
        child = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        sys.stderr.buffer.write(prefix + f"ERROR: could not run {argv[0]}: {exc.strerror}\n".encode())
        sys.stderr.flush()
        return 127

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    assert child.stdout is not None and child.stderr is not None
    copiers = [
        threading.Thread(target=copy_lines, args=(child.stdout, sys.stdout.buffer, prefix), daemon=True),
        threading.Thread(target=copy_lines, args=(child.stderr, sys.stderr.buffer, prefix), daemon=True),
    ]
    for copier in copiers:
        copier.start()
    returncode = child.wait()
    for copier in copiers:
        copier.join(DRAIN_SECONDS)
    return status_of(returncode)
