"""Fuzzing the files that declare extra processes (the Procfile, .s2i/supervisor/*.conf): any content and
any kind of path is read, or refused with a message naming the file and what to do."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from s2i_wsgi import extra_processes

from .test_fuzz_support import (
    app_directory,
    deny,
    file_bytes,
    file_kinds,
    link,
    place,
    read_or_refuse,
    refusal,
    text_lines,
    texts,
)

PROCESS_NAMES = st.one_of(
    st.sampled_from(["web", "release", "worker", "clock", "web-2", "_"]),
    st.from_regex(r"[A-Za-z0-9_-]{1,6}", fullmatch=True),
)

PROCFILE_LINES = st.one_of(
    st.builds("{}: {}".format, PROCESS_NAMES, texts()),
    st.builds("{}:{}".format, PROCESS_NAMES, texts()),
    st.builds("  {} :  {}  ".format, PROCESS_NAMES, texts()),
    st.builds("# {}".format, texts()),
    st.just(""),
)

SECTIONS = st.one_of(
    st.builds("[program:{}]".format, PROCESS_NAMES),
    st.builds("[eventlistener:{}]".format, PROCESS_NAMES),
    st.builds("[group:{}]".format, PROCESS_NAMES),
    st.sampled_from(["[supervisord]", "[program:]", "[DEFAULT]", "[include]", "[program:a:b]"]),
    st.builds("[{}]".format, texts(max_size=10)),
)
OPTIONS = st.sampled_from(["command", "programs", "numprocs", "process_name", "environment", "stdout_logfile"])
PROGRAM_LINES = st.one_of(
    st.builds("{}={}".format, OPTIONS, texts()),
    st.builds("{} : {}".format, OPTIONS, texts()),
    st.builds("command=python {} ; {}".format, texts(max_size=10), texts(max_size=10)),
    st.builds("  {}".format, texts()),  # a continuation line
    st.builds("; {}".format, texts()),
    st.just("command=%(ENV_HOME)s/run"),
    texts(),
)
# A supervisord file: sections, each with its option lines.
PROGRAM_FILES = st.lists(st.tuples(SECTIONS, st.lists(PROGRAM_LINES, max_size=3)), max_size=3).map(
    lambda sections: "\n".join(line for header, lines in sections for line in (header, *lines))
)
CONF_NAMES = st.sampled_from(["a.conf", "b.conf", "worker.conf", "x.conf.conf"])


@given(content=file_bytes(text_lines(PROCFILE_LINES)), kind=file_kinds)
def test_any_procfile_is_read_or_refused_with_a_message_naming_it(content, kind):
    with app_directory() as root:
        place(root / "Procfile", kind, content)
        declared = read_or_refuse(lambda: extra_processes.read_procfile(root / "Procfile"), "Procfile")
    for process in declared or []:
        assert extra_processes.PROCFILE_LINE.fullmatch(f"{process.name}: {process.command}")
        assert "\x00" not in process.command and "\n" not in process.command


@given(
    procfile=file_bytes(text_lines(PROCFILE_LINES)),
    files=st.dictionaries(CONF_NAMES, st.tuples(file_bytes(PROGRAM_FILES), file_kinds), max_size=2),
)
def test_any_procfile_and_supervisor_files_give_processes_or_an_error_naming_the_file(procfile, files):
    with app_directory() as root:
        place(root / "Procfile", "file", procfile)
        for name, (content, kind) in files.items():
            place(root / ".s2i" / "supervisor" / name, kind, content)
        extra = read_or_refuse(lambda: extra_processes.find(root, root), "Procfile", ".s2i/supervisor/")
    if extra is not None:
        names = [name for name, _ in extra.names()]
        assert len(names) == len(set(names)) and "web" not in names
        for program_file in extra.files:
            for options in program_file.sections.values():
                assert not any("\x00" in value for value in options.values())


# What fuzzing found, as examples.


def test_a_nul_byte_in_the_procfile_is_an_error_naming_the_line(make_app):
    app = make_app({"Procfile": b"web: gunicorn app\nworker: python worker.py\x00\n"})
    assert str(refusal(lambda: extra_processes.read_procfile(app / "Procfile"))) == (
        "Procfile line 2 contains a NUL byte.\n\n"
        "A Procfile declares the app's processes, one `name: command` per line. No command or setting can hold "
        "a NUL byte; a file that has one is binary, or saved in another encoding such as UTF-16.\n\n"
        "Save Procfile as UTF-8 text."
    )


def test_a_nul_byte_in_a_supervisor_file_is_an_error_naming_the_file_and_line(make_app):
    app = make_app({".s2i/supervisor/clock.conf": b"[program:clock]\ncommand=python clock.py \x00\n"})
    assert str(refusal(lambda: extra_processes.find(app, app))) == (
        ".s2i/supervisor/clock.conf line 2 contains a NUL byte.\n\n"
        "Files in .s2i/supervisor/ are INI files of [program:NAME] sections read by supervisord. No command or "
        "setting can hold a NUL byte; a file that has one is binary, or saved in another encoding such as UTF-16."
        "\n\nSave .s2i/supervisor/clock.conf as UTF-8 text."
    )


def test_a_procfile_that_links_outside_the_source_is_an_error(make_app):
    app = make_app()
    link(app / "Procfile", "../Procfile")
    assert str(refusal(lambda: extra_processes.find(app, app))) == (
        "Procfile is a symbolic link to ../Procfile, which is not in the source.\n\n"
        "A Procfile declares the app's processes, one `name: command` per line. A link to a file outside the "
        "source (or to one that is not committed) does not reach the build.\n\n"
        "Replace the link with the file itself, or remove Procfile."
    )


def test_a_supervisor_file_that_links_outside_the_source_is_an_error(make_app):
    app = make_app()
    link(app / ".s2i" / "supervisor" / "clock.conf", "/etc/supervisor/conf.d/clock.conf")
    assert str(refusal(lambda: extra_processes.find(app, app))) == (
        ".s2i/supervisor/clock.conf is a symbolic link to /etc/supervisor/conf.d/clock.conf, which is not in "
        "the source.\n\n"
        "Files in .s2i/supervisor/ are INI files of [program:NAME] sections read by supervisord. A link to a "
        "file outside the source (or to one that is not committed) does not reach the build.\n\n"
        "Replace the link with the file itself, or remove .s2i/supervisor/clock.conf."
    )


def test_a_procfile_that_cannot_be_read_is_an_error_naming_it(make_app, monkeypatch):
    app = make_app({"Procfile": "web: gunicorn app\n"})
    deny(monkeypatch, app, "read_bytes")
    assert str(refusal(lambda: extra_processes.read_procfile(app / "Procfile"))) == (
        "Procfile cannot be read (Permission denied).\n\n"
        "A Procfile declares the app's processes, one `name: command` per line.\n\n"
        "Make Procfile a file the build can read (e.g. `chmod a+r Procfile`)."
    )


def test_only_a_newline_ends_a_procfile_line_as_in_heroku(make_app):
    app = make_app({"Procfile": "worker: echo one\u2028two\x0cthree\r\nclock: python clock.py\n".encode()})
    declared = extra_processes.read_procfile(app / "Procfile")
    assert [(p.name, p.command) for p in declared] == [
        ("worker", "echo one\u2028two\x0cthree"),
        ("clock", "python clock.py"),
    ]
