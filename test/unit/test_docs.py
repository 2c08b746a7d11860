"""Every relative link and #anchor in the Markdown docs points at a file and a heading that exist.

The docs are split by topic (README.md, CONTRIBUTING.md, bench/README.md, docs/*.md) and link to
each other's sections; a heading renamed or a section moved must not leave a link dangling.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [
    REPO / "README.md",
    REPO / "CONTRIBUTING.md",
    REPO / "bench" / "README.md",
    *sorted((REPO / "docs").glob("*.md")),
]

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
# [text](target) and ![alt](target); a target has no spaces and may carry a "title".
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def prose(text: str) -> str:
    """The text without fenced code blocks: a `# comment` in a console block is not a heading."""
    return FENCE.sub("", text)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a page's headings make, with GitHub's -1, -2 ... for repeated ones."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(prose(page.read_text(encoding="utf-8"))):
        base = anchor(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page.read_text(encoding="utf-8"))) if not EXTERNAL.match(target)]


def test_the_anchor_of_a_heading_follows_githubs_rules():
    assert anchor("Arbitrary UIDs, read-only root, no capabilities") == "arbitrary-uids-read-only-root-no-capabilities"
    assert anchor("Extra server arguments: `.warpdrive/server_args`") == "extra-server-arguments-warpdriveserver_args"
    assert anchor("`--incremental` and layered rebuilds") == "--incremental-and-layered-rebuilds"
    assert anchor("Set up and try it: two commands") == "set-up-and-try-it-two-commands"


def test_repeated_headings_get_numbered_anchors(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## Notes\n\n```console\n# not a heading\n```\n\n## Notes\n", encoding="utf-8")
    assert anchors(page) == {"title", "notes", "notes-1"}


def test_the_pages_exist_and_link_to_sections():
    """Not vacuous: every page is there, and the pages link to sections."""
    for page in PAGES:
        assert page.is_file(), page
    assert any("#" in target for page in PAGES for target in links(page))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_every_relative_link_points_at_a_file_and_heading_that_exist(page):
    broken = []
    for target in links(page):
        path, _, fragment = target.partition("#")
        where = page if not path else (page.parent / unquote(path)).resolve()
        if not where.exists():
            broken.append(f"{target}: no such file")
        elif fragment and where.suffix == ".md" and fragment not in anchors(where):
            broken.append(f"{target}: no heading with the anchor #{fragment} in {where.relative_to(REPO)}")
    assert not broken, f"{page.relative_to(REPO)} has broken links:\n" + "\n".join(broken)


def test_the_readme_links_every_page():
    """A page nobody links to is a page nobody finds: the README's table of contents names each one."""
    linked = {(REPO / target.partition("#")[0]).resolve() for target in links(REPO / "README.md")}
    assert [str(page.relative_to(REPO)) for page in PAGES[1:] if page.resolve() not in linked] == []
