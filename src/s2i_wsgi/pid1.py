"""PID 1 for mod_wsgi-express: generate the server configuration, run Apache
as a child, turn container stop signals into Apache's graceful ones, reap
orphans, and exit with Apache's status. Also PID 1 over supervisord, when the
app declares extra processes (run_supervisord: a FATAL program ends the container).

Why not exec Apache directly: `docker stop` and Kubernetes send SIGTERM, and
Apache's SIGTERM stops at once, cutting every request in flight. Apache's
graceful stop is SIGWINCH: it closes the listening socket (new connections are
refused), lets in-flight requests finish, then exits 0. So:

  SIGTERM  -> SIGWINCH  graceful stop (docker stop, Kubernetes)
  SIGINT   -> SIGTERM   immediate stop (Ctrl-C)
  SIGHUP   -> SIGUSR1   graceful restart (reload the app, keep serving)
  SIGUSR1, SIGWINCH     passed on as they are

Why not `mod_wsgi-express start-server`: it execs the apachectl script it
writes into the server root, which sits in /tmp; a /tmp mounted noexec (the
usual tmpfs with `--read-only`) makes that fail with EACCES. `setup-server`
writes the same files and the script is run through bash, which only reads it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import metrics
from .errors import StartError
from .servers.mod_wsgi_express import APACHE_CONF

FORWARD = {
    signal.SIGTERM: signal.SIGWINCH,
    signal.SIGINT: signal.SIGTERM,
    signal.SIGHUP: signal.SIGUSR1,
    signal.SIGUSR1: signal.SIGUSR1,
    signal.SIGWINCH: signal.SIGWINCH,
    signal.SIGQUIT: signal.SIGTERM,
}


def setup_argv(start_argv: Sequence[str]) -> list[str]:
    """The same mod_wsgi-express command line, but only writing the configuration."""
    argv = list(start_argv)
    argv[argv.index("start-server")] = "setup-server"
    return argv


def exit_status(status: int) -> int:
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def run_mod_wsgi(
    start_argv: Sequence[str],
    server_root: Path,
    env: Mapping[str, str],
    cwd: Path,
    telemetry: metrics.Settings | None = None,
) -> int:
    """mod_wsgi-express's command line (its --include-file already written: start.write_files), and
    the --server-root it was given (mod_wsgi_express.server_root), where setup-server writes apachectl.
    With `telemetry`, this process listens to the daemon processes' telemetry from before Apache starts
    (metrics/service.py), so that it sees each of them start."""
    if telemetry is not None:
        # Imported only when asked for: http.server and its imports cost every other start time.
        from .metrics import service  # noqa: PLC0415

        service.start(telemetry)
    setup = subprocess.run(setup_argv(start_argv), env=dict(env), cwd=cwd, check=False)
    if setup.returncode != 0:
        raise StartError(
            f"mod_wsgi-express could not write the server configuration (exit status {setup.returncode}).",
            "Its message is above.",
            "Check the MOD_WSGI_* settings it names (`s2i-wsgi config` lists them).",
        )
    apachectl = server_root / "apachectl"
    sys.stdout.flush()
    # The last -f wins over mod_wsgi-express's own: servers.APACHE_CONF includes its httpd.conf.
    argv = ["bash", str(apachectl), "start", "-DFOREGROUND", "-f", str(APACHE_CONF)]
    child = subprocess.Popen(argv, env=dict(env), cwd=cwd)

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, FORWARD[signal.Signals(signum)])

    for signum in FORWARD:
        signal.signal(signum, forward)
    return reap_until(child.pid)


# supervisord stops every program gracefully on SIGTERM (and SIGINT, SIGQUIT) and rereads its
# configuration on SIGHUP: signals reach it unchanged.
SUPERVISORD_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR2)


def run_supervisord(argv: Sequence[str], env: Mapping[str, str], cwd: Path, fatal_file: Path) -> int:
    """supervisord as PID 1's child, so that a program it gave up on (FATAL, see fatal_listener)
    ends the container with a non-zero status and a message naming it."""
    fatal_file.unlink(missing_ok=True)
    sys.stdout.flush()
    child = subprocess.Popen(list(argv), env=dict(env), cwd=cwd)

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signum)

    for signum in SUPERVISORD_SIGNALS:
        signal.signal(signum, forward)
    status = reap_until(child.pid)
    if fatal_file.is_file():
        name = fatal_file.read_text(encoding="utf-8").strip()
        raise StartError(
            f"The program {name} could not stay up: supervisord gave up restarting it (FATAL), so the container stops.",
            "A container that went on without it would look alive while part of the app is missing; one that "
            "exits non-zero is restarted by Docker's restart policies and by Kubernetes.",
            f"Its output above says why {name} exited. Fix that, or give it more tries (startretries in its "
            ".s2i/supervisor program section).",
        )
    return status


def reap_until(pid: int) -> int:
    """Wait for `pid`, reaping any other child (as PID 1, orphans become ours)."""
    while True:
        try:
            waited, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 0
        except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for clarity
            continue
        if waited == pid:
            return exit_status(status)
