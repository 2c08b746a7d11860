"""`s2i build`'s source options through the real CLI (and bin/s2i-build, which must agree):
--context-dir, --ref with a git repository's commit, --scripts-url."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import harness

BOTH = pytest.mark.parametrize("path", ["s2i", "s2i-build"])
MARKER_APP = """
def application(environ, start_response):
    body = b"{marker}\\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""


@pytest.fixture
def tags():
    made: list[str] = []

    def tag(name: str) -> str:
        made.append(f"s2i-wsgi-test-{name}-{len(made)}:{harness.RUN_ID}")
        return made[-1]

    yield tag
    for image in made:
        harness.remove_image(image)


@BOTH
def test_context_dir_builds_only_that_directory_of_the_repository(builder, containers, tags, path):
    options = ("--context-dir", "services/web")
    result = harness.build_app("context_dir", tag=tags("context-dir"), options=options, path=path).assert_ok()
    harness.answers(
        result.image, containers, b"context_dir: served from services/web\n", users=(None, harness.OPENSHIFT_USER)
    )
    listing = harness.run_once(result.image, "ls", "-A", "/opt/app-root/src").stdout.decode().split()
    assert "README.md" not in listing and "wsgi.py" in listing


@BOTH
def test_ref_builds_that_commit_of_a_git_repository_and_only_committed_files(
    builder, containers, tags, tmp_path: Path, path
):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    subprocess.run([*git, "init", "--quiet", "--initial-branch=main"], check=True)
    commits = []
    for marker in ("git_ref v1", "git_ref v2"):
        (repo / "wsgi.py").write_text(MARKER_APP.format(marker=marker))
        subprocess.run([*git, "add", "wsgi.py"], check=True)
        subprocess.run([*git, "commit", "--quiet", "-m", marker], check=True)
        commits.append(subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True))
    (repo / "uncommitted.txt").write_text("not in any commit\n")

    first = harness.build_app(
        "git_ref", source=repo, tag=tags("git-ref"), options=("--ref", commits[0].stdout.strip()), path=path
    ).assert_ok()
    harness.answers(first.image, containers, b"git_ref v1\n", users=(None, harness.OPENSHIFT_USER))
    head = harness.build_app("git_ref", source=repo, tag=tags("git-head"), path=path).assert_ok()
    harness.answers(head.image, containers, b"git_ref v2\n", users=(None, harness.OPENSHIFT_USER))
    for image in (first.image, head.image):
        assert harness.run_once(image, "test", "-e", "uncommitted.txt").returncode == 1, f"{path}: {image}"


def test_scripts_url_replaces_the_builder_s_scripts(builder, containers, tags, tmp_path: Path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "assemble").write_text(
        "#!/bin/bash\nset -e\necho '---> assemble from --scripts-url'\nexec /usr/libexec/s2i/assemble\n"
    )
    (scripts / "run").write_text("#!/bin/bash\nexport FROM_SCRIPTS_URL=yes\nexec /usr/libexec/s2i/run\n")
    for script in scripts.iterdir():
        script.chmod(0o755)
    options = ("--scripts-url", f"file://{scripts}")
    result = harness.build_app("wsgi_plain", tag=tags("scripts-url"), options=options).assert_ok()
    assert "---> assemble from --scripts-url" in result.output
    container = containers(result.image)
    container.wait_ready()
    assert (
        container.exec("sh", "-c", "tr '\\0' '\\n' < /proc/1/environ").stdout.decode().count("FROM_SCRIPTS_URL=yes")
        == 1
    ), container.logs()
