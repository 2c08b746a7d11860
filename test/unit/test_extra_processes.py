"""Extra processes (issue: extra processes): what extra_processes.find reads from the Procfile and
.s2i/supervisor/*.conf, the supervisord configuration written for them, the line prefixer,
and how `s2i-wsgi start` and `detect` use them."""

from __future__ import annotations

import configparser
import os
import shlex
import signal
import subprocess
import sys
import time

import pytest

from s2i_wsgi import cli, hooks, pid1, prefix, supervisord
from s2i_wsgi.build import build
from s2i_wsgi.detect import detect
from s2i_wsgi.errors import ConfigError
from s2i_wsgi.extra_processes import find, read_procfile
from s2i_wsgi.resources import Limits

REPO_SRC = str(cli.__file__).rsplit("/s2i_wsgi/", 1)[0]
WSGI_PY = "application = object()\n"
CLOCK_CONF = """\
    [program:clock]
    command=python clock.py %(ENV_PORT)s
    autorestart=true
    """


def extra_in(make_app, files):
    app = make_app(files)
    return find(app, app)


# ---------------------------------------------------------------------------
# The Procfile


def test_procfile_types_other_than_web_and_release_are_extra_processes(make_app):
    extra = extra_in(
        make_app,
        {"Procfile": "web: gunicorn app:app\nworker: celery -A proj worker\nrelease: ./migrate\nclock: python c.py\n"},
    )
    assert bool(extra)
    assert [(p.name, p.command, p.line) for p in extra.procfile] == [
        ("worker", "celery -A proj worker", 2),
        ("clock", "python c.py", 4),
    ]
    assert extra.names() == [("worker", "Procfile line 2"), ("clock", "Procfile line 4")]


def test_release_is_reported_as_not_run(make_app):
    extra = extra_in(make_app, {"Procfile": "release: ./migrate\n"})
    assert not extra
    assert [p.name for p in extra.not_run] == ["release"]


def test_a_procfile_with_only_web_declares_no_extra_processes(make_app):
    assert not extra_in(make_app, {"Procfile": "web: ./serve\n"})


def test_no_procfile_and_no_supervisor_directory_declare_no_extra_processes(make_app):
    extra = extra_in(make_app, {"wsgi.py": WSGI_PY})
    assert not extra
    assert extra.names() == []


def test_procfile_comments_blank_lines_and_spaces_are_allowed(make_app):
    extra = extra_in(make_app, {"Procfile": "# the worker\n\n  worker :  python w.py --fast  \n"})
    assert [(p.name, p.command) for p in extra.procfile] == [("worker", "python w.py --fast")]


def test_a_procfile_line_without_a_colon_is_an_error_naming_the_line(make_app):
    app = make_app({"Procfile": "web: ./serve\npython worker.py\n"})
    with pytest.raises(ConfigError) as error:
        find(app, app)
    assert str(error.value) == (
        "Procfile line 2 is not `name: command`: 'python worker.py'.\n\n"
        "Each line of a Procfile declares one process type: a name (letters, digits, _ and -), "
        "a colon, and the command that runs it.\n\n"
        "Fix the line (e.g. `worker: python worker.py`), or make it a comment with #."
    )


@pytest.mark.parametrize("line", ["worker:", "worker:   ", "my worker: python w.py", "wörker: x"])
def test_malformed_procfile_lines_are_errors(make_app, line):
    app = make_app({"Procfile": line + "\n"})
    with pytest.raises(ConfigError, match=r"^Procfile line 1 is not `name: command`"):
        read_procfile(app / "Procfile")


def test_a_process_type_declared_twice_is_an_error(make_app):
    app = make_app({"Procfile": "worker: a\nworker: b\n"})
    with pytest.raises(ConfigError) as error:
        find(app, app)
    assert str(error.value).startswith("Procfile declares `worker` twice (lines 1 and 2).")


