"""bin/s2i-build without an engine: the Dockerfile it writes, the engine commands it runs
(run assemble, commit), its options and its help. What travels of the source (git, .s2iignore,
symbolic links, --inject) is in test_s2i_build_source.py."""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import io
import os
import re
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from s2i_wsgi.errors import RebuildFromBuilder

SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "s2i-build"
SCRIPTS_DIR = "/usr/libexec/s2i"


def load_script():
    loader = importlib.machinery.SourceFileLoader("s2i_build", str(SCRIPT))
    spec = importlib.util.spec_from_loader("s2i_build", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


s2i_build = load_script()


def args(*env: tuple[str, str], source: str = "https://example.com/app.git") -> argparse.Namespace:
    return argparse.Namespace(builder="s2i-wsgi:latest", source=source, tag="myapp", env=list(env))


def upload_of(app: Path) -> Path:
    """The upload tree bin/s2i-build makes from the app directory (src/, scripts/)."""
    return s2i_build.upload_tree(str(app), app.with_name(f"{app.name}-upload"))


def dockerfile_for(app: Path, *env: tuple[str, str]) -> list[str]:
    return s2i_build.dockerfile(args(*env), upload_of(app), SCRIPTS_DIR).splitlines()


def docker_unquote(word: str) -> str:
    """What Docker makes of a double-quoted ENV value (moby/buildkit shell lexer, processDoubleQuote):
    a backslash escapes only ", $ and itself and is otherwise kept; an unescaped $ would expand."""
    assert word.startswith('"') and word.endswith('"'), word
    body, result, i = word[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "$":
            raise AssertionError(f"unescaped $ in {word}: Docker would expand it")
        if char == "\\" and i + 1 < len(body) and body[i + 1] in '"$\\':
            i += 1
            char = body[i]
        result.append(char)
        i += 1
    return "".join(result)


def env_pairs(line: str) -> list[tuple[str, str]]:
    """The NAME=VALUE pairs of an `ENV A="x" B="y"` line, as Docker reads them."""
    assert line.startswith("ENV ")
    pairs = re.findall(r'([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*")', line[4:])
    return [(name, docker_unquote(value)) for name, value in pairs]


def env_line(lines: list[str]) -> str:
    (line,) = [line for line in lines if line.startswith("ENV ")]
    return line


# ---------------------------------------------------------------------------
# The Dockerfile.


def test_the_dockerfile_builds_from_the_builder_and_runs_its_scripts_as_1001(make_app):
    lines = dockerfile_for(make_app({"app.py": "app = 1\n"}))
    assert lines[0] == "FROM s2i-wsgi:latest"
    assert "USER root" in lines
    assert "COPY --chown=1001:0 upload/src /tmp/src" in lines
    assert lines.index("COPY --chown=1001:0 upload/src /tmp/src") < lines.index("USER 1001")
    assert lines[-3:] == ["USER 1001", f'RUN ["{SCRIPTS_DIR}/assemble"]', f'CMD ["{SCRIPTS_DIR}/run"]']


def test_the_image_is_labelled_with_builder_source_and_name(make_app):
    (label,) = [line for line in dockerfile_for(make_app()) if line.startswith("LABEL ")]
    assert '"io.openshift.s2i.build.image"="s2i-wsgi:latest"' in label
    assert '"io.openshift.s2i.build.source-location"="https://example.com/app.git"' in label
    assert '"io.k8s.display-name"="myapp"' in label


def test_no_env_line_without_variables(make_app):
    assert not [line for line in dockerfile_for(make_app()) if line.startswith("ENV")]


def test_env_comes_from_s2i_environment_then_from_e(make_app):
    app = make_app({".s2i/environment": "# tuning\nMOD_WSGI_THREADS=9\nAPP_MODULE=web:app\n"})
    lines = dockerfile_for(app, ("MOD_WSGI_THREADS", "12"), ("DEBUG", "1"))
    assert env_pairs(env_line(lines)) == [
        ("MOD_WSGI_THREADS", "9"),
        ("APP_MODULE", "web:app"),
        ("MOD_WSGI_THREADS", "12"),  # later in the same ENV wins: -e overrides the file
        ("DEBUG", "1"),
    ]


def test_env_is_set_before_the_source_is_assembled(make_app):
    lines = dockerfile_for(make_app(), ("A", "1"))
    assert lines.index(env_line(lines)) < lines.index(f'RUN ["{SCRIPTS_DIR}/assemble"]')


def test_dollar_signs_in_values_stay_literal(make_app):
    line = env_line(dockerfile_for(make_app(), ("PASSWORD", "pa$$word"), ("PATHISH", "$HOME/${X}")))
    assert 'PASSWORD="pa\\$\\$word"' in line
    assert env_pairs(line) == [("PASSWORD", "pa$$word"), ("PATHISH", "$HOME/${X}")]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('say "hi"', id="quotes"),
        pytest.param("C:\\path\\to", id="backslashes"),
        pytest.param("trailing\\", id="trailing-backslash"),
        pytest.param("two  spaces", id="spaces"),
        pytest.param("", id="empty"),
        pytest.param("café ünïcode ✓", id="non-ascii"),
        pytest.param("a=b=c", id="equals"),
        pytest.param("tab\there", id="tab"),
    ],
)
def test_env_values_reach_the_image_exactly_as_given(make_app, value):
    assert env_pairs(env_line(dockerfile_for(make_app(), ("VALUE", value)))) == [("VALUE", value)]


