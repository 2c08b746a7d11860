"""Fuzzing entry-point detection: any app directory (file names, Python sources, project metadata, Django
settings, Procfile) gives an entry point, or an error naming what is wrong and what to do."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s2i_wsgi import config, detect
from s2i_wsgi.errors import DetectError

from .test_fuzz_support import (
    app_directory,
    deny,
    file_bytes,
    file_kinds,
    place,
    read_or_refuse,
    refusal,
    text_lines,
    texts,
)

KNOWN_FILES = (
    "wsgi.py",
    "app.py",
    "main.py",
    "manage.py",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Procfile",
    "site/settings.py",
    "site/wsgi.py",
    "pkg/wsgi.py",
    "pkg/__init__.py",
    "src/pkg/__init__.py",
    "other/wsgi.py",
    ".hidden/wsgi.py",
)
FILE_NAMES = st.one_of(
    st.sampled_from(KNOWN_FILES),
    st.from_regex(r"[A-Za-z0-9_. -]{1,30}(/wsgi\.py|\.py)?", fullmatch=True).filter(
        lambda name: name not in (".", "..")
    ),
)
SOURCE_LINES = st.one_of(
    st.sampled_from(
        [
            "application = object()",
            "app = Flask(__name__)",
            "from flask import *",
            "def __getattr__(name): ...",
            "if True:\n    application = 1",
            "try:\n    app = 1\nexcept ImportError:\n    pass",
            "application = (",
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')",
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', '" + "s" * 300 + ".settings')",
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a..b')",
            "WSGI_APPLICATION = 'site.wsgi.application'",
            "WSGI_APPLICATION = 'nodots'",
            "WSGI_APPLICATION = 3",
            "application = " + "-" * 100_000 + "1",  # deeper than Python's parser goes
            "x = " + "(" * 300 + ")" * 300,
            "[project]\nname = 'pkg'",
            "[project]\nname = 3",
            "project = 'pkg'",
            "[tool.poetry]\nname = '" + "p" * 300 + "'",
            "[metadata]\nname = pkg",
            "[metadata]\nname = %(x)s",
            "setup(name='pkg')",
            "web: gunicorn pkg.wsgi",
            "def create_app(test_config=None): ...",
            "def make_app(config, /, *, debug): ...",
            "from .factory import create_app",
            "async def create_app(): ...",
            "[project.scripts]\nserve = 'pkg.wsgi:main'",
            "[project.scripts]\nserve = 3",
            "[tool.poetry.scripts]\nserve = { callable = 'app:main' }",
        ]
    ),
    texts(),
)
SETTINGS = st.dictionaries(
    st.sampled_from(["APP_MODULE", "APP_FILE", "APP_HOME", "WARPDRIVE_DEPLOY_MODE", "DJANGO_SETTINGS_MODULE"]),
    st.sampled_from(
        [
            "wsgi",
            "pkg.wsgi:app",
            "app.py",
            "main.py",
            "site",
            "pkg",
            "django",
            "wsgi",
            "python",
            "a" * 300,
            "x.y",
            "pkg:create_app()",
            "wsgi:make_app('x', debug=True)",
        ]
    ),
    max_size=2,
)


@given(
    files=st.dictionaries(FILE_NAMES, st.tuples(file_bytes(text_lines(SOURCE_LINES)), file_kinds), max_size=5),
    environ=SETTINGS,
)
def test_any_app_directory_gives_an_entry_point_or_an_error_naming_what_is_wrong(files, environ):
    with app_directory() as root:
        for name, (content, kind) in files.items():
            if not (root / name).parent.is_dir() and (root / name).parent.exists():
                continue  # a file already stands where this one's directory would be
            place(root / name, kind, content)
        loaded = read_or_refuse(lambda: config.load(environ, root), *environ)
        if loaded is None:
            return
        mentioned = (*environ, *files, *(path.name for path in root.rglob("*")), str(root))
        entry = read_or_refuse(lambda: detect.detect(loaded), *mentioned)
    assert entry is None or entry.is_wsgi or entry.command


# What fuzzing found, as examples.


def test_a_python_file_nested_too_deeply_to_parse_is_an_error_naming_it(make_app, load_config):
    app = make_app({"wsgi.py": "application = " + "-" * 100_000 + "1\n"})
    assert str(refusal(lambda: detect.detect(load_config(app)), DetectError)) == (
        "wsgi.py is nested too deeply for Python's parser.\n\n"
        "Python cannot compile it either, so no server could load it.\n\n"
        f"Split the deeply nested expression in {app / 'wsgi.py'} into several statements."
    )


def test_a_nul_byte_in_a_python_file_is_an_error_naming_the_line(make_app, load_config):
    app = make_app({"wsgi.py": b"application = object()\n\x00\n"})
    assert str(refusal(lambda: detect.detect(load_config(app)), DetectError)) == (
        "wsgi.py line 2 contains a NUL byte.\n\n"
        "Python refuses to compile a source file that holds one, so no server could load it.\n\n"
        f"Save {app / 'wsgi.py'} as UTF-8 text (it may be binary, or in another encoding such as UTF-16)."
    )


def test_a_python_file_that_cannot_be_read_is_an_error_naming_it(make_app, load_config, monkeypatch):
    app = make_app({"wsgi.py": "application = object()\n"})
    deny(monkeypatch, app, "read_text")
    assert str(refusal(lambda: detect.detect(load_config(app)), DetectError)) == (
        f"{app / 'wsgi.py'} cannot be read (Permission denied).\n\n"
        "Detection reads the app's Python files to find its WSGI callable.\n\n"
        "Make wsgi.py a file the build can read (e.g. `chmod a+r wsgi.py`), or remove it."
    )


def test_a_directory_named_wsgi_py_is_not_an_entry_point(make_app, load_config):
    app = make_app({"web/wsgi.py": "application = object()\n"})
    (app / "site" / "wsgi.py").mkdir(parents=True)
    assert detect.detect(load_config(app)).target == "web.wsgi:application"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", 'project = "myapp"\n'),
        ("pyproject.toml", "[project]\nname = 3\n"),
        ("pyproject.toml", b"[project]\nname = 'caf\xe9'\n"),
        ("setup.cfg", b"[metadata]\nname = caf\xe9\n"),
    ],
)
def test_project_metadata_that_cannot_name_a_package_is_passed_over(make_app, load_config, name, text):
    app = make_app({"app.py": "print('hello')\n", name: text})
    assert detect.detect(load_config(app)).command == ["python", str(app / "app.py")]


@pytest.mark.parametrize(
    "environ",
    [{"APP_MODULE": "m" * 300}, {"WARPDRIVE_WSGI_MODULE_NAME": "a." + "m" * 300}],
)
def test_a_module_name_too_long_for_a_file_is_left_to_the_import_check(make_app, load_config, environ):
    entry = detect.detect(load_config(make_app(), **environ))
    assert entry.file is None and entry.module == next(iter(environ.values()))


def test_a_django_settings_module_too_long_for_a_file_is_an_error_naming_it(make_app, load_config):
    app = make_app({"manage.py": ""})
    settings = "s" * 300 + ".settings"
    assert str(refusal(lambda: detect.detect(load_config(app, DJANGO_SETTINGS_MODULE=settings)), DetectError)) == (
        f"The Django settings are {settings}, but the WSGI module {'s' * 300}.wsgi is not in {app}.\n\n"
        "Django's WSGI_APPLICATION (or the settings package's wsgi.py) is what the server loads.\n\n"
        "Set WSGI_APPLICATION in the settings, or APP_MODULE=yourproject.wsgi:application."
    )
