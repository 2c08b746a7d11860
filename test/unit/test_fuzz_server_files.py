"""Fuzzing the server's files (.warpdrive/server_args, .warpdrive/server_type): any content and any kind of
path gives arguments (or a server), or is refused with a message naming the file and what to do."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from s2i_wsgi import config, detect, servers

from .test_fuzz_support import (
    app_directory,
    check_user_error,
    file_bytes,
    file_kinds,
    link,
    place,
    read_or_refuse,
    refusal,
    text_lines,
    texts,
)

SERVERS = st.sampled_from(config.SERVER_NAMES)
# Variables an argument may refer to, with any value but NUL (no environment variable holds one).
ENVIRON = st.dictionaries(st.sampled_from(["HELLO", "PORT_X", "EMPTY"]), texts(nul=False), max_size=3)

WORDS = st.one_of(
    st.sampled_from(["--processes", "--threads=4", "-w", "4", "--port", "--bind", "--http", "--listen", "#"]),
    st.sampled_from(["$HELLO", "${HELLO}", "$UNSET", "${PORT_X}", "'$HELLO'", '"a b"', "'", '"', "\\", "$(id)"]),
    st.sampled_from(["`id`", ";", "|", "&&", ">out", "<in", "\\$HOME", "~", "*"]),
    texts(max_size=12),
)
SERVER_ARGS_LINES = st.lists(WORDS, max_size=6).map(" ".join)


@given(
    content=file_bytes(text_lines(SERVER_ARGS_LINES)),
    kind=file_kinds,
    per_server=st.booleans(),
    server=SERVERS,
    environ=ENVIRON,
)
def test_any_server_args_file_gives_arguments_or_an_error_naming_it(content, kind, per_server, server, environ):
    with app_directory() as root:
        path = root / ".warpdrive" / "server_args"
        place(path / server if per_server else path, kind, content)
        loaded = config.load(environ, root)
        words = read_or_refuse(lambda: servers.server_args(loaded, server), ".warpdrive/server_args")
    assert all(isinstance(word, str) and "\x00" not in word for word in words or [])


@given(
    content=file_bytes(text_lines(st.sampled_from([*config.SERVER_NAMES, " gunicorn ", "UWSGI", "apache"]))),
    kind=file_kinds,
)
def test_any_server_type_file_chooses_a_server_or_is_refused_naming_it(content, kind):
    with app_directory() as root:
        place(root / ".warpdrive" / "server_type", kind, content)
        loaded = config.load({}, root)
        chosen = read_or_refuse(lambda: servers.choose_server(loaded), ".warpdrive/server_type")
    assert chosen is None or chosen[0] in config.SERVER_NAMES


# What fuzzing found, as examples.


def test_a_server_args_file_that_is_not_utf8_is_an_error_naming_it(make_app, load_config):
    app = make_app({".warpdrive/server_args": b"--processes 4 --name caf\xe9\n"})
    assert str(refusal(lambda: servers.server_args(load_config(app), "mod_wsgi"))) == (
        ".warpdrive/server_args cannot be read ('utf-8' codec can't decode byte 0xe9 in position 24: invalid "
        "continuation byte).\n\n"
        "It holds options for the server, as UTF-8 text.\n\n"
        "Save .warpdrive/server_args as UTF-8 text with the options separated by spaces or lines."
    )


def test_a_nul_byte_in_server_args_is_an_error_naming_the_line(make_app, load_config):
    app = make_app({".warpdrive/server_args": b"--processes 4\n--name a\x00b\n"})
    assert str(refusal(lambda: servers.server_args(load_config(app), "mod_wsgi"))) == (
        ".warpdrive/server_args line 2 contains a NUL byte.\n\n"
        "No argument can hold a NUL byte; a file that has one is binary, or saved in another encoding such as "
        "UTF-16.\n\n"
        "Save .warpdrive/server_args as UTF-8 text with the options separated by spaces or lines."
    )


def test_a_server_args_file_that_links_outside_the_source_is_an_error(make_app, load_config):
    app = make_app()
    link(app / ".warpdrive" / "server_args", "../../common/server_args")
    assert str(refusal(lambda: servers.server_args(load_config(app), "gunicorn"))) == (
        ".warpdrive/server_args is a symbolic link to ../../common/server_args, which is not in the source.\n\n"
        "A link to a file outside the source (or to one that is not committed) does not reach the build, so the "
        "server would start without the options it holds.\n\n"
        "Replace the link with the file itself, or remove .warpdrive/server_args."
    )


def test_only_spaces_tabs_and_newlines_separate_server_args_as_in_a_shell(make_app, load_config):
    app = make_app({".warpdrive/server_args": "--name a\u2028b\x0cc\r\n--threads 4\n".encode()})
    assert servers.server_args(load_config(app), "mod_wsgi") == ["--name", "a\u2028b\x0cc", "--threads", "4"]


# Crashes fuzzing found in servers/ outside .warpdrive/server_args: its choice of server and of the
# gunicorn configuration file belong to another change. Each test passes once that is fixed.


def test_a_server_type_file_that_is_not_utf8_is_an_error_naming_it(make_app, load_config):
    app = make_app({".warpdrive/server_type": b"gunicorn\xff\n"})
    check_user_error(refusal(lambda: servers.choose_server(load_config(app))), ".warpdrive/server_type")


def test_gunicorn_cmd_args_with_an_unclosed_quote_is_an_error_naming_it(make_app, load_config):
    app = make_app({"wsgi.py": "application = 1\n"})
    refused = refusal(lambda: detect.entry_point(load_config(app, GUNICORN_CMD_ARGS="--name 'x")))
    check_user_error(refused, "GUNICORN_CMD_ARGS")


def test_an_app_config_name_too_long_for_a_file_is_a_file_that_is_not_there(make_app, load_config):
    # As for any APP_CONFIG that names no file: the entry point comes from detection.
    entry = detect.entry_point(load_config(make_app({"wsgi.py": "application = 1\n"}), APP_CONFIG="c" * 300))
    assert entry.target == "wsgi:application"


def test_a_gunicorn_configuration_nested_too_deeply_to_parse_is_an_error_naming_it(make_app, load_config):
    app = make_app({"wsgi.py": "application = 1\n", "gunicorn.conf.py": "workers = " + "-" * 100_000 + "1\n"})
    check_user_error(refusal(lambda: detect.entry_point(load_config(app))), "gunicorn.conf.py")
