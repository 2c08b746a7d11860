"""Every dependency manager installs a real app's packages, and bad inputs stop the build with a clear message.

Lock files that record an index URL (uv.lock, Pipfile.lock, and here
poetry.lock too) are never committed: fixtures copy the app to a temporary
directory and lock it with the builder image's own tools (or the pipenv
release an app names) in a throwaway container, then the copy is built. The
corpus_* apps are laid out as other platforms document theirs (issue 11).
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

import harness
from harness import copy_app, in_builder

UV = harness.UV
# Only for making the test's poetry.lock; the image never runs poetry.
POETRY = "poetry==2.5.1"
# pip's default index (PyPI), read from pip in the image rather than written here.
DEFAULT_INDEX = (
    "index=$(/opt/app-root/bin/python -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')"
)
# The builder's pinned pipenv (what ENABLE_PIPENV installs by default).
PIPENV_PINNED = next(
    line
    for line in (harness.REPO / "requirements" / "pipenv.txt").read_text().splitlines()
    if line.startswith("pipenv==")
)


# The older pipenv release corpus_pipenv_older_lock is locked with (noted in the app's LOCKED_WITH).
PIPENV_OLDER = next(
    line
    for line in (harness.APPS / "corpus_pipenv_older_lock" / "LOCKED_WITH").read_text().splitlines()
    if line.startswith("pipenv==")
)


def pipenv_setup(spec: str) -> str:
    """A pipenv release in a throwaway venv of a throwaway builder container, for `pipenv lock`."""
    return (
        f"{UV} venv -q /tmp/pipenv --python /usr/bin/python3 && "
        f"{UV} pip install -q --python /tmp/pipenv/bin/python '{spec}'"
    )


def write_wheel(directory: Path, dist: str, marker: str) -> Path:
    """A minimal pure-Python wheel whose module defines MARKER (no network, no build backend)."""
    module = dist.replace("-", "_")
    files = {
        f"{module}/__init__.py": f"MARKER = {marker!r}\n",
        f"{module}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n",
        f"{module}-1.0.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: s2i-wsgi-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(content.encode())}")
    record.append(f"{module}-1.0.dist-info/RECORD,,")
    files[f"{module}-1.0.dist-info/RECORD"] = "\n".join(record) + "\n"
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / f"{module}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return wheel


def write_index(root: Path, dist: str, marker: str) -> None:
    """A PEP 503 simple index in root/simple serving one wheel of `dist` whose module defines MARKER."""
    project = root / "simple" / dist
    wheel = write_wheel(project, dist, marker)
    (project / "index.html").write_text(f'<html><body><a href="{wheel.name}">{wheel.name}</a></body></html>\n')


@pytest.fixture(scope="module")
def build_source(builder):
    """Build a prepared copy of an app once; images are removed afterwards."""
    builds: list[harness.Build] = []

    def build(app: str, source: Path, *env: str) -> harness.Build:
        tag = f"s2i-wsgi-test-{app.replace('_', '-')}-{len(builds)}:{harness.RUN_ID}"
        result = harness.build_app(app, *env, source=source, tag=tag)
        builds.append(result)
        return result

    yield build
    for result in builds:
        harness.remove_image(result.image)


@pytest.fixture(scope="module")
def image_python(builder) -> str:
    result = harness.run_once(builder, "python3", "-c", "import platform; print(platform.python_version())")
    return result.stdout.decode().strip()


# --- sources with generated lock files --------------------------------------


@pytest.fixture(scope="module")
def uv_locked(builder, tmp_path_factory) -> Path:
    return harness.uv_locked("deps_uv_lock", tmp_path_factory)


@pytest.fixture(scope="module")
def pipfile_locked(builder, tmp_path_factory):
    """lock(app, pipenv=spec): a copy of the app with the Pipfile.lock that pipenv release writes
    (default: the builder's pinned one). Pipfiles here have no [[source]], so the lock names PyPI
    as pipenv assumes it; the lock is made once per app and release."""
    locked: dict[tuple[str, str], Path] = {}

    def lock(app: str, pipenv: str = PIPENV_PINNED, *env: str) -> Path:
        if (app, pipenv) not in locked:
            source = copy_app(app, tmp_path_factory)
            # Older pipenv releases verify TLS with their own bundle, not the system's.
            env = ("PIPENV_VERBOSITY=-1", "VIRTUAL_ENV=", "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt", *env)
            in_builder(source, f"{pipenv_setup(pipenv)} && /tmp/pipenv/bin/pipenv lock", *env)
            locked[app, pipenv] = source
        return locked[app, pipenv]

    return lock


@pytest.fixture(scope="module")
def poetry_locked(builder, tmp_path_factory) -> Path:
    """poetry.lock from a real poetry. Poetry asks PyPI's JSON API, which a mirror or proxy may not
    serve; pointing it at pip's default index as a plain (simple API) source avoids that, and that
    source is why this lock is made here rather than committed."""
    source = copy_app("deps_poetry_lock", tmp_path_factory)
    script = (
        f"{DEFAULT_INDEX} && "
        'printf \'\\n[[tool.poetry.source]]\\nname = "default"\\nurl = "%s"\\npriority = "primary"\\n\' "$index" '
        f">> pyproject.toml && {UV} tool run --from {POETRY} poetry lock"
    )
    in_builder(source, script, "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt")
    return source


# --- apps that build and answer their marker ---------------------------------


def test_uv_lock_is_installed_with_uv_sync_and_requirements_txt_is_not_used(uv_locked, build_source, containers):
    result = build_source("deps_uv_lock", uv_locked).assert_ok()
    assert "---> Dependencies: uv from pyproject.toml, uv.lock (there is a uv.lock)" in result.output
    assert "Also found requirements.txt, not used because uv.lock pins the complete set of packages." in result.output
    assert "---> Installing the packages locked in uv.lock (uv sync --locked)" in result.output
    harness.answers(result.image, containers, b"deps_uv_lock: six 1.17.0\n")
    container = containers(result.image)
    check = container.exec("python", "-c", "import mod_wsgi, importlib.util as u; assert not u.find_spec('iniconfig')")
    assert check.returncode == 0, "uv sync removed mod_wsgi or installed the dev group:\n" + harness.text(check)


def test_pipfile_lock_is_installed_with_micropipenv_by_default(pipfile_locked, build_source, containers):
    result = build_source("deps_pipfile_micropipenv", pipfile_locked("deps_pipfile_micropipenv")).assert_ok()
    assert (
        "---> Dependencies: micropipenv from Pipfile, Pipfile.lock "
        "(there is a Pipfile.lock and ENABLE_PIPENV is not set)" in result.output
    )
    assert "---> Installing the packages locked in Pipfile.lock (micropipenv)" in result.output
    harness.answers(result.image, containers, b"deps_pipfile_micropipenv: idna 3.10\n")


def test_enable_pipenv_installs_pipfile_lock_with_pipenv_sync_and_leaves_pipenv_on_path(
    pipfile_locked, build_source, containers
):
    result = build_source("deps_pipfile_pipenv", pipfile_locked("deps_pipfile_pipenv")).assert_ok()
    assert "---> Dependencies: pipenv from Pipfile, Pipfile.lock (ENABLE_PIPENV is set)" in result.output
    assert "---> Installing the packages locked in Pipfile.lock (pipenv sync)" in result.output
    harness.answers(result.image, containers, b"deps_pipfile_pipenv: iniconfig 2.1.0\n")
    container = containers(result.image, "--user", "123456:0")
    # On PATH as in sclorg's image, but none of the app's packages, and no scratch left behind.
    check = container.exec("bash", "-c", "pipenv --version && ! python -c 'import pipenv' && ! ls -d /tmp/s2i-wsgi-*")
    expected = f"pipenv, version {PIPENV_PINNED.split('==')[1]}\n"
    assert (check.returncode, check.stdout.decode()) == (0, expected), harness.text(check)


def test_poetry_lock_is_installed_with_micropipenv_then_the_project(poetry_locked, build_source, containers):
    result = build_source("deps_poetry_lock", poetry_locked).assert_ok()
    assert "---> Dependencies: micropipenv from pyproject.toml, poetry.lock (there is a poetry.lock)" in result.output
    assert "---> Installing the project from pyproject.toml (pip install --no-deps .)" in result.output
    harness.answers(result.image, containers, b"deps_poetry_lock: attrs 25.3.0\n")


@pytest.mark.parametrize(
    ("app", "marker"),
    [
        ("deps_pyproject_src_layout", b"deps_pyproject_src_layout 2.5\n"),
        ("deps_setup_py_c_extension", b"deps_setup_py_c_extension: 42 from so\n"),
        ("deps_requirements_includes", b"deps_requirements_includes: idna 3.10, six 1.17.0\n"),
        ("deps_requirements_hashes", b"deps_requirements_hashes: six 1.17.0\n"),
    ],
)
def test_pip_installs_requirements_and_projects(app, marker, built, containers):
    result = built(app).assert_ok()
    harness.answers(result.image, containers, marker)


def test_an_app_pinning_another_mod_wsgi_builds_it_from_its_sdist_and_is_served_by_it(built, containers):
    # The builder keeps apxs and Apache's headers (apache2-dev, without debhelper) for this.
    result = built("deps_mod_wsgi_pinned").assert_ok()
    harness.answers(result.image, containers, b"deps_mod_wsgi_pinned: package 6.1.0, module 6.1.0\n")


def test_requirements_with_includes_upgrade_pip_first_and_install_the_project(built):
    output = built("deps_requirements_includes").assert_ok().output
    assert "---> Upgrading pip, setuptools and wheel (UPGRADE_PIP_TO_LATEST)" in output
    assert "---> Installing dependencies from requirements.txt" in output
    assert "---> Installing the project from pyproject.toml (pip install .)" in output


def test_a_warpdrive_wheelhouse_is_searched_for_packages(build_source, containers, tmp_path_factory):
    source = copy_app("deps_wheelhouse", tmp_path_factory)
    write_wheel(
        source / ".warpdrive" / "wheelhouse", "s2i-wsgi-wheelhouse-marker", "deps_wheelhouse: from the wheelhouse"
    )
    result = build_source("deps_wheelhouse", source).assert_ok()
    assert "Packages in .warpdrive/wheelhouse are used first (find-links)." in result.output
    harness.answers(result.image, containers, b"deps_wheelhouse: from the wheelhouse\n")


def test_pip_index_url_in_s2i_environment_reaches_pip(build_source, containers, tmp_path_factory):
    source = copy_app("deps_private_index", tmp_path_factory)
    write_index(source / "index", "s2i-wsgi-index-marker", "deps_private_index: from PIP_INDEX_URL")
    result = build_source("deps_private_index", source).assert_ok()
    harness.answers(result.image, containers, b"deps_private_index: from PIP_INDEX_URL\n")


@pytest.fixture(scope="module")
def pipfile_private_index(builder, tmp_path_factory) -> Path:
    """deps_pipfile_private_index locked as pipenv does behind a mirror: Pipfile.lock names PyPI (the
    Pipfile has no [[source]]), while its package exists only on the mirror (PIPENV_PYPI_MIRROR)."""
    source = copy_app("deps_pipfile_private_index", tmp_path_factory)
    write_index(source / "index", "s2i-wsgi-index-marker", "deps_pipfile_private_index: from the mirror of PyPI")
    env = ("PIPENV_VERBOSITY=-1", "VIRTUAL_ENV=", "PIPENV_PYPI_MIRROR=file:///w/index/simple")
    # pipenv records the mirror it locked from as the source; a developer who locked from PyPI
    # itself has PyPI there, which is what the build must replace.
    repoint = (
        "import json, sys; lock = json.load(open('Pipfile.lock')); lock['_meta']['sources'][0]['url'] = sys.argv[1]; "
        "json.dump(lock, open('Pipfile.lock', 'w'), indent=4)"
    )
    script = f"{pipenv_setup(PIPENV_PINNED)} && /tmp/pipenv/bin/pipenv lock && "
    script += f'{DEFAULT_INDEX} && python3 -c "{repoint}" "$index"'
    in_builder(source, script, *env)
    return source


@pytest.mark.parametrize("switch", [(), ("ENABLE_PIPENV=1",)])
def test_pip_index_url_stands_in_for_pypi_in_pipfile_lock_sources(
    switch, pipfile_private_index, build_source, containers
):
    result = build_source("deps_pipfile_private_index", pipfile_private_index, *switch).assert_ok()
    assert (
        "PyPI in pipenv's sources is replaced by the index PIP_INDEX_URL names (PIPENV_PYPI_MIRROR)." in result.output
    )
    harness.answers(result.image, containers, b"deps_pipfile_private_index: from the mirror of PyPI\n")


# --- apps laid out as other platforms document them (issue 11) --------------------


def test_a_paketo_style_procfile_and_pipfile_without_a_source_build_and_serve(pipfile_locked, build_source, containers):
    app = "corpus_paketo_procfile_pipfile"
    result = build_source(app, pipfile_locked(app)).assert_ok()
    assert (
        "---> Dependencies: micropipenv from Pipfile, Pipfile.lock "
        "(there is a Pipfile.lock and ENABLE_PIPENV is not set)" in result.output
    )
    harness.answers(result.image, containers, b"corpus_paketo_procfile_pipfile: Flask 3.1.3 on gunicorn 27.0.1\n")


def test_an_sclorg_style_enable_pipenv_app_with_requirements_txt_finds_its_pinned_pipenv(built, containers):
    result = built("corpus_sclorg_enable_pipenv").assert_ok()
    assert (
        "---> Dependencies: pipenv from requirements.txt "
        "(ENABLE_PIPENV is set and there is a requirements.txt but no Pipfile)" in result.output
    )
    assert "---> Installing the packages in requirements.txt (pipenv install -r requirements.txt)" in result.output
    harness.answers(result.image, containers, b"corpus_sclorg_enable_pipenv: pipenv, version 2026.2.2\n")


def test_an_sclorg_style_app_home_app_installs_the_requirements_at_the_source_root(built, containers):
    result = built("corpus_sclorg_app_home").assert_ok()
    assert "---> Dependencies: pip from requirements.txt (there is a requirements.txt)\n" in result.output
    assert (
        "\nDependency files are read at the source root: APP_HOME=web holds no dependency files and the "
        "source root holds requirements.txt; as in sclorg's image, APP_HOME is where the app runs.\n"
    ) in result.output
    assert "---> Entry point: wsgi:application (wsgi.py defines `application`)\n" in result.output
    harness.answers(result.image, containers, b"corpus_sclorg_app_home: Flask 3.1.3 in web\n")
    detect = harness.run_once(result.image, "s2i-wsgi", "detect").stdout.decode()
    assert (
        "dependencies: read at the source root (APP_HOME=web holds no dependency files and the source root "
        "holds requirements.txt; as in sclorg's image, APP_HOME is where the app runs)\n"
    ) in detect


@pytest.fixture(scope="module")
def older_lock(pipfile_locked) -> Path:
    """corpus_pipenv_older_lock locked by PIPENV_OLDER, which today's pipenv (the builder's pinned
    one) calls out of date: `pipenv verify` fails, as `pipenv install --deploy` would."""
    source = pipfile_locked("corpus_pipenv_older_lock", PIPENV_OLDER)
    in_builder(source, f"{pipenv_setup(PIPENV_PINNED)} && ! /tmp/pipenv/bin/pipenv verify", "VIRTUAL_ENV=")
    return source


@pytest.mark.parametrize("switch", [(), ("ENABLE_PIPENV=1",)])
def test_a_pipfile_lock_made_by_an_older_pipenv_is_installed(switch, older_lock, build_source, containers):
    result = build_source("corpus_pipenv_older_lock", older_lock, *switch).assert_ok()
    harness.answers(result.image, containers, b"corpus_pipenv_older_lock: Flask 3.1.3\n")


# --- bad inputs ----------------------------------------------------------------


def test_enable_pipenv_and_enable_micropipenv_together_are_rejected(pipfile_locked, build_source):
    source = pipfile_locked("deps_pipfile_micropipenv")
    result = build_source("deps_pipfile_micropipenv", source, "ENABLE_PIPENV=1", "ENABLE_MICROPIPENV=1")
    assert result.returncode != 0
    assert (
        "ERROR: ENABLE_PIPENV and ENABLE_MICROPIPENV are both set.\n\n"
        "Each names a different installer for Pipfile.lock; the build cannot use both.\n\n"
        "Unset one of them: ENABLE_MICROPIPENV (the default for Pipfile.lock) installs the locked packages "
        "with pip, ENABLE_PIPENV runs pipenv itself."
    ) in result.output


@harness.USERS
def test_a_poetry_project_without_a_lock_is_locked_by_poetry_then_installed_without_leaving_poetry(
    built, containers, user
):
    result = built("deps_poetry_no_lock").assert_ok()
    assert (
        "---> Dependencies: poetry from pyproject.toml "
        "(pyproject.toml has a [tool.poetry] table and there is no poetry.lock)\n"
    ) in result.output
    assert (
        "WARNING: There is no poetry.lock, so poetry resolves pyproject.toml now and the versions installed can "
        "change from one build to the next. Run `poetry lock` and commit poetry.lock for repeatable builds.\n"
    ) in result.output
    pinned = (harness.REPO / "requirements" / "poetry.txt").read_text().split("poetry==", 1)[1].split()[0]
    assert f"---> Installing poetry {pinned} into a scratch virtualenv, to lock pyproject.toml\n" in result.output
    assert "---> Locking pyproject.toml (poetry lock)\n" in result.output
    assert "---> Installing the main group locked in poetry.lock (micropipenv)\n" in result.output
    container = harness.serve(containers, result.image, user=user)
    status, body, _ = container.get("/")
    assert (status, body) == (200, b"deps_poetry_no_lock: attrs 25.3.0\n"), container.logs()
    # Neither poetry, nor its caches, nor the lock it made are left in the app image.
    # (find's status is not asked: an arbitrary UID cannot read every directory of the image.)
    leftovers = "find / -xdev \\( -name poetry -o -name pypoetry -o -name 'poetry-*' -o -name poetry.lock \\) -print"
    check = container.exec("bash", "-c", f"{leftovers} 2>/dev/null; true")
    assert check.stdout.decode() == "", harness.text(check)


POETRY_LOCK_STALE = (
    "ERROR: poetry.lock is out of date with pyproject.toml: the content hash it records (metadata.content-hash) "
    "is not this pyproject.toml's.\n\n"
    "pyproject.toml changed after poetry.lock was made, so installing the lock would not give the packages "
    "pyproject.toml asks for (`poetry install` refuses it too).\n\n"
    "Run `poetry lock` where you develop, commit the updated poetry.lock, and build again."
)


def test_a_poetry_lock_out_of_date_with_pyproject_stops_the_build_before_installing(build_source, tmp_path_factory):
    source = copy_app("corpus_google_main_poetry", tmp_path_factory)
    pyproject = source / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('"gunicorn (>=23.0.0)",', '"gunicorn (>=23.0.0)",\n    "attrs",')
    )
    result = build_source("corpus_google_main_poetry", source)
    assert result.returncode != 0
    assert POETRY_LOCK_STALE in result.output
    assert "locked in poetry.lock" not in result.output


def test_a_uv_lock_out_of_date_with_pyproject_stops_the_build(uv_locked, build_source, tmp_path_factory):
    source = tmp_path_factory.mktemp("stale") / "deps_uv_lock"
    shutil.copytree(uv_locked, source)
    pyproject = source / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"six==1.17.0"', '"six==1.16.0"'))
    result = build_source("deps_uv_lock", source)
    assert result.returncode != 0
    assert (
        "ERROR: uv.lock is out of date with pyproject.toml (uv lock --check exited with status 1).\n\n"
        "uv.lock no longer matches what pyproject.toml asks for, so installing it would not give the packages "
        "pyproject.toml declares. uv lock --check's output above says what differs.\n\n"
        "Run `uv lock` where you develop, commit the updated uv.lock, and build again."
    ) in result.output


PIPFILE_LOCK_STALE = (
    "ERROR: Pipfile.lock is out of date with Pipfile: the Pipfile hash it records (_meta.hash) is not this "
    "Pipfile's.\n\n"
    "Pipfile changed after Pipfile.lock was made, so installing the lock would not give the packages Pipfile asks "
    "for. The hash as older pipenv releases computed it (package names as written) is accepted too; this lock "
    "matches neither.\n\n"
    "Run `pipenv lock` where you develop, commit the updated Pipfile.lock, and build again."
)


@pytest.mark.parametrize(
    "case",
    [
        ("deps_pipfile_micropipenv", PIPENV_PINNED, ()),
        ("deps_pipfile_pipenv", PIPENV_PINNED, ()),  # ENABLE_PIPENV in its .s2i/environment
        ("corpus_pipenv_older_lock", PIPENV_OLDER, ("ENABLE_PIPENV=1",)),
    ],
    ids=["micropipenv", "pipenv", "older-lock"],
)
def test_a_pipfile_lock_out_of_date_with_pipfile_stops_the_build_before_installing(
    case, pipfile_locked, build_source, tmp_path_factory
):
    app, pipenv, switch = case
    source = tmp_path_factory.mktemp("stale") / app
    shutil.copytree(pipfile_locked(app, pipenv), source)
    (source / "Pipfile").write_text((source / "Pipfile").read_text().replace('"==', '">='))
    result = build_source(app, source, *switch)
    assert result.returncode != 0
    assert PIPFILE_LOCK_STALE in result.output
    assert "---> Dependencies:" not in result.output


def test_a_uv_required_version_the_image_s_uv_does_not_meet_stops_the_build_first(
    uv_locked, build_source, tmp_path_factory
):
    source = tmp_path_factory.mktemp("uv-version") / "deps_uv_lock"
    shutil.copytree(uv_locked, source)
    pyproject = source / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.uv]\nrequired-version = ">=0.99"\n')
    result = build_source("deps_uv_lock", source)
    assert result.returncode != 0
    assert 'ERROR: pyproject.toml requires uv ">=0.99" ([tool.uv] required-version), but this image has uv ' in (
        result.output
    )
    assert "Checking uv.lock is up to date" not in result.output


def test_requires_python_excluding_the_image_python_names_both_and_the_other_variant(built, image_python):
    result = built("deps_requires_python_excluded")
    assert result.returncode != 0
    minor = ".".join(image_python.split(".")[:2])
    assert (
        'ERROR: pyproject.toml requires Python ">=3.99" (requires-python), but this image has Python '
        f"{image_python}.\n\n"
        "The project's dependencies would not install, or the app would not run, on this Python.\n\n"
        "No s2i-wsgi image variant (3.13, 3.11, 3.14) has a Python that satisfies it. Widen requires-python if the "
        f"project does support Python {minor}."
    ) in result.output


def test_a_pipfile_requiring_another_python_stops_the_build_before_installing(built, image_python):
    result = built("python_pipfile_requires")
    assert result.returncode != 0
    assert (
        f'ERROR: Pipfile requires Python "3.9" ([requires] python_version), but this image has Python {image_python}.'
    ) in result.output
    assert "No s2i-wsgi image variant (3.13, 3.11, 3.14) has a Python that satisfies it." in result.output
    assert "Installing dependencies" not in result.output


def test_a_python_version_file_naming_another_python_warns_then_builds_and_serves(built, image_python, containers):
    result = built("python_version_file").assert_ok()
    minor = ".".join(image_python.split(".")[:2])
    assert (
        f"WARNING: .python-version asks for Python 3.12, and this image has Python {image_python}: the app is built "
        f"and run with Python {minor}. To get the Python it names, no s2i-wsgi image variant (3.13, 3.11, 3.14) "
        f"has Python 3.12; or write {minor} into .python-version."
    ) in " ".join(result.output.split())
    harness.answers(result.image, containers, f"python_version_file on {image_python}\n".encode())


@pytest.mark.smoke
def test_a_project_that_requires_exactly_this_image_s_python_builds_and_serves(
    build_source, image_python, tmp_path_factory, containers
):
    """On s2i-wsgi:3.14 this is an app that needs Python 3.14."""
    minor = ".".join(image_python.split(".")[:2])
    source = copy_app("deps_requires_python_excluded", tmp_path_factory)
    pyproject = source / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('">=3.99"', f'"=={minor}.*"'))
    (source / "wsgi.py").write_text(
        "import sys\n\n\ndef application(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [f'requires Python {sys.version_info[0]}.{sys.version_info[1]}\\n'.encode()]\n"
    )
    result = build_source("deps_requires_python_excluded", source).assert_ok()
    harness.answers(
        result.image, containers, f"requires Python {minor}\n".encode(), users=(None, harness.OPENSHIFT_USER)
    )


def test_requires_python_excluding_only_this_image_suggests_the_other_variant(
    build_source, image_python, tmp_path_factory
):
    minor = ".".join(image_python.split(".")[:2])
    other = "3.11" if minor == "3.13" else "3.13"
    source = copy_app("deps_requires_python_excluded", tmp_path_factory)
    pyproject = source / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('">=3.99"', f'"!={minor}.*"'))
    result = build_source("deps_requires_python_excluded", source)
    assert result.returncode != 0
    assert (
        f'ERROR: pyproject.toml requires Python "!={minor}.*" (requires-python), but this image has Python '
        f"{image_python}.\n\n"
        "The project's dependencies would not install, or the app would not run, on this Python.\n\n"
        f"Build with the s2i-wsgi:{other} builder image (Python {other}) instead, or widen requires-python if "
        f"the project does support Python {minor}."
    ) in result.output
