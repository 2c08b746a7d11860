"""Command line: `s2i-wsgi build|start|detect|config|usage|envvars|save-artifacts|assemble-runtime|...`."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import (
    __version__,
    envfile,
    fatal_listener,
    output,
    prefix,
    python_version,
    redact,
    start,
)
from . import (
    assemble_runtime as runtime,
)
from .config import APP_ROOT, SOURCE_DIR, VARIABLES, Config, load
from .envdoc import markdown_reference, replace_section
from .errors import RebuildFromBuilder, UserError
from .incremental import cache, snapshot
from .resources import detect as detect_limits
from .servers import queue_timeout

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

What runs is found in this order (`s2i-wsgi detect` shows the decision):
APP_MODULE, APP_SCRIPT, APP_FILE, a Procfile `web:` line, warpdrive's
deploy mode, an executable app.sh, a Django project (manage.py), wsgi.py,
app.py, main.py, the package named in pyproject.toml/setup.py, a module a
pyproject.toml script names, one */wsgi.py; the Python files must define
`application` or `app`, or an app factory `create_app()` or `make_app()`
(called once per process; APP_MODULE=pkg:create_app('prod') passes arguments).
Dependencies come from the first of uv.lock, Pipfile.lock, poetry.lock,
requirements.txt, a poetry project (locked at build), then the project itself
(pyproject.toml or setup.py); with APP_HOME, from the source root unless
APP_HOME holds such files itself.
The server is mod_wsgi-express unless WSGI_SERVER says gunicorn, uwsgi or
waitress (or the app configures gunicorn). An ASGI app (FastAPI, Starlette,
Django's asgi.py; the build's import check tells) is served by gunicorn with
uvicorn's workers, or by uvicorn with ASGI_SERVER=uvicorn; ASGI_MOUNT=/ws=chat:app
adds an ASGI part under a prefix to a WSGI app. METRICS_PORT serves mod_wsgi's
figures (/metrics) on a port of its own; reload, the debugger and the
recorder need SERVER_MODE=development. Settings are environment variables,
e.g. in .s2i/environment:

    APP_MODULE=myproject.wsgi:application
    WSGI_SERVER=gunicorn
    WSGI_THREADS=10

A value in quotes means what it means in a Dockerfile ENV or a shell
(APP_MODULE="pkg.wsgi:app" is pkg.wsgi:app); an empty one counts as unset.
Tags: 3.13 (latest), 3.11, and 3.14 on Debian's testing release.
`s2i-wsgi config` lists every setting with its value and origin. Rebuilds
with `s2i build --incremental` reuse the previous image's virtualenv when the
dependency files, install settings and hooks are unchanged, else its
dependency cache; `--runtime-image s2i-wsgi:TAG-runtime` gives an app image
without compilers. In a running app container: `s2i-wsgi ready` / `alive`
(health checks), `s2i-wsgi migrate`. Index credentials and CA certificates
go in files injected at /tmp/secrets (s2i build --inject), never in -e:
s2i writes build variables into the image. Every app image carries a
CycloneDX bill of materials at /opt/app-root/sbom.cdx.json (label
io.s2i-wsgi.sbom). Hooks: .s2i/action_hooks/ and warpdrive's, and Heroku's
bin/pre_compile, bin/post_compile and .profile, run where Heroku runs them.
Apps from sclorg, Heroku, Google's and Paketo's buildpacks: see
docs/compatibility.md in the s2i-wsgi repository.
"""


def _config() -> Config:
    return load(os.environ, _source_dir())


def _source_dir() -> Path:
    return Path(os.environ.get("S2I_WSGI_SOURCE_DIR", SOURCE_DIR))


def cmd_build(_: argparse.Namespace) -> int:
    # Imported here, as are the other build-time commands' modules: `s2i-wsgi start` runs at every
    # container start, and its time to the first request should not pay for what it never runs.
    from .build import build  # noqa: PLC0415

    try:
        build(os.environ, _source_dir())
    except RebuildFromBuilder as exc:
        output.step(str(exc))
        return exc.exit_code
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    plan = start.plan(os.environ, _source_dir(), env_hooks=not args.dry_run)
    return start.run(plan, detect_limits(), dry_run=args.dry_run)


def cmd_serve_mod_wsgi(args: argparse.Namespace) -> int:
    """mod_wsgi-express under the graceful-stop wrapper, as supervisord's web program."""
    return start.serve_mod_wsgi(args.argv, os.environ, _source_dir())


def cmd_supervisor_listener(args: argparse.Namespace) -> int:
    """supervisord's event listener (fatal_listener.py); supervisord is our parent."""
    fatal_listener.listen(sys.stdin, sys.stdout, Path(args.fatal_file), os.getppid())
    return 0


def cmd_prefix(args: argparse.Namespace) -> int:
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise UserError("s2i-wsgi prefix needs a command after --.", "", "e.g. s2i-wsgi prefix worker -- python w.py")
    return prefix.run(args.name, argv, args.width)


def cmd_detect(_: argparse.Namespace) -> int:
    plan = start.plan(os.environ, _source_dir(), env_hooks=False)
    for line in start.describe(plan, detect_limits()):
        print(line)
    return 0


# Defaults computed from other settings alone: `config` shows their value and its reason.
DERIVED = {"MOD_WSGI_QUEUE_TIMEOUT": queue_timeout}


