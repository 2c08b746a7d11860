"""bin/s2i-build without an engine: what of the source travels to /tmp/src (upload/src) and which
scripts replace the builder's (upload/scripts), as s2i v1.6.3 takes them: git repositories
cloned, directories copied (symbolic links followed), .s2iignore applied, --inject left out.

Where the real s2i is at hand (.tools/bin/s2i), the same trees also go through it (`s2i build
--as-dockerfile` writes its upload/ and needs no engine), and its upload is compared with ours."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from .test_s2i_build import SCRIPT, s2i_build

REAL_S2I = SCRIPT.parents[1] / ".tools" / "bin" / "s2i"
# Tests must not depend on the git configuration of whoever runs them.
GIT_SETTINGS = ("user.name=x", "user.email=x@example.invalid", "commit.gpgsign=false", "tag.gpgsign=false")
GIT = ["git", *(word for setting in GIT_SETTINGS for word in ("-c", setting))]


def git(repo: Path, *argv: str) -> str:
    return subprocess.run([*GIT, "-C", str(repo), *argv], check=True, capture_output=True, text=True).stdout.strip()


def commit_all(repo: Path, message: str = "commit") -> str:
    """Commit everything in repo (made a git repository first if needed); the new commit's SHA."""
    if not (repo / ".git").exists():
        git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", message)
    return git(repo, "rev-parse", "HEAD")


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def tree(root: Path) -> set[str]:
    """Everything under root: files as "a/b", directories as "a/", symbolic links as "l -> target"."""
    found = set()
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                found.add(f"{relative} -> {os.readlink(path)}")
            else:
                found.add(f"{relative}/" if path.is_dir() else relative)
    return found


def travels(source: Path | str, **options) -> set[str]:
    """What of `source` bin/s2i-build uploads to /tmp/src."""
    with tempfile.TemporaryDirectory() as tmp:
        return tree(s2i_build.upload_tree(str(source), Path(tmp) / "upload", **options) / "src")


@pytest.fixture
def repo(make_app) -> Path:
    """A git repository with two commits (tag v1 on the first), a branch `feature`, and work in
    progress: a modified file, a staged new file and an untracked file."""
    app = make_app({"app.py": "app = 1\n", "sub/lib.py": "X = 1\n"})
    commit_all(app, "first")
    git(app, "tag", "v1")
    write(app, {"app.py": "app = 2\n", "second.py": ""})
    commit_all(app, "second")
    git(app, "checkout", "--quiet", "-b", "feature")
    write(app, {"feature.py": ""})
    commit_all(app, "feature")
    git(app, "checkout", "--quiet", "main")
    write(app, {"app.py": "app = 'not committed'\n", "staged.py": "", "untracked.py": ""})
    git(app, "add", "staged.py")
    return app


# ---------------------------------------------------------------------------
# Git repositories: s2i clones them.


def test_a_git_repository_contributes_its_committed_files_at_head_and_nothing_uncommitted(repo, capsys):
    assert travels(repo) == {"app.py", "second.py", "sub/", "sub/lib.py"}
    assert f"---> Cloning {repo} (a git repository: its committed files travel)" in capsys.readouterr().out


def test_a_git_repository_contributes_the_committed_content_of_a_modified_file(repo, tmp_path):
    upload = s2i_build.upload_tree(str(repo), tmp_path / "upload")
    assert (upload / "src" / "app.py").read_text() == "app = 2\n"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        pytest.param("feature", {"app.py", "second.py", "feature.py", "sub/", "sub/lib.py"}, id="branch"),
        pytest.param("v1", {"app.py", "sub/", "sub/lib.py"}, id="tag"),
    ],
)
def test_ref_checks_out_a_branch_or_a_tag_of_a_git_repository(repo, ref, expected, capsys):
    assert travels(repo, ref=ref) == expected
    assert f"---> Cloning {repo} at {ref} (a git repository: its committed files travel)" in capsys.readouterr().out


@pytest.mark.parametrize("length", [40, 7], ids=["full-sha", "short-sha"])
def test_ref_checks_out_a_commit_by_its_sha(repo, length):
    first = git(repo, "rev-parse", "v1")
    assert travels(repo, ref=first[:length]) == {"app.py", "sub/", "sub/lib.py"}


