"""supervisord's event listener for programs that cannot stay up.

supervisord restarts a program that exits, up to `startretries` times; then the
program is FATAL and supervisord goes on without it, so the container would
keep running, half working, and no orchestrator would restart it. This listener
(run by supervisord, `s2i-wsgi supervisor-listener`) hears PROCESS_STATE_FATAL,
records the program's name in a file, and stops supervisord (SIGTERM: every
other program stops gracefully). The launcher, which runs supervisord as PID 1's
child (pid1.run_supervisord), then finds the file and exits non-zero with a
message naming the program.

The protocol (supervisor's docs, "Event Listener Notification Protocol"): write
READY, read a header line of key:value tokens whose `len` gives the payload's
length, read the payload, answer `RESULT 2\\nOK`, and so on.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path
from typing import TextIO

FATAL = "PROCESS_STATE_FATAL"


def tokens(line: str) -> dict[str, str]:
    """`key:value key:value` -> dict (header lines and process-state payloads are written so)."""
    return dict(token.split(":", 1) for token in line.split() if ":" in token)


def listen(stdin: TextIO, stdout: TextIO, fatal_file: Path, supervisord_pid: int) -> None:
    """Serve events until stdin closes; on the first FATAL program, record it and stop supervisord."""
    while True:
        stdout.write("READY\n")
        stdout.flush()
        header = stdin.readline()
        if not header:
            return
        fields = tokens(header)
        payload = stdin.read(int(fields.get("len", "0")))
        if fields.get("eventname") == FATAL:
            name = tokens(payload.split("\n", 1)[0]).get("processname", "a program")
            if not fatal_file.exists():
                fatal_file.parent.mkdir(parents=True, exist_ok=True)
                fatal_file.write_text(name + "\n", encoding="utf-8")
                print(f"---> {name} could not stay up (FATAL): stopping every program", flush=True)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(supervisord_pid, signal.SIGTERM)
        stdout.write("RESULT 2\nOK")
        stdout.flush()