def test_a_malformed_procfile_stops_detection_too(make_app, load_config):
    app = make_app({"Procfile": "web ./serve\n", "wsgi.py": WSGI_PY})
    with pytest.raises(ConfigError, match="Procfile line 1"):
        detect(load_config(app))


# ---------------------------------------------------------------------------
# .s2i/supervisor/*.conf


def test_supervisor_program_files_are_read_with_their_sections_as_written(make_app):
    extra = extra_in(make_app, {".s2i/supervisor/clock.conf": CLOCK_CONF, "wsgi.py": WSGI_PY})
    assert bool(extra)
    (program_file,) = extra.files
    assert program_file.relative == ".s2i/supervisor/clock.conf"
    assert program_file.sections == {
        "program:clock": {"command": "python clock.py %(ENV_PORT)s", "autorestart": "true"}
    }
    assert extra.names() == [("clock", ".s2i/supervisor/clock.conf")]


def test_only_conf_files_in_the_supervisor_directory_are_read(make_app):
    extra = extra_in(make_app, {".s2i/supervisor/README.md": "notes\n", ".s2i/supervisor/b.conf": CLOCK_CONF})
    assert [f.relative for f in extra.files] == [".s2i/supervisor/b.conf"]


def test_a_supervisor_file_that_is_not_ini_is_an_error_naming_the_file(make_app):
    app = make_app({".s2i/supervisor/clock.conf": "command=python clock.py\n"})
    with pytest.raises(ConfigError) as error:
        find(app, app)
    message = str(error.value)
    assert message.startswith(
        ".s2i/supervisor/clock.conf is not a valid supervisord configuration file: File contains no section headers."
    )
    assert "Files in .s2i/supervisor/ are INI files of [program:NAME] sections read by supervisord." in message
    assert message.endswith("Fix the file, e.g.\n  [program:clock]\n  command=python clock.py")


def test_a_supervisord_section_in_a_program_file_is_an_error(make_app):
    app = make_app({".s2i/supervisor/x.conf": "[supervisord]\nnodaemon=false\n"})
    with pytest.raises(ConfigError) as error:
        find(app, app)
    assert str(error.value).startswith(".s2i/supervisor/x.conf has a [supervisord] section.")
    assert str(error.value).endswith("Keep only [program:NAME], [group:NAME] and [eventlistener:NAME] sections.")


def test_a_program_without_a_command_is_an_error(make_app):
    app = make_app({".s2i/supervisor/x.conf": "[program:x]\nautorestart=true\n"})
    with pytest.raises(ConfigError, match=r"^\[program:x\] in \.s2i/supervisor/x\.conf has no command\."):
        find(app, app)


def test_a_program_named_web_is_an_error(make_app):
    app = make_app({".s2i/supervisor/x.conf": "[program:web]\ncommand=./serve\n"})
    with pytest.raises(ConfigError, match=r"^\.s2i/supervisor/x\.conf declares a program named `web`\."):
        find(app, app)


def test_the_same_name_in_the_procfile_and_a_program_file_is_an_error(make_app):
    app = make_app({"Procfile": "clock: python c.py\n", ".s2i/supervisor/clock.conf": CLOCK_CONF})
    with pytest.raises(ConfigError) as error:
        find(app, app)
    assert str(error.value).startswith(
        "Two extra processes are named `clock`: in Procfile line 1 and in .s2i/supervisor/clock.conf."
    )


def test_the_procfile_is_read_in_the_app_directory_and_supervisor_files_in_the_source(make_app):
    source = make_app({"svc/Procfile": "worker: python w.py\n", ".s2i/supervisor/clock.conf": CLOCK_CONF})
    extra = find(source, source / "svc")
    assert [name for name, _ in extra.names()] == ["worker", "clock"]


# ---------------------------------------------------------------------------
# The supervisord configuration


