"""Fuzzing the files the dependency plan reads (pyproject.toml, Pipfile, lock files, requirements.txt,
setup.py/setup.cfg) and the switches that choose an installer: any of them gives a plan, or an error
naming the file or variable and what to do."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s2i_wsgi import config, deps, python_version
from s2i_wsgi.errors import ConfigError

from .test_fuzz_support import app_directory, file_bytes, file_kinds, link, place, read_or_refuse, refusal, texts

SPECIFIERS = st.lists(
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["", ">=", "<", "==", "!=", "~=", "===", ">", "<=", "=>", " >= "]),
        st.one_of(
            st.sampled_from(["3", "3.11", "3.13.1", "4", "2.7", "3.*", "3.11.*", "", "x"]),
            st.from_regex(r"[0-9]{1,6000}(\.[0-9]{1,3}){0,3}(\.\*)?", fullmatch=True),
            texts(max_size=6),
        ),
        st.sampled_from(["", " ", ".*", "rc1"]),
    ),
    max_size=3,
).map(",".join)

# TOML values, written as TOML (JSON's strings, numbers, booleans and arrays are TOML too).
TOML_VALUES = st.one_of(
    st.builds(json.dumps, st.one_of(texts(), st.integers(), st.booleans(), st.lists(st.integers(), max_size=2))),
    SPECIFIERS.map(json.dumps),
    st.sampled_from(["{}", "{ name = 'x' }", "[]", "1979-05-27", "inf", "'literal'", '"""multi\nline"""']),
)
KEYS = st.sampled_from(
    ["name", "requires-python", "project", "tool", "build-system", "package-mode", "package", "source", "url"]
)
ASSIGNMENTS = st.one_of(
    st.builds("{} = {}".format, KEYS, TOML_VALUES),
    st.builds(
        "{} = {}".format, st.sampled_from(["tool.poetry", "tool.uv", "project.name", "tool.poetry.name"]), TOML_VALUES
    ),
    st.builds("requires-python = {}".format, SPECIFIERS.map(json.dumps)),
    st.builds("# {}".format, texts()),
)
HEADERS = st.sampled_from(
    ["[project]", "[build-system]", "[tool]", "[tool.poetry]", "[tool.uv]", "[[source]]", "[packages]", "[[project]]"]
)
# A TOML document: top-level keys (where `project = "x"` is possible), then tables.
TOML_DOCUMENTS = st.builds(
    lambda top, tables: "\n".join([*top, *(line for header, lines in tables for line in (header, *lines))]),
    st.lists(ASSIGNMENTS, max_size=2),
    st.lists(st.tuples(HEADERS, st.lists(ASSIGNMENTS, max_size=3)), max_size=3),
)
FILES = (
    "pyproject.toml",
    "Pipfile",
    "Pipfile.lock",
    "uv.lock",
    "poetry.lock",
    "requirements.txt",
    "setup.py",
    "setup.cfg",
)
SWITCHES = (
    "ENABLE_PIPENV",
    "ENABLE_MICROPIPENV",
    "DISABLE_PYPROJECT_TOML_PROCESSING",
    "DISABLE_SETUP_PY_PROCESSING",
    "PIN_PIPENV_VERSION",
)


@given(content=file_bytes(TOML_DOCUMENTS), kind=file_kinds, python=st.sampled_from(["3.13.1", "3.11.7"]))
def test_any_pyproject_toml_gives_a_plan_or_an_error_naming_it(content, kind, python):
    with app_directory() as root:
        place(root / "pyproject.toml", kind, content)
        read_or_refuse(lambda: deps.plan(config.load({}, root), python), "pyproject.toml")


@given(content=file_bytes(TOML_DOCUMENTS), kind=file_kinds)
def test_any_pipfile_next_to_its_lock_gives_a_plan_or_an_error_naming_it(content, kind):
    with app_directory() as root:
        (root / "Pipfile.lock").write_text("{}")
        place(root / "Pipfile", kind, content)
        read_or_refuse(lambda: deps.plan(config.load({}, root)), "Pipfile")


@given(
    files=st.dictionaries(st.sampled_from(FILES), st.tuples(file_bytes(TOML_DOCUMENTS), file_kinds), max_size=4),
    switches=st.dictionaries(st.sampled_from(SWITCHES), st.sampled_from(["true", "false", "2024.4.1"]), max_size=2),
    python=st.sampled_from(["3.13.1", "3.11.7"]),
)
def test_any_dependency_files_give_a_plan_or_an_error_naming_the_file_or_variable(files, switches, python):
    with app_directory() as root:
        for name, (content, kind) in files.items():
            place(root / name, kind, content)
        try:
            loaded = config.load(switches, root)
        except ConfigError:
            return  # a switch's own value: test_fuzz_variable_values.py
        plan = read_or_refuse(lambda: deps.plan(loaded, python), *FILES, *switches)
    if plan is not None:
        assert plan.manager in ("uv", "pipenv", "micropipenv", "pip", "none")
        assert set(plan.files) <= set(FILES)


@given(SPECIFIERS, st.tuples(st.integers(0, 4), st.integers(0, 20), st.integers(0, 20)))
def test_any_requires_python_is_answered_yes_no_or_unreadable(spec, version):
    assert python_version.python_satisfies(spec, version) in (True, False, None)


# What fuzzing found, as examples.


def plan_for(make_app, load_config, files: dict[str, str]):
    return deps.plan(load_config(make_app(files)), "3.13.1")


@pytest.mark.parametrize(
    ("pyproject", "key", "kind"),
    [('project = "myapp"\n', "project", "a string"), ('[tool]\npoetry = ["1.8"]\n', "tool.poetry", "an array")],
)
def test_a_pyproject_key_that_should_be_a_table_is_an_error_naming_it(make_app, load_config, pyproject, key, kind):
    assert str(refusal(lambda: plan_for(make_app, load_config, {"pyproject.toml": pyproject}))) == (
        f"In pyproject.toml, `{key}` is {kind}, not a table.\n\n"
        f"pip, uv and poetry read [{key}] as a table of settings, so the project cannot be installed.\n\n"
        f"Write it as a [{key}] section with its settings as key = value lines, or remove it."
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("pyproject.toml", "It decides how the project is installed."),
        ("Pipfile", "Pipfile.lock is checked against it before anything is installed."),
    ],
)
def test_a_toml_file_that_is_not_utf8_is_an_error_naming_it(make_app, name, why, load_config):
    app = make_app({"Pipfile.lock": "{}", name: b'[project]\nname = "caf\xe9"\n'})
    assert str(refusal(lambda: deps.plan(load_config(app), "3.13.1"))) == (
        f"{name} is not UTF-8 text.\n\n{why} TOML files are UTF-8 text.\n\nSave {name} as UTF-8."
    )


def test_a_requirements_file_that_links_outside_the_source_is_an_error(make_app, load_config):
    app = make_app({"app.py": "print('hello')\n"})
    link(app / "requirements.txt", "../requirements/base.txt")
    assert str(refusal(lambda: deps.plan(load_config(app), "3.13.1"))) == (
        "requirements.txt is a symbolic link to ../requirements/base.txt, which is not in the source.\n\n"
        "The build decides from the app's files how to install its packages. A link to a file outside the "
        "source (or to one that is not committed) does not reach the build.\n\n"
        "Replace the link with the file itself, or remove requirements.txt."
    )


def test_a_requires_python_version_too_long_to_be_a_number_is_left_to_the_installer(make_app, load_config):
    pyproject = '[project]\nname = "x"\nrequires-python = ">=3.' + "1" * 5000 + '"\n'
    assert python_version.python_satisfies(">=3." + "1" * 5000, (3, 13, 1)) is None
    assert plan_for(make_app, load_config, {"pyproject.toml": pyproject}).project == "pyproject.toml"
