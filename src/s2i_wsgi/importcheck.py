"""At build time, import the WSGI entry point in the app's own interpreter, so
that an import error in user code is reported as that, with its traceback,
when the image is built rather than on the first request.

ImportError (including ModuleNotFoundError) and SyntaxError fail the build:
they do not depend on where the app runs. Any other exception only warns,
because an app may legitimately need run-time settings (a database URL, a
secret) to import; so does a module that does not finish importing within
the time limit. DISABLE_IMPORT_CHECK skips the check for apps whose import
has side effects.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

from . import output
from .config import APP_PYTHON, Config
from .detect import EntryPoint
from .errors import BuildError
from .servers import python_path

PYTHON = APP_PYTHON
TIMEOUT = 60

_PROBE = r"""
import importlib, json, os, sys, traceback
sys.path[:0] = sys.argv[3:]
def report(result, error=""):
    sys.stdout.flush()
    print("S2I_WSGI_IMPORT " + json.dumps({"result": result, "error": error}), flush=True)
    os._exit(0)  # do not wait for threads the app may have started
try:
    module = importlib.import_module(sys.argv[1])
except BaseException as exc:
    traceback.print_exc(file=sys.stdout)
    kind = "import" if isinstance(exc, (ImportError, SyntaxError)) else "other"
    report(kind, f"{type(exc).__name__}: {exc}")
obj = getattr(module, sys.argv[2], None)
if obj is None:
    report("missing")
report("ok" if callable(obj) else "not-callable", type(obj).__name__)
"""


def check(config: Config, entry: EntryPoint, env: Mapping[str, str]) -> None:
    if not entry.is_wsgi:
        return
    if config["DISABLE_IMPORT_CHECK"]:
        output.step("Skipping the import check (DISABLE_IMPORT_CHECK)")
        return
    output.step(f"Importing {entry.module} to check that `{entry.callable}` loads")
    argv = [str(PYTHON), "-c", _PROBE, entry.module, entry.callable, *map(str, python_path(config))]
    try:
        result = subprocess.run(
            argv, cwd=config.app_dir, env=dict(env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        output.warning(f"Importing {entry.module} did not finish within {TIMEOUT} s; not checked.")
        return
    lines = result.stdout.decode(errors="replace").splitlines()
    verdict = next((json.loads(line.split(" ", 1)[1]) for line in lines if line.startswith("S2I_WSGI_IMPORT ")), None)
    shown = [line for line in lines if not line.startswith("S2I_WSGI_IMPORT ")]
    if verdict is None:
        for line in shown:
            output.info(line)
        output.warning(f"The import check of {entry.module} ended without a result (exit status {result.returncode}).")
        return
    if verdict["result"] == "ok":
        return
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
    output.warning(
        f"Importing {entry.module} raised {verdict['error']} (traceback above). The build goes on, as the app "
        "may need settings that only exist at run time; if it does not, fix it, or requests will fail."
    )
