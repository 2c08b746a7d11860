"""docs/configuration.md's variable reference is generated from the table and must be current (`make readme`)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from s2i_wsgi import envdoc
from s2i_wsgi.config import VARIABLES

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
FIX = "run `make readme` to regenerate it from src/s2i_wsgi/config/table.py, and commit the result."


def generated_section(document: str) -> str | None:
    start, end = document.find(envdoc.BEGIN), document.find(envdoc.END)
    if start < 0 or end < start:
        return None
    return document[start : end + len(envdoc.END)]


def test_the_variable_reference_in_docs_matches_the_table():
    markers = f"the lines {envdoc.BEGIN!r} and {envdoc.END!r}, in that order"
    if not REFERENCE.is_file():
        pytest.fail(
            f"{REFERENCE} does not exist, so it has no environment variable reference. "
            f"Create it with {markers}, then {FIX}",
            pytrace=False,
        )
    section = generated_section(REFERENCE.read_text(encoding="utf-8"))
    if section is None:
        pytest.fail(
            f"docs/configuration.md has no generated environment variable reference: {markers} are missing. "
            f"Add them where the reference belongs, then {FIX}",
            pytrace=False,
        )
    expected = envdoc.markdown_reference().rstrip("\n")
    if section != expected:
        diff = "\n".join(
            difflib.unified_diff(
                section.splitlines(), expected.splitlines(), "docs/configuration.md", "generated", lineterm="", n=1
            )
        )
        pytest.fail(f"docs/configuration.md's environment variable reference is stale: {FIX}\n{diff}", pytrace=False)


def test_the_reference_has_a_row_for_every_variable():
    reference = envdoc.markdown_reference()
    for variable in VARIABLES:
        assert f"| `{variable.name}` |" in reference, variable.name


def test_the_reference_groups_variables_under_section_headings():
    reference = envdoc.markdown_reference()
    for section in dict.fromkeys(variable.section for variable in VARIABLES):
        assert f"\n#### {section}\n" in reference


def test_the_reference_names_the_server_option_each_tuning_variable_sets():
    reference = envdoc.markdown_reference()
    assert "(`--request-timeout`) |" in reference
    assert "| `MOD_WSGI_ACCESS_LOG` | true | true or false" in reference


def test_the_reference_shows_computed_and_unset_defaults_in_words():
    reference = envdoc.markdown_reference()
    assert "| `WEB_CONCURRENCY` | from CPU/memory limits |" in reference
    assert "| `APP_MODULE` | unset |" in reference


def test_the_reference_is_wrapped_in_the_markers():
    reference = envdoc.markdown_reference()
    assert reference.startswith(envdoc.BEGIN + "\n")
    assert reference.endswith(envdoc.END + "\n")


def test_replacing_the_section_keeps_the_text_around_it():
    document = f"# Title\n\nIntro.\n\n{envdoc.BEGIN}\nold table\n{envdoc.END}\n\n## After\n"
    updated = envdoc.replace_section(document)
    assert updated.startswith("# Title\n\nIntro.\n\n")
    assert updated.endswith("\n\n## After\n")
    assert generated_section(updated) == envdoc.markdown_reference().rstrip("\n")
    assert envdoc.replace_section(updated) == updated


def test_replacing_the_section_without_markers_is_refused():
    with pytest.raises(ValueError, match="were not found"):
        envdoc.replace_section("# Title\n")
