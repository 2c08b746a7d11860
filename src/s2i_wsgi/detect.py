"""What to run: a pure function of the app directory and the configuration.

Files are read and parsed, never imported: detection runs no user code. The
first rule that applies wins (the README's "How detection works" is this list):

Explicit settings
 1. APP_MODULE=module[:callable] (or warpdrive's WARPDRIVE_WSGI_MODULE_NAME and
    WARPDRIVE_WSGI_CALLABLE_OBJECT): that WSGI callable (default `application`);
    APP_MODULE=module:factory(args) calls that app factory (factory.py).
 2. APP_SCRIPT: that executable script starts the app itself.
 3. APP_FILE: that Python file; its WSGI callable (or app factory) is served if
    it defines one, otherwise it is run with python.
 4. Procfile with a `web:` line: that command, run by bash (PORT is set).
 5. WARPDRIVE_DEPLOY_MODE / .warpdrive/deploy_mode other than `auto`: shell
    (app.sh), python (app.py), wsgi (the WARPDRIVE_WSGI_* module, default
    wsgi:application) or django (the Django project).
Detection
 6. An executable app.sh (sclorg and warpdrive both start it first).
 7. A Django project: manage.py naming DJANGO_SETTINGS_MODULE, whose settings
    give WSGI_APPLICATION (else <settings package>/wsgi.py).
 8. wsgi.py defining `application` or `app`, else an app factory.
 9. app.py defining `application` or `app`, else an app factory.
10. main.py defining `application` or `app`, else an app factory (Google's
    buildpacks and Railpack serve main:app).
11. The package named by pyproject.toml or setup.py, in the app directory or
    src/, defining `application` or `app`, else an app factory (sclorg's
    setup.py rule).
12. The module a pyproject.toml [project.scripts] or [tool.poetry.scripts]
    entry names, defining `application` or `app`, else an app factory: the
    callable its script serves, served in production.
13. Exactly one */wsgi.py one directory down defining `application` or `app`,
    else an app factory; two or more is an error that lists them.
14. app.py with no WSGI callable: run with python (sclorg's APP_FILE default).

In a file defining both, `application` is preferred to `app` (mod_wsgi's
convention). An app factory is a function `create_app` or `make_app` that can
be called without arguments: it is called once per server process (factory.py),
as `flask run` does; one that needs arguments is an error naming APP_MODULE.
A framework's development server (Flask's app.run() under
`if __name__ == "__main__"`) is never what serves an app that has a callable.

main.py comes after wsgi.py and app.py: every app that was served before it
was a rule is served as it was (an app.py beside a main.py keeps app.py, as
sclorg and `flask run`, which never looks at main.py, would have it), and
where main.py merely imports and runs the app from app.py both name the same
object.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import tomllib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from . import appfiles
from .config import Config
from .errors import DetectError
from .extra_processes import read_procfile
from .factory import FACTORY_NAMES, Target, bind_error, call_arity, parse_target, signature

CALLABLE_NAMES = ("application", "app")
# How the search lines name what makes a Python file an entry point.
SERVABLE = "defining `application`, `app`, `create_app()` or `make_app()`"
FACTORIES = " or ".join(f"`{name}`" for name in FACTORY_NAMES)


class Defines(Enum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"  # a star import or module __getattr__ could provide it


@dataclass(frozen=True)
class Django:
    """A Django project, as far as it can be known without importing it."""

    manage_py: Path
    settings_module: str


@dataclass(frozen=True)
class EntryPoint:
    """Either a WSGI callable (module, callable) or a command that serves the app itself."""

    module: str | None
    callable: str | None
    file: Path | None
    reason: str
    searched: list[str] = field(default_factory=list)
    command: list[str] | None = None
    django: Django | None = None
    # An app factory's argument list ("" for none): `callable` is called with it once per
    # server process, and what it returns is served (factory.py). None: `callable` is served.
    call: str | None = None

    @property
    def is_wsgi(self) -> bool:
        return self.command is None

    @property
    def is_factory(self) -> bool:
        return self.call is not None

    @property
    def target(self) -> str:
        if self.command is not None:
            return " ".join(self.command)
        if self.call is not None:
            return f"{self.module}:{self.callable}({self.call})"
        return f"{self.module}:{self.callable}"


# ---------------------------------------------------------------------------
# Reading Python files without importing them.


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


def _read_source(path: Path) -> str:
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
    names, dynamic = top_level_names(_read_source(path))
    if name in names:
        return Defines.YES
    return Defines.MAYBE if dynamic else Defines.NO


def callable_in(path: Path) -> str | None:
    """The WSGI callable a file defines, `application` preferred to `app`."""
    names, _ = top_level_names(_read_source(path))
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


def _last_bindings(body: list[ast.stmt], found: dict[str, ast.stmt]) -> dict[str, ast.stmt]:
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
                _last_bindings(getattr(node, child, []) or [], found)
            for handler in getattr(node, "handlers", []) or []:
                _last_bindings(handler.body, found)
    return found


def plain_function(path: Path, name: str) -> ast.FunctionDef | None:
    """The undecorated def that binds `name` at top level, if that is what binds it last."""
    node = _last_bindings(ast.parse(_read_source(path)).body, {}).get(name)
    return node if isinstance(node, ast.FunctionDef) and not node.decorator_list else None


def factory_in(path: Path) -> Factory | None:
    """The app factory a file defines, `create_app` preferred to `make_app` (as `flask run` looks)."""
    source = _read_source(path)
    names, _ = top_level_names(source)
    bindings = _last_bindings(ast.parse(source).body, {})
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
            if _is_file(candidate):
                return candidate
    return None


def _is_file(path: Path) -> bool:
    """Path.is_file(), except that a name too long to exist (from a setting) is no file, not an OSError."""
    return os.path.isfile(path)


# ---------------------------------------------------------------------------
# The rules.


def _wsgi_module(
    config: Config, app_dir: Path, module: str, name: str | None, reason: str, *, call: str | None = None
) -> EntryPoint:
    name = name or "application"
    path = module_file(app_dir, module)
    if path is not None and defines(path, name) is Defines.NO:
        found = callable_in(path)
        factory = None if found else factory_in(path)
        hint = f" It does define `{found}`: use APP_MODULE={module}:{found}." if found else ""
        if factory:
            hint = f" It defines the app factory `{factory.name}`: use APP_MODULE={module}:{factory.name}()."
        raise DetectError(
            f"{reason} names `{name}`, but {path.relative_to(app_dir)} defines no top-level `{name}`.{hint}",
            "The server would start and then fail every request with an import error.",
            f"Set APP_MODULE to MODULE:CALLABLE naming the WSGI callable in {path.relative_to(app_dir)}.",
        )
    if path is not None:
        target = Target(module, name, call)
        _check_arguments(path.relative_to(app_dir), target, plain_function(path, name), reason)
    # A module that is not in the source may come from an installed package;
    # the build checks that it imports.
    return EntryPoint(module, name, path, reason, call=call)


def _check_arguments(shown: Path, target: Target, node: ast.FunctionDef | None, reason: str) -> None:
    """A function named explicitly must take what it will be given: a factory its arguments, a WSGI
    callable (environ, start_response). Only a plain def can be checked without running code."""
    parameters = signature(node) if node else None
    if parameters is None or target.name is None:
        return
    module, name, call = target.module, target.name, target.call
    shown_def = f"`{name}({ast.unparse(node.args)})` in {shown}"
    if call is not None:
        why = bind_error(parameters, *call_arity(call))
        if why:
            raise DetectError(
                f"{reason} calls {shown_def}, which cannot take those arguments ({why}).",
                "The server calls the app factory once per process with exactly these arguments, so it could "
                "not load the app.",
                f"Change the arguments in APP_MODULE to fit the parameters of {name} (literal values, e.g. "
                f"APP_MODULE={module}:{name}('production')).",
            )
    elif bind_error(parameters, 2, []) is not None:
        raise DetectError(
            f"{reason} names {shown_def}, which cannot be called as a WSGI application "
            "(with environ and start_response).",
            "The server calls the WSGI callable with those two arguments for every request, so every request "
            "would fail.",
            f"If {name} is an app factory, call it: APP_MODULE={module}:{name}(). Otherwise name the WSGI "
            f"callable, e.g. APP_MODULE={module}:app.",
        )


def _factory_entry(
    path: Path, module: str, factory: Factory, prefix: str, searched: list[str] | None = None
) -> EntryPoint:
    """An app factory found by convention: called with no arguments, as `flask run` calls it."""
    parameters = signature(factory.node) if factory.node else None
    why = bind_error(parameters, 0, []) if parameters else None
    if why:
        raise DetectError(
            f"{prefix} defines no `application` or `app`, and its app factory `{factory.shown}` cannot be "
            f"called without arguments ({why}).",
            "An app factory found by convention is called with no arguments, as `flask run` calls it, so the "
            "server could not load the app.",
            f"Set APP_MODULE={module}:{factory.name}(...) with its arguments as literal values, e.g. "
            f"APP_MODULE={module}:{factory.name}('production') (in .s2i/environment or with -e), or give its "
            "parameters defaults.",
        )
    reason = f"{prefix} defines the app factory `{factory.name}` (and no `application` or `app`)"
    return EntryPoint(module, factory.name, path, reason, list(searched or []), call="")


def explicit_target(config: Config, target: Target, reason: str) -> EntryPoint:
    """A target the app names itself (APP_MODULE, gunicorn's wsgi_app), checked as far as reading allows."""
    return _wsgi_module(config, config.app_dir, target.module, target.name, reason, call=target.call)


def _explicit_module(config: Config, app_dir: Path) -> EntryPoint | None:
    if config["APP_MODULE"]:
        reason = f"APP_MODULE={config['APP_MODULE']} (from {config.source_of('APP_MODULE')})"
        return explicit_target(config, parse_target(config["APP_MODULE"]), reason)  # its syntax was checked
    if config["WARPDRIVE_WSGI_MODULE_NAME"]:
        module = config["WARPDRIVE_WSGI_MODULE_NAME"]
        name = config["WARPDRIVE_WSGI_CALLABLE_OBJECT"]
        reason = f"WARPDRIVE_WSGI_MODULE_NAME={module} (from {config.source_of('WARPDRIVE_WSGI_MODULE_NAME')})"
        return _wsgi_module(config, app_dir, module, name, reason)
    return None


def _script(app_dir: Path, relative: str, reason: str) -> EntryPoint:
    path = app_dir / relative
    if not _is_file(path):
        raise DetectError(
            f"{reason}, but there is no file {relative} in {app_dir}.",
            "That script was to start the app.",
            "Fix the path (it is relative to the app directory) or unset the variable.",
        )
    if not os.access(path, os.X_OK):
        raise DetectError(
            f"{relative} is not executable ({reason}).",
            "A start script is run directly, so it needs its executable bit and a #! line.",
            f"Run `chmod +x {relative}` (or `git update-index --chmod=+x {relative}`) and commit it.",
        )
    return EntryPoint(None, None, path, reason, command=[str(path)])


def _python_file(config: Config, app_dir: Path, relative: str, reason: str) -> EntryPoint:
    path = app_dir / relative
    if not _is_file(path):
        raise DetectError(
            f"{reason}, but there is no file {relative} in {app_dir}.",
            "That file was to start the app.",
            "Fix the path (it is relative to the app directory) or unset APP_FILE.",
        )
    name = callable_in(path)
    factory = factory_in(path) if not name and path.suffix == ".py" else None
    if (name or factory) and path.suffix == ".py":
        module = ".".join(path.relative_to(app_dir).with_suffix("").parts)
        shown = f"`{name}`" if name else f"the app factory `{factory.name}`"
        if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module):
            raise DetectError(
                f"{reason} defines {shown}, but {relative} cannot be imported as a Python module ({module}).",
                "The WSGI server imports the file as a module, and module names cannot contain - or spaces.",
                f"Rename the file (e.g. {relative.replace('-', '_')}), or set "
                f"APP_MODULE=module:{name or factory.name + '()'}.",
            )
        if factory:
            return _factory_entry(path, module, factory, reason)
        return EntryPoint(module, name, path, f"{reason} defines `{name}`")
    return EntryPoint(
        None, None, path, f"{reason} defines no WSGI callable: run with python", command=["python", str(path)]
    )


