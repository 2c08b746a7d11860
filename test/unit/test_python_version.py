"""The Python version an app asks for (python_version.py): hard constraints refused before
anything is installed, naming the image variants that fit; soft pins warned about."""

from __future__ import annotations

import pytest

from s2i_wsgi import python_version
from s2i_wsgi.errors import ConfigError

IMAGE = "3.13.5"


@pytest.mark.parametrize(
    ("spec", "version", "expected"),
    [
        (">=3.9", (3, 13, 5), True),
        (">=3.99", (3, 13, 5), False),
        (">=3.11,<4", (3, 11, 2), True),
        ("~=3.11", (3, 13, 5), True),
        ("~=3.11.0", (3, 13, 5), False),
        ("==3.13.*", (3, 13, 5), True),
        ("!=3.13.*", (3, 13, 5), False),
        ("<3.12", (3, 11, 2), True),
        (">3.13", (3, 13, 5), True),
        ("== 3.13", (3, 13, 0), True),
        (">=3.13.0rc1", (3, 13, 5), None),
    ],
)
def test_python_satisfies_reads_the_common_specifiers(spec, version, expected):
    assert python_version.python_satisfies(spec, version) is expected


@pytest.mark.parametrize(
    ("constraint", "version", "expected"),
    [
        ("^3.10", (3, 13, 5), True),
        ("^3.10", (4, 0, 0), False),
        ("^0.9", (0, 10, 0), False),
        ("~3.11", (3, 13, 5), False),
        ("~3.11", (3, 11, 9), True),
        ("~=3.11", (3, 13, 5), True),
        (">=3.9,<4.0", (3, 13, 5), True),
        (">=3.9 <3.12", (3, 13, 5), False),
        ("3.11", (3, 11, 4), True),
        ("3.11", (3, 13, 5), False),
        ("3.13.*", (3, 13, 5), True),
        ("*", (3, 13, 5), True),
        ("~3.11 || ^3.13", (3, 13, 5), True),
        ("~3.11 || ^3.14", (3, 13, 5), False),
        ("latest", (3, 13, 5), None),
        ("^3.14 || latest", (3, 13, 5), None),
    ],
)
def test_poetry_satisfies_reads_poetry_constraints(constraint, version, expected):
    assert python_version.poetry_satisfies(constraint, version) is expected


def check(tmp_path, files: dict[str, str], pyproject: dict | None = None) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return python_version.check(tmp_path, pyproject, IMAGE)


def test_a_poetry_python_constraint_this_python_does_not_meet_names_the_variant_that_does(tmp_path):
    with pytest.raises(ConfigError) as refused:
        check(tmp_path, {}, {"tool": {"poetry": {"dependencies": {"python": "^3.14"}}}})
    assert str(refused.value) == (
        'pyproject.toml requires Python "^3.14" ([tool.poetry.dependencies] python), but this image has Python '
        "3.13.5.\n\nThe project's dependencies would not install, or the app would not run, on this Python.\n\n"
        "Build with the s2i-wsgi:3.14 builder image (Python 3.14) instead, or widen the python constraint if the "
        "project does support Python 3.13."
    )


def test_a_pipfile_python_version_is_a_hard_constraint_as_pipenv_and_micropipenv_make_it(tmp_path):
    with pytest.raises(ConfigError) as refused:
        check(tmp_path, {"Pipfile": '[requires]\npython_version = "3.11"\n'})
    assert str(refused.value).startswith(
        'Pipfile requires Python "3.11" ([requires] python_version), but this image has Python 3.13.5.'
    )
    assert "Build with the s2i-wsgi:3.11 builder image (Python 3.11) instead, or change python_version" in str(
        refused.value
    )
    with pytest.raises(ConfigError, match="No s2i-wsgi image variant"):
        check(tmp_path, {"Pipfile": '[requires]\npython_version = "3.9"\n'})


def test_a_pipfile_full_version_of_another_patch_release_is_only_a_warning(tmp_path):
    assert check(tmp_path, {"Pipfile": '[requires]\npython_full_version = "3.13.1"\n'}) == [
        "Pipfile asks for Python 3.13.1 ([requires] python_full_version), and this image has Python 3.13.5: "
        "the same minor version, so the app is built and run with 3.13.5. Each image variant has one patch "
        "release of its Python; set python_version instead to say so."
    ]
    assert check(tmp_path, {"Pipfile": '[requires]\npython_version = "3.13"\n'}) == []


def test_a_pipfile_that_does_not_parse_is_left_to_pipenv(tmp_path):
    assert check(tmp_path, {"Pipfile": "[requires\n"}) == []


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            ".python-version",
            "3.14\n",
            ".python-version asks for Python 3.14, and this image has Python 3.13.5: the app is built and run "
            "with Python 3.13. To get the Python it names, build with the s2i-wsgi:3.14 builder image for "
            "Python 3.14; or write 3.13 into .python-version.",
        ),
        (
            "runtime.txt",
            "python-3.12.4\n",
            "runtime.txt asks for Python 3.12.4, and this image has Python 3.13.5: the app is built and run "
            "with Python 3.13. To get the Python it names, no s2i-wsgi image variant (3.13, 3.11, 3.14) has "
            "Python 3.12; or write 3.13 into runtime.txt.",
        ),
    ],
)
def test_a_version_file_naming_another_python_gives_a_warning_naming_the_variant(tmp_path, name, text, expected):
    assert check(tmp_path, {name: text}) == [expected]


@pytest.mark.parametrize("text", ["3.13\n", "3.13.0\n", "# pinned\n3.13\n", "pypy3.10\n", "system\n", ""])
def test_a_version_file_naming_this_python_or_nothing_we_read_gives_no_warning(tmp_path, text):
    assert check(tmp_path, {".python-version": text}) == []