def test_a_git_url_is_cloned_at_a_commit_which_a_shallow_clone_cannot_name(repo, tmp_path):
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(repo), str(bare)], check=True)
    first = git(repo, "rev-parse", "v1")
    s2i_build.clone(f"file://{bare}", first, tmp_path / "by-sha", local=False)
    s2i_build.clone(f"file://{bare}", "v1", tmp_path / "by-tag", local=False)
    s2i_build.clone(f"file://{bare}", None, tmp_path / "head", local=False)
    assert git(tmp_path / "by-sha", "rev-parse", "HEAD") == first
    assert git(tmp_path / "by-tag", "rev-parse", "HEAD") == first
    assert git(tmp_path / "head", "rev-parse", "HEAD") == git(repo, "rev-parse", "main")


def test_an_unknown_ref_is_an_error_naming_it(repo, capsys):
    with pytest.raises(SystemExit) as exited:
        travels(repo, ref="no-such-ref")
    assert exited.value.code == 1
    assert f"ERROR: --ref no-such-ref: git could not check it out in {repo}" in capsys.readouterr().err


def test_a_git_repository_without_commits_is_an_error(make_app, capsys):
    app = make_app({"app.py": ""})
    git(app, "init", "--quiet")
    with pytest.raises(SystemExit):
        travels(app)
    assert f"ERROR: The git repository {app} has no commits" in capsys.readouterr().err


def test_git_metadata_never_travels_from_a_git_repository(repo):
    assert not [path for path in travels(repo) if ".git" in path]


def test_a_git_repositorys_symlinks_stay_links_but_context_dir_copies_what_they_point_to(make_app):
    app = make_app({"web/app.py": "", "web/settings/base.py": "", "shared.py": ""})
    (app / "web" / "local.py").symlink_to("settings/base.py")
    (app / "web" / "conf").symlink_to("settings")
    (app / "web" / "shared.py").symlink_to("../shared.py")
    commit_all(app)
    # s2i clones into its upload directly, links and all; with --context-dir it copies the
    # directory out of its clone with fs.CopyContents, which follows them.
    assert {"web/local.py -> settings/base.py", "web/conf -> settings"} <= travels(app)
    assert travels(app, context_dir="web") == {
        "app.py",
        "conf/",
        "conf/base.py",
        "local.py",
        "settings/",
        "settings/base.py",
        "shared.py",
    }


def test_a_directory_inside_a_git_repository_without_its_own_git_is_copied_as_it_is(repo):
    # s2i's rule is DIR/.git: a subdirectory of a repository is a plain directory.
    write(repo, {"sub/untracked.py": ""})
    assert travels(repo / "sub") == {"lib.py", "untracked.py"}


# ---------------------------------------------------------------------------
# Plain directories: s2i copies them.


def test_a_plain_directory_contributes_all_its_files_dot_files_too(make_app):
    app = make_app({"app.py": "", ".env": "", ".config/x.toml": "", "sub/deep/a.py": ""})
    assert travels(app) == {"app.py", ".env", ".config/", ".config/x.toml", "sub/", "sub/deep/", "sub/deep/a.py"}


def test_a_plain_directorys_symlinks_are_followed_as_s2i_does_by_default(make_app, tmp_path):
    app = make_app({"settings/base.py": "X = 1\n"})
    outside = write(tmp_path / "outside", {"shared.py": "S = 1\n"})
    (app / "local.py").symlink_to("settings/base.py")
    (app / "conf").symlink_to("settings")
    (app / "shared").symlink_to(outside)
    (app / "broken.py").symlink_to("missing.py")
    upload = s2i_build.upload_tree(str(app), tmp_path / "upload")
    assert tree(upload / "src") == {
        "settings/",
        "settings/base.py",
        "local.py",
        "conf/",
        "conf/base.py",
        "shared/",
        "shared/shared.py",
        "broken.py -> missing.py",  # a broken link is copied as a link
    }
    assert (upload / "src" / "local.py").read_text() == "X = 1\n"


def test_keep_symlinks_copies_a_plain_directorys_links_as_links(make_app):
    app = make_app({"settings/base.py": ""})
    (app / "local.py").symlink_to("settings/base.py")
    (app / "conf").symlink_to("settings")
    assert travels(app, keep_symlinks=True) == {
        "settings/",
        "settings/base.py",
        "local.py -> settings/base.py",
        "conf -> settings",
    }


