"""User hooks: executables in the app's .s2i/action_hooks/ and warpdrive's
.warpdrive/action_hooks/, run as child processes (never sourced into the
launcher), with their output indented.

When each runs:
  build   pre-build (before dependencies are installed), build (after)
          Heroku's bin/pre_compile (before pre-build) and bin/post_compile (last, after collectstatic)
  start   deploy-cfg (once per container), deploy (every start), then the server
  command `s2i-wsgi setup|migrate|alive|ready` runs the hook of that name

warpdrive's build-env and deploy-env hooks set environment variables: they are
sourced by a child bash (`set -a`), which prints its environment back; the
variables it added or changed apply to the rest of the build or start.
Both directories may hold a hook of the same name; .s2i's runs first.

Heroku sources .profile, from the top of the source, in bash at every start before the app's
command: what it exports reaches the app (PROFILE, read by environment_from at start).
Heroku's Python buildpack runs bin/pre_compile and bin/post_compile from the top of the source,
making each executable first and running it from bash (lib/hooks.sh: chmod +x, then sub_env), so
a hook committed without its executable bit or its #! line runs there; here too (run_heroku).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from . import output
from .errors import HookError
from .paths import STATE_DIR

HOOK_DIRS = (".s2i/action_hooks", ".warpdrive/action_hooks")
ENV_HOOKS = ("build-env", "deploy-env")


HEROKU_HOOKS = ("pre_compile", "post_compile")
PROFILE = ".profile"


def _check_link(hook: Path, name: str, source_dir: Path) -> None:
    if hook.is_symlink() and not hook.exists():
        relative = hook.relative_to(source_dir)
        raise HookError(
            f"The {name} hook {relative} is a symbolic link to {os.readlink(hook)}, which is not in the source.",
            "A link to a file outside the source (or to one that is not committed) does not reach the build; "
            "the step the hook does would be silently skipped.",
            f"Replace the link with the script itself, or remove {relative}.",
        )


def find(source_dir: Path, name: str) -> list[Path]:
    """The hooks called `name`, .s2i's first; for Heroku's names, bin/NAME."""
    if name == PROFILE:
        _check_link(source_dir / PROFILE, name, source_dir)
        return [source_dir / PROFILE] if (source_dir / PROFILE).is_file() else []
    found = []
    directories = ("bin",) if name in HEROKU_HOOKS else HOOK_DIRS
    for directory in directories:
        hook = source_dir / directory / name
        _check_link(hook, name, source_dir)
        if hook.is_file():
            found.append(hook)
    return found


def _check_executable(hook: Path, source_dir: Path) -> None:
    if not os.access(hook, os.X_OK):
        relative = hook.relative_to(source_dir)
        raise HookError(
            f"The {hook.name} hook {relative} is not executable.",
            "Hooks are run directly, so they need the executable bit (and a #! line); "
            "without it the step it does would be silently skipped.",
            f"Run `chmod +x {relative}` (or `git update-index --chmod=+x {relative}`) and commit it.",
        )


def run(name: str, source_dir: Path, cwd: Path, env: Mapping[str, str]) -> bool:
    """Run every hook called `name`; raise BuildError if one fails. True if any ran."""
    hooks = find(source_dir, name)
    for hook in hooks:  # all checked before any runs
        _check_executable(hook, source_dir)
    for hook in hooks:
        relative = hook.relative_to(source_dir)
        output.step(f"Running the {name} hook {relative}")
        _check_status(name, relative, output.run([str(hook)], cwd=cwd, env=env))
    return bool(hooks)


def _check_status(name: str, relative: object, code: int) -> None:
    """A hook that exited non-zero stops the build (or the start) with its status."""
    if code != 0:
        raise HookError(
            f"The {name} hook {relative} failed (exit status {code}).",
            "Its output is above.",
            f"Fix {relative} so that it exits 0, or remove it.",
        )


def run_heroku(name: str, source_dir: Path, env: Mapping[str, str]) -> bool:
    """Heroku's bin/pre_compile or bin/post_compile, run as Heroku's buildpack runs it: made
    executable first, started by bash (so a script without a #! line is a bash script), in the top
    of the source with BUILD_DIR naming it. True if it ran; a failure raises HookError."""
    found = find(source_dir, name)
    if not found:
        return False
    hook, relative = found[0], f"bin/{name}"
    if not os.access(hook, os.X_OK):
        try:
            hook.chmod(hook.stat().st_mode | 0o111)
        except OSError as exc:
            raise HookError(
                f"The {name} hook {relative} is not executable and cannot be made so ({exc.strerror}).",
                "Heroku's buildpack makes it executable before running it; here the source is not writable.",
                f"Run `chmod +x {relative}` (or `git update-index --chmod=+x {relative}`) and commit it.",
            ) from None
    output.step(f"Running Heroku's {name} hook {relative}")
    code = output.run(["bash", "-c", '"$0"', str(hook)], cwd=source_dir, env={**env, "BUILD_DIR": str(source_dir)})
    _check_status(name, relative, code)
    return True


def environment_from(name: str, source_dir: Path, cwd: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The variables that sourcing the `name` env hooks adds or changes."""
    changes: dict[str, str] = {}
    current = dict(env)
    for hook in find(source_dir, name):
        relative = hook.relative_to(source_dir)
        profile = name == PROFILE
        what = "Heroku's .profile" if profile else f"the {name} hook {relative}"
        output.step(f"Reading environment from {what}")
        # warpdrive's env hooks are NAME=value lines (`set -a` exports them); Heroku's .profile
        # is a shell script whose `export`s are what reach the app.
        export_all = "" if profile else "set -a; "
        result = subprocess.run(
            ["bash", "-c", export_all + '. "$1" >&2 || exit; env -0', "hook", str(hook)],
            cwd=cwd,
            env=current,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        for line in result.stderr.decode(errors="replace").splitlines():
            output.info(line)
        if result.returncode != 0 and profile:
            raise HookError(
                f"Heroku's .profile failed when sourced (exit status {result.returncode}).",
                ".profile is sourced by bash at every start, as Heroku does, to export environment "
                "variables; its output is above.",
                "Fix .profile so that sourcing it succeeds (`bash -c '. ./.profile'`), or remove it.",
            )
        if result.returncode != 0:
            raise HookError(
                f"The {name} hook {relative} failed when sourced (exit status {result.returncode}).",
                f"{name} is sourced by bash to set environment variables; its output is above.",
                f"Fix {relative}: it should only set variables (NAME=value lines).",
            )
        after = dict(item.split("=", 1) for item in result.stdout.decode(errors="replace").split("\0") if "=" in item)
        for key, value in after.items():
            if key in {"_", "SHLVL", "PWD", "OLDPWD"}:
                continue
            if current.get(key) != value:
                changes[key] = value
        current.update(changes)
    return changes


def once_per_container(name: str, source_dir: Path, cwd: Path, env: Mapping[str, str]) -> None:
    """Run the hook on the first start of this container only (a marker in /tmp)."""
    marker = STATE_DIR / f"{name}.done"
    if marker.exists():
        return
    run(name, source_dir, cwd, env)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    marker.write_text("done\n")