def procfile_web(app_dir: Path) -> str | None:
    """The command of a Procfile's `web:` process type (processes.py reads the others)."""
    for process in read_procfile(app_dir / "Procfile"):
        if process.name == "web":
            return process.command
    return None


def django_project(app_dir: Path, environ_settings: str | None) -> Django | None:
    manage = app_dir / "manage.py"
    if not manage.is_file():
        return None
    settings = environ_settings
    if not settings:
        text = _best_effort_text(manage)
        match = re.search(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""", text)
        settings = match.group(1) if match else None
    return Django(manage, settings) if settings else None


def _django_entry(app_dir: Path, django: Django) -> EntryPoint:
    settings_file = module_file(app_dir, django.settings_module)
    wsgi_application = string_assignment(settings_file, "WSGI_APPLICATION") if settings_file else None
    if wsgi_application and "." in wsgi_application:
        module, _, name = wsgi_application.rpartition(".")
        reason = f"Django project ({django.settings_module}.WSGI_APPLICATION = {wsgi_application!r})"
    else:
        module, name = django.settings_module.rpartition(".")[0] + ".wsgi", "application"
        if module.startswith("."):
            module = "wsgi"
        reason = f"Django project ({django.settings_module}; its package's wsgi.py)"
    path = module_file(app_dir, module)
    if path is None:
        raise DetectError(
            f"The Django settings are {django.settings_module}, but the WSGI module {module} is not in {app_dir}.",
            "Django's WSGI_APPLICATION (or the settings package's wsgi.py) is what the server loads.",
            "Set WSGI_APPLICATION in the settings, or APP_MODULE=yourproject.wsgi:application.",
        )
    entry = _wsgi_module_entry(path, module, name, reason)
    return EntryPoint(entry.module, entry.callable, entry.file, entry.reason, django=django)


def _wsgi_module_entry(path: Path, module: str, name: str, reason: str) -> EntryPoint:
    return EntryPoint(module, name, path, reason)


def project_package(app_dir: Path) -> str | None:
    """The import name of the distribution pyproject.toml or setup.cfg/setup.py declares."""
    # Best effort: a file that cannot be read names nothing here (the build's dependency step,
    # and pip, report broken project files).
    name = None
    pyproject = app_dir / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(_best_effort_text(pyproject))
        except tomllib.TOMLDecodeError:
            data = {}
        name = _table(data, "project").get("name") or _table(_table(data, "tool"), "poetry").get("name")
    if not name and (app_dir / "setup.cfg").is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read_string(_best_effort_text(app_dir / "setup.cfg"))
            name = parser.get("metadata", "name", fallback=None)
        except configparser.Error:
            name = None
    if not name and (app_dir / "setup.py").is_file():
        text = _best_effort_text(app_dir / "setup.py")
        match = re.search(r"""\bname\s*=\s*['"]([^'"]+)['"]""", text)
        name = match.group(1) if match else None
    return re.sub(r"[-.]+", "_", name).lower() if isinstance(name, str) and name else None


def _best_effort_text(path: Path) -> str:
    """The file's text with undecodable bytes replaced; empty when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _table(data: object, key: str) -> dict:
    """data[key] when it is a TOML table, else an empty one."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _servable(path: Path, module: str, prefix: str, searched: list[str]) -> EntryPoint | None:
    """The file's WSGI callable, else its app factory; None when it has neither (or is no file)."""
    if not _is_file(path):
        return None
    name = callable_in(path)
    if name:
        return EntryPoint(module, name, path, f"{prefix} defines `{name}`", list(searched))
    factory = factory_in(path)
    return _factory_entry(path, module, factory, prefix, searched) if factory else None


@dataclass(frozen=True)
class Script:
    """A console script pyproject.toml declares: `value` is its `module:function`."""

    table: str
    name: str
    value: str
    module: str

    @property
    def shown(self) -> str:
        return f'{self.table} {self.name} = "{self.value}"'


def script_entries(app_dir: Path) -> list[Script]:
    """[project.scripts] and [tool.poetry.scripts] entries of pyproject.toml, best effort like project_package."""
    pyproject = app_dir / "pyproject.toml"
    if not pyproject.is_file():
        return []
    try:
        data = tomllib.loads(_best_effort_text(pyproject))
    except tomllib.TOMLDecodeError:
        return []
    tables = (
        ("[project.scripts]", _table(_table(data, "project"), "scripts")),
        ("[tool.poetry.scripts]", _table(_table(_table(data, "tool"), "poetry"), "scripts")),
    )
    scripts = []
    for table, entries in tables:
        for name, declared in entries.items():
            # poetry's long form is a table; one with a `reference` to a file names no module
            value = declared.get("callable") if isinstance(declared, dict) else declared
            if not isinstance(value, str):
                continue
            module = value.split("[")[0].partition(":")[0].strip()  # module:function [extras]
            if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module):
                scripts.append(Script(table, name, value.strip(), module))
    return scripts


