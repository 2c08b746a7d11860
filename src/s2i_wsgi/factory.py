"""App factories: a function that makes the WSGI application when it is called.

Flask's documentation builds apps this way (its tutorial's flaskr has
`create_app()` in the package's __init__.py and no module-level `app`), and
`flask run` finds them: in a module that defines no `app` or `application`, a
function named `create_app` or `make_app` is called with no arguments. The
same convention is a detection rule here (detect/). APP_MODULE (and
gunicorn's `wsgi_app`) may also name a call, `module:create_app('prod',
debug=False)`, in the syntax gunicorn and Flask accept: a plain name and
literal arguments, nothing else evaluated.

mod_wsgi-express, uWSGI and waitress load a module attribute, not a call. So
the launcher writes a wrapper module at start, in $TMPDIR (the root may be
read-only), which calls the factory when the server imports it: once per server
process, as gunicorn does with the same syntax. Every server is given the same
wrapper, so an app behaves the same whichever serves it.

Stdlib only and free of the launcher's other modules but paths.py (which imports
none): the config package validates APP_MODULE with parse_target().
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass

from .paths import STATE_DIR

FACTORY_NAMES = ("create_app", "make_app")
WRAPPER_DIR = STATE_DIR / "factory"
WRAPPER_MODULE = "s2i_wsgi_factory"

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class Target:
    """MODULE[:NAME[(ARGS)]]: `call` is the argument list to call NAME with ("" for none), or None for no call."""

    module: str
    name: str | None
    call: str | None = None


def parse_target(text: str) -> Target:
    """MODULE, MODULE:NAME or MODULE:NAME(LITERAL ARGS); ValueError for anything else."""
    module, colon, rest = text.strip().partition(":")
    if not _DOTTED.fullmatch(module) or (colon and not rest.strip()):
        raise ValueError(text)
    if not colon:
        return Target(module, None)
    try:
        expression = ast.parse(rest.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ValueError(text) from None
    if isinstance(expression, ast.Name):
        return Target(module, expression.id)
    if not isinstance(expression, ast.Call) or not isinstance(expression.func, ast.Name):
        raise ValueError(text)
    if any(keyword.arg is None for keyword in expression.keywords):
        raise ValueError(text)  # **mapping
    values = [*expression.args, *(keyword.value for keyword in expression.keywords)]
    try:
        for value in values:
            ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        raise ValueError(text) from None
    # Written back from the tree, so the wrapper module holds exactly what was checked.
    arguments = [ast.unparse(arg) for arg in expression.args]
    arguments += [f"{keyword.arg}={ast.unparse(keyword.value)}" for keyword in expression.keywords]
    return Target(module, expression.func.id, ", ".join(arguments))


def call_arity(call: str) -> tuple[int, list[str]]:
    """The number of positional arguments and the keyword names of a call's argument list."""
    expression = ast.parse(f"f({call})", mode="eval").body
    assert isinstance(expression, ast.Call)
    return len(expression.args), [keyword.arg for keyword in expression.keywords if keyword.arg]


def signature(node: ast.FunctionDef) -> inspect.Signature | None:
    """The parameters of a function as written (defaults stand in as ...), or None if Python would refuse them."""
    spec = node.args
    positional = [*spec.posonlyargs, *spec.args]
    defaults = [None] * (len(positional) - len(spec.defaults)) + list(spec.defaults)
    parameters = []
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = (
            inspect.Parameter.POSITIONAL_ONLY
            if index < len(spec.posonlyargs)
            else inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        parameters.append(inspect.Parameter(arg.arg, kind, default=inspect.Parameter.empty if default is None else ...))
    if spec.vararg:
        parameters.append(inspect.Parameter(spec.vararg.arg, inspect.Parameter.VAR_POSITIONAL))
    for arg, default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
        empty = inspect.Parameter.empty
        parameters.append(
            inspect.Parameter(arg.arg, inspect.Parameter.KEYWORD_ONLY, default=empty if default is None else ...)
        )
    if spec.kwarg:
        parameters.append(inspect.Parameter(spec.kwarg.arg, inspect.Parameter.VAR_KEYWORD))
    try:
        return inspect.Signature(parameters)
    except ValueError:
        return None  # e.g. a parameter named twice: the module does not compile


def bind_error(parameters: inspect.Signature, positional: int, keywords: list[str]) -> str | None:
    """Why a call with that many positional arguments and those keywords does not fit, or None if it does."""
    try:
        parameters.bind(*[None] * positional, **dict.fromkeys(keywords))
    except TypeError as exc:
        return str(exc)
    return None


def wrapper_source(module: str, name: str, call: str) -> str:
    """The module the servers load: it calls the factory once, when the server imports it."""
    return (
        "# Written by s2i-wsgi at start: the app factory, called once per server process.\n"
        f"from {module} import {name} as _factory\n\n"
        f"application = _factory({call})\n"
    )
