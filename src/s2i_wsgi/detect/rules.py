"""The rules, in their documented order (see the package's docstring): entry_point() and detect()."""

from __future__ import annotations

import ast
import dataclasses
import os
import re
from pathlib import Path

from ..config import Config
from ..errors import ConfigError, DetectError
from ..factory import FACTORY_NAMES, Target, bind_error, call_arity, parse_target, signature
from .entry import Django, EntryPoint
from .gunicorn_config import gunicorn_config_file, wsgi_app_setting
from .project import Script, django_project, procfile_web, project_package, script_entries
from .python_files import (
    Defines,
    Factory,
    callable_in,
    defines,
    factory_in,
    is_file,
    module_file,
    plain_function,
    string_assignment,
)

# How the search lines name what makes a Python file an entry point.
SERVABLE = "defining `application`, `app`, `create_app()` or `make_app()`"

FACTORIES = " or ".join(f"`{name}`" for name in FACTORY_NAMES)


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
    if not is_file(path):
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
    if not is_file(path):
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


def _django_entry(app_dir: Path, django: Django) -> EntryPoint:
    settings_file = module_file(app_dir, django.settings_module)
    # ASGI_APPLICATION (Channels, Daphne) says the project needs an ASGI server; startproject's
    # WSGI_APPLICATION stays beside it, so it wins.
    asgi_application = string_assignment(settings_file, "ASGI_APPLICATION") if settings_file else None
    wsgi_application = string_assignment(settings_file, "WSGI_APPLICATION") if settings_file else None
    if asgi_application and "." in asgi_application:
        module, _, name = asgi_application.rpartition(".")
        reason = f"Django project ({django.settings_module}.ASGI_APPLICATION = {asgi_application!r})"
    elif wsgi_application and "." in wsgi_application:
        module, _, name = wsgi_application.rpartition(".")
        reason = f"Django project ({django.settings_module}.WSGI_APPLICATION = {wsgi_application!r})"
    else:
        module, name = django.settings_module.rpartition(".")[0] + ".wsgi", "application"
        if module.startswith("."):
            module = "wsgi"
        reason = f"Django project ({django.settings_module}; its package's wsgi.py)"
    path = module_file(app_dir, module)
    if path is None and asgi_application and "." in asgi_application:
        raise DetectError(
            f"The Django settings are {django.settings_module}, but the ASGI module {module} is not in {app_dir}.",
            "Django's ASGI_APPLICATION is what the server loads when the settings give it.",
            "Fix ASGI_APPLICATION in the settings (e.g. yourproject.asgi.application), or remove it to serve "
            "WSGI_APPLICATION.",
        )
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


def _servable(path: Path, module: str, prefix: str, searched: list[str]) -> EntryPoint | None:
    """The file's WSGI callable, else its app factory; None when it has neither (or is no file)."""
    if not is_file(path):
        return None
    name = callable_in(path)
    if name:
        return EntryPoint(module, name, path, f"{prefix} defines `{name}`", list(searched))
    factory = factory_in(path)
    return _factory_entry(path, module, factory, prefix, searched) if factory else None


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


def entry_point(config: Config) -> EntryPoint:
    """APP_MODULE, else `wsgi_app` in the app's gunicorn configuration, else detection."""
    found = None if config["APP_MODULE"] else gunicorn_config_file(config)
    if found and os.path.isfile(found[0]):  # False, not an error, for a name too long to be a file
        path = found[0]
        target = wsgi_app_setting(path)
        if target is not None:
            where = path.relative_to(config.app_dir) if path.is_relative_to(config.app_dir) else path
            try:
                parsed = parse_target(target)
            except ValueError:
                raise ConfigError(
                    f"{where} sets wsgi_app = {target!r}, which is not MODULE:CALLABLE or MODULE:FACTORY(ARGS).",
                    "gunicorn reads wsgi_app as a module and a name in it, or a call of that name with literal "
                    "arguments; every server here loads it the same way.",
                    "Set wsgi_app (or APP_MODULE) to MODULE:CALLABLE, e.g. myproject.wsgi:application, or to an "
                    "app factory call, e.g. flaskr:create_app().",
                ) from None
            # Errors read "wsgi_app = '...' (FILE) names ..."; the start line says where the choice came from.
            entry = explicit_target(config, parsed, f"wsgi_app = {target!r} ({where})")
            return dataclasses.replace(entry, reason=f"{where} sets wsgi_app")
    return detect(config)


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
