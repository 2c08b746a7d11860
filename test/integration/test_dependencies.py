"""Every dependency manager installs a real app's packages, and bad inputs stop the build with a clear message.

Lock files that record an index URL (uv.lock, Pipfile.lock, and here
poetry.lock too) are never committed: fixtures copy the app to a temporary
directory and lock it with the builder image's own tools in a throwaway
container, then the copy is built.
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
# The builder's pipenv, in a throwaway venv, for `pipenv lock`.
# pip's default index (PyPI), read from pip in the image rather than written here.
DEFAULT_INDEX = (
    "index=$(/opt/app-root/bin/python -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')"
)
PIPENV_SETUP = (
    f"{UV} venv -q /tmp/pipenv --python /usr/bin/python3 && "
    f"{UV} pip install -q --python /tmp/pipenv/bin/python -r /opt/s2i-wsgi/requirements/pipenv.txt"
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
    def lock(app: str) -> Path:
        source = copy_app(app, tmp_path_factory)
        # micropipenv verify needs a [[source]] in Pipfile (pipenv assumes PyPI without one); it is
        # added here, from pip's default index, so no index URL is committed.
        script = (
            f"{DEFAULT_INDEX} && "
            'printf \'[[source]]\\nname = "pypi"\\nurl = "%s"\\nverify_ssl = true\\n\\n\' "$index" '
            "| cat - Pipfile > P && "
            f"mv P Pipfile && {PIPENV_SETUP} && /tmp/pipenv/bin/pipenv lock"
        )
        in_builder(source, script, "PIPENV_VERBOSITY=-1", "VIRTUAL_ENV=")
        return source

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


def answers(image: str, containers, expected: bytes) -> None:
    for user in (None, "123456:0"):
        container = containers(image, *(["--user", user] if user else []))
        container.wait_ready()
        status, body, _ = container.get("/")
        assert (status, body) == (200, expected), container.logs()


def test_uv_lock_is_installed_with_uv_sync_and_requirements_txt_is_not_used(uv_locked, build_source, containers):
    result = build_source("deps_uv_lock", uv_locked).assert_ok()
    assert "---> Dependencies: uv from pyproject.toml, uv.lock (there is a uv.lock)" in result.output
    assert "Also found requirements.txt, not used because uv.lock pins the complete set of packages." in result.output
    assert "---> Installing the packages locked in uv.lock (uv sync --locked)" in result.output
    answers(result.image, containers, b"deps_uv_lock: six 1.17.0\n")
    container = containers(result.image)
    check = container.exec("python", "-c", "import mod_wsgi, importlib.util as u; assert not u.find_spec('iniconfig')")
    assert check.returncode == 0, "uv sync removed mod_wsgi or installed the dev group:\n" + harness.text(check)


def test_pipfile_lock_is_installed_with_micropipenv_by_default(pipfile_locked, build_source, containers):
    result = build_source("deps_pipfile_micropipenv", pipfile_locked("deps_pipfile_micropipenv")).assert_ok()
    assert (
        "---> Dependencies: micropipenv from Pipfile, Pipfile.lock "
        "(there is a Pipfile.lock and ENABLE_PIPENV is not set)" in result.output
    )
    assert "---> Checking Pipfile.lock is up to date with Pipfile (micropipenv verify)" in result.output
    answers(result.image, containers, b"deps_pipfile_micropipenv: idna 3.10\n")


def test_enable_pipenv_installs_pipfile_lock_with_a_throwaway_pipenv(pipfile_locked, build_source, containers):
    result = build_source("deps_pipfile_pipenv", pipfile_locked("deps_pipfile_pipenv")).assert_ok()
    assert "---> Dependencies: pipenv from Pipfile, Pipfile.lock (ENABLE_PIPENV is set)" in result.output
    assert "---> Installing the packages locked in Pipfile.lock (pipenv install --deploy)" in result.output
    answers(result.image, containers, b"deps_pipfile_pipenv: iniconfig 2.1.0\n")
    container = containers(result.image)
    check = container.exec("bash", "-c", "! command -v pipenv && ! ls -d /tmp/s2i-wsgi-* 2>/dev/null")
    assert check.returncode == 0, "pipenv was left in the image:\n" + harness.text(check)


def test_poetry_lock_is_installed_with_micropipenv_then_the_project(poetry_locked, build_source, containers):
    result = build_source("deps_poetry_lock", poetry_locked).assert_ok()
    assert "---> Dependencies: micropipenv from pyproject.toml, poetry.lock (there is a poetry.lock)" in result.output
    assert "---> Installing the project from pyproject.toml (pip install --no-deps .)" in result.output
    answers(result.image, containers, b"deps_poetry_lock: attrs 25.3.0\n")


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
    answers(result.image, containers, marker)


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
    answers(result.image, containers, b"deps_wheelhouse: from the wheelhouse\n")


def test_pip_index_url_in_s2i_environment_reaches_pip(build_source, containers, tmp_path_factory):
    source = copy_app("deps_private_index", tmp_path_factory)
    project = source / "index" / "simple" / "s2i-wsgi-index-marker"
    wheel = write_wheel(project, "s2i-wsgi-index-marker", "deps_private_index: from PIP_INDEX_URL")
    (project / "index.html").write_text(f'<html><body><a href="{wheel.name}">{wheel.name}</a></body></html>\n')
    result = build_source("deps_private_index", source).assert_ok()
    answers(result.image, containers, b"deps_private_index: from PIP_INDEX_URL\n")


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


@pytest.mark.parametrize(
    ("app", "tool", "status"),
    [("deps_pipfile_micropipenv", "micropipenv verify", 3), ("deps_pipfile_pipenv", "pipenv verify", 1)],
)
def test_a_pipfile_lock_out_of_date_with_pipfile_stops_the_build(app, tool, status, pipfile_locked, build_source):
    source = pipfile_locked(app)
    (source / "Pipfile").write_text((source / "Pipfile").read_text().replace('"==', '">='))
    result = build_source(app, source)
    assert result.returncode != 0
    assert (
        f"ERROR: Pipfile.lock is out of date with Pipfile ({tool} exited with status {status}).\n\n"
        "Pipfile.lock no longer matches what Pipfile asks for, so installing it would not give the packages "
        f"Pipfile declares. {tool}'s output above says what differs.\n\n"
        "Run `pipenv lock` where you develop, commit the updated Pipfile.lock, and build again."
    ) in result.output


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
    for user in (None, "123456:0"):
        container = containers(result.image, *(["--user", user] if user else []))
        container.wait_ready()
        assert container.get("/")[:2] == (200, f"python_version_file on {image_python}\n".encode())


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
    for user in (None, "1000770000:0"):
        container = containers(result.image, *(["--user", user] if user else []))
        container.wait_ready()
        assert container.get("/")[:2] == (200, f"requires Python {minor}\n".encode()), container.logs()


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