def parsed(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    parser.read_string(text)
    return parser


def command_argv(value: str) -> list[str]:
    """What supervisord runs for a command= value: %-expansion, then shlex.split."""
    return shlex.split(value.replace("%%", "%"))


@pytest.fixture
def conf(make_app, tmp_path):
    def write(files, web=("gunicorn", "app:app")):
        app = make_app(files)
        return parsed(supervisord.configuration(find(app, app), list(web), tmp_path / "state", password="pw"))

    return write


def test_the_web_program_runs_mod_wsgi_under_the_graceful_stop_wrapper():
    assert supervisord.web_argv(["mod_wsgi-express", "start-server"], mod_wsgi=True) == [
        "s2i-wsgi",
        "serve-mod-wsgi",
        "mod_wsgi-express",
        "start-server",
    ]
    assert supervisord.web_argv(["gunicorn", "app:app"], mod_wsgi=False) == ["gunicorn", "app:app"]


def test_supervisord_runs_in_the_foreground_with_everything_in_the_state_directory(conf, tmp_path):
    parser = conf({"Procfile": "worker: python w.py\n"})
    state = str(tmp_path / "state")
    assert parser["supervisord"]["nodaemon"] == "true"
    assert parser["supervisord"]["pidfile"] == f"{state}/supervisord.pid"
    assert parser["supervisord"]["logfile"] == "/dev/null"
    assert parser["unix_http_server"]["file"] == f"{state}/supervisor.sock"
    assert parser["supervisorctl"]["serverurl"] == f"unix://{state}/supervisor.sock"
    assert parser["supervisorctl"]["password"] == parser["unix_http_server"]["password"] == "pw"
    assert not any(section.startswith("inet_http_server") for section in parser.sections())


def test_web_and_procfile_programs_are_prefixed_restarted_and_stopped_gracefully(conf):
    parser = conf({"Procfile": "worker: python w.py --queue 'a b' >> /dev/null\n"}, web=["gunicorn", "app:app"])
    assert command_argv(parser["program:web"]["command"]) == [
        "s2i-wsgi", "prefix", "--width", "6", "web", "--", "gunicorn", "app:app",
    ]  # fmt: skip
    assert command_argv(parser["program:worker"]["command"]) == [
        "s2i-wsgi", "prefix", "--width", "6", "worker", "--", "bash", "-c", "python w.py --queue 'a b' >> /dev/null",
    ]  # fmt: skip
    for name in ("web", "worker"):
        program = parser[f"program:{name}"]
        assert program["autorestart"] == "true"
        assert program["stopsignal"] == "TERM"
        assert program["stopwaitsecs"] == "30"
        assert program["stdout_logfile"] == "/dev/stdout"
        assert program["stdout_logfile_maxbytes"] == "0"
        assert program["stderr_logfile"] == "/dev/stderr"
    assert parser["group:app"]["programs"] == "web,worker"


def test_percent_signs_in_commands_reach_the_program_unchanged(conf):
    parser = conf({"Procfile": "worker: date +%s\n"}, web=["gunicorn", "--access-logformat", "%(h)s"])
    assert command_argv(parser["program:worker"]["command"])[-1] == "date +%s"
    assert command_argv(parser["program:web"]["command"])[-1] == "%(h)s"


def test_a_program_file_without_log_settings_logs_to_the_terminal_prefixed(conf):
    parser = conf({".s2i/supervisor/clock.conf": CLOCK_CONF})
    clock = parser["program:clock"]
    assert clock["command"] == "s2i-wsgi prefix --width 5 %(program_name)s -- python clock.py %(ENV_PORT)s"
    assert clock["autorestart"] == "true"
    assert clock["stdout_logfile"] == "/dev/stdout"
    assert parser["group:app"]["programs"] == "web,clock"


def test_a_program_with_several_processes_prefixes_each_with_its_process_name(conf):
    program = "[program:q]\ncommand=./q\nnumprocs=2\nprocess_name=%(program_name)s-%(process_num)d\n"
    parser = conf({".s2i/supervisor/q.conf": program})
    assert parser["program:q"]["command"] == "s2i-wsgi prefix --width 3 %(program_name)s-%(process_num)d -- ./q"


def test_a_program_file_with_its_own_log_settings_is_left_as_written(conf):
    parser = conf({".s2i/supervisor/x.conf": "[program:x]\ncommand=./x\nstdout_logfile=/tmp/x.log\n"})
    assert dict(parser["program:x"]) == {"command": "./x", "stdout_logfile": "/tmp/x.log"}


def test_programs_in_the_apps_own_groups_stay_there(conf):
    parser = conf(
        {
            ".s2i/supervisor/x.conf": """\
                [group:jobs]
                programs=a,b
                [program:a]
                command=./a
                [program:b]
                command=./b
                [program:c]
                command=./c
                [eventlistener:watch]
                command=./watch
                events=PROCESS_STATE
                """
        }
    )
    assert parser["group:jobs"]["programs"] == "a,b"
    assert parser["group:app"]["programs"] == "web,c"
    assert parser["eventlistener:watch"]["command"] == "./watch"  # its stdout is supervisord's protocol


def test_the_configuration_is_written_readable_by_its_owner_only(tmp_path):
    path = supervisord.write("[supervisord]\n", tmp_path / "state")
    assert path == tmp_path / "state" / "supervisord.conf"
    assert path.stat().st_mode & 0o777 == 0o600
    assert supervisord.write("[supervisord]\nnodaemon=true\n", tmp_path / "state").read_text().endswith("true\n")
    assert supervisord.argv(path) == ["supervisord", "--nodaemon", "--configuration", str(path)]


# ---------------------------------------------------------------------------
# The line prefixer


def run_prefix(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "s2i_wsgi", "prefix", *argv],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": REPO_SRC},
        check=False,
        timeout=30,
        **kwargs,
    )


