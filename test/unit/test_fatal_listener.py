"""A program supervisord gives up on (FATAL) ends the container, non-zero, naming it
(fatal_listener.py, pid1.run_supervisord)."""

from __future__ import annotations

import io
import signal
import sys
from pathlib import Path

import pytest

from s2i_wsgi import fatal_listener, pid1
from s2i_wsgi.errors import StartError


def event(name: str, payload: str) -> str:
    header = f"ver:3.0 server:supervisor serial:7 pool:s2i-wsgi-fatal poolserial:1 eventname:{name}"
    return f"{header} len:{len(payload)}\n{payload}"


@pytest.fixture(autouse=True)
def signal_handlers():
    """run_supervisord installs PID 1's forwarders; give pytest its own back."""
    saved = {signum: signal.getsignal(signum) for signum in pid1.SUPERVISORD_SIGNALS}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def test_a_fatal_program_is_recorded_and_supervisord_is_stopped(tmp_path: Path, monkeypatch):
    killed = []
    monkeypatch.setattr(fatal_listener.os, "kill", lambda pid, signum: killed.append((pid, signum)))
    stdin = io.StringIO(event("PROCESS_STATE_FATAL", "processname:worker groupname:app from_state:BACKOFF"))
    stdout = io.StringIO()
    fatal_listener.listen(stdin, stdout, tmp_path / "fatal", supervisord_pid=4242)
    assert (tmp_path / "fatal").read_text() == "worker\n"
    assert killed == [(4242, signal.SIGTERM)]
    assert stdout.getvalue() == "READY\nRESULT 2\nOKREADY\n"


def test_other_events_are_acknowledged_and_nothing_is_stopped(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(fatal_listener.os, "kill", lambda *a: pytest.fail("nothing is FATAL"))
    stdin = io.StringIO(event("TICK_5", "when:1700000000"))
    stdout = io.StringIO()
    fatal_listener.listen(stdin, stdout, tmp_path / "fatal", supervisord_pid=4242)
    assert not (tmp_path / "fatal").exists()
    assert stdout.getvalue() == "READY\nRESULT 2\nOKREADY\n"


def test_supervisord_ending_after_a_fatal_program_ends_the_launcher_with_a_message(tmp_path: Path):
    fatal = tmp_path / "fatal"
    script = f"open({str(fatal)!r}, 'w').write('worker\\n')"
    with pytest.raises(StartError) as raised:
        pid1.run_supervisord([sys.executable, "-c", script], {}, tmp_path, fatal)
    message = str(raised.value)
    assert message.startswith("The program worker could not stay up: supervisord gave up restarting it (FATAL)")
    assert "restarted by Docker's restart policies and by Kubernetes" in message
    assert raised.value.exit_code == 1


def test_supervisord_ending_normally_gives_its_status_and_clears_an_old_record(tmp_path: Path):
    fatal = tmp_path / "fatal"
    fatal.write_text("from a previous start\n")
    assert pid1.run_supervisord([sys.executable, "-c", "raise SystemExit(3)"], {}, tmp_path, fatal) == 3
    assert not fatal.exists()