def _from_scripts(app_dir: Path, searched: list[str], passed_over: list[str]) -> EntryPoint | None:
    """The callable a console script serves, when its module defines one: served by the WSGI server
    instead of whatever server the script starts (usually a development one)."""
    found: dict[str, tuple[Script, EntryPoint]] = {}
    for script in script_entries(app_dir):
        path = module_file(app_dir, script.module)
        if path is None:
            passed_over.append(f"{script.shown}: module {script.module} is not in the source")
            continue
        shown = path.relative_to(app_dir)
        entry = _servable(path, script.module, f"{script.shown}: {shown}", searched)
        if entry is None:
            passed_over.append(f"{script.shown}: {shown} defines none of `application`, `app`, {FACTORIES}")
        elif entry.module not in found:
            found[entry.module] = (script, entry)
    if len(found) > 1:
        listed = "\n".join(f"  - {script.shown} ({entry.target})" for script, entry in found.values())
        first = next(iter(found.values()))[1]
        raise DetectError(
            f"pyproject.toml's scripts name {len(found)} modules that each define a WSGI entry point, and no "
            f"setting chooses between them:\n{listed}",
            "Serving one of them at random would be a guess.",
            f"Set APP_MODULE (in .s2i/environment or with -e), e.g. APP_MODULE={first.target}.",
        )
    return next(iter(found.values()))[1] if found else None