def test_prefix_labels_every_line_of_stdout_and_stderr_and_keeps_the_exit_status():
    result = run_prefix("--width", "6", "web", "--", "bash", "-c", "echo one; echo two >&2; printf three; exit 3")
    assert result.stdout == b"web    | one\nweb    | three\n"
    assert result.stderr == b"web    | two\n"
    assert result.returncode == 3


def test_prefix_reports_a_command_that_cannot_run():
    result = run_prefix("w", "--", "/nonexistent/command")
    assert result.returncode == 127
    assert result.stderr == b"w | ERROR: could not run /nonexistent/command: No such file or directory\n"


def test_prefix_passes_sigterm_to_the_command_and_returns_its_status():
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(7))\n"
        "print('up', flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "s2i_wsgi", "prefix", "w", "--", sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": REPO_SRC},
    )
    assert proc.stdout.readline() == b"w | up\n"
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 7
    assert time.monotonic() - started < 5


def test_a_command_killed_by_a_signal_exits_128_plus_the_signal():
    assert prefix.status_of(-9) == 137
    assert prefix.status_of(0) == 0


# ---------------------------------------------------------------------------
# s2i-wsgi start and detect


@pytest.fixture
def source(make_app, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "detect_limits", lambda: Limits(cpus=2.0, memory=None))
    monkeypatch.setattr(hooks, "STATE_DIR", tmp_path / "state")

    def use(files):
        app = make_app(files)
        monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(app))
        return app

    return use


