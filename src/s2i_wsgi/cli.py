"""Command line: `s2i-wsgi build|start|detect|config|usage|envvars|save-artifacts`."""

from __future__ import annotations

import argparse
import os
import sys
import tarfile
from collections.abc import Sequence
from pathlib import Path

from . import __version__, output
from .build import build
from .config import APP_ROOT, SOURCE_DIR, VARIABLES, Config, load
from .detect import detect
from .errors import StartError, UserError
from .envdoc import markdown_reference, replace_section
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
Dependencies come from the first of uv.lock, Pipfile.lock, poetry.lock,
requirements.txt, then the project itself (pyproject.toml or setup.py).
Settings are environment variables, e.g. in .s2i/environment:

    APP_MODULE=myproject.wsgi:application
    MOD_WSGI_THREADS=10

`s2i-wsgi config` lists every setting with its value and origin.
"""


def _config() -> Config:
    return load(os.environ, Path(os.environ.get("S2I_WSGI_SOURCE_DIR", SOURCE_DIR)))


def cmd_build(_: argparse.Namespace) -> int:
    build(_config())
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
    config = _config()
    entry = detect(config)
    limits = detect_limits()
    check_can_run(config)
    argv = mod_wsgi_express(config, entry, limits)
    count, why = processes(config, limits)
    output.step(
        f"Serving {entry.target} ({entry.reason}) with mod_wsgi-express on port {config['PORT']}: "
        f"{count} processes ({why}) x {config['MOD_WSGI_THREADS']} threads"
    )
    if args.dry_run:
        print(" ".join(argv))
        return 0
    env = output.environ_with(config.app_environment)
    os.chdir(config.app_dir)
    sys.stdout.flush()
    os.execvpe(argv[0], argv, env)
    return 127  # not reached


def cmd_detect(_: argparse.Namespace) -> int:
    config = _config()
    entry = detect(config)
    limits = detect_limits()
    count, why = processes(config, limits)
    print(f"entry point:  {entry.target}")
    print(f"file:         {entry.file.relative_to(config.source_dir) if entry.file else '(installed package)'}")
    print(f"because:      {entry.reason}")
    if entry.searched:
        print("searched:     " + "; ".join(entry.searched))
    print("server:       mod_wsgi-express (daemon mode)")
    print(f"processes:    {count} ({why})")
    print(f"threads:      {config['MOD_WSGI_THREADS']}")
    print("command:      " + " ".join(mod_wsgi_express(config, entry, limits)))
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
        path.write_text(replace_section(path.read_text(encoding="utf-8")), encoding="utf-8")
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
    return top


COMMANDS = {
    "build": cmd_build,
    "start": cmd_start,
    "detect": cmd_detect,
    "config": cmd_config,
    "usage": cmd_usage,
    "envvars": cmd_envvars,
    "save-artifacts": cmd_save_artifacts,
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
