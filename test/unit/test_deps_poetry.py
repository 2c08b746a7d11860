"""poetry (deps/poetry.py): the content hash poetry records, stale locks, package mode, poetry 2
locks and projects without a lock."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from s2i_wsgi import deps, output
from s2i_wsgi.errors import ConfigError

from .deps_support import APP, LOCKS, PYPROJECT, Runs, plan_for, poetry_lock_for


def test_enable_micropipenv_picks_poetry_lock_over_uv_lock(make_app, load_config):
    files = {k: LOCKS[k] for k in ("uv.lock", "poetry.lock", "pyproject.toml")}
    p = plan_for(make_app, load_config, files, ENABLE_MICROPIPENV="yes")
    assert (p.manager, p.files) == ("micropipenv", ("pyproject.toml", "poetry.lock"))
    assert p.reason == "ENABLE_MICROPIPENV is set and there is a poetry.lock"


@pytest.mark.parametrize("lock", ["uv.lock", "poetry.lock"])
def test_a_uv_or_poetry_lock_without_pyproject_is_a_config_error(make_app, load_config, lock):
    with pytest.raises(ConfigError, match=rf"^There is a {lock} but no pyproject.toml in "):
        plan_for(make_app, load_config, {lock: ""})


def poetry_app(pyproject: str) -> dict[str, str]:
    return {"pyproject.toml": pyproject, "poetry.lock": poetry_lock_for(pyproject)}


def test_poetry_lock_installs_the_project_without_deps_only_when_it_is_a_package(make_app, load_config):
    package = PYPROJECT + '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    p = plan_for(make_app, load_config, poetry_app(package))
    assert (p.manager, p.project) == ("micropipenv", "pyproject.toml")
    p = plan_for(make_app, load_config, poetry_app(package + "[tool.poetry]\npackage-mode = false\n"))
    assert p.project is None
    p = plan_for(make_app, load_config, poetry_app(PYPROJECT))
    assert p.project is None  # no build backend: nothing pip could build


# poetry 1.8's package-mode = false: no [project], no name or version, no [build-system].
POETRY_NOT_A_PACKAGE = (
    '[tool.poetry]\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = ">=3.11"\nflask = "3.1.3"\n'
)
# poetry 2's shape (PEP 621): dependencies in [project], [tool.poetry] optional, poetry-core >= 2.
POETRY_PEP621 = (
    '[project]\nname = "c621"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["flask==3.1.3"]\n\n'
    "[tool.poetry]\npackage-mode = false\n"
)
# [dependency-groups] (PEP 735, hashed by poetry since 2.3) and an empty dependencies array.
POETRY_GROUPS = (
    '[project]\nname = "hc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = []\n\n'
    '[dependency-groups]\ntest = ["iniconfig==2.1.0"]\n\n[tool.poetry]\npackage-mode = false\n'
)


@pytest.mark.parametrize(
    ("pyproject", "recorded"),
    [
        (POETRY_NOT_A_PACKAGE, "dee5667794d1583881174bf266fd684fc9228babe9f31f572d7e54381fe204bf"),
        (POETRY_PEP621, "ad81ce7ceee671757980cbb1d2b871f979b51c9ae9f20d2ab05d9ce6a3904bcc"),
        # micropipenv 1.10.0's verify computes dc7d249c... for this one, and calls the lock stale.
        (POETRY_GROUPS, "bc21c2af65bf8225dbe3771e469116409ddf9156e67c3fad5350c175eb832124"),
    ],
    ids=["poetry-1.8-package-mode-false", "pep621", "dependency-groups"],
)
def test_the_poetry_content_hash_is_the_one_real_poetry_records(pyproject, recorded):
    # `recorded`: metadata.content-hash in the poetry.lock that poetry 2.5.1 wrote for `pyproject`.
    assert deps.poetry_content_hash(tomllib.loads(pyproject)) == recorded


POETRY_STALE = (
    "poetry.lock is out of date with pyproject.toml: the content hash it records (metadata.content-hash) is not "
    "this pyproject.toml's.\n\n"
    "pyproject.toml changed after poetry.lock was made, so installing the lock would not give the packages "
    "pyproject.toml asks for (`poetry install` refuses it too).\n\n"
    "Run `poetry lock` where you develop, commit the updated poetry.lock, and build again."
)


@pytest.mark.parametrize(
    "lock",
    [
        poetry_lock_for(POETRY_PEP621.replace('"flask==3.1.3"', '"flask==3.1.2"')),
        poetry_lock_for(POETRY_PEP621).replace("content-hash", "old-hash"),
        "",
    ],
    ids=["dependencies-changed", "no-content-hash", "empty"],
)
def test_a_stale_poetry_lock_is_refused_before_anything_is_installed(make_app, load_config, lock):
    with pytest.raises(ConfigError) as refused:
        plan_for(make_app, load_config, {"pyproject.toml": POETRY_PEP621, "poetry.lock": lock})
    assert str(refused.value) == POETRY_STALE


def test_a_lock_made_before_poetry_2_3_is_fresh_with_the_hash_that_left_dependency_groups_out(make_app, load_config):
    pyproject = tomllib.loads(POETRY_GROUPS)
    without_groups = deps.poetry_content_hash(pyproject, with_dependency_groups=False)
    lock = poetry_lock_for(POETRY_GROUPS).replace(deps.poetry_content_hash(pyproject), without_groups)
    older = lock.replace("Poetry 2.5.1", "Poetry 2.2.1")
    p = plan_for(make_app, load_config, {"pyproject.toml": POETRY_GROUPS, "poetry.lock": older})
    assert p.manager == "micropipenv"
    with pytest.raises(ConfigError):  # poetry 2.3 and later hash the groups: for them this lock is stale
        plan_for(make_app, load_config, {"pyproject.toml": POETRY_GROUPS, "poetry.lock": lock})


def test_poetry_package_mode_false_installs_the_lock_and_not_the_project(make_app, load_config):
    for pyproject in (POETRY_NOT_A_PACKAGE, POETRY_PEP621):
        p = plan_for(make_app, load_config, poetry_app(pyproject))
        assert (p.manager, p.files, p.project, p.warnings) == (
            "micropipenv",
            ("pyproject.toml", "poetry.lock"),
            None,
            (),
        )


POETRY_PACKAGE = (
    '[project]\nname = "shop"\nversion = "1.0"\ndependencies = ["flask"]\n\n'
    '[tool.poetry]\npackages = [{ include = "shop", from = "src" }]\n\n'
    '[build-system]\nrequires = ["poetry-core>=2"]\nbuild-backend = "poetry.core.masonry.api"\n'
)
POETRY_UNLOCKED = (
    "There is no poetry.lock, so poetry resolves pyproject.toml now and the versions installed can change from one "
    "build to the next. Run `poetry lock` and commit poetry.lock for repeatable builds.",
)


@pytest.mark.parametrize(
    ("pyproject", "project"),
    [(POETRY_PACKAGE, "pyproject.toml"), (POETRY_NOT_A_PACKAGE, None), (POETRY_PEP621, None)],
    ids=["package", "poetry-1.8-package-mode-false", "pep621-package-mode-false"],
)
def test_a_poetry_project_without_a_lock_is_locked_by_poetry_at_build_with_a_warning(
    make_app, load_config, pyproject, project
):
    p = plan_for(make_app, load_config, {"pyproject.toml": pyproject})
    assert (p.manager, p.files, p.project) == ("poetry", ("pyproject.toml",), project)
    assert p.reason == "pyproject.toml has a [tool.poetry] table and there is no poetry.lock"
    assert p.warnings == POETRY_UNLOCKED


def test_without_a_tool_poetry_table_or_with_a_requirements_file_poetry_does_not_lock(make_app, load_config):
    pep621 = POETRY_PACKAGE.replace('[tool.poetry]\npackages = [{ include = "shop", from = "src" }]\n\n', "")
    p = plan_for(make_app, load_config, {"pyproject.toml": pep621})  # poetry-core builds it for pip as for poetry
    assert (p.manager, p.project, p.warnings) == ("none", "pyproject.toml", ())
    p = plan_for(make_app, load_config, {"pyproject.toml": POETRY_PACKAGE, "requirements.txt": "flask\n"})
    assert (p.manager, p.files) == ("pip", ("requirements.txt",))


def test_a_poetry_1_lock_is_installed_by_micropipenv_then_the_project_without_deps(make_app, load_config, monkeypatch):
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    package = PYPROJECT + '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    lock = poetry_lock_for(package, locked_by="1.8.5", lock_version="2.0")
    wheelhouse = {".warpdrive/wheelhouse/a": ""}
    config = load_config(make_app({**APP, "poetry.lock": lock, "pyproject.toml": package, **wheelhouse}))
    deps.install(deps.plan(config, python="3.13.5"), config)
    commands = [argv[1:] for argv, _ in runs]
    # The lock was checked by plan() as poetry checks it; micropipenv does not check it again.
    assert commands == [["install", "--method", "poetry"], ["-m", "pip", "install", "--no-deps", "."]]
    env = runs[0][1]
    assert env["MICROPIPENV_PIP_BIN"] == "/opt/app-root/bin/pip"
    assert env["PIP_FIND_LINKS"].endswith(".warpdrive/wheelhouse")


FLASK = """\
[[package]]
name = "Flask"
version = "3.1.3"
optional = false
groups = ["main"]
files = [{file = "flask-3.1.3-py3-none-any.whl", hash = "sha256:f1"}]"""
COLORAMA = """\
[[package]]
name = "colorama"
version = "0.4.6"
optional = false
groups = ["main", "dev"]
markers = {main = "platform_system == \\"Windows\\"", dev = "sys_platform == \\"win32\\""}
files = [{file = "colorama-0.4.6-py2.py3-none-any.whl", hash = "sha256:c1"}]"""
TOMLI = """\
[[package]]
name = "tomli"
version = "2.2.1"
optional = false
groups = ["main"]
markers = "python_version < \\"3.11\\""
files = []"""
PYTEST = """\
[[package]]
name = "pytest"
version = "8.4.2"
optional = false
groups = ["dev"]
files = [{file = "pytest-8.4.2-py3-none-any.whl", hash = "sha256:p1"}]"""
EXTRA = """\
[[package]]
name = "python-dotenv"
version = "1.1.1"
optional = true
groups = ["main"]
markers = "extra == \\"dotenv\\""
files = []"""
SHOP_GIT = """\
[[package]]
name = "shop-theme"
version = "0.3"
optional = false
groups = ["main"]
files = []

