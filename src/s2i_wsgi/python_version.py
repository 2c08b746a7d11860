"""Which Python the app asks for, and whether this image's Python is it.

Read from the app's files, in the words of the tools that read them:

  hard (the app's own tool refuses another Python, so the build fails first, before installing
  anything, naming the image variants that fit):
    pyproject.toml  [project] requires-python             pip, uv (a PEP 440 specifier set)
    pyproject.toml  [tool.poetry.dependencies] python     poetry (^, ~, *, || and PEP 440 clauses)
    Pipfile         [requires] python_version             pipenv (a minor version, e.g. "3.11")
    Pipfile         [requires] python_full_version        pipenv; a differing patch level is only
                                                          warned about: the image has one patch
  soft (a pin for version managers, which read it as a preference, so a warning names the
  variants that match):
    .python-version  pyenv, uv, Google's and Heroku's buildpacks ("3.14", "3.14.1")
    runtime.txt      Heroku's older way ("python-3.11.9")

A value that cannot be read as a version is left to the tool that owns the file: never a reason
to refuse a build here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from . import appfiles
from .errors import ConfigError

# The image variants `make build-all` produces (Makefile VARIANTS, checked by a unit test).
VARIANTS = ("3.13", "3.11", "3.14")


# ---------------------------------------------------------------------------
# PEP 440 specifier sets, without third-party code: enough of them for Python versions.

_CLAUSE = re.compile(r"\s*(~=|===|==|!=|<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)*)(\.\*)?\s*")


def python_satisfies(spec: str, version: tuple[int, ...]) -> bool | None:
    """Whether `version` satisfies the specifier set `spec`; None when it cannot be read."""
    for clause in spec.split(","):
        if not clause.strip():
            continue
        match = _CLAUSE.fullmatch(clause)
        if not match:
            return None
        op, text, wildcard = match.groups()
        try:
            wanted = tuple(int(part) for part in text.split("."))
        except ValueError:  # more digits than int() converts: no real version
            return None
        width = max(len(wanted), len(version))
        have = version + (0,) * (width - len(version))
        want = wanted + (0,) * (width - len(wanted))
        if wildcard:
            if op not in ("==", "!="):
                return None
            ok = version[: len(wanted)] == wanted
            ok = ok if op == "==" else not ok
        elif op == "~=":
            ok = have >= want and version[: len(wanted) - 1] == wanted[:-1]
        elif op in ("==", "==="):
            ok = have == want
        elif op == "!=":
            ok = have != want
        else:
            ok = {"<": have < want, "<=": have <= want, ">": have > want, ">=": have >= want}[op]
        if not ok:
            return False
    return True


# One clause of a poetry constraint: clauses are separated by commas or spaces, alternatives by ||.
_POETRY_CLAUSE = re.compile(r"\s*,?\s*(\^|~=|~|===|==|!=|<=|>=|<|>)?\s*([0-9]+(?:\.[0-9]+)*(?:\.\*)?|\*)\s*")


def _poetry_specifier(alternative: str) -> str | None:
    """A poetry constraint without ||, as a PEP 440 specifier set (None: not one we can read)."""
    clauses, position = [], 0
    while position < len(alternative):
        match = _POETRY_CLAUSE.match(alternative, position)
        if not match or match.end() == position:
            return None
        position = match.end()
        op, text = match.groups()
        if text == "*":
            continue
        if op in ("^", "~"):
            if text.endswith(".*"):
                return None
            parts = [int(part) for part in text.split(".")]
            if op == "^":  # the leftmost non-zero part may not change
                index = next((i for i, part in enumerate(parts) if part != 0), len(parts) - 1)
            else:  # ~: the minor may not change (the major, when only that is given)
                index = min(1, len(parts) - 1)
            clauses.append(f">={text},<{'.'.join(map(str, [*parts[:index], parts[index] + 1]))}")
        elif op is None:  # poetry reads a bare "3.11" as that release series
            clauses.append(f"=={text}" if text.endswith(".*") else f"=={text}.*")
        else:
            clauses.append(f"{op}{text}")
    return ",".join(clauses)


def poetry_satisfies(constraint: str, version: tuple[int, ...]) -> bool | None:
    """Whether `version` satisfies a poetry constraint (`^3.10`, `>=3.9,<4`, `~3.11 || ^3.13`)."""
    results = []
    for alternative in constraint.split("||"):
        specifier = _poetry_specifier(alternative)
        results.append(None if specifier is None else python_satisfies(specifier, version))
    if True in results:
        return True
    return None if None in results else False


# ---------------------------------------------------------------------------
# What the app asks for.


def _as_version(text: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"(?:python-?)?\s*([0-9]+\.[0-9]+(?:\.[0-9]+)?)\s*", text, re.IGNORECASE)
    return tuple(int(part) for part in match[1].split(".")) if match else None


def _minor(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version[:2]))


def _fitting(satisfies, python: str) -> list[str]:
    return [tag for tag in VARIANTS if tag != _minor(_parse(python)) and satisfies(_parse(tag))]


def _parse(python: str) -> tuple[int, ...]:
    return tuple(int(part) for part in python.split(".")[:3] if part.isdigit())


def _refuse(file: str, field: str, wanted: str, python: str, *, fits: list[str], widen: str) -> ConfigError:
    minor = _minor(_parse(python))
    if fits:
        fix = (
            f"Build with the s2i-wsgi:{fits[0]} builder image (Python {fits[0]}) instead, or {widen} "
            f"if the project does support Python {minor}."
        )
    else:
        fix = (
            f"No s2i-wsgi image variant ({', '.join(VARIANTS)}) has a Python that satisfies it. "
            f"{widen[0].upper()}{widen[1:]} if the project does support Python {minor}."
        )
    return ConfigError(
        f'{file} requires Python "{wanted}" ({field}), but this image has Python {python}.',
        "The project's dependencies would not install, or the app would not run, on this Python.",
        fix,
    )


def _first_line(path: Path, where: str) -> str | None:
    appfiles.check_link(path, where, "It names the Python version the app wants.")
    if not path.is_file():
        return None
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None  # the version managers that own the file say what is wrong with it
    return next((line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()), None)


def _pipfile(app_dir: Path) -> dict | None:
    """The Pipfile, or None when there is none or it cannot be read: pipenv, if it is used, says
    what is wrong with it; an unused one must not stop a build."""
    path = app_dir / "Pipfile"
    appfiles.check_link(path, "Pipfile", "It names the Python version the app wants.")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def check(app_dir: Path, pyproject: dict | None, python: str) -> list[str]:
    """Refuse (ConfigError) a hard constraint `python` does not meet; the warnings for soft pins."""
    pipfile = _pipfile(app_dir)
    version = _parse(python)
    project = (pyproject or {}).get("project")
    spec = project.get("requires-python") if isinstance(project, dict) else None
    if isinstance(spec, str) and python_satisfies(spec, version) is False:
        fits = _fitting(lambda v: python_satisfies(spec, v), python)
        raise _refuse("pyproject.toml", "requires-python", spec, python, fits=fits, widen="widen requires-python")

    poetry = ((pyproject or {}).get("tool") or {}).get("poetry")
    dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    constraint = dependencies.get("python") if isinstance(dependencies, dict) else None
    if isinstance(constraint, str) and poetry_satisfies(constraint, version) is False:
        fits = _fitting(lambda v: poetry_satisfies(constraint, v), python)
        field = "[tool.poetry.dependencies] python"
        raise _refuse("pyproject.toml", field, constraint, python, fits=fits, widen="widen the python constraint")

    warnings = []
    requires = (pipfile or {}).get("requires")
    requires = requires if isinstance(requires, dict) else {}
    for key in ("python_version", "python_full_version"):
        wanted = requires.get(key)
        pinned = _as_version(wanted) if isinstance(wanted, str) else None
        if pinned is None:
            continue
        if pinned[:2] != version[:2]:
            fits = [tag for tag in VARIANTS if tag == _minor(pinned)]
            raise _refuse("Pipfile", f"[requires] {key}", wanted, python, fits=fits, widen=f"change {key}")
        if len(pinned) == 3 and pinned != version:
            warnings.append(
                f"Pipfile asks for Python {wanted} ([requires] python_full_version), and this image has "
                f"Python {python}: the same minor version, so the app is built and run with {python}. "
                "Each image variant has one patch release of its Python; set python_version instead to say so."
            )

    for name in (".python-version", "runtime.txt"):
        text = _first_line(app_dir / name, name)
        pinned = _as_version(text) if text else None
        if pinned is None or pinned[:2] == version[:2]:
            continue
        wanted, minor = ".".join(map(str, pinned)), _minor(version)
        fits = [tag for tag in VARIANTS if tag == _minor(pinned)]
        where = (
            f"build with the s2i-wsgi:{fits[0]} builder image for Python {fits[0]}"
            if fits
            else f"no s2i-wsgi image variant ({', '.join(VARIANTS)}) has Python {_minor(pinned)}"
        )
        warnings.append(
            f"{name} asks for Python {wanted}, and this image has Python {python}: the app is built and run "
            f"with Python {minor}. To get the Python it names, {where}; or write {minor} into {name}."
        )
    return warnings
