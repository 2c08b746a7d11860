"""What to serve: a pure function of the app directory and the configuration.

The order is documented in the README ("How detection works") and printed by
`s2i-wsgi detect`:

1. APP_MODULE=module[:callable]: exactly that (callable defaults to `application`).
2. wsgi.py at the top of the app directory defining `application` or `app`.
3. app.py defining `application` or `app`.
4. A single */wsgi.py one level down (a Django-style project package) defining
   `application` or `app`; two or more of them and nothing explicit is an error.

In each file `application` is preferred to `app` (mod_wsgi's convention).
Files are read, never imported: detection runs no user code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from .config import Config
from .errors import DetectError

CALLABLE_NAMES = ("application", "app")


class Defines(Enum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"  # a star import or module __getattr__ could provide it


@dataclass(frozen=True)
class EntryPoint:
    module: str
    callable: str
    file: Path | None
    reason: str
    searched: list[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"{self.module}:{self.callable}"


def top_level_names(source: str) -> tuple[set[str], bool]:
    """Names a module binds at top level (including inside if/try/with blocks),
    and whether it has a star import or a module-level __getattr__."""
    tree = ast.parse(source)
    names: set[str] = set()
    dynamic = False

    def visit(body: list[ast.stmt]) -> None:  # noqa: PLR0912 - one branch per statement kind
        nonlocal dynamic
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            names.add(sub.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name == "*":
                        dynamic = True
                    else:
                        names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                for child in ("body", "orelse", "finalbody"):
                    visit(getattr(node, child, []) or [])
                for handler in getattr(node, "handlers", []) or []:
                    visit(handler.body)

    visit(tree.body)
    if "__getattr__" in names:
        dynamic = True
    return names, dynamic


def defines(path: Path, name: str) -> Defines:
    names, dynamic = top_level_names(_read_source(path))
    if name in names:
        return Defines.YES
    return Defines.MAYBE if dynamic else Defines.NO


def _read_source(path: Path) -> str:
    try:
        source = path.read_text(encoding="utf-8")
        ast.parse(source)
    except SyntaxError as exc:
        raise DetectError(
            f"{path.name} has a syntax error at line {exc.lineno}: {exc.msg}.",
            "The entry point cannot be loaded by any server while it does not parse.",
            f"Fix {path} (python -m py_compile {path.name} shows the same error).",
        ) from None
    except UnicodeDecodeError:
        raise DetectError(f"{path} is not UTF-8 text.", "", "Save it as UTF-8.") from None
    return source


def callable_in(path: Path) -> str | None:
    """The WSGI callable a file defines, `application` preferred to `app`."""
    names, _ = top_level_names(_read_source(path))
    for name in CALLABLE_NAMES:
        if name in names:
            return name
    return None


def module_file(app_dir: Path, module: str) -> Path | None:
    """The source file of a dotted module under the app directory (or its src/)."""
    parts = module.split(".")
    for base in (app_dir, app_dir / "src"):
        for candidate in (base.joinpath(*parts).with_suffix(".py"), base.joinpath(*parts, "__init__.py")):
            if candidate.is_file():
                return candidate
    return None


def _from_app_module(config: Config, app_dir: Path) -> EntryPoint:
    module, _, name = config["APP_MODULE"].partition(":")
    name = name or "application"
    path = module_file(app_dir, module)
    reason = f"APP_MODULE={config['APP_MODULE']} (from {config.source_of('APP_MODULE')})"
    if path is not None and defines(path, name) is Defines.NO:
        found = callable_in(path)
        hint = f" It does define `{found}`: use APP_MODULE={module}:{found}." if found else ""
        raise DetectError(
            f"APP_MODULE={config['APP_MODULE']} names `{name}`, but {path.relative_to(app_dir)} "
            f"defines no top-level `{name}`.{hint}",
            "The server would start and then fail every request with an import error.",
            f"Set APP_MODULE to MODULE:CALLABLE naming the WSGI callable in {path.relative_to(app_dir)}.",
        )
    # A module that is not in the source may come from an installed package;
    # the build checks that it imports.
    return EntryPoint(module, name, path, reason)


def detect(config: Config) -> EntryPoint:
    app_dir = config.app_dir
    if not app_dir.is_dir():
        raise DetectError(
            f"APP_HOME={config['APP_HOME']} but {app_dir} is not a directory in the source.",
            "APP_HOME names the subdirectory that holds the application.",
            "Set APP_HOME to an existing subdirectory, or unset it to use the top of the source.",
        )
    if config["APP_MODULE"]:
        return _from_app_module(config, app_dir)

    searched: list[str] = []
    for filename in ("wsgi.py", "app.py"):
        path = app_dir / filename
        searched.append(f"{filename} defining `application` or `app`")
        if path.is_file():
            name = callable_in(path)
            if name:
                return EntryPoint(path.stem, name, path, f"{filename} defines `{name}`", searched)

    searched.append("*/wsgi.py (a project package) defining `application` or `app`")
    packages = sorted(
        path for path in app_dir.glob("*/wsgi.py") if not path.parent.name.startswith(".") and callable_in(path)
    )
    if len(packages) == 1:
        path = packages[0]
        name = callable_in(path) or "application"
        return EntryPoint(
            f"{path.parent.name}.wsgi", name, path, f"{path.relative_to(app_dir)} defines `{name}`", searched
        )
    if len(packages) > 1:
        listed = "\n".join(f"  - {p.relative_to(app_dir)}" for p in packages)
        raise DetectError(
            f"Found {len(packages)} WSGI entry points and no setting to choose between them:\n{listed}",
            "Serving one of them at random would be a guess.",
            "Set APP_MODULE (in .s2i/environment or with -e), e.g. "
            f"APP_MODULE={packages[0].parent.name}.wsgi:application.",
        )

    where = app_dir if not config["APP_HOME"] else f"{app_dir} (APP_HOME={config['APP_HOME']})"
    listed = "\n".join(f"  - {item}" for item in searched)
    raise DetectError(
        f"No WSGI application found in {where}. Searched, in order:\n{listed}",
        "Without an entry point there is nothing to serve.",
        "Add a wsgi.py that defines `application`, or set APP_MODULE=module:callable "
        "(in .s2i/environment or with -e), e.g. APP_MODULE=myapp.web:app.",
    )
