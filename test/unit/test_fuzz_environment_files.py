"""Fuzzing the app's environment files (.s2i/environment, .warpdrive/environment, .warpdrive/deploy_mode):
any content and any kind of path is read, or refused with a message naming the file and what to do."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from s2i_wsgi import config, envfile

from .test_fuzz_support import (
    app_directory,
    file_bytes,
    file_kinds,
    link,
    place,
    read_or_refuse,
    refusal,
    text_lines,
    texts,
)

NAMES = st.one_of(st.sampled_from(sorted(config.BY_NAME)), st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True))

# Lines as people write them, and as they go wrong.
LINES = st.one_of(
    st.builds("{}={}".format, NAMES, texts()),
    st.builds("export {}={}".format, NAMES, texts()),
    st.builds('{}="{}"'.format, NAMES, texts()),
    st.builds("{}='{}'".format, NAMES, texts()),
    st.builds("  {} = {}  ".format, NAMES, texts()),
    st.builds("# {}".format, texts()),
    st.just(""),
)

# What s2i trims from a line's name and value (Go's unicode.IsSpace).
GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


@given(texts(max_size=60))
def test_unquoting_any_value_gives_text_and_never_fails(raw):
    assert isinstance(envfile.unquote(raw), str)


@given(texts(max_size=60).filter(lambda raw: raw.strip(GO_SPACE)[:1] not in ("'", '"')))
def test_a_value_that_is_not_quoted_is_taken_as_written_less_what_s2i_trims(raw):
    assert envfile.unquote(raw) == raw.strip(GO_SPACE)


@given(texts(nul=False))
def test_a_double_quoted_value_with_its_specials_escaped_means_the_value(value):
    escaped = "".join("\\" + char if char in '\\"$' else char for char in value)
    assert envfile.unquote(f'"{escaped}"') == value


@given(texts(nul=False).filter(lambda value: "'" not in value))
def test_a_single_quoted_value_means_its_content_as_written(value):
    assert envfile.unquote(f"'{value}'") == value


@given(content=file_bytes(text_lines(LINES)), kind=file_kinds)
def test_any_environment_file_is_read_or_refused_with_a_message_naming_it(content, kind):
    with app_directory() as root:
        path = root / ".s2i" / "environment"
        place(path, kind, content)
        raw = read_or_refuse(lambda: envfile.read_raw(path), ".s2i/environment")
        meaning = read_or_refuse(lambda: envfile.read(path), ".s2i/environment")
        fixed = read_or_refuse(lambda: envfile.passed_verbatim(dict(raw or {}), path), ".s2i/environment")
    assert (raw is None) == (meaning is None) == (fixed is None)
    if raw is not None:
        assert set(meaning) == set(raw) and set(fixed) <= set(raw)
        assert all(envfile.NAME.fullmatch(name) for name in raw)
        assert not any("\x00" in value for value in raw.values())


# Values with a character that some line splitters (but not s2i's) take for a line break.
ONE_LINE_VALUES = st.one_of(
    texts(nul=False).filter(lambda value: "\n" not in value),
    st.builds(
        "{}{}{}".format,
        texts(max_size=5, nul=False),
        st.sampled_from("\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"),
        texts(max_size=5, nul=False),
    ).filter(lambda value: "\n" not in value),
)


@given(st.lists(st.tuples(NAMES, ONE_LINE_VALUES), min_size=1, max_size=5), st.sampled_from(["\n", "\r\n"]))
def test_every_name_value_line_is_read_as_s2i_reads_it(assignments, newline):
    """s2i splits the file at "\\n" only and trims each name and value (pkg/scripts/environment.go)."""
    with app_directory() as root:
        path = root / "environment"
        path.write_bytes(newline.join(f"{name}={value}" for name, value in assignments).encode())
        assert envfile.read_raw(path) == {name: value.strip(GO_SPACE) for name, value in assignments}


@given(
    s2i=file_bytes(text_lines(LINES)),
    warpdrive=file_bytes(text_lines(LINES)),
    deploy_mode=file_bytes(text_lines(st.sampled_from(["auto", "shell", "python", "wsgi", "django", " Django "]))),
    kinds=st.tuples(file_kinds, file_kinds, file_kinds),
)
def test_any_app_environment_files_load_or_are_refused_naming_the_file_or_variable(s2i, warpdrive, deploy_mode, kinds):
    with app_directory() as root:
        place(root / ".s2i" / "environment", kinds[0], s2i)
        place(root / ".warpdrive" / "environment", kinds[1], warpdrive)
        place(root / ".warpdrive" / "deploy_mode", kinds[2], deploy_mode)
        read_or_refuse(
            lambda: config.load({}, root),
            ".s2i/environment",
            ".warpdrive/environment",
            ".warpdrive/deploy_mode",
            *config.BY_NAME,
        )


# What fuzzing found, as examples.


def test_a_nul_byte_in_the_environment_file_is_an_error_naming_the_line(make_app, load_config):
    app = make_app({".s2i/environment": b"A=1\nGREETING=hi\x00there\n"})
    assert str(refusal(lambda: load_config(app))) == (
        ".s2i/environment line 2 contains a NUL byte.\n\n"
        ".s2i/environment sets variables for the build and the app, as UTF-8 text. A NUL byte cannot be part of "
        "a setting (nor of any environment variable or argument); a file that holds one is binary, or saved in "
        "another encoding such as UTF-16.\n\n"
        "Save .s2i/environment as UTF-8 text with NAME=VALUE lines."
    )


def test_only_a_newline_ends_an_environment_file_line_as_in_s2i(tmp_path: Path):
    path = tmp_path / "environment"
    path.write_bytes('MESSAGE="one\u2028two"\r\nSEP=a\rb\x0cc\nCODE=\x1cx\x1c\n'.encode())
    assert envfile.read(path) == {"MESSAGE": "one\u2028two", "SEP": "a\rb\x0cc", "CODE": "\x1cx\x1c"}
    assert envfile.read_raw(path)["MESSAGE"] == '"one\u2028two"'


def test_an_environment_file_that_links_outside_the_source_is_an_error(make_app, load_config):
    app = make_app()
    link(app / ".s2i" / "environment", "../../shared/environment")
    assert str(refusal(lambda: load_config(app))) == (
        ".s2i/environment is a symbolic link to ../../shared/environment, which is not in the source.\n\n"
        ".s2i/environment sets variables for the build and the app, as UTF-8 text. A link to a file outside the "
        "source (or to one that is not committed) does not reach the build.\n\n"
        "Replace the link with the file itself, or remove .s2i/environment."
    )


def test_a_deploy_mode_file_that_is_not_utf8_is_an_error_naming_it(make_app, load_config):
    app = make_app({".warpdrive/deploy_mode": b"caf\xe9\n"})
    assert str(refusal(lambda: load_config(app))) == (
        ".warpdrive/deploy_mode cannot be read ('utf-8' codec can't decode byte 0xe9 in position 3: invalid "
        "continuation byte).\n\n"
        ".warpdrive/deploy_mode sets WARPDRIVE_DEPLOY_MODE, as one word of UTF-8 text.\n\n"
        "Write one of the values WARPDRIVE_DEPLOY_MODE allows into .warpdrive/deploy_mode (one of auto, shell, "
        "python, wsgi, django), or delete the file."
    )