def test_a_symlink_to_a_directory_containing_it_is_an_error_not_an_endless_copy(make_app, capsys):
    app = make_app({"sub/a.py": ""})
    (app / "sub" / "loop").symlink_to("..")
    with pytest.raises(SystemExit):
        travels(app)
    err = capsys.readouterr().err
    assert f"ERROR: {app / 'sub' / 'loop'} is a symbolic link to a directory that contains it" in err
    assert "pass --keep-symlinks" in err
    assert travels(app, keep_symlinks=True) == {"sub/", "sub/a.py", "sub/loop -> .."}


def test_context_dir_selects_a_part_of_a_plain_directory(make_app):
    app = make_app({"README": "", "services/web/app.py": ""})
    assert travels(app, context_dir="services/web") == {"app.py"}


# ---------------------------------------------------------------------------
# .s2i/bin: the scripts s2i takes out of the source.


def test_s2i_bin_scripts_move_out_of_the_source_into_scripts_made_executable(make_app, tmp_path):
    app = make_app({f".s2i/bin/{name}": "#!/bin/sh\n" for name in ("assemble", "run", "save-artifacts", "common.sh")})
    upload = s2i_build.upload_tree(str(app), tmp_path / "upload")
    assert tree(upload / "scripts") == {"assemble", "run", "save-artifacts"}
    assert {stat.S_IMODE((upload / "scripts" / name).stat().st_mode) for name in ("assemble", "run")} == {0o755}
    assert tree(upload / "src") == {".s2i/", ".s2i/bin/", ".s2i/bin/common.sh"}


def test_without_s2i_bin_scripts_the_scripts_directory_is_empty(make_app, tmp_path):
    upload = s2i_build.upload_tree(str(make_app({"app.py": ""})), tmp_path / "upload")
    assert tree(upload / "scripts") == set()
    assert s2i_build.script_overrides(upload) == set()


# ---------------------------------------------------------------------------
# .s2iignore, as s2i's pkg/ignore reads it.

IGNORE_TREE = {
    "app.py": "",
    "notes.txt": "",
    "build/out.bin": "",
    "a.log": "",
    "keep.log": "",
    "sub/a.log": "",
    "sub/b.tmp": "",
    "sub/deep/c.tmp": "",
    ".env": "",
    ".cache/x": "",
}


def ignored(s2iignore: str) -> set[str]:
    """The files of IGNORE_TREE that do not travel with this .s2iignore."""
    with tempfile.TemporaryDirectory() as tmp:
        app = write(Path(tmp) / "app", {**IGNORE_TREE, ".s2iignore": s2iignore})
        kept = {path for path in travels(app) if not path.endswith("/")}
    return set(IGNORE_TREE) - kept


@pytest.mark.parametrize(
    ("s2iignore", "removed"),
    [
        pytest.param("notes.txt\n", {"notes.txt"}, id="a-file"),
        pytest.param("build\n", {"build/out.bin"}, id="a-directory-with-everything-in-it"),
        pytest.param("build/\n", {"build/out.bin"}, id="a-directory-with-a-slash"),
        pytest.param("*.log\n", {"a.log", "keep.log"}, id="star-is-not-recursive"),
        pytest.param("*.log\n!keep.log\n", {"a.log"}, id="bang-takes-back-an-earlier-match"),
        pytest.param("!keep.log\n*.log\n", {"a.log", "keep.log"}, id="bang-takes-back-only-earlier-matches"),
        pytest.param("sub\n!sub/a.log\n", {"sub/a.log", "sub/b.tmp", "sub/deep/c.tmp"}, id="bang-inside-a-directory"),
        pytest.param("# *.log\n\n#notes.txt\n", set(), id="comments-and-blank-lines"),
        pytest.param("sub/*.tmp\n", {"sub/b.tmp"}, id="pattern-in-a-subdirectory"),
        pytest.param("*/*.log\n", {"sub/a.log"}, id="star-directory"),
        pytest.param("*\n!app.py\n", set(IGNORE_TREE) - {"app.py"}, id="star-matches-dot-files"),
        pytest.param(".*\n", {".env", ".cache/x"}, id="dot-files"),
        pytest.param("  notes.txt  \r\n", {"notes.txt"}, id="spaces-and-crlf-trimmed"),
        pytest.param("/notes.txt\n./a.log\n", {"notes.txt", "a.log"}, id="relative-to-the-source-root"),
        pytest.param("[a-b].log\n?pp.py\n", {"a.log", "app.py"}, id="classes-and-question-marks"),
        pytest.param("[\n*.log[\n", set(), id="a-malformed-pattern-matches-nothing"),
        pytest.param("../app/notes.txt\n", set(), id="a-pattern-out-of-the-source-matches-nothing"),
        pytest.param("missing\n!missing\n", set(), id="no-match"),
    ],
)
def test_s2iignore_removes_what_its_patterns_match(s2iignore, removed):
    assert ignored(s2iignore) == removed


