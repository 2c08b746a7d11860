"""Fuzzing the app's action hooks (.s2i/action_hooks/, .warpdrive/action_hooks/): any kind of path is run
or refused with a message naming the hook, and an environment hook's variables come back as it set them.

Hooks are programs: the fuzzed parts are their paths and the values they set, never their code."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from s2i_wsgi import hooks
from s2i_wsgi.errors import HookError

from .test_fuzz_support import FILE_KINDS, app_directory, link, place, read_or_refuse, refusal, texts

HOOK_NAMES = st.sampled_from(["pre-build", "build", "deploy", "deploy-cfg", "setup", "migrate", "alive", "ready"])
SCRIPTS = st.sampled_from([b"#!/bin/sh\nexit 0\n", b"#!/bin/sh\nexit 3\n", b"no interpreter line\n", b""])


@given(
    name=HOOK_NAMES,
    hooks_placed=st.lists(
        st.tuples(st.sampled_from(hooks.HOOK_DIRS), st.sampled_from(FILE_KINDS), SCRIPTS, st.booleans()),
        max_size=2,
        unique_by=lambda hook: hook[0],
    ),
)
def test_any_hook_path_runs_or_is_refused_with_a_message_naming_the_hook(name, hooks_placed):
    with app_directory() as root:
        for directory, kind, script, executable in hooks_placed:
            path = root / directory / name
            place(path, kind, script)
            if executable and path.is_file():
                path.chmod(0o755)
        read_or_refuse(lambda: hooks.run(name, root, root, {"PATH": "/usr/bin:/bin"}), name)


@given(st.dictionaries(st.from_regex(r"HOOK_[A-Z0-9_]{1,8}", fullmatch=True), texts(nul=False), min_size=1, max_size=4))
def test_an_environment_hook_gives_back_every_value_it_sets_as_it_set_it(values):
    with app_directory() as root:
        hook = root / ".s2i" / "action_hooks" / "deploy-env"
        hook.parent.mkdir(parents=True)
        hook.write_text("".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items()), encoding="utf-8")
        changes = hooks.environment_from("deploy-env", root, root, {"PATH": "/usr/bin:/bin"})
    assert {name: changes.get(name) for name in values} == values


# What fuzzing found, as examples.


def test_a_hook_that_links_outside_the_source_is_an_error_naming_it(make_app):
    app = make_app()
    link(app / ".s2i" / "action_hooks" / "build", "../../scripts/build.sh")
    assert str(refusal(lambda: hooks.run("build", app, app, {}), HookError)) == (
        "The build hook .s2i/action_hooks/build is a symbolic link to ../../scripts/build.sh, which is not in "
        "the source.\n\n"
        "A link to a file outside the source (or to one that is not committed) does not reach the build; the "
        "step the hook does would be silently skipped.\n\n"
        "Replace the link with the script itself, or remove .s2i/action_hooks/build."
    )
