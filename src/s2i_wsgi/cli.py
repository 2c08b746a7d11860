"""Command line: `s2i-wsgi build|start|detect|config|usage|envvars|save-artifacts`."""

from __future__ import annotations

import argparse
import os
import sys
import tarfile
from collections.abc import Sequence
from pathlib import Path

from . import __version__, output, start, supervise, tasks
from .build import build
from .config import APP_ROOT, SOURCE_DIR, VARIABLES, Config, load
from .detect import detect
from .envdoc import markdown_reference, replace_section
from .errors import StartError, UserError
from .resources import detect as detect_limits
from .servers import mod_wsgi_express, processes

USAGE = """\
s2i-wsgi {version}: a Source-to-Image builder for Python web applications,
served by Apache httpd + mod_wsgi (mod_wsgi-express, daemon mode).

Build an app image with s2i and run it:

    s2i build https://github.com/you/yourapp.git s2i-wsgi yourapp
    docker run --rm -p 8080:8080 yourapp

Without the s2i binary (Docker or Podman only), from a checkout of s2i-wsgi:

    bin/s2i-build https://github.com/you/yourapp.git s2i-wsgi yourapp

On OpenShift:

    oc new-app s2i-wsgi~https://github.com/you/yourapp.git

What is served is found in this order (see `s2i-wsgi detect`): APP_MODULE,
wsgi.py, app.py, one */wsgi.py; each defining `application` or `app`.
Dependencies come from requirements.txt and/or pyproject.toml or setup.py.
Settings are environment variables, e.g. in .s2i/environment:

    APP_MODULE=myproject.wsgi:application
    MOD_WSGI_THREADS=10

`s2i-wsgi config` lists every setting with its value and origin.
"""


def _config() -> Config:
    return load(os.environ, _source_dir())


def _source_dir() -> Path:
    return Path(os.environ.get("S2I_WSGI_SOURCE_DIR", SOURCE_DIR))


def cmd_build(_: argparse.Namespace) -> int:
    build(os.environ, _source_dir())
    return 0


def server_argv(config: Config) -> list[str]:
    entry = detect(config)
    argv = mod_wsgi_express(config, entry, detect_limits())
    return argv


def check_can_run(config: Config) -> None:
    """Fail loudly, not with a daemon that keeps restarting, when files are unreadable."""
    app_dir = config.app_dir
    if not os.access(app_dir, os.R_OK | os.X_OK):
        raise StartError(
            f"User {os.getuid()} (group {os.getgid()}) cannot enter {app_dir}.",
            "The server's processes run as this user and must read the app; otherwise every request "
            "would wait for a timeout.",
            "Run as a user in group 0 (OpenShift does), or make the directory group-readable "
            "(fix-permissions does this at build time).",
        )


def cmd_start(args: argparse.Namespace) -> int:
    plan = start.plan(os.environ, _source_dir(), env_hooks=not args.dry_run)
    config, entry = plan.config, plan.entry
    limits = detect_limits()
    check_can_run(config)
    if entry.is_wsgi:
        count, why = processes(config, limits)
        output.step(
            f"Serving {entry.target} ({entry.reason}) with mod_wsgi-express on port {config['PORT']}: "
            f"{count} processes ({why}) x {config['MOD_WSGI_THREADS']} threads"
        )
    else:
        output.step(f"Starting {entry.target} ({entry.reason}); it must listen on port {config['PORT']}")
    if args.dry_run:
        print(" ".join(start.command(plan, limits)))
        return 0
    start.before_server(plan)
    argv = start.command(plan, limits)
    os.chdir(config.app_dir)
    if entry.is_wsgi:
        # mod_wsgi-express: we stay PID 1 to turn SIGTERM into a graceful stop.
        return supervise.run_mod_wsgi(argv, plan.env, config.app_dir)
    sys.stdout.flush()
    os.execvpe(argv[0], argv, plan.env)  # noqa: S606 - the command replaces us as PID 1
    return 127  # not reached