def test_s2iignore_itself_travels_unless_it_lists_itself(make_app):
    assert ".s2iignore" in travels(make_app({".s2iignore": "x\n"}))
    assert ".s2iignore" not in travels(make_app({".s2iignore": ".s2iignore\n"}))


def test_s2iignore_is_read_in_the_context_dir(make_app):
    app = make_app({".s2iignore": "web\n", "web/.s2iignore": "*.log\n", "web/app.py": "", "web/debug.log": ""})
    assert travels(app, context_dir="web") == {".s2iignore", "app.py"}


def test_s2iignore_applies_to_a_git_repositorys_committed_files(make_app):
    app = make_app({".s2iignore": "docs\n*.log\n", "app.py": "", "docs/index.md": "", "a.log": ""})
    commit_all(app)
    assert travels(app) == {".s2iignore", "app.py"}


def test_s2iignore_can_leave_out_the_s2i_directory_and_with_it_the_environment(make_app, tmp_path):
    app = make_app({".s2iignore": ".s2i\n", ".s2i/environment": "A=1\n", "app.py": ""})
    upload = s2i_build.upload_tree(str(app), tmp_path / "upload")
    assert s2i_build.environment(argparse.Namespace(env=[]), upload) == []


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("*", ".env", True),  # Go's * matches dot files
        ("*", "a/b", False),  # but never a /
        ("*/*.tmp", "sub/b.tmp", True),
        ("[^a]*", "b.py", True),  # Go negates a class with ^
        ("[!a]*", "b.py", False),  # ! is not negation in Go
        ("\\*", "*", True),
        ("a[", "a[", False),  # malformed: nothing
        ("**", "a/b", False),  # ** is no recursive wildcard
    ],
)
def test_go_match_follows_gos_filepath_match(pattern, name, matches):
    assert s2i_build.go_match(pattern, name) is matches


# ---------------------------------------------------------------------------
# --inject SRC:DEST never travels in the source.


def test_an_injected_directory_inside_the_source_does_not_travel(make_app, capsys):
    app = make_app({"app.py": "", "secrets/netrc": "machine x password y\n", "conf/ca/ca.crt": ""})
    injections = [(str(app / "secrets"), "/tmp/secrets"), (str(app / "conf" / "ca"), "/tmp/ca")]
    assert travels(app, injections=injections) == {"app.py", "conf/"}
    out = capsys.readouterr().out
    assert "---> Leaving secrets out of the source: --inject makes it available at /tmp/secrets during assemble" in out
    assert "---> Leaving conf/ca out of the source" in out


def test_an_injected_directory_given_relative_to_the_current_directory_does_not_travel(make_app, monkeypatch):
    app = make_app({"app.py": "", "secrets/netrc": ""})
    monkeypatch.chdir(app)
    assert travels(".", injections=[("./secrets", "/tmp/secrets")]) == {"app.py"}


def test_an_injected_directory_committed_in_a_git_repository_does_not_travel(make_app):
    app = make_app({"app.py": "", "secrets/netrc": ""})
    commit_all(app)
    assert travels(app, injections=[(str(app / "secrets"), "/tmp/secrets")]) == {"app.py"}


def test_an_injected_directory_inside_the_source_is_relative_to_the_context_dir(make_app):
    app = make_app({"web/app.py": "", "web/secrets/netrc": ""})
    assert travels(app, context_dir="web", injections=[(str(app / "web" / "secrets"), "/tmp/secrets")]) == {"app.py"}