def _deploy_mode(config: Config, app_dir: Path) -> EntryPoint | None:
    mode = config["WARPDRIVE_DEPLOY_MODE"]
    reason = f"WARPDRIVE_DEPLOY_MODE={mode} (from {config.source_of('WARPDRIVE_DEPLOY_MODE')})"
    if mode == "shell":
        return _script(app_dir, "app.sh", reason)
    if mode == "python":
        path = app_dir / "app.py"
        if not path.is_file():
            raise DetectError(f"{reason}, but there is no app.py.", "", "Add app.py or change the deploy mode.")
        return EntryPoint(None, None, path, reason, command=["python", str(path)])
    if mode == "wsgi":
        return _wsgi_module(config, app_dir, "wsgi", config["WARPDRIVE_WSGI_CALLABLE_OBJECT"], reason)
    if mode == "django":
        django = django_project(app_dir, config.environment.get("DJANGO_SETTINGS_MODULE"))
        if django is None:
            raise DetectError(
                f"{reason}, but there is no manage.py naming DJANGO_SETTINGS_MODULE in {app_dir}.",
                "",
                "Add the Django project's manage.py, or change the deploy mode.",
            )
        return _django_entry(app_dir, django)
    return None


def detect(config: Config) -> EntryPoint:  # noqa: PLR0911, PLR0912 - one return per documented rule
    app_dir = config.app_dir
    if not os.path.isdir(app_dir):
        raise DetectError(
            f"APP_HOME={config['APP_HOME']} but {app_dir} is not a directory in the source.",
            "APP_HOME names the subdirectory that holds the application.",
            "Set APP_HOME to an existing subdirectory, or unset it to use the top of the source.",
        )

    # Explicit settings.
    explicit = _explicit_module(config, app_dir)
    if explicit:
        return explicit
    if config["APP_SCRIPT"]:
        return _script(app_dir, config["APP_SCRIPT"], f"APP_SCRIPT={config['APP_SCRIPT']}")
    if config["APP_FILE"]:
        return _python_file(config, app_dir, config["APP_FILE"], f"APP_FILE={config['APP_FILE']}")
    web = procfile_web(app_dir)
    if web:
        return EntryPoint(None, None, app_dir / "Procfile", "Procfile `web:` line", command=["bash", "-c", web])
    by_mode = _deploy_mode(config, app_dir)
    if by_mode:
        return by_mode

    # Detection.
    searched: list[str] = ["an executable app.sh"]
    app_sh = app_dir / "app.sh"
    if app_sh.is_file() and os.access(app_sh, os.X_OK):
        return EntryPoint(None, None, app_sh, "app.sh is executable", list(searched), command=[str(app_sh)])

    searched.append("manage.py naming DJANGO_SETTINGS_MODULE (a Django project)")
    django = django_project(app_dir, config.environment.get("DJANGO_SETTINGS_MODULE"))
    if django:
        entry = _django_entry(app_dir, django)
        return EntryPoint(entry.module, entry.callable, entry.file, entry.reason, list(searched), django=django)

    # main.py after app.py: see the module docstring.
    for filename in ("wsgi.py", "app.py", "main.py"):
        searched.append(f"{filename} {SERVABLE}")
        found = _servable(app_dir / filename, filename[:-3], filename, searched)
        if found:
            return found

    package = project_package(app_dir)
    searched.append(f"the package named in pyproject.toml or setup.py {SERVABLE}")
    if package:
        path = module_file(app_dir, package)
        if path:
            found = _servable(path, package, f"package {package} (named in the project metadata)", searched)
            if found:
                return found

    searched.append(f"a pyproject.toml script's module {SERVABLE}")
    passed_over: list[str] = []
    found = _from_scripts(app_dir, searched, passed_over)
    if found:
        return found

    searched.append(f"*/wsgi.py (a project package) {SERVABLE}")
    found = _project_wsgi(app_dir, searched)
    if found:
        return found

    searched.append("app.py (run with python)")
    if (app_dir / "app.py").is_file():
        return EntryPoint(
            None,
            None,
            app_dir / "app.py",
            "app.py defines no WSGI callable: run with python",
            searched,
            command=["python", str(app_dir / "app.py")],
        )

    raise _none_found(config, searched, passed_over)


