"""User hooks: where they are found, how they run, what env hooks export, and hooks run once per container.

Hooks are tiny real shell scripts in tmp_path (bash and sh are on every machine that runs these tests)."""

from __future__ import annotations

import os

import pytest

from s2i_wsgi import hooks
from s2i_wsgi.errors import HookError


@pytest.fixture
def hook(make_app):
    """hook(app, "deploy", "echo hi", where=".s2i"): write an executable hook script into app; its path."""

    def write(app, name, body, *, where=".s2i", executable=True, shebang="#!/bin/sh\n"):
        path = app / where / "action_hooks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(shebang + body + "\n", encoding="utf-8")
        path.chmod(0o755 if executable else 0o644)
        return path

    return write


@pytest.fixture
def env():
    """A minimal environment for hooks: PATH only, so results do not depend on the developer's shell."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


# ---------------------------------------------------------------------------
# find


def test_s2i_hooks_are_found_before_warpdrive_hooks(make_app, hook):
    app = make_app()
    warpdrive = hook(app, "deploy", "true", where=".warpdrive")
    s2i = hook(app, "deploy", "true", where=".s2i")
    assert hooks.find(app, "deploy") == [s2i, warpdrive]


def test_only_hooks_of_that_name_are_found(make_app, hook):
    app = make_app()
    hook(app, "build", "true")
    assert hooks.find(app, "deploy") == []


def test_a_directory_named_like_a_hook_is_not_a_hook(make_app):
    app = make_app()
    (app / ".s2i" / "action_hooks" / "deploy").mkdir(parents=True)
    assert hooks.find(app, "deploy") == []


# ---------------------------------------------------------------------------
# run


def test_run_without_hooks_runs_nothing_and_says_so(make_app, env, capsys):
    assert hooks.run("deploy", make_app(), make_app(), env) is False
    assert capsys.readouterr().out == ""


def test_a_hook_runs_in_the_app_directory_with_the_environment_and_its_output_indented(make_app, hook, env, capfd):
    source = make_app()
    cwd = make_app(name="web")
    hook(source, "deploy", 'echo "in $(pwd) with GREETING=$GREETING"')
    assert hooks.run("deploy", source, cwd, {**env, "GREETING": "hello"}) is True
    out = capfd.readouterr().out
    assert out == (f"---> Running the deploy hook .s2i/action_hooks/deploy\n    in {cwd} with GREETING=hello\n")


def test_both_s2i_and_warpdrive_hooks_run_in_that_order(make_app, hook, env, capfd):
    app = make_app()
    hook(app, "deploy", "echo warpdrive", where=".warpdrive")
    hook(app, "deploy", "echo s2i")
    hooks.run("deploy", app, app, env)
    assert capfd.readouterr().out.splitlines() == [
        "---> Running the deploy hook .s2i/action_hooks/deploy",
        "    s2i",
        "---> Running the deploy hook .warpdrive/action_hooks/deploy",
        "    warpdrive",
    ]


def test_a_hook_that_is_not_executable_is_an_error_with_chmod_advice(make_app, hook, env):
    app = make_app()
    hook(app, "pre-build", "true", executable=False)
    with pytest.raises(HookError) as raised:
        hooks.run("pre-build", app, app, env)
    assert str(raised.value) == (
        "The pre-build hook .s2i/action_hooks/pre-build is not executable.\n\n"
        "Hooks are run directly, so they need the executable bit (and a #! line); "
        "without it the step it does would be silently skipped.\n\n"
        "Run `chmod +x .s2i/action_hooks/pre-build` "
        "(or `git update-index --chmod=+x .s2i/action_hooks/pre-build`) and commit it."
    )


def test_a_failing_hook_is_an_error_with_its_exit_status(make_app, hook, env, capfd):
    app = make_app()
    hook(app, "build", "echo compiling assets\nexit 3", where=".warpdrive")
    with pytest.raises(HookError) as raised:
        hooks.run("build", app, app, env)
    assert str(raised.value) == (
        "The build hook .warpdrive/action_hooks/build failed (exit status 3).\n\n"
        "Its output is above.\n\n"
        "Fix .warpdrive/action_hooks/build so that it exits 0, or remove it."
    )
    assert "    compiling assets\n" in capfd.readouterr().out


def test_a_failing_hook_stops_the_hooks_after_it(make_app, hook, env, capfd):
    app = make_app()
    hook(app, "deploy", "exit 1")
    hook(app, "deploy", "echo should not run", where=".warpdrive")
    with pytest.raises(HookError):
        hooks.run("deploy", app, app, env)
    assert "should not run" not in capfd.readouterr().out


# ---------------------------------------------------------------------------
# run_heroku: Heroku's bin/pre_compile and bin/post_compile, run as its buildpack runs them.


def heroku_hook(app, name, body, *, mode=0o644):
    path = app / "bin" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    path.chmod(mode)
    return path


def test_without_a_heroku_hook_nothing_runs(make_app, env, capsys):
    app = make_app({"bin/other": "exit 1\n"})
    assert hooks.run_heroku("post_compile", app, env) is False
    assert capsys.readouterr().out == ""


def test_a_heroku_hook_without_its_executable_bit_or_a_shebang_runs_with_bash_from_the_top_of_the_source(
    make_app, env, capfd
):
    # Heroku's buildpack does `chmod +x bin/post_compile` itself and runs it from bash, so a script
    # committed as a plain file runs there; a bash-only construct proves bash runs it.
    app = make_app()
    hook = heroku_hook(app, "post_compile", 'words=(in "$(pwd)" BUILD_DIR="$BUILD_DIR")\necho "${words[@]}"\n')
    assert hooks.run_heroku("post_compile", app, env) is True
    assert capfd.readouterr().out == (
        f"---> Running Heroku's post_compile hook bin/post_compile\n    in {app} BUILD_DIR={app}\n"
    )
    assert os.access(hook, os.X_OK)


def test_a_heroku_hook_with_a_shebang_runs_with_that_interpreter(make_app, env, capfd):
    app = make_app()
    heroku_hook(app, "pre_compile", "#!/bin/sh\necho shell is $0\n", mode=0o755)
    hooks.run_heroku("pre_compile", app, env)
    assert capfd.readouterr().out.splitlines()[1] == f"    shell is {app}/bin/pre_compile"


def test_a_failing_heroku_hook_is_an_error_with_its_exit_status(make_app, env, capfd):
    app = make_app()
    heroku_hook(app, "pre_compile", "echo fetching assets\nexit 4\n")
    with pytest.raises(HookError) as raised:
        hooks.run_heroku("pre_compile", app, env)
    assert str(raised.value) == (
        "The pre_compile hook bin/pre_compile failed (exit status 4).\n\n"
        "Its output is above.\n\n"
        "Fix bin/pre_compile so that it exits 0, or remove it."
    )
    assert "    fetching assets\n" in capfd.readouterr().out


def test_a_heroku_hook_that_cannot_be_made_executable_is_an_error_with_chmod_advice(make_app, env, monkeypatch):
    app = make_app()
    hook = heroku_hook(app, "post_compile", "true\n")

    def refuse(self, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(type(hook), "chmod", refuse)
    with pytest.raises(HookError) as raised:
        hooks.run_heroku("post_compile", app, env)
    assert str(raised.value) == (
        "The post_compile hook bin/post_compile is not executable and cannot be made so (Operation not permitted).\n\n"
        "Heroku's buildpack makes it executable before running it; here the source is not writable.\n\n"
        "Run `chmod +x bin/post_compile` (or `git update-index --chmod=+x bin/post_compile`) and commit it."
    )


def test_a_heroku_hook_linking_outside_the_source_is_an_error(make_app, env):
    app = make_app()
    (app / "bin").mkdir()
    (app / "bin" / "pre_compile").symlink_to("/nonexistent/pre_compile")
    with pytest.raises(HookError, match=r"^The pre_compile hook bin/pre_compile is a symbolic link to "):
        hooks.run_heroku("pre_compile", app, env)


# ---------------------------------------------------------------------------
# environment_from: build-env and deploy-env are sourced by bash.


def test_an_env_hook_returns_the_variables_it_sets(make_app, hook, env):
    app = make_app()
    hook(app, "build-env", "GREETING=hello\nexport TARGET=world", shebang="")
    assert hooks.environment_from("build-env", app, app, env) == {"GREETING": "hello", "TARGET": "world"}


def test_env_hook_values_keep_spaces_and_equals_signs(make_app, hook, env):
    app = make_app()
    hook(app, "deploy-env", "OPTIONS='--a=1 --b=2'\nexport GREETING=\"hello  world\"", shebang="")
    assert hooks.environment_from("deploy-env", app, app, env) == {
        "OPTIONS": "--a=1 --b=2",
        "GREETING": "hello  world",
    }


def test_only_added_or_changed_variables_are_returned(make_app, hook, env):
    app = make_app()
    hook(app, "deploy-env", "SAME=1\nCHANGED=new\nADDED=yes", shebang="")
    changes = hooks.environment_from("deploy-env", app, app, {**env, "SAME": "1", "CHANGED": "old", "KEPT": "k"})
    assert changes == {"CHANGED": "new", "ADDED": "yes"}


def test_an_env_hook_sees_the_environment_and_can_extend_it(make_app, hook, env):
    app = make_app()
    hook(app, "deploy-env", 'DATABASE_URL="postgres://$DB_HOST/app"', shebang="")
    assert hooks.environment_from("deploy-env", app, app, {**env, "DB_HOST": "db"}) == {
        "DATABASE_URL": "postgres://db/app"
    }


def test_a_warpdrive_env_hook_sees_what_the_s2i_one_set(make_app, hook, env):
    app = make_app()
    hook(app, "deploy-env", "FIRST=1", shebang="")
    hook(app, "deploy-env", 'SECOND="after $FIRST"', where=".warpdrive", shebang="")
    assert hooks.environment_from("deploy-env", app, app, env) == {"FIRST": "1", "SECOND": "after 1"}


def test_an_env_hook_need_not_be_executable(make_app, hook, env):
    app = make_app()
    hook(app, "build-env", "X=1", executable=False, shebang="")
    assert hooks.environment_from("build-env", app, app, env) == {"X": "1"}


def test_an_env_hook_runs_in_the_given_directory(make_app, hook, env):
    app = make_app()
    cwd = make_app(name="web")
    hook(app, "build-env", 'WHERE="$(pwd)"', shebang="")
    assert hooks.environment_from("build-env", app, cwd, env) == {"WHERE": str(cwd)}


def test_env_hook_output_is_shown_indented_and_not_taken_as_variables(make_app, hook, env, capfd):
    app = make_app()
    hook(app, "build-env", "echo NOT_A_VARIABLE=1\nX=1", shebang="")
    assert hooks.environment_from("build-env", app, app, env) == {"X": "1"}
    assert capfd.readouterr().out == (
        "---> Reading environment from the build-env hook .s2i/action_hooks/build-env\n    NOT_A_VARIABLE=1\n"
    )


def test_without_env_hooks_nothing_changes(make_app, env, capsys):
    app = make_app()
    assert hooks.environment_from("deploy-env", app, app, env) == {}
    assert capsys.readouterr().out == ""


def test_a_failing_env_hook_is_an_error_with_its_exit_status(make_app, hook, env, capfd):
    app = make_app()
    hook(app, "deploy-env", "echo cannot reach vault\nexit 4", where=".warpdrive", shebang="")
    with pytest.raises(HookError) as raised:
        hooks.environment_from("deploy-env", app, app, env)
    assert str(raised.value) == (
        "The deploy-env hook .warpdrive/action_hooks/deploy-env failed when sourced (exit status 4).\n\n"
        "deploy-env is sourced by bash to set environment variables; its output is above.\n\n"
        "Fix .warpdrive/action_hooks/deploy-env: it should only set variables (NAME=value lines)."
    )
    assert "    cannot reach vault\n" in capfd.readouterr().out


def test_an_env_hook_whose_last_command_fails_is_an_error(make_app, hook, env):
    app = make_app()
    hook(app, "deploy-env", "SECRET=$(cat /nonexistent/secret)", shebang="")
    with pytest.raises(HookError, match=r"failed when sourced \(exit status 1\)"):
        hooks.environment_from("deploy-env", app, app, env)


# ---------------------------------------------------------------------------
# once_per_container


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    """Where the launcher marks hooks done in this container, in tmp_path instead of /tmp."""
    monkeypatch.setattr(hooks, "STATE_DIR", tmp_path / "state")
    return tmp_path / "state"


def test_once_per_container_runs_the_hook_on_the_first_start_only(make_app, hook, env, state_dir, capfd):
    app = make_app()
    hook(app, "deploy-cfg", "echo configuring")
    hooks.once_per_container("deploy-cfg", app, app, env)
    hooks.once_per_container("deploy-cfg", app, app, env)
    assert capfd.readouterr().out.count("    configuring\n") == 1
    assert (state_dir / "deploy-cfg.done").is_file()


def test_a_failed_once_per_container_hook_runs_again_on_the_next_start(make_app, hook, env, state_dir):
    app = make_app()
    hook(app, "deploy-cfg", "exit 1")
    with pytest.raises(HookError):
        hooks.once_per_container("deploy-cfg", app, app, env)
    assert not (state_dir / "deploy-cfg.done").exists()
    with pytest.raises(HookError):
        hooks.once_per_container("deploy-cfg", app, app, env)