def test_an_injected_directory_outside_the_source_changes_nothing(make_app, tmp_path, capsys):
    app = make_app({"app.py": "", "secrets/netrc": ""})
    outside = write(tmp_path / "elsewhere", {"netrc": ""})
    assert travels(app, injections=[(str(outside), "/tmp/secrets")]) == {"app.py", "secrets/", "secrets/netrc"}
    assert "Leaving" not in capsys.readouterr().out


def test_injecting_the_source_directory_itself_is_an_error(make_app, capsys):
    app = make_app({"app.py": ""})
    with pytest.raises(SystemExit):
        travels(app, injections=[(str(app), "/tmp/secrets")])
    assert f"ERROR: --inject {app}:/tmp/secrets: {app} is the source directory itself." in capsys.readouterr().err


def s2i_argv_for(monkeypatch, argv: list[str]) -> list[str]:
    """The s2i command bin/s2i-build runs when s2i is on PATH."""
    ran = []
    monkeypatch.setattr(s2i_build.shutil, "which", lambda name: f"/usr/local/bin/{name}")
    monkeypatch.setattr(
        s2i_build.subprocess, "run", lambda argv, **_: ran.append(argv) or argparse.Namespace(returncode=0)
    )
    assert s2i_build.main(argv) == 0
    (command,) = ran
    return command


def test_with_s2i_on_path_an_injected_directory_inside_the_source_is_excluded_from_s2is_upload(
    make_app, monkeypatch, capsys
):
    app = make_app({"app.py": "", "secrets/netrc": ""})
    inject = f"{app / 'secrets'}:/tmp/secrets"
    command = s2i_argv_for(monkeypatch, [str(app), "s2i-wsgi", "web", "--inject", inject])
    # s2i matches --exclude against each path it copies from the directory (<app>/secrets) and
    # each path of the tar it streams to the build (<its working directory>/upload/src/secrets).
    secrets = re.escape(f"{app}/secrets")
    assert command == [
        "s2i", "build", str(app), "s2i-wsgi", "web", "--inject", inject,
        "--exclude", rf"(^|/)\.git(/|$)|^{secrets}(/|$)|/upload/src/secrets(/|$)",
    ]  # fmt: skip
    assert "---> Leaving secrets out of the source" in capsys.readouterr().out


@pytest.mark.parametrize("relative", [False, True], ids=["absolute-source", "relative-source"])
def test_the_real_s2i_leaves_out_the_injected_directory_it_is_told_to_exclude(
    make_app, tmp_path, monkeypatch, relative
):
    app = make_app({"app.py": "", "web/app.py": "", "web/secrets/netrc": "", "web/secrets.py": ""})
    monkeypatch.chdir(app)
    source = "." if relative else str(app)
    options = ["--context-dir", "web", "--inject", "web/secrets:/tmp/secrets"]
    with monkeypatch.context() as patched:
        command = s2i_argv_for(patched, [source, "s2i-wsgi", "web", *options])
    at = command.index("--inject")  # s2i --as-dockerfile would COPY the injection: not what is checked here
    upload = real_s2i_upload(Path(source), tmp_path, *command[5:at], *command[at + 2 :])
    assert tree(upload / "src") == {"app.py", "secrets.py"}


def test_with_s2i_on_path_keep_symlinks_goes_to_s2i_build(make_app, monkeypatch):
    app = make_app()
    command = s2i_argv_for(monkeypatch, [str(app), "s2i-wsgi", "web", "--keep-symlinks"])
    assert command == ["s2i", "build", str(app), "s2i-wsgi", "web", "--keep-symlinks"]


# ---------------------------------------------------------------------------
# --help


def test_help_says_what_it_does_lists_every_option_and_gives_examples(capsys):
    with pytest.raises(SystemExit) as exited:
        s2i_build.main(["--help"])
    assert exited.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Build the application image TAG from SOURCE (a directory or a git URL) with the s2i builder image" in out
    assert "as `s2i build SOURCE BUILDER TAG` does" in out
    assert "When the s2i binary is on PATH, it runs s2i; otherwise it builds the same image with Docker" in out
    for option in ("-e NAME=VALUE", "--inject SRC:DEST", "--ref REF", "--context-dir DIR", "--keep-symlinks"):
        assert option in out
    for option in ("--incremental", "--no-layered", "--runtime-image IMAGE", "--no-s2i", "--as-dockerfile PATH"):
        assert option in out
    assert "bin/s2i-build ./myapp s2i-wsgi myapp" in out
    assert "bin/s2i-build https://github.com/you/myapp.git s2i-wsgi myapp --ref v1.2" in out
    assert "--inject ./secrets:/tmp/secrets --incremental" in out
    assert "--runtime-image s2i-wsgi:3.13-runtime" in out
    assert "docs/s2i-build.md" in out


