"""Fuzzing every variable's value: any text, from the process environment or from .s2i/environment, is
loaded or refused with a message naming the variable; a value that loads does not crash what uses it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s2i_wsgi import config, deps, detect
from s2i_wsgi.errors import ConfigError

from .test_fuzz_support import app_directory, check_user_error, long_texts, place, read_or_refuse, refusal, texts

NAMES = [variable.name for variable in config.VARIABLES]

# What an environment variable can hold: any text but NUL. Numbers, paths and names are where parsers fail.
VALUES = st.one_of(
    texts(nul=False),
    long_texts(),
    st.integers().map(str),
    # Numbers, also in Arabic-Indic digits (which int() and float() accept).
    st.from_regex(r"\s*-?[0-9\u0660-\u0669]{1,6}(\.[0-9]*)?([eE][+-]?[0-9]{1,4})?\s*", fullmatch=True),
    st.sampled_from(["nan", "inf", "-0", "0x10", "1_000", "+5", "½", "True", "ON", "/", "..", "a/../b", "~"]),
    # Paths and module names with parts longer than a file name can be, or many parts.
    st.builds(
        lambda part, count, sep: sep.join([part] * count),
        st.text("ab_", min_size=1, max_size=300),
        st.integers(1, 30),
        st.sampled_from(["/", "."]),
    ),
)

# The app a loaded setting is used on: it has an entry point, a Django project and dependency files.
APP = {
    "wsgi.py": "application = object()\n",
    "app.sh": "#!/bin/sh\nexec true\n",
    "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
    "site/settings.py": "WSGI_APPLICATION = 'site.wsgi.application'\n",
    "site/wsgi.py": "application = object()\n",
    "requirements.txt": "flask\n",
}


@given(VALUES)
def test_any_value_of_any_variable_in_the_process_environment_loads_or_is_refused_naming_it(value):
    with app_directory() as root:
        for name in NAMES:
            loaded = read_or_refuse(lambda name=name: config.load({name: value}, root), name)
            assert loaded is None or loaded.settings[name].source in ("environment", "default")


@given(name=st.sampled_from(NAMES), value=VALUES.map(lambda value: value.replace("\n", " ")))
def test_any_value_of_a_variable_in_the_environment_file_loads_or_is_refused_naming_it(name, value):
    """As s2i runs the build: the file's line, and the same value (trimmed) in the process environment."""
    with app_directory() as root:
        place(root / ".s2i" / "environment", "file", f"{name}={value}\n".encode())
        read_or_refuse(lambda: config.load({}, root), name, ".s2i/environment")
        read_or_refuse(lambda: config.load({name: value.strip()}, root), name, ".s2i/environment")


ENTRY_POINT_SETTINGS = (
    "APP_HOME",
    "APP_SCRIPT",
    "APP_FILE",
    "APP_MODULE",
    "WARPDRIVE_DEPLOY_MODE",
    "WARPDRIVE_WSGI_MODULE_NAME",
    "WARPDRIVE_WSGI_CALLABLE_OBJECT",
    "DJANGO_SETTINGS_MODULE",  # not in the table: Django's own, read by detection
)


@given(
    environ=st.dictionaries(
        st.sampled_from(ENTRY_POINT_SETTINGS),
        st.one_of(VALUES, st.sampled_from(["site", "site.settings", "wsgi", "django", "shell", "app.sh"])),
        min_size=1,
        max_size=3,
    )
)
def test_entry_point_settings_that_load_are_detected_or_refused_naming_what_is_wrong(environ):
    with app_directory() as root:
        for relative, text in APP.items():
            place(root / relative, "file", text.encode())
        (root / "app.sh").chmod(0o755)
        try:
            loaded = config.load(environ, root)
        except ConfigError as error:
            check_user_error(error, *environ)
            return
        names = (*environ, *APP, *(path.name for path in root.rglob("*")))
        read_or_refuse(lambda: detect.detect(loaded), *names)
        read_or_refuse(lambda: deps.plan(loaded, "3.13.1"), *names)


# What fuzzing found, as examples.


@pytest.mark.parametrize(
    ("name", "value"),
    [("APP_HOME", "web/" + "a" * 256), ("APP_FILE", "b/" * 600 + "app.py"), ("APP_SCRIPT", "run\x00.sh")],
)
def test_a_path_no_file_can_have_is_refused_naming_the_variable(make_app, load_config, name, value):
    allowed = config.BY_NAME[name].kind.allowed
    assert str(refusal(lambda: load_config(make_app(), **{name: value}))) == (
        f"{name}={value!r} is not a valid value.\n\n"
        f"{name} must be {allowed}.\n\n"
        f"Change or unset {name}. `s2i-wsgi config` lists every setting and where it came from."
    )