def test_dockerfile_quote_escapes_dollar_quote_and_backslash():
    assert s2i_build.dockerfile_quote('a$b"c\\d') == '"a\\$b\\"c\\\\d"'


def test_an_s2i_bin_assemble_replaces_the_builders_assemble(make_app):
    app = make_app({".s2i/bin/assemble": "#!/bin/sh\nexec /usr/libexec/s2i/assemble\n"})
    lines = dockerfile_for(app)
    assert "COPY --chown=1001:0 upload/scripts /tmp/scripts" in lines
    assert 'RUN ["/tmp/scripts/assemble"]' in lines
    assert f'CMD ["{SCRIPTS_DIR}/run"]' in lines


def test_an_s2i_bin_run_replaces_the_builders_run(make_app):
    app = make_app({".s2i/bin/run": "#!/bin/sh\nexec /usr/libexec/s2i/run\n"})
    lines = dockerfile_for(app)
    assert "COPY --chown=1001:0 upload/scripts /tmp/scripts" in lines
    assert f'RUN ["{SCRIPTS_DIR}/assemble"]' in lines
    assert 'CMD ["/tmp/scripts/run"]' in lines


def test_without_s2i_bin_overrides_no_scripts_are_copied(make_app):
    app = make_app({".s2i/bin/README": "notes\n"})
    assert not [line for line in dockerfile_for(app) if "/tmp/scripts" in line]


# ---------------------------------------------------------------------------
# .s2i/environment and -e parsing.


def test_environment_values_are_passed_as_written_and_trimmed_as_s2i_passes_them(make_app):
    app = make_app({".s2i/environment": '# comment\n\nA=1\nB = two words \nC="quoted"\nD=x=y\nexport E=e\n'})
    assert s2i_build.environment(args(("F", "f")), upload_of(app)) == [
        ("A", "1"),
        ("B", "two words"),
        ("C", '"quoted"'),  # the launcher unquotes it, on every build path
        ("D", "x=y"),
        ("E", "e"),
        ("F", "f"),
    ]


def test_environment_is_read_with_the_launchers_reader(make_app, monkeypatch):
    read = []
    monkeypatch.setattr(s2i_build.envfile, "read_raw", lambda path: read.append(path) or {"A": "1"})
    upload = upload_of(make_app())
    assert s2i_build.environment(args(), upload) == [("A", "1")]
    assert read == [upload / "src" / ".s2i" / "environment"]


def test_a_missing_environment_file_gives_no_variables(make_app):
    assert s2i_build.environment(args(), upload_of(make_app())) == []


