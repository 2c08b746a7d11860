"""Reading the app's Python files without importing them: the names a module binds, its WSGI
callable or app factory, and where a dotted module's file is (the app directory, then its src/,
the places the servers put on the Python path: python_path)."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .. import appfiles
from ..config import Config
from ..errors import DetectError
from ..factory import FACTORY_NAMES

CALLABLE_NAMES = ("application", "app")


class Defines(Enum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"  # a star import or module __getattr__ could provide it


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


def read_source(path: Path) -> str:
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DetectError(
            f"{path} is not UTF-8 text.", "Python reads source files as UTF-8 by default.", "Save it as UTF-8."
        ) from None
    except OSError as exc:
        raise DetectError(
            f"{path} cannot be read ({exc.strerror}).",
            "Detection reads the app's Python files to find its WSGI callable.",
            f"Make {path.name} a file the build can read (e.g. `chmod a+r {path.name}`), or remove it.",
        ) from None
    number = appfiles.nul_byte_line(source)
    if number is not None:
        raise DetectError(
            f"{path.name} line {number} contains a NUL byte.",
            "Python refuses to compile a source file that holds one, so no server could load it.",
            f"Save {path} as UTF-8 text (it may be binary, or in another encoding such as UTF-16).",
        )
    try:
        ast.parse(source)
    except SyntaxError as exc:
        raise DetectError(
            f"{path.name} has a syntax error at line {exc.lineno}: {exc.msg}.",
            "The entry point cannot be loaded by any server while it does not parse.",
            f"Fix {path} (python -m py_compile {path.name} shows the same error).",
        ) from None
    except (RecursionError, MemoryError):
        raise DetectError(
            f"{path.name} is nested too deeply for Python's parser.",
            "Python cannot compile it either, so no server could load it.",
            f"Split the deeply nested expression in {path} into several statements.",
        ) from None
    return source


def defines(path: Path, name: str) -> Defines:
    names, dynamic = top_level_names(read_source(path))
    if name in names:
        return Defines.YES
    return Defines.MAYBE if dynamic else Defines.NO


def callable_in(path: Path) -> str | None:
    """The WSGI callable a file defines, `application` preferred to `app`."""
    names, _ = top_level_names(read_source(path))
    for name in CALLABLE_NAMES:
        if name in names:
            return name
    return None


@dataclass(frozen=True)
class Factory:
    """An app factory a module defines: `node` is its def, or None when its parameters cannot be
    read without running code (bound by an import or an assignment, or decorated)."""

    name: str
    node: ast.FunctionDef | None

    @property
    def shown(self) -> str:
        return f"{self.name}({ast.unparse(self.node.args) if self.node else '...'})"


def last_bindings(body: list[ast.stmt], found: dict[str, ast.stmt]) -> dict[str, ast.stmt]:
    """The statement that last binds each top-level name, in source order (see top_level_names)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        found[sub.id] = node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = node
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for child in ("body", "orelse", "finalbody"):
                last_bindings(getattr(node, child, []) or [], found)
            for handler in getattr(node, "handlers", []) or []:
                last_bindings(handler.body, found)
    return found


def plain_function(path: Path, name: str) -> ast.FunctionDef | None:
    """The undecorated def that binds `name` at top level, if that is what binds it last."""
    node = last_bindings(ast.parse(read_source(path)).body, {}).get(name)
    return node if isinstance(node, ast.FunctionDef) and not node.decorator_list else None


def factory_in(path: Path) -> Factory | None:
    """The app factory a file defines, `create_app` preferred to `make_app` (as `flask run` looks)."""
    source = read_source(path)
    names, _ = top_level_names(source)
    bindings = last_bindings(ast.parse(source).body, {})
    for name in FACTORY_NAMES:
        if name not in names:
            continue
        node = bindings.get(name)
        if isinstance(node, (ast.AsyncFunctionDef, ast.ClassDef)):
            continue  # calling it gives a coroutine or an instance, not an app: `flask run` passes it over too
        return Factory(name, node if isinstance(node, ast.FunctionDef) and not node.decorator_list else None)
    return None


def string_assignment(path: Path, name: str) -> str | None:
    """The string literal assigned to a top-level `name`, if any."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, RecursionError, MemoryError):
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    return None


def module_file(app_dir: Path, module: str) -> Path | None:
    """The source file of a dotted module under the app directory (or its src/)."""
    parts = module.split(".")
    for base in (app_dir, app_dir / "src"):
        for candidate in (base.joinpath(*parts).with_suffix(".py"), base.joinpath(*parts, "__init__.py")):
            if is_file(candidate):
                return candidate
    return None


def is_file(path: Path) -> bool:
    """Path.is_file(), except that a name too long to exist (from a setting) is no file, not an OSError."""
    return os.path.isfile(path)


def python_path(config: Config) -> list[Path]:
    """The app directory, its src/ when there is one, and with APP_HOME the source root after them
    (sclorg's run script and warpdrive put it there: an app in APP_HOME may import a package kept
    at the top of the repository)."""
    app_dir = config.app_dir
    paths = [app_dir] + ([app_dir / "src"] if (app_dir / "src").is_dir() else [])
    return paths + ([config.source_dir] if app_dir != config.source_dir else [])
