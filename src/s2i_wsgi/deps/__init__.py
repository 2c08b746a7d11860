"""Which dependency manager installs the app's packages, and running it.

`plan(config)` is a pure decision (files + settings -> DependencyPlan) made in
this order; the first rule that matches wins:

0. ENABLE_PIPENV and ENABLE_MICROPIPENV both set: an error (two installers
   asked for one lock file). ENABLE_PIPENV with none of Pipfile.lock, Pipfile
   and requirements.txt is an error too (pipenv would have nothing to install).
1. uv.lock (needs pyproject.toml): `uv sync --locked --inexact` into the app's
   virtualenv, without dev/default groups. uv installs the project itself when
   it is a package (not with DISABLE_PYPROJECT_TOML_PROCESSING).
2. Pipfile.lock: pipenv when ENABLE_PIPENV (`pipenv sync`), otherwise
   micropipenv. Either way the build first checks the lock against Pipfile
   itself, by the hash pipenv records, as any pipenv release computes it
   (pipfile_hashes), so a lock made by an older pipenv is not called stale.
   ENABLE_PIPENV without a Pipfile.lock does what sclorg's assemble does:
   `pipenv install --deploy` from a Pipfile (pipenv locks it first), else
   `pipenv install -r requirements.txt`. pipenv (PIN_PIPENV_VERSION, else the
   pinned default) is left in the app image on PATH, as sclorg's image leaves it.
3. poetry.lock (needs pyproject.toml): checked against pyproject.toml first by
   the content hash poetry records (poetry_content_hash), then micropipenv
   installs the main group: as a poetry 2 lock records it (poetry_pipfile_lock),
   else as micropipenv finds it.
4. requirements.txt: `pip install -r requirements.txt`.
5. pyproject.toml with [tool.poetry] and no poetry.lock: `poetry install`
   locks first, so the build does (the pinned poetry, in a scratch virtualenv,
   on a scratch copy), then installs that lock as in rule 3.
6. None of these: nothing is installed but the project itself (warning when
   there is no project either).

ENABLE_PIPENV / ENABLE_MICROPIPENV choose Pipfile.lock (or, for micropipenv,
poetry.lock) even when a uv.lock is present. After rules 2-6 the project
itself is installed with pip when it is a package: pyproject.toml declaring
[project] or [build-system] (unless DISABLE_PYPROJECT_TOML_PROCESSING), else
setup.py/setup.cfg (unless DISABLE_SETUP_PY_PROCESSING); after a lock file
with `--no-deps`, so the lock stays the only source of versions (a poetry
project only when it is a package: not with package-mode = false).

Where the files are read (`directory`): the source root, or APP_HOME when it
is set and holds dependency files of its own. sclorg's image (and warpdrive
with .warpdrive/home) installs from the source root and uses APP_HOME only for
where the app runs, so an app laid out that way (requirements.txt at the top,
the app in web/ with APP_HOME=web) is installed from the root; one that keeps
its files next to the app in APP_HOME (this builder's own layout) from there.
When both hold them, APP_HOME's win and the build log names the root's as
not used. The installers, the project, the Python version files and the
incremental build's fingerprint all follow that directory; the wheelhouse
stays warpdrive's, at the source root.

A lock file pins the complete set of packages, so a requirements.txt (or a
second lock file) next to it is not used; the build log says so. Before any
install, a Python version the app's files require and this image's Python
does not meet stops the build (python_version.py). A warpdrive wheelhouse (.warpdrive/wheelhouse) is
searched first by every installer (PIP_FIND_LINKS / UV_FIND_LINKS).

Pipfile.lock names its package indexes, and pip takes them over PIP_INDEX_URL.
pipenv's own answer for a mirror of PyPI is PIPENV_PYPI_MIRROR, which replaces
PyPI in those sources; here PIP_INDEX_URL (or the build secret index-url) does
the same when PIPENV_PYPI_MIRROR is not set (pypi_mirror), for micropipenv and
pipenv alike. Sources naming another index are used as written.

Modules: plan.py (the decision), files.py (the names they share), run.py (running an installer),
pipenv.py, poetry.py, uv.py (each manager's checks and installers), install.py (carrying out a plan).
"""

from __future__ import annotations

from .files import (
    BUILD_TOOLS_REQUIREMENTS,
    LOCKS,
    MICROPIPENV,
    PIPENV_LINK,
    PIPENV_REQUIREMENTS,
    PIPENV_VENV,
    PIPFILE_LOCK,
    POETRY_LOCK,
    POETRY_REQUIREMENTS,
    PYTHON,
    REQUIREMENTS,
    SYSTEM_PYTHON,
    TOOLS,
    TOOLS_PYTHON,
    UV,
    UV_LOCK,
    WHEELHOUSE,
    DependencyPlan,
    read_pyproject,
)
from .install import add_requirements, describe, install
from .pipenv import (
    _MICROPIPENV_LOCK,
    PIPENV_DEFAULT_SOURCE,
    is_pypi_url,
    pipfile_hashes,
    pypi_mirror,
    read_pipfile_lock,
    with_mirror,
)
from .plan import CONDA_FILES, DEPENDENCY_FILES, SOURCE_ROOT, Directory, dependency_files, directory, plan, where
from .poetry import is_poetry_project, pinned_poetry, poetry_content_hash, poetry_pipfile_lock, read_poetry_lock
from .run import Failure, dependency_dir, out_of_date, pip_failure, pip_install
from .uv import _check_uv_version, bundled_uv

# _MICROPIPENV_LOCK and _check_uv_version are private, named here for the unit tests.
__all__ = [
    "BUILD_TOOLS_REQUIREMENTS",
    "CONDA_FILES",
    "DEPENDENCY_FILES",
    "LOCKS",
    "MICROPIPENV",
    "PIPENV_DEFAULT_SOURCE",
    "PIPENV_LINK",
    "PIPENV_REQUIREMENTS",
    "PIPENV_VENV",
    "PIPFILE_LOCK",
    "POETRY_LOCK",
    "POETRY_REQUIREMENTS",
    "PYTHON",
    "REQUIREMENTS",
    "SOURCE_ROOT",
    "SYSTEM_PYTHON",
    "TOOLS",
    "TOOLS_PYTHON",
    "UV",
    "UV_LOCK",
    "WHEELHOUSE",
    "_MICROPIPENV_LOCK",
    "DependencyPlan",
    "Directory",
    "Failure",
    "_check_uv_version",
    "add_requirements",
    "bundled_uv",
    "dependency_dir",
    "dependency_files",
    "describe",
    "directory",
    "install",
    "is_poetry_project",
    "is_pypi_url",
    "out_of_date",
    "pinned_poetry",
    "pip_failure",
    "pip_install",
    "pipfile_hashes",
    "plan",
    "poetry_content_hash",
    "poetry_pipfile_lock",
    "pypi_mirror",
    "read_pipfile_lock",
    "read_poetry_lock",
    "read_pyproject",
    "where",
    "with_mirror",
]