def test_a_bad_environment_line_stops_the_build_with_the_line_number_and_no_traceback(
    make_app, tmp_path, no_engine_needed, capsys
):
    app = make_app({".s2i/environment": "A=1\nnot a setting\n"})
    assert s2i_build.main([str(app), "s2i-wsgi", "web", "--as-dockerfile", str(tmp_path / "D")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ERROR: .s2i/environment line 2 is not NAME=VALUE: 'not a setting'\n")
    assert "Traceback" not in err


def test_a_bad_environment_line_exits_1_from_the_command_line_without_a_traceback(make_app, tmp_path):
    app = make_app({".s2i/environment": "A=1\nnot a setting\n"})
    engine = tmp_path / "engine"  # answers `image inspect` for an s2i builder, as Docker would
    engine.write_text('#!/bin/sh\necho \'{"Labels": {"io.openshift.s2i.scripts-url": "image:///usr/libexec/s2i"}}\'\n')
    engine.chmod(0o755)
    env = {**os.environ, "CONTAINER_ENGINE": str(engine), "S2I_BUILD_NO_S2I": "1"}
    argv = [sys.executable, str(SCRIPT), str(app), "s2i-wsgi", "web", "--as-dockerfile", str(tmp_path / "D")]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("ERROR: .s2i/environment line 2 is not NAME=VALUE: 'not a setting'\n"), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("text", "pair"), [("A=1", ("A", "1")), ("U=a=b", ("U", "a=b")), ("EMPTY=", ("EMPTY", ""))])
def test_e_takes_name_equals_value(text, pair):
    assert s2i_build.parse_env_arg(text) == pair


@pytest.mark.parametrize("text", ["NOVALUE", "1A=x", "MY-VAR=x", "=x"])
def test_e_rejects_what_is_not_name_equals_value(text):
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(f"expected NAME=VALUE, got {text!r}")):
        s2i_build.parse_env_arg(text)


# ---------------------------------------------------------------------------
# Copying the source.


def test_copying_a_directory_leaves_out_git_metadata_at_any_depth(make_app, tmp_path):
    app = make_app(
        {
            "app.py": "app = 1\n",
            ".git/HEAD": "ref: refs/heads/main\n",
            ".git/objects/ab/cdef": "x",
            "vendor/lib/.git": "gitdir: ../../.git/modules/lib\n",
            "vendor/lib/lib.py": "",
            ".gitignore": "*.pyc\n",
            ".github/workflows/ci.yml": "on: push\n",
            ".s2i/environment": "A=1\n",
        }
    )
    dest = tmp_path / "upload" / "src"
    s2i_build.copy_tree(app, dest, skip=lambda path: s2i_build.EXCLUDE.search(path) is not None)
    copied = sorted(str(path.relative_to(dest)) for path in dest.rglob("*") if path.is_file())
    assert copied == [
        ".github/workflows/ci.yml",
        ".gitignore",
        ".s2i/environment",
        "app.py",
        "vendor/lib/lib.py",
    ]


def test_copying_a_directory_keeps_file_modes(make_app, tmp_path):
    app = make_app({"bin/tool": "#!/bin/sh\n"})
    (app / "bin/tool").chmod(0o755)
    s2i_build.copy_tree(app, tmp_path / "out")
    assert (tmp_path / "out" / "bin" / "tool").stat().st_mode & stat.S_IXUSR


# ---------------------------------------------------------------------------
# The command, up to the point where an engine would be needed.


@pytest.fixture
def no_engine_needed(monkeypatch):
    """An engine "is installed" and the builder has its scripts in /usr/libexec/s2i; s2i is not installed."""
    monkeypatch.setattr(s2i_build.shutil, "which", lambda name: None if name == "s2i" else f"/usr/bin/{name}")
    monkeypatch.setattr(s2i_build, "builder_scripts_dir", lambda engine, builder: SCRIPTS_DIR)


