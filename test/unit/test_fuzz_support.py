"""What the fuzz tests (test_fuzz_*.py) share: strategies for hostile input, fresh app directories, and
the one property every parser of user files and values must keep.

The property: reading bad input either succeeds or raises a UserError whose message names the file or
the variable concerned and says what to do. Any other exception is a traceback in front of the user.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import strategies as st

from s2i_wsgi.errors import ConfigError, UserError

T = TypeVar("T")

# Characters that parsers trip over: separators, quotes, comment and shell characters, line breaks that
# are not "\n", invisible spaces, a byte-order mark, and NUL.
AWKWARD = (
    "\x00\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x7f\x85\xa0\u2028\u2029\u200b\u3000\ufeff"
    " \"'\\$#=:;,[]%(){}`|&<>*?~!-_./0123456789aAzZ"
)
_CHARACTERS = st.one_of(st.sampled_from(AWKWARD), st.characters(codec="utf-8"))


def texts(*, min_size: int = 0, max_size: int = 40, nul: bool = True) -> st.SearchStrategy[str]:
    """Any text, weighted towards the characters parsers get wrong."""
    alphabet = _CHARACTERS if nul else _CHARACTERS.filter(lambda char: char != "\x00")
    return st.text(alphabet, min_size=min_size, max_size=max_size)


def long_texts(*, nul: bool = False) -> st.SearchStrategy[str]:
    """Texts up to a few thousand characters: path and number limits live there."""
    piece = texts(max_size=20, nul=nul)
    return st.builds(lambda text, times: text * times, piece, st.integers(1, 400))


# Byte sequences that break decoding and line splitting: NUL, bytes that are not UTF-8 (a lone
# continuation byte, a UTF-16 byte-order mark, an encoded surrogate, a cut-off sequence), a bare carriage
# return, a UTF-8 byte-order mark, a form feed and U+2028.
POISON = (b"\x00", b"\x80", b"\xff\xfe", b"\xed\xa0\x80", b"\xc3", b"\r", b"\xef\xbb\xbf", b"\x0c", b"\xe2\x80\xa8")


def _splice(data: bytes, poison: bytes, where: int) -> bytes:
    where %= len(data) + 1
    return data[:where] + poison + data[where:]


def text_lines(line: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A text of lines (from `line`, or any text) joined by one kind of line break."""
    return st.builds(
        lambda items, newline: newline.join(items),
        st.lists(st.one_of(line, texts()), max_size=6),
        st.sampled_from(["\n", "\n", "\r\n", "\r", "\u2028"]),
    )


def file_bytes(documents: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[bytes]:
    """The content of a user file: a document (any text by default) as UTF-8, the same with one poison
    sequence spliced in, or random bytes."""
    encoded = (documents if documents is not None else text_lines(texts())).map(lambda text: text.encode("utf-8"))
    return st.one_of(
        encoded,
        st.builds(_splice, encoded, st.sampled_from(POISON), st.integers(min_value=0)),
        st.binary(max_size=100),
    )


# How the path a parser reads can be wrong, besides its content.
FILE_KINDS = ("file", "missing", "directory", "dangling symlink", "symlink to a file", "unreadable file")
# Mostly a file, since that is where the content matters.
file_kinds = st.one_of(st.just("file"), st.sampled_from(FILE_KINDS))


def place(path: Path, kind: str, content: bytes = b"") -> None:
    """Put `content` at `path` as a file of that kind (see FILE_KINDS)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind in ("file", "unreadable file"):
        path.write_bytes(content)
        if kind == "unreadable file":
            path.chmod(0)
    elif kind == "directory":
        path.mkdir()
        (path / "inside").write_bytes(content)
    elif kind == "dangling symlink":
        path.symlink_to(path.parent / f"missing-{path.name}")
    elif kind == "symlink to a file":
        target = path.parent / f"target-{path.name}"
        target.write_bytes(content)
        path.symlink_to(target.name)


@contextmanager
def app_directory() -> Iterator[Path]:
    """A new empty source directory for one example (pytest's tmp_path is one per test, not per example)."""
    with tempfile.TemporaryDirectory(prefix="s2i-wsgi-fuzz-") as name:
        root = Path(name)
        try:
            yield root
        finally:  # an unreadable file or directory must not stop the clean-up
            for path in [root, *root.rglob("*")]:
                if not path.is_symlink():
                    path.chmod(0o700)


def check_user_error(error: UserError, *names: str) -> None:
    """The message names one of `names` (the file or variable concerned) and says what to do."""
    message = str(error)
    assert any(name in message for name in names), f"the message names none of {names}:\n{message}"
    assert error.what.strip(), f"the message says nothing was found:\n{message}"
    assert error.fix.strip(), f"the message does not say what to do:\n{message}"


def refusal(call: Callable[[], object], error: type[UserError] = ConfigError) -> UserError:
    """The `error` that call() refuses with; the test fails if it returns, or raises anything else."""
    with pytest.raises(error) as raised:
        call()
    return raised.value


def link(path: Path, target: str) -> None:
    """A symbolic link at `path` to `target` as written (outside the source, say), its directory made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def deny(monkeypatch: pytest.MonkeyPatch, path: Path, method: str) -> None:
    """Every `method` (read_bytes, read_text) of `path`'s class fails as a file the build may not read."""

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), method, denied)


def read_or_refuse(call: Callable[[], T], *names: str) -> T | None:
    """call(), or None when it refuses with a proper UserError. Any other exception fails the test."""
    try:
        return call()
    except UserError as error:
        check_user_error(error, *names)
        return None


# The property's own checks.


def test_a_user_error_naming_the_file_and_saying_what_to_do_keeps_the_property():
    error = ConfigError("Procfile line 1 is wrong.", "Why.", "Fix it.")
    assert read_or_refuse(lambda: (_ for _ in ()).throw(error), "Procfile") is None


def test_a_user_error_that_names_another_file_breaks_the_property():
    with pytest.raises(AssertionError, match="names none of"):
        check_user_error(ConfigError("Something is wrong.", "Why.", "Fix it."), "Procfile")


def test_a_user_error_that_does_not_say_what_to_do_breaks_the_property():
    with pytest.raises(AssertionError, match="does not say what to do"):
        check_user_error(ConfigError("Procfile is wrong.", "Why."), "Procfile")


def test_an_exception_that_is_not_a_user_error_breaks_the_property():
    with pytest.raises(ValueError):
        read_or_refuse(lambda: int("x"), "Procfile")


def test_a_call_that_does_not_refuse_fails_a_test_expecting_a_refusal():
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        refusal(lambda: None)


def test_every_kind_of_file_can_be_placed(tmp_path: Path):
    for kind in FILE_KINDS:
        place(tmp_path / kind.replace(" ", "-") / "Procfile", kind, b"web: x\n")
    assert (tmp_path / "file" / "Procfile").read_bytes() == b"web: x\n"
    assert (tmp_path / "symlink-to-a-file" / "Procfile").read_bytes() == b"web: x\n"
    assert (tmp_path / "directory" / "Procfile").is_dir()
    assert not (tmp_path / "missing" / "Procfile").exists()
    assert (tmp_path / "dangling-symlink" / "Procfile").is_symlink()
    assert not (tmp_path / "dangling-symlink" / "Procfile").exists()