[package.source]
type = "git"
url = "https://git.invalid/shop-theme.git"
reference = "main"
resolved_reference = "0123abc"
subdirectory = "python"
"""
PRIVATE = """\
[[package]]
name = "shop-core"
version = "2.0"
optional = false
groups = ["main"]
files = [{file = "shop_core-2.0-py3-none-any.whl", hash = "sha256:s1"}]

[package.source]
type = "legacy"
url = "https://index.invalid/simple"
reference = "private"
"""


def test_a_poetry_2_lock_gives_its_main_group_with_the_markers_it_records_for_main():
    pyproject = POETRY_PEP621 + '\n[[tool.poetry.source]]\nname = "private"\nurl = "https://index.invalid/simple"\n'
    lock = tomllib.loads(poetry_lock_for(pyproject, FLASK, COLORAMA, TOMLI, PYTEST, EXTRA, SHOP_GIT, PRIVATE))
    converted = deps.poetry_pipfile_lock(lock, tomllib.loads(pyproject), "https://mirror.invalid/simple")
    assert converted == {
        "_meta": {
            "sources": [
                {"name": "pypi", "url": "https://mirror.invalid/simple", "verify_ssl": True},
                {"name": "private", "url": "https://index.invalid/simple", "verify_ssl": True},
            ]
        },
        "default": {
            "flask": {"version": "==3.1.3", "hashes": ["sha256:f1"], "index": "pypi"},
            "colorama": {
                "version": "==0.4.6",
                "hashes": ["sha256:c1"],
                "markers": 'platform_system == "Windows"',
                "index": "pypi",
            },
            "tomli": {"version": "==2.2.1", "markers": 'python_version < "3.11"', "index": "pypi"},
            "shop-theme": {"git": "https://git.invalid/shop-theme.git", "ref": "0123abc", "subdirectory": "python"},
            "shop-core": {"version": "==2.0", "hashes": ["sha256:s1"], "index": "private"},
        },
        "develop": {},
    }
    # Without poetry sources, pip's own index settings decide (PIP_INDEX_URL, a wheelhouse).
    plain = deps.poetry_pipfile_lock(tomllib.loads(poetry_lock_for(POETRY_PEP621, FLASK)), {}, None)
    assert plain == {"_meta": {"sources": []}, "default": {"flask": LOCKED_FLASK}, "develop": {}}


LOCKED_FLASK = {"version": "==3.1.3", "hashes": ["sha256:f1"]}


class RunsKeepingLocks(Runs):
    """Runs, also keeping the converted lock micropipenv is given, and writing the poetry.lock that
    `poetry lock` would write into its working directory."""

    def __init__(self, poetry_lock: str = "") -> None:
        super().__init__()
        self.locks: list[dict] = []
        self.poetry_lock = poetry_lock

    def __call__(self, argv, *, cwd=None, env=None) -> int:
        if argv[-1:] == ["lock"]:
            (Path(cwd) / "poetry.lock").write_text(self.poetry_lock)
        if "-c" in argv:
            self.locks.append(json.loads(Path(argv[3]).read_text()))
        return super().__call__(argv, cwd=cwd, env=env)


def test_a_poetry_2_lock_is_installed_by_micropipenv_from_its_main_group(make_app, load_config, monkeypatch):
    runs = RunsKeepingLocks()
    monkeypatch.setattr(output, "run", runs)
    lock = poetry_lock_for(POETRY_PEP621, FLASK, PYTEST)
    config = load_config(make_app({**APP, "pyproject.toml": POETRY_PEP621, "poetry.lock": lock}))
    deps.install(deps.plan(config, python="3.13.5"), config)
    assert [argv[:2] for argv, _ in runs] == [[str(deps.TOOLS_PYTHON), "-c"]]
    assert runs[0][0][4] == "/opt/app-root/bin/pip"
    assert runs.locks == [{"_meta": {"sources": []}, "default": {"flask": LOCKED_FLASK}, "develop": {}}]
    assert not Path(runs[0][0][3]).exists()  # the scratch copy is removed


def test_a_poetry_project_without_a_lock_is_locked_by_a_scratch_poetry_and_that_lock_installed(
    make_app, load_config, monkeypatch, pinned_poetry
):
    runs = RunsKeepingLocks(poetry_lock_for(POETRY_PACKAGE, FLASK))
    monkeypatch.setattr(output, "run", runs)
    config = load_config(make_app({**APP, "pyproject.toml": POETRY_PACKAGE}))
    deps.install(deps.plan(config, python="3.13.5"), config)
    (venv, _), (pip, _), (lock, env), (micropipenv, _), (project, _) = runs
    scratch = Path(venv[-1]).parent
    assert venv == [str(deps.UV), "venv", "--quiet", "--python", "/usr/bin/python3", str(scratch / "poetry")]
    assert pip[1:] == [
        "pip",
        "install",
        "--quiet",
        "--python",
        str(scratch / "poetry" / "bin" / "python"),
        "-r",
        str(deps.POETRY_REQUIREMENTS),
    ]
    assert lock == [str(scratch / "poetry" / "bin" / "poetry"), "lock"]
    assert runs.cwds[2] == scratch / "project"  # a copy of pyproject.toml: the app's source gets no poetry.lock
    assert env["POETRY_VIRTUALENVS_CREATE"] == "false"
    assert env["VIRTUAL_ENV"] == "/opt/app-root"
    for name in ("POETRY_CACHE_DIR", "POETRY_CONFIG_DIR", "POETRY_DATA_DIR", "UV_CACHE_DIR"):
        assert env[name].startswith(f"{scratch}/"), name
    assert micropipenv[:2] == [str(deps.TOOLS_PYTHON), "-c"]
    assert runs.locks == [{"_meta": {"sources": []}, "default": {"flask": LOCKED_FLASK}, "develop": {}}]
    assert project[1:] == ["-m", "pip", "install", "--no-deps", "."]
    assert not scratch.exists()  # poetry, its caches and the copy are gone
    assert not (config.app_dir / "poetry.lock").exists()


POETRY_PINNED = Path(__file__).parents[2] / "requirements" / "poetry.txt"


@pytest.fixture
def pinned_poetry(monkeypatch):
    monkeypatch.setattr(deps.poetry, "POETRY_REQUIREMENTS", POETRY_PINNED)  # where poetry.py reads it
    monkeypatch.setattr(deps, "POETRY_REQUIREMENTS", POETRY_PINNED)  # where the test reads it


def test_the_pinned_poetry_is_read_from_requirements(monkeypatch):
    monkeypatch.setattr(deps.poetry, "POETRY_REQUIREMENTS", POETRY_PINNED)
    version = deps.pinned_poetry()
    assert version and version.startswith("2.") and f"\npoetry=={version}\n" in f"\n{POETRY_PINNED.read_text()}"
    monkeypatch.setattr(deps.poetry, "POETRY_REQUIREMENTS", POETRY_PINNED.with_name("no-such-file.txt"))
    assert deps.pinned_poetry() is None
