"""At build time, import the WSGI entry point in the app's own interpreter, so
that an import error in user code is reported as that, with its traceback,
when the image is built rather than on the first request.

ImportError (including ModuleNotFoundError) and SyntaxError fail the build:
they do not depend on where the app runs. Any other exception only warns,
because an app may legitimately need run-time settings (a database URL, a
secret) to import; so does a module that does not finish importing within
the time limit. DISABLE_IMPORT_CHECK skips the check for apps whose import
has side effects.

The check also tells the two kinds of app apart, as it holds the very object the
server will serve: an ASGI application (FastAPI, Starlette, Django's ASGIHandler:
an `async def` __call__) is served by an ASGI server, a WSGI one by a WSGI server
(interface.py records the verdict). Only APP_INTERFACE=wsgi makes an ASGI app an
error: a WSGI server never receives an ASGI app.

An app factory is called too, with its arguments, as the server will call it
(factory.py): arguments that do not fit the factory, or a factory that returns
something other than a callable, fail the build like an import error; an
exception raised inside the factory only warns, like one raised at import.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from . import output
from .config import APP_PYTHON, Config
from .detect import EntryPoint, python_path
from .errors import BuildError
from .interface import ASGI, WSGI

PYTHON = APP_PYTHON
TIMEOUT = 60

# argv: module, callable, the factory's argument list or "-" (no call), then the python path.
_PROBE = r"""
import ast, importlib, json, os, sys, traceback
sys.path[:0] = sys.argv[4:]
def report(result, error=""):
    sys.stdout.flush()
    print("S2I_WSGI_IMPORT " + json.dumps({"result": result, "error": error}), flush=True)
    os._exit(0)  # do not wait for threads the app may have started
def failed(exc):
    traceback.print_exc(file=sys.stdout)
    kind = "import" if isinstance(exc, (ImportError, SyntaxError)) else "other"
    report(kind, f"{type(exc).__name__}: {exc}")
try:
    module = importlib.import_module(sys.argv[1])
except BaseException as exc:
    failed(exc)
obj = getattr(module, sys.argv[2], None)
if obj is None:
    report("missing")
if sys.argv[3] != "-":
    if not callable(obj):
        report("factory-not-callable", type(obj).__name__)
    call = ast.parse(f"f({sys.argv[3]})", mode="eval").body
    args = [ast.literal_eval(arg) for arg in call.args]
    kwargs = {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords}
    try:
        obj = obj(*args, **kwargs)
    except TypeError as exc:
        if exc.__traceback__.tb_next is None:  # raised by the call itself, not inside the factory
            report("arguments", str(exc))
        failed(exc)
    except BaseException as exc:
        failed(exc)
    if not callable(obj):
        report("factory-returned", type(obj).__name__)
def is_asgi(candidate):
    import inspect
    call = getattr(type(candidate), "__call__", None)
    return inspect.iscoroutinefunction(candidate) or (call is not None and inspect.iscoroutinefunction(call))
if callable(obj) and is_asgi(obj):
    import inspect
    report("asgi", "an `async def` function" if inspect.iscoroutinefunction(obj) else type(obj).__name__)