def cmd_detect(_: argparse.Namespace) -> int:
    plan = start.plan(os.environ, _source_dir(), env_hooks=False)
    config, entry = plan.config, plan.entry
    limits = detect_limits()
    print(f"entry point:  {entry.target}")
    print(f"file:         {entry.file.relative_to(config.source_dir) if entry.file else '(installed package)'}")
    print(f"because:      {entry.reason}")
    if entry.searched:
        print("searched:     " + "; ".join(entry.searched))
    if entry.is_wsgi:
        count, why = processes(config, limits)
        print("server:       mod_wsgi-express (daemon mode)")
        print(f"processes:    {count} ({why})")
        print(f"threads:      {config['MOD_WSGI_THREADS']}")
    else:
        print("server:       the command itself (it must listen on PORT)")
    if entry.django:
        print(
            f"django:       settings {entry.django.settings_module}; migrate at start: "
            f"{'no (DISABLE_MIGRATE)' if config['DISABLE_MIGRATE'] else 'yes'}"
        )
    print("command:      " + " ".join(start.command(plan, limits)))
    return 0


def cmd_config(_: argparse.Namespace) -> int:
    config = _config()
    width = max(len(v.name) for v in VARIABLES)
    for variable in VARIABLES:
        setting = config.settings[variable.name]
        value = setting.value
        if value is None:
            value = f"({variable.default_doc or 'unset'})"
        print(f"{variable.name:<{width}}  {value!s:<20}  {setting.source}")
    return 0


def cmd_usage(_: argparse.Namespace) -> int:
    print(USAGE.format(version=__version__), end="")
    return 0


def cmd_envvars(args: argparse.Namespace) -> int:
    if args.update:
        path = Path(args.update)
        try:
            updated = replace_section(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(
                f"Cannot update {path}: {exc}.", "", "Add the markers where the reference belongs."
            ) from None
        path.write_text(updated, encoding="utf-8")
        print(f"Updated the environment variable reference in {path}")
        return 0
    print(markdown_reference(), end="")
    return 0


def cmd_save_artifacts(_: argparse.Namespace) -> int:
    """Stream reusable build caches as a tar on stdout (empty when there are none)."""
    cache = APP_ROOT / "src" / ".cache"
    with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as tar:
        for name in ("pip", "uv"):
            path = cache / name
            if path.is_dir():
                tar.add(path, arcname=name)
    return 0


def cmd_setup(_: argparse.Namespace) -> int:
    tasks.setup(os.environ, _source_dir())
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    tasks.migrate(os.environ, _source_dir())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    print(tasks.check(args.command, os.environ, _source_dir(), timeout=args.timeout))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="s2i-wsgi", description="The s2i-wsgi launcher.")
    top.add_argument("--version", action="version", version=f"s2i-wsgi {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("build", help="install the app's dependencies and check its entry point (s2i assemble)")
    start = sub.add_parser("start", help="start the server for the app, replacing this process (s2i run)")
    start.add_argument("--dry-run", action="store_true", help="print the server command instead of running it")
    sub.add_parser("detect", help="print what would be served, and why")
    sub.add_parser("config", help="print every setting, its value and where it came from")
    sub.add_parser("usage", help="print how to use this builder")
    envvars = sub.add_parser("envvars", help="print the environment variable reference")
    envvars.add_argument("--markdown", action="store_true", help="as Markdown (the default, for the README)")
    envvars.add_argument("--update", metavar="FILE", help="replace the generated section of FILE (the README)")
    sub.add_parser("save-artifacts", help="write reusable build caches to stdout as a tar")
    sub.add_parser("setup", help="run the app's setup hook (one-off initialisation)")
    sub.add_parser("migrate", help="run the app's migrate hook, or Django's manage.py migrate")
    for name, what in (("alive", "answers HTTP at all"), ("ready", "answers HEALTHCHECK_PATH below 500")):
        check = sub.add_parser(
            name, help=f"health check: exit 0 if the running server {what} (or the {name} hook passes)"
        )
        check.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the answer")
    return top


COMMANDS = {
    "build": cmd_build,
    "start": cmd_start,
    "detect": cmd_detect,
    "config": cmd_config,
    "usage": cmd_usage,
    "envvars": cmd_envvars,
    "save-artifacts": cmd_save_artifacts,
    "setup": cmd_setup,
    "migrate": cmd_migrate,
    "alive": cmd_check,
    "ready": cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        output.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