def test_start_with_extra_processes_runs_hooks_once_then_runs_supervisord_below_it(
    source, monkeypatch, capsys, tmp_path
):
    app = source({"wsgi.py": WSGI_PY, "Procfile": "worker: python w.py\n"})
    hook = app / ".s2i" / "action_hooks" / "deploy"
    hook.parent.mkdir(parents=True)
    hook.write_text("#!/bin/sh\necho deploy ran\n")
    hook.chmod(0o755)
    calls = {}
    monkeypatch.setattr(os, "chdir", lambda path: calls.setdefault("chdir", path))
    monkeypatch.setattr(pid1, "run_mod_wsgi", lambda *a: pytest.fail("mod_wsgi must run under supervisord"))
    monkeypatch.setattr(os, "execvpe", lambda *a: pytest.fail("the launcher stays PID 1 above supervisord"))

    def fake_run(argv, env, cwd, fatal_file):
        calls.update(argv=argv, env=env, cwd=cwd, fatal_file=fatal_file)
        return 0

    monkeypatch.setattr(pid1, "run_supervisord", fake_run)
    assert cli.main(["start"]) == 0
    conf = tmp_path / "state" / "supervisord.conf"
    assert calls["argv"] == ["supervisord", "--nodaemon", "--configuration", str(conf)]
    assert calls["env"]["PORT"] == "8080"
    assert calls["chdir"] == app
    assert calls["fatal_file"] == tmp_path / "state" / "fatal"
    sections = parsed(conf.read_text())
    web = command_argv(sections["program:web"]["command"])
    assert web[:8] == ["s2i-wsgi", "prefix", "--width", "6", "web", "--", "s2i-wsgi", "serve-mod-wsgi"]
    assert web[8:10] == ["/opt/app-root/bin/mod_wsgi-express", "start-server"]
    listener = sections["eventlistener:s2i-wsgi-fatal"]
    assert listener["command"] == f"s2i-wsgi supervisor-listener --fatal-file {tmp_path / 'state' / 'fatal'}"
    assert listener["events"] == "PROCESS_STATE_FATAL"
    out = capsys.readouterr().out
    assert "---> Running the web server and worker (Procfile line 1) under supervisord\n" in out
    assert out.count("deploy ran") == 1


def test_start_dry_run_with_extra_processes_prints_the_supervisord_configuration(source, capsys):
    source({"wsgi.py": WSGI_PY, ".s2i/supervisor/clock.conf": CLOCK_CONF})
    assert cli.main(["start", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "[program:web]\n" in out
    assert "[program:clock]\n" in out


def test_start_without_extra_processes_does_not_write_a_supervisord_configuration(source, monkeypatch, tmp_path):
    source({"wsgi.py": WSGI_PY, "Procfile": "release: ./migrate\n"})
    monkeypatch.setattr(os, "chdir", lambda path: None)
    monkeypatch.setattr(pid1, "run_mod_wsgi", lambda argv, server_root, env, cwd, telemetry: 0)
    assert cli.main(["start"]) == 0
    assert not (tmp_path / "state" / "supervisord.conf").exists()


def test_start_with_a_malformed_procfile_fails_before_any_hook(source, capsys):
    source({"wsgi.py": WSGI_PY, "Procfile": "worker python w.py\n"})
    assert cli.main(["start", "--dry-run"]) == 1
    assert capsys.readouterr().err.startswith("ERROR: Procfile line 1 is not `name: command`")


def test_detect_lists_the_extra_processes_and_what_is_not_run(source, capsys):
    procfile = "worker: python w.py\nrelease: ./m\n"
    source({"wsgi.py": WSGI_PY, "Procfile": procfile, ".s2i/supervisor/c.conf": CLOCK_CONF})
    assert cli.main(["detect"]) == 0
    out = capsys.readouterr().out
    assert "extra:        worker (Procfile line 1)\n" in out
    assert "extra:        clock (.s2i/supervisor/c.conf)\n" in out
    assert "supervisord:  PID 1, running the web server and the extra processes\n" in out
    assert "not run:      release (Procfile line 2): a one-off release task, not a long-running process\n" in out


def test_detect_without_extra_processes_says_nothing_about_supervisord(source, capsys):
    source({"wsgi.py": WSGI_PY})
    assert cli.main(["detect"]) == 0
    assert "supervisord" not in capsys.readouterr().out


def test_the_build_stops_on_a_bad_supervisor_file_before_installing_anything(make_app, monkeypatch):
    app = make_app({"wsgi.py": WSGI_PY, ".s2i/supervisor/x.conf": "[program:x\n"})
    monkeypatch.setattr("s2i_wsgi.deps.install", lambda *a: pytest.fail("installed before the check"))
    with pytest.raises(ConfigError, match=r"^\.s2i/supervisor/x\.conf is not a valid supervisord configuration file"):
        build({"PATH": os.environ["PATH"]}, app)