report("ok" if callable(obj) else "not-callable", type(obj).__name__)
"""


def check(config: Config, entry: EntryPoint, env: Mapping[str, str]) -> tuple[str, str] | None:  # noqa: PLR0911
    """The interface the entry point was found to have (interface.WSGI or ASGI) and the type of
    what was found, or None when the check gave no verdict (skipped, or a warning)."""
    if not entry.is_wsgi:
        return None
    if config["DISABLE_IMPORT_CHECK"]:
        output.step("Skipping the import check (DISABLE_IMPORT_CHECK)")
        return None
    if entry.is_factory:
        output.step(f"Importing {entry.module} and calling {entry.callable}({entry.call}) to check that it loads")
    else:
        output.step(f"Importing {entry.module} to check that `{entry.callable}` loads")
    call = entry.call if entry.is_factory else "-"
    argv = [str(PYTHON), "-c", _PROBE, entry.module, entry.callable, call, *map(str, python_path(config))]
    before = _files(config.source_dir)
    try:
        result = subprocess.run(
            argv, cwd=config.app_dir, env=dict(env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        output.warning(f"Importing {entry.module} did not finish within {TIMEOUT} s; not checked.")
        return None
    finally:
        _remove_new(config.source_dir, before)
    lines = result.stdout.decode(errors="replace").splitlines()
    verdict = next((json.loads(line.split(" ", 1)[1]) for line in lines if line.startswith("S2I_WSGI_IMPORT ")), None)
    shown = [line for line in lines if not line.startswith("S2I_WSGI_IMPORT ")]
    if verdict is None:
        for line in shown:
            output.info(line)
        output.warning(f"The import check of {entry.module} ended without a result (exit status {result.returncode}).")
        return None
    if verdict["result"] == "ok":
        return WSGI, verdict["error"]
    if verdict["result"] == "asgi" and config["APP_INTERFACE"] != WSGI:
        return ASGI, verdict["error"]
    for line in shown:
        output.info(line)
    where = Path(entry.file).name if entry.file else entry.module
    if verdict["result"] == "import":
        raise BuildError(
            f"Importing {entry.module} ({where}) failed: {verdict['error']}",
            "The traceback above shows the import that failed. An import error does not depend on where the "
            "app runs, so every request would fail with it.",
            "Add the missing package to the app's dependencies (requirements.txt, pyproject.toml, ...) or fix "
            "the import; then build again. DISABLE_IMPORT_CHECK=true skips this check.",
        )
    _callable_verdict(config, entry, verdict)
    _factory_verdict(entry, verdict)
    what = (
        f"Importing {entry.module} or calling {entry.callable}({entry.call})"
        if entry.is_factory
        else (f"Importing {entry.module}")
    )
    output.warning(
        f"{what} raised {verdict['error']} (traceback above). The build goes on, as the app "
        "may need settings that only exist at run time; if it does not, fix it, or requests will fail."
    )
    return None


def _files(root: Path) -> set[str]:
    """Every path under the source, relative to it, but bytecode caches."""
    found = set()
    for directory, names, files in os.walk(root):
        names[:] = [name for name in names if name != "__pycache__"]
        base = os.path.relpath(directory, root)
        found.update(os.path.normpath(os.path.join(base, name)) for name in names + files)
    return found


def _remove_new(root: Path, before: set[str]) -> None:
    """What importing the app wrote into the source is removed, or it would be in the image, the same
    in every container: FastHTML's fast_app() writes its session signing key (.sesskey) this way,
    which every container would then share and anyone with the image could read. The app writes it
    again where it runs, as on any other platform."""
    new = _files(root) - before
    created = sorted(path for path in new if os.path.dirname(path) not in new)  # a new directory goes whole
    for relative in created:
        path = root / relative
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    if created:
        output.step(
            "Removed what importing the app wrote into the source, so that the image does not carry it: "
            + ", ".join(created)
        )


def _callable_verdict(config: Config, entry: EntryPoint, verdict: dict[str, str]) -> None:
    """What the import gave is not a WSGI callable: the server could not serve it."""
    if verdict["result"] == "missing":
        raise BuildError(
            f"Importing {entry.module} worked, but it has no attribute `{entry.callable}` once imported.",
            "The server looks the WSGI callable up by that name.",
            "Define it at module level, or set APP_MODULE=module:callable to the right name.",
        )
    if verdict["result"] == "not-callable":
        raise BuildError(
            f"{entry.module}.{entry.callable} is a {verdict['error']}, not a WSGI callable.",
            "The server calls it with (environ, start_response) for every request.",
            "Point APP_MODULE at the WSGI application object (e.g. Flask's `app`, Django's `application`).",
        )
    if verdict["result"] == "asgi":
        raise BuildError(
            f"{entry.target} is an ASGI application ({verdict['error']}), not a WSGI one.",
            f"APP_INTERFACE=wsgi (from {config.source_of('APP_INTERFACE')}) has it served by a WSGI server, "
            "which would call it with (environ, start_response), and every request would fail.",
            "Unset APP_INTERFACE (an ASGI app is then served by an ASGI server), or point APP_MODULE at a "
            "WSGI application.",
        )


def _factory_verdict(entry: EntryPoint, verdict: dict[str, str]) -> None:
    """The app factory's own failures: the server would call it the same way in every process."""
    if verdict["result"] == "arguments":
        raise BuildError(
            f"{entry.target} cannot be called: {verdict['error']}.",
            "The server calls the app factory once per process with these arguments, so no process could load the app.",
            f"Give the arguments it needs in APP_MODULE, as literal values (e.g. APP_MODULE={entry.module}:"
            f"{entry.callable}('production')), or give its parameters defaults; then build again.",
        )
    if verdict["result"] == "factory-not-callable":
        raise BuildError(
            f"{entry.module}.{entry.callable} is a {verdict['error']}, not an app factory that can be called.",
            f"{entry.target} asks for it to be called once per process to make the WSGI application.",
            f"Set APP_MODULE={entry.module}:{entry.callable} (without the call) if it is the WSGI application "
            "itself, or name the factory function.",
        )
    if verdict["result"] == "factory-returned":
        raise BuildError(
            f"{entry.target} returned a {verdict['error']}, not a WSGI callable.",
            "The server serves what the app factory returns, calling it with (environ, start_response) for "
            "every request.",
            f"Make {entry.callable} return the application object (e.g. end it with `return app`).",
        )