def _project_wsgi(app_dir: Path, searched: list[str]) -> EntryPoint | None:
    """Exactly one */wsgi.py that serves something (a project package); more is an error listing them."""
    packages = sorted(
        path
        for path in app_dir.glob("*/wsgi.py")
        if not path.parent.name.startswith(".") and path.is_file() and (callable_in(path) or factory_in(path))
    )
    if len(packages) > 1:
        listed = "\n".join(f"  - {p.relative_to(app_dir)}" for p in packages)
        raise DetectError(
            f"Found {len(packages)} WSGI entry points and no setting to choose between them:\n{listed}",
            "Serving one of them at random would be a guess.",
            "Set APP_MODULE (in .s2i/environment or with -e), e.g. "
            f"APP_MODULE={packages[0].parent.name}.wsgi:application.",
        )
    if not packages:
        return None
    path = packages[0]
    return _servable(path, f"{path.parent.name}.wsgi", str(path.relative_to(app_dir)), searched)


def _none_found(config: Config, searched: list[str], passed_over: list[str]) -> DetectError:
    app_dir = config.app_dir
    where = app_dir if not config["APP_HOME"] else f"{app_dir} (APP_HOME={config['APP_HOME']})"
    listed = "\n".join(f"  - {item}" for item in searched)
    if (app_dir / "main.py").is_file():
        passed_over.append("main.py defines no WSGI callable or app factory (APP_FILE=main.py runs it with python)")
    if passed_over:
        listed += "\nPassed over:\n" + "\n".join(f"  - {item}" for item in passed_over)
    fix = (
        "Add a wsgi.py that defines `application`, or set APP_MODULE=module:callable "
        "(in .s2i/environment or with -e), e.g. APP_MODULE=myapp.web:app."
    )
    if any(item.startswith("[") for item in passed_over):
        fix += (
            " A console script is not run, as it would start a server of its own choosing: set APP_MODULE to "
            "the WSGI callable it serves, or run it with a Procfile line (web: SCRIPT-NAME)."
        )
    return DetectError(
        f"No WSGI application found in {where}. Searched, in order:\n{listed}",
        "Without an entry point there is nothing to serve.",
        fix,
    )