def test_as_dockerfile_writes_the_dockerfile_and_the_upload_tree(make_app, tmp_path, no_engine_needed, capsys):
    app = make_app({"app.py": "app = 1\n", ".s2i/environment": "A=1\n", ".s2i/bin/assemble": "#!/bin/sh\n"})
    out = tmp_path / "out" / "Dockerfile"  # its directory is made, as by s2i
    code = s2i_build.main([str(app), "s2i-wsgi", "myapp", "-e", "B=$2", "--as-dockerfile", str(out)])
    assert code == 0
    text = out.read_text()
    assert text.startswith("FROM s2i-wsgi\n")
    assert env_pairs(env_line(text.splitlines())) == [("A", "1"), ("B", "$2")]
    assert 'RUN ["/tmp/scripts/assemble"]' in text
    assert (tmp_path / "out" / "upload" / "src" / "app.py").is_file()
    assert (tmp_path / "out" / "upload" / "scripts" / "assemble").is_file()
    assert f"Wrote {out}" in capsys.readouterr().out


def test_context_dir_selects_the_app_inside_the_source(make_app, tmp_path, no_engine_needed):
    repo = make_app({"README": "", "services/web/app.py": "app = 1\n", "services/web/.s2i/environment": "A=1\n"})
    out = tmp_path / "Dockerfile"
    argv = [str(repo), "s2i-wsgi", "web", "--context-dir", "services/web", "--as-dockerfile", str(out)]
    assert s2i_build.main(argv) == 0
    assert (tmp_path / "upload" / "src" / "app.py").is_file()
    assert not (tmp_path / "upload" / "src" / "README").exists()
    assert 'ENV A="1"' in out.read_text()


def test_a_missing_context_dir_is_an_error(make_app, tmp_path, no_engine_needed, capsys):
    argv = [str(make_app()), "s2i-wsgi", "web", "--context-dir", "nope", "--as-dockerfile", str(tmp_path / "D")]
    with pytest.raises(SystemExit) as exited:
        s2i_build.main(argv)
    assert exited.value.code == 1
    assert "ERROR: --context-dir nope is not a directory in the source." in capsys.readouterr().err


def test_a_source_that_is_neither_a_directory_nor_a_git_url_is_an_error(tmp_path, no_engine_needed, capsys):
    with pytest.raises(SystemExit) as exited:
        s2i_build.main([str(tmp_path / "missing"), "s2i-wsgi", "web", "--as-dockerfile", str(tmp_path / "D")])
    assert exited.value.code == 1
    assert f"ERROR: SOURCE '{tmp_path / 'missing'}' is neither a directory nor a git URL." in capsys.readouterr().err


def test_ref_with_a_directory_that_is_not_a_git_repository_is_an_error(make_app, tmp_path, no_engine_needed, capsys):
    app = make_app()
    with pytest.raises(SystemExit):
        s2i_build.main([str(app), "s2i-wsgi", "web", "--ref", "v1", "--as-dockerfile", str(tmp_path / "D")])
    assert f"ERROR: --ref applies to git URLs and git repositories only, and {app} has no .git." in (
        capsys.readouterr().err
    )


def test_a_missing_engine_says_to_install_docker_or_podman(make_app, monkeypatch, capsys):
    monkeypatch.setattr(s2i_build.shutil, "which", lambda name: None)
    monkeypatch.setenv("CONTAINER_ENGINE", "podman")
    with pytest.raises(SystemExit):
        s2i_build.main([str(make_app()), "s2i-wsgi", "web"])
    err = capsys.readouterr().err
    assert "ERROR: podman is not installed. Install Docker or Podman (or set CONTAINER_ENGINE)." in err