def test_every_option_has_a_one_line_help():
    for action in s2i_build.argument_parser()._actions:
        assert action.help, action.dest
        assert "\n" not in action.help, action.dest


# ---------------------------------------------------------------------------
# The same files travel as with the real s2i.


def real_s2i_upload(source: Path, work: Path, *options: str) -> Path:
    """What the real s2i uploads for source: `s2i build --as-dockerfile` writes upload/ (no engine
    needed; the builder is on an unreachable registry, so looking up its labels fails at once)."""
    if not REAL_S2I.is_file():
        pytest.fail(f"{REAL_S2I} is missing: these tests compare with the real s2i (`make s2i` builds it).")
    argv = [str(REAL_S2I), "build", str(source), "localhost:1/s2i-check:latest", "check", *options]
    dockerfile = work / "s2i" / "Dockerfile"
    done = subprocess.run(
        [*argv, "--as-dockerfile", str(dockerfile)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"{argv}: {done.stderr}"
    upload = work / "s2i" / "upload"
    # s2i build leaves .git out of the tar it streams to the build (its --exclude); --as-dockerfile
    # keeps it for a clone, which is not what `s2i build` builds.
    shutil.rmtree(upload / "src" / ".git", ignore_errors=True)
    return upload


def cross_check_tree(root: Path) -> Path:
    write(
        root,
        {
            ".s2iignore": "# s2i's rules\n*.log\n!keep.log\nbuild\nsub/*.tmp\n.cache\n[\n",
            "app.py": "app = 1\n",
            "a.log": "",
            "keep.log": "",
            "build/out.bin": "",
            "sub/a.tmp": "",
            "sub/deep/b.tmp": "",
            "sub/lib.py": "",
            ".env": "",
            ".cache/x": "",
            ".s2i/environment": "A=1\n",
            ".s2i/bin/assemble": "#!/bin/sh\n",
            ".s2i/bin/helper.sh": "",
            "web/app.py": "",
            "web/.s2iignore": "*.tmp\n",
            "web/x.tmp": "",
        },
    )
    (root / "local.py").symlink_to("app.py")
    (root / "lib").symlink_to("sub")
    (root / "broken.py").symlink_to("missing.py")
    (root / "web" / "shared.py").symlink_to("../app.py")
    return root


SCENARIOS = {
    "directory": ([], {}),
    "directory-keep-symlinks": (["--keep-symlinks"], {"keep_symlinks": True}),
    "directory-context-dir": (["--context-dir", "web"], {"context_dir": "web"}),
    "git-head": ([], {}),
    "git-ref-sha": (["--ref", "FIRST"], {"ref": "FIRST"}),
    "git-ref-tag": (["--ref", "v1"], {"ref": "v1"}),
    "git-context-dir": (["--context-dir", "web"], {"context_dir": "web"}),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_same_files_travel_as_with_the_real_s2i(scenario, tmp_path):
    source, first = cross_check_tree(tmp_path / "app"), None
    if scenario.startswith("git"):
        first = commit_all(source, "first")
        git(source, "tag", "v1")
        write(source, {"second.py": "", "sub/second.tmp": "", "app.py": "app = 2\n"})
        commit_all(source, "second")
        write(source, {"untracked.py": "", "app.py": "app = 'work in progress'\n"})
    options, keywords = SCENARIOS[scenario]
    options = [first if word == "FIRST" else word for word in options]
    keywords = {key: first if value == "FIRST" else value for key, value in keywords.items()}
    theirs = real_s2i_upload(source, tmp_path, *options)
    ours = s2i_build.upload_tree(str(source), tmp_path / "ours" / "upload", **keywords)
    assert tree(ours / "src") == tree(theirs / "src")
    assert tree(ours / "scripts") == tree(theirs / "scripts")
    for path in (theirs / "src").rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert (ours / "src" / path.relative_to(theirs / "src")).read_bytes() == path.read_bytes(), path