def cmd_config(_: argparse.Namespace) -> int:
    config = _config()
    width = max(len(v.name) for v in VARIABLES)
    # Which Python this image variant has (the app's virtualenv is made from it), and the others.
    variants = ", ".join(f"s2i-wsgi:{tag}" for tag in python_version.VARIANTS)
    print(f"{'(Python)':<{width}}  {platform.python_version():<20}  this image (variants: {variants})")
    for variable in VARIABLES:
        setting = config.settings[variable.name]
        value, source = setting.value, setting.source
        if source == "default" and variable.name in DERIVED:
            value, why = DERIVED[variable.name](config)
            source = f"default: {why}"
        elif value is None:
            value = f"({variable.default_doc or 'unset'})"
        print(f"{variable.name:<{width}}  {redact.value(variable.name, str(value)):<20}  {source}")
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
    """Stream the dependency cache and the reusable virtualenv as a tar on stdout (empty when there is none)."""
    try:
        with tempfile.TemporaryDirectory(prefix="s2i-wsgi-artifacts-") as scratch:
            venv = snapshot.archive(cache.CACHE_DIR, Path(scratch))
            # The virtualenv's manifest travels with it or not at all.
            cache.save(sys.stdout.buffer, cache.CACHE_DIR, venv, skip=[snapshot.MANIFEST])
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # Whoever reads the stream stopped (s2i then builds without the artifacts): say so, no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        output.error("save-artifacts: the reader of the artifacts stream closed it before the end.")
        return 1
    return 0


def cmd_assemble_runtime(args: argparse.Namespace) -> int:
    """Put the app copied from the builder's output in place, and check the runtime can serve it.
    --place-only: only the first part (assemble-runtime runs it as root, see s2i/bin/assemble-runtime)."""
    runtime.place(APP_ROOT)
    if args.place_only:
        return 0
    runtime.check(APP_ROOT)
    from . import sbom  # noqa: PLC0415 - build-time only (see cmd_build)

    sbom.refresh()
    plan = start.plan(os.environ, _source_dir(), env_hooks=False)
    if plan.entry.is_wsgi:
        start.check_installed(plan.config, plan.server, plan.server_why, is_asgi=plan.is_asgi)
        kind = f" (an {plan.interface.title} app)" if plan.is_asgi else ""
        output.step(f"The app image will serve {plan.entry.target}{kind} with {plan.server_title}")
    else:
        output.step(f"The app image will start {plan.entry.target}")
    return 0


def cmd_setup(_: argparse.Namespace) -> int:
    from . import tasks  # noqa: PLC0415 - not needed by start (see cmd_build)

    tasks.setup(os.environ, _source_dir())
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    from . import tasks  # noqa: PLC0415 - not needed by start (see cmd_build)

    tasks.migrate(os.environ, _source_dir())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from . import tasks  # noqa: PLC0415 - not needed by start (see cmd_build)

    print(tasks.check(args.command, os.environ, _source_dir(), timeout=args.timeout))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="s2i-wsgi", description="The s2i-wsgi launcher.")
    top.add_argument("--version", action="version", version=f"s2i-wsgi {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("build", help="install the app's dependencies and check its entry point (s2i assemble)")
    start = sub.add_parser("start", help="start the server for the app, replacing this process (s2i run)")
    start.add_argument("--dry-run", action="store_true", help="print the server command instead of running it")
    serve = sub.add_parser("serve-mod-wsgi", help="(internal) run mod_wsgi-express, stopping it gracefully on SIGTERM")
    serve.add_argument("argv", nargs=argparse.REMAINDER, help="the mod_wsgi-express start-server command")
    listener = sub.add_parser("supervisor-listener", help="(internal) supervisord's listener for FATAL programs")
    listener.add_argument("--fatal-file", required=True, help="where to record the program that could not stay up")
    prefix_ = sub.add_parser("prefix", help="run a command, prefixing each line it writes with NAME |")
    prefix_.add_argument("--width", type=int, default=0, help="pad NAME to this many characters")
    prefix_.add_argument("name", metavar="NAME")
    prefix_.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND", help="the command and its arguments")
    sub.add_parser("detect", help="print what would be served, and why (and what runs beside it)")
    sub.add_parser("config", help="print every setting, its value and where it came from")
    sub.add_parser("usage", help="print how to use this builder")
    envvars = sub.add_parser("envvars", help="print the environment variable reference")
    envvars.add_argument("--markdown", action="store_true", help="as Markdown (the default, for docs/configuration.md)")
    envvars.add_argument(
        "--update", metavar="FILE", help="replace the generated section of FILE (docs/configuration.md)"
    )
    sub.add_parser(
        "save-artifacts", help="write the dependency cache and the reusable virtualenv to stdout as a tar (incremental)"
    )
    assemble_runtime = sub.add_parser(
        "assemble-runtime", help="put an app built by the builder image in place in the runtime image"
    )
    assemble_runtime.add_argument(
        "--place-only", action="store_true", help="only move the tree s2i copied into place (run as root)"
    )
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
    "serve-mod-wsgi": cmd_serve_mod_wsgi,
    "prefix": cmd_prefix,
    "supervisor-listener": cmd_supervisor_listener,
    "detect": cmd_detect,
    "config": cmd_config,
    "usage": cmd_usage,
    "envvars": cmd_envvars,
    "save-artifacts": cmd_save_artifacts,
    "assemble-runtime": cmd_assemble_runtime,
    "setup": cmd_setup,
    "migrate": cmd_migrate,
    "alive": cmd_check,
    "ready": cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        # One meaning of .s2i/environment on every build path (envfile), for this process and
        # every one it starts: the real s2i hands a quoted value over with its quotes.
        os.environ.update(envfile.passed_verbatim(os.environ, _source_dir() / ".s2i" / "environment"))
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a reader gone away shows here, inside the handlers below
        return code
    except UserError as exc:
        output.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`s2i-wsgi config | head`): nothing more to say, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