def test_with_s2i_on_path_the_same_arguments_go_to_s2i_build(make_app, monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(s2i_build.shutil, "which", lambda name: "/usr/local/bin/s2i")
    monkeypatch.setattr(
        s2i_build.subprocess,
        "run",
        lambda argv, **_: ran.append(argv) or argparse.Namespace(returncode=0),
    )
    app = make_app()
    assert s2i_build.main([str(app), "s2i-wsgi", "web", "-e", "A=1", "--ref", "main", "--context-dir", "sub"]) == 0
    assert ran == [["s2i", "build", str(app), "s2i-wsgi", "web", "-e", "A=1", "--ref", "main", "--context-dir", "sub"]]


def test_no_s2i_skips_the_s2i_binary(make_app, tmp_path, monkeypatch):
    monkeypatch.setattr(s2i_build.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(s2i_build, "builder_scripts_dir", lambda engine, builder: SCRIPTS_DIR)
    monkeypatch.setattr(s2i_build, "builder_config", lambda engine, builder: BUILDER_CONFIG)
    ran = []
    monkeypatch.setattr(
        s2i_build.subprocess,
        "run",
        lambda argv, **_: ran.append(argv) or argparse.Namespace(returncode=0, stderr="", stdout="sha256:1"),
    )
    monkeypatch.setenv("CONTAINER_ENGINE", "podman")
    assert s2i_build.main([str(make_app()), "s2i-wsgi", "web", "--no-s2i"]) == 0
    verbs = ("image", "create", "start", "commit", "rm")  # image inspect: the builder's id, for a label
    assert [argv[:2] for argv in ran] == [["podman", verb] for verb in verbs]
    assert "s2i" not in [argv[0] for argv in ran]


# ---------------------------------------------------------------------------
# Run and commit: the image the Dockerfile describes, without a layer for injected files.

BUILDER_CONFIG = {"Entrypoint": ["container-entrypoint"], "WorkingDir": "/opt/app-root/src", "Labels": {}}


def argvs_for(app: Path, *env, engine="docker", mounts=()):
    return s2i_build.run_commit_argvs(
        engine,
        args(*env),
        upload_of(app),
        scripts_dir=SCRIPTS_DIR,
        config=BUILDER_CONFIG,
        container="c1",
        mounts=list(mounts),
    )


def test_a_layered_rebuild_runs_in_the_previous_image_with_its_source_cleared_first(make_app):
    upload = upload_of(make_app())
    create, commit = s2i_build.run_commit_argvs(
        "docker", args(), upload, scripts_dir=SCRIPTS_DIR, config=BUILDER_CONFIG, container="c1", mounts=[],
        extra_labels={s2i_build.BUILDER_ID_LABEL: "sha256:1"}, layered=True,
    )  # fmt: skip
    assert create[-5:] == [
        "myapp",  # the previous image, TAG itself
        "-c",
        '{ find "$1" -mindepth 1 -delete || exit 75; } && tar -C /tmp -xf - && exec "$0"',
        f"{SCRIPTS_DIR}/assemble",
        "/opt/app-root/src",
    ]
    assert f"{s2i_build.BUILDER_ID_LABEL}=sha256:1" in create
    assert commit[-1] == "myapp"


def test_the_layered_rebuilds_marker_and_exit_status_are_the_launchers():
    # snapshot.LAYERED as the launcher defines it (the unit tests move it into a temporary directory).
    src = SCRIPT.parents[1] / "src"
    code = f"import sys; sys.path.insert(0, {str(src)!r}); "
    code += "from s2i_wsgi.incremental import snapshot; print(snapshot.LAYERED)"
    launchers = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True)
    launchers = launchers.stdout.strip()
    assert f"/tmp/{s2i_build.LAYERED_MARKER}" == launchers  # the upload is unpacked in /tmp
    assert s2i_build.REBUILD_FROM_BUILDER == RebuildFromBuilder.exit_code == 75
    assert f"exit {RebuildFromBuilder.exit_code};" in s2i_build.CLEAR_UNPACK_AND_ASSEMBLE


def test_the_script_needs_only_the_standard_library():
    # -I -S: no site-packages, no PYTHONPATH; the launcher's modules come from the repository's src/.
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_layered_rebuilds_are_not_tried_when_the_previous_image_differs(make_app, monkeypatch, capsys):
    app = upload_of(make_app({".s2i/environment": "A=1\n"}))

    def build_args(*env):
        return argparse.Namespace(**vars(args(*env)), runtime_image=None, as_dockerfile=None)

    digest = s2i_build.build_environment_digest(args(), app)
    labels = {s2i_build.BUILDER_ID_LABEL: "sha256:1", s2i_build.BUILD_ENV_LABEL: digest}
    monkeypatch.setattr(s2i_build, "image_labels", lambda engine, image: labels)
    monkeypatch.setattr(s2i_build, "layer_count", lambda engine, image: 18 if image == "myapp" else 10)
    assert s2i_build.layered_base("docker", build_args(), app, "sha256:1") is True
    assert s2i_build.layered_base("docker", build_args(), app, "sha256:2") is False
    assert "myapp was not built from this builder image" in capsys.readouterr().out
    assert s2i_build.layered_base("docker", build_args(("A", "2")), app, "sha256:1") is False
    assert "the build environment (.s2i/environment, -e) changed" in capsys.readouterr().out
    monkeypatch.setattr(s2i_build, "layer_count", lambda engine, image: 19 if image == "myapp" else 10)
    assert s2i_build.layered_base("docker", build_args(), app, "sha256:1") is False
    assert "already has 8 source layers on a full build" in capsys.readouterr().out


def test_assemble_runs_as_1001_with_the_environment_and_labels_of_the_dockerfile(make_app):
    app = make_app({".s2i/environment": "A=1\nB=x y\n"})
    create, _ = argvs_for(app, ("B", "$2"))
    assert create[:9] == [
        "docker",
        "create",
        "--interactive",
        "--name",
        "c1",
        "--user",
        "1001",
        "--entrypoint",
        "/bin/sh",
    ]
    # As s2i does: the upload is unpacked from stdin by the build's user, then assemble runs.
    assert create[-4:] == ["s2i-wsgi:latest", "-c", 'tar -C /tmp -xf - && exec "$0"', f"{SCRIPTS_DIR}/assemble"]
    envs = [create[i + 1] for i, word in enumerate(create) if word == "--env"]
    assert envs == ["A=1", "B=x y", "B=$2"]  # the last one wins, as in the Dockerfile
    found = [create[i + 1] for i, word in enumerate(create) if word == "--label"]
    assert found == [
        "io.openshift.s2i.build.image=s2i-wsgi:latest",
        "io.openshift.s2i.build.source-location=https://example.com/app.git",
        "io.k8s.display-name=myapp",
    ]


def test_the_commit_sets_cmd_to_run_and_restores_the_builders_entrypoint(make_app):
    _, commit = argvs_for(make_app())
    assert commit == [
        "docker",
        "commit",
        "--change",
        f'CMD ["{SCRIPTS_DIR}/run"]',
        "--change",
        'ENTRYPOINT ["container-entrypoint"]',
        "c1",
        "myapp",
    ]


def test_podman_commits_in_docker_format_to_keep_the_healthcheck(make_app):
    _, commit = argvs_for(make_app(), engine="podman")
    assert commit[:4] == ["podman", "commit", "--format", "docker"]


def test_s2i_bin_scripts_replace_assemble_and_run_in_the_container(make_app):
    app = make_app({".s2i/bin/assemble": "#!/bin/sh\n", ".s2i/bin/run": "#!/bin/sh\n"})
    create, commit = argvs_for(app)
    assert create[-1] == "/tmp/scripts/assemble"
    assert 'CMD ["/tmp/scripts/run"]' in commit


def test_injected_directories_are_mounted_read_only(make_app, tmp_path):
    create, commit = argvs_for(make_app(), mounts=[(tmp_path / "inject-0", "/tmp/secrets")])
    assert create[create.index("--volume") + 1] == f"{tmp_path / 'inject-0'}:/tmp/secrets:ro"
    assert "--volume" not in commit


def test_injections_are_staged_readable_and_a_relative_dest_is_under_the_working_dir(tmp_path):
    src = tmp_path / "secrets"
    (src / "sub").mkdir(parents=True)
    (src / "ca.crt").write_text("x")
    (src / "ca.crt").chmod(0o600)
    (src / "sub" / "netrc").write_text("y")
    staged = s2i_build.stage_injections(
        [(str(src), "/tmp/secrets"), (str(src), "secrets")], "/opt/app-root/src", tmp_path / "work"
    )
    assert [dest for _, dest in staged] == ["/tmp/secrets", "/opt/app-root/src/secrets"]
    copy = staged[0][0]
    assert stat.S_IMODE((copy / "ca.crt").stat().st_mode) == 0o644
    assert stat.S_IMODE((copy / "sub").stat().st_mode) == 0o755
    assert (copy / "sub" / "netrc").read_text() == "y"


def test_the_upload_is_owned_by_1001_and_group_0(make_app, tmp_path):
    upload = make_app({"src/app.py": "app = 1\n", "scripts/assemble": "#!/bin/sh\n"})
    with tarfile.open(s2i_build.upload_tar(upload, tmp_path)) as tar:
        members = tar.getmembers()
    assert {m.name for m in members} >= {"src", "src/app.py", "scripts", "scripts/assemble"}
    assert {(m.uid, m.gid) for m in members} == {(1001, 0)}


def test_inject_takes_src_colon_dest():
    assert s2i_build.parse_inject_arg("./secrets:/tmp/secrets") == ("./secrets", "/tmp/secrets")
    with pytest.raises(argparse.ArgumentTypeError):
        s2i_build.parse_inject_arg("/tmp/secrets")


def test_inject_with_as_dockerfile_is_refused(make_app, tmp_path, no_engine_needed, capsys):
    argv = [str(make_app()), "s2i-wsgi", "web", "--inject", f"{tmp_path}:/tmp/secrets", "--as-dockerfile", "D"]
    with pytest.raises(SystemExit):
        s2i_build.main(argv)
    assert "ERROR: --inject cannot be combined with --as-dockerfile" in capsys.readouterr().err


def test_inject_of_a_missing_directory_is_an_error(make_app, tmp_path, no_engine_needed, monkeypatch, capsys):
    monkeypatch.setattr(s2i_build, "builder_config", lambda engine, builder: BUILDER_CONFIG)
    with pytest.raises(SystemExit):
        s2i_build.main([str(make_app()), "s2i-wsgi", "web", "--inject", f"{tmp_path}/nope:/tmp/secrets"])
    assert f"ERROR: --inject {tmp_path}/nope:/tmp/secrets: {tmp_path}/nope is not a directory." in (
        capsys.readouterr().err
    )


def test_with_s2i_on_path_inject_goes_to_s2i_build(make_app, tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(s2i_build.shutil, "which", lambda name: "/usr/local/bin/s2i")
    monkeypatch.setattr(
        s2i_build.subprocess, "run", lambda argv, **_: ran.append(argv) or argparse.Namespace(returncode=0)
    )
    app = make_app()
    assert s2i_build.main([str(app), "s2i-wsgi", "web", "--inject", f"{tmp_path}:/tmp/secrets"]) == 0
    assert ran == [["s2i", "build", str(app), "s2i-wsgi", "web", "--inject", f"{tmp_path}:/tmp/secrets"]]


# ---------------------------------------------------------------------------
# --incremental and --runtime-image


RUNTIME_LABELS = {
    "io.openshift.s2i.scripts-url": "image:///usr/libexec/s2i",
    "io.openshift.s2i.assemble-input-files": "/opt/app-root",
}


def test_previous_artifacts_are_copied_where_the_builder_keeps_them(make_app):
    lines = s2i_build.dockerfile(args(), upload_of(make_app({"app.py": ""})), SCRIPTS_DIR, artifacts=True).splitlines()
    copy = "COPY --chown=1001:0 upload/artifacts /tmp/artifacts"
    assert lines.index(copy) < lines.index(f'RUN ["{SCRIPTS_DIR}/assemble"]')


def test_without_previous_artifacts_nothing_is_copied_for_them(make_app):
    assert not any("artifacts" in line for line in dockerfile_for(make_app({"app.py": ""})))


def test_a_runtime_image_gets_the_builders_output_and_runs_assemble_runtime(make_app, monkeypatch):
    monkeypatch.setattr(s2i_build, "image_labels", lambda engine, image: RUNTIME_LABELS)
    namespace = args(("A", "1"))
    namespace.runtime_image = "s2i-wsgi:3.13-runtime"
    lines = s2i_build.dockerfile(namespace, upload_of(make_app({"app.py": ""})), SCRIPTS_DIR).splitlines()
    second = lines.index("FROM s2i-wsgi:3.13-runtime")
    assert lines[0] == "FROM s2i-wsgi:latest"
    assert f'RUN ["{SCRIPTS_DIR}/assemble"]' in lines[:second]
    assert not any(line.startswith("CMD") for line in lines[:second])
    assert lines[second + 1 :] == [
        lines[1],  # the same labels
        lines[2],  # and environment
        "USER root",
        "COPY --from=0 --chown=1001:0 /opt/app-root /opt/app-root",
        "USER 1001",
        f'RUN ["{SCRIPTS_DIR}/assemble-runtime"]',
        f'CMD ["{SCRIPTS_DIR}/run"]',
    ]


def test_a_runtime_image_without_assemble_input_files_is_an_error(make_app, monkeypatch, capsys):
    monkeypatch.setattr(s2i_build, "image_labels", lambda engine, image: {"io.openshift.s2i.scripts-url": "image:///x"})
    namespace = args()
    namespace.runtime_image = "plain"
    with pytest.raises(SystemExit):
        s2i_build.dockerfile(namespace, upload_of(make_app({"app.py": ""})), SCRIPTS_DIR)
    assert "has no io.openshift.s2i.assemble-input-files label" in capsys.readouterr().err


def tar_of(files: dict[str, bytes], path: Path) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o664
            tar.addfile(info, io.BytesIO(data))
    return path


def test_artifacts_are_unpacked_keeping_group_write(tmp_path):
    archive = tar_of({"pip/wheels/a.whl": b"wheel", "s2i-wsgi-cache.json": b"{}"}, tmp_path / "a.tar")
    assert s2i_build.extract_artifacts(archive, tmp_path / "out") is True
    wheel = tmp_path / "out" / "pip" / "wheels" / "a.whl"
    assert wheel.read_bytes() == b"wheel"
    assert wheel.stat().st_mode & stat.S_IWGRP


def test_an_empty_artifacts_tar_means_nothing_to_reuse(tmp_path):
    assert s2i_build.extract_artifacts(tar_of({}, tmp_path / "a.tar"), tmp_path / "out") is False


def test_an_unreadable_artifacts_tar_warns_and_leaves_nothing(tmp_path, capsys):
    archive = tar_of({"pip/a.whl": b"x" * 2000}, tmp_path / "a.tar")
    archive.write_bytes(archive.read_bytes()[:300])
    assert s2i_build.extract_artifacts(archive, tmp_path / "out") is False
    assert list((tmp_path / "out").iterdir()) == []
    assert "WARNING: The artifacts of the previous image could not be unpacked" in capsys.readouterr().err


def test_artifacts_that_escape_the_directory_are_refused(tmp_path, capsys):
    archive = tar_of({"../escape": b"x"}, tmp_path / "a.tar")
    assert s2i_build.extract_artifacts(archive, tmp_path / "out") is False
    assert not (tmp_path / "escape").exists()


def test_incremental_and_runtime_image_go_to_s2i_build_too(make_app, monkeypatch):
    ran = []
    monkeypatch.setattr(s2i_build.shutil, "which", lambda name: "/usr/local/bin/s2i")
    monkeypatch.setattr(
        s2i_build.subprocess, "run", lambda argv, **_: ran.append(argv) or argparse.Namespace(returncode=0)
    )
    app = make_app()
    assert s2i_build.main([str(app), "b", "t", "--incremental", "--runtime-image", "r"]) == 0
    assert ran == [["s2i", "build", str(app), "b", "t", "--incremental", "--runtime-image", "r"]]


def test_help_names_the_layered_rebuild_and_how_to_skip_it(capsys):
    with pytest.raises(SystemExit):
        s2i_build.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "[--incremental [--no-layered]]" in out
    assert (
        "--no-layered with --incremental, only what s2i does: the build runs on the builder with TAG's artifacts" in out
    )
