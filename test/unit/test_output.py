"""The shared output vocabulary: step lines, indented child output, WARNING/ERROR on stderr."""

from __future__ import annotations

import sys

from s2i_wsgi import output


def test_steps_and_info_go_to_stdout(capsys):
    output.step("Installing")
    output.info("detail")
    assert capsys.readouterr() == ("---> Installing\n    detail\n", "")


def test_warnings_and_errors_go_to_stderr_with_their_label(capsys):
    output.warning("careful")
    output.error("broken")
    assert capsys.readouterr() == ("", "WARNING: careful\nERROR: broken\n")


def test_child_output_is_indented_and_its_exit_code_returned(capfdbinary):
    code = output.run([sys.executable, "-c", "import sys; print('one'); print('two', file=sys.stderr); sys.exit(3)"])
    assert code == 3
    out = capfdbinary.readouterr().out
    assert b"    one\n" in out
    assert b"    two\n" in out


def test_a_program_that_cannot_be_started_gives_127_and_an_error(tmp_path, capsys):
    missing = tmp_path / "no-such-program"
    assert output.run([str(missing)]) == 127
    assert capsys.readouterr().err.startswith(f"ERROR: could not run {missing}: ")


def test_environ_with_adds_to_the_process_environment(monkeypatch):
    monkeypatch.setenv("KEEP", "kept")
    env = output.environ_with({"ADDED": "1"})
    assert env["KEEP"] == "kept"
    assert env["ADDED"] == "1"
