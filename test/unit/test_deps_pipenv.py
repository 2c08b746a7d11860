"""pipenv (deps/pipenv.py): Pipfile.lock against Pipfile as every pipenv release hashes it, PyPI
mirrors, installing with micropipenv or pipenv, and the ENABLE_PIPENV decisions of the plan."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from s2i_wsgi import build_secrets, deps, output
from s2i_wsgi.errors import ConfigError

from .deps_support import APP, LOCKS, PYPROJECT, WEB_APP, Runs, lock_for, plan_for, poetry_lock_for


def test_pipfile_lock_uses_micropipenv_unless_enable_pipenv(make_app, load_config):
    files = {k: LOCKS[k] for k in ("Pipfile", "Pipfile.lock", "requirements.txt")}
    p = plan_for(make_app, load_config, files)
    assert (p.manager, p.files) == ("micropipenv", ("Pipfile", "Pipfile.lock"))
    assert p.reason == "there is a Pipfile.lock and ENABLE_PIPENV is not set"
    assert p.not_used == (("requirements.txt", "Pipfile.lock pins the complete set of packages"),)
    p = plan_for(make_app, load_config, files, ENABLE_PIPENV="true")
    assert (p.manager, p.reason, p.pipenv_version) == ("pipenv", "ENABLE_PIPENV is set", None)


def test_enable_pipenv_picks_pipfile_lock_over_uv_lock_and_takes_the_pinned_version(make_app, load_config):
    p = plan_for(make_app, load_config, LOCKS, ENABLE_PIPENV="1", PIN_PIPENV_VERSION="2024.4.1")
    assert (p.manager, p.files, p.pipenv_version) == ("pipenv", ("Pipfile", "Pipfile.lock"), "2024.4.1")
    assert ("uv.lock", "Pipfile.lock pins the complete set of packages") in p.not_used


def test_both_pipenv_switches_are_a_config_error(make_app, load_config):
    with pytest.raises(ConfigError) as raised:
        plan_for(make_app, load_config, LOCKS, ENABLE_PIPENV="1", ENABLE_MICROPIPENV="1")
    assert str(raised.value) == (
        "ENABLE_PIPENV and ENABLE_MICROPIPENV are both set.\n\n"
        "Each names a different installer for Pipfile.lock; the build cannot use both.\n\n"
        "Unset one of them: ENABLE_MICROPIPENV (the default for Pipfile.lock) installs the locked packages "
        "with pip, ENABLE_PIPENV runs pipenv itself."
    )


def test_enable_pipenv_with_nothing_for_pipenv_to_install_is_a_config_error(make_app, load_config):
    app = make_app({**APP, "pyproject.toml": PYPROJECT})
    with pytest.raises(ConfigError) as raised:
        deps.plan(load_config(app, ENABLE_PIPENV="1"), python="3.13.5")
    assert str(raised.value) == (
        f"ENABLE_PIPENV is set, but there is no Pipfile.lock, Pipfile or requirements.txt in {app}.\n\n"
        "pipenv installs the packages one of them lists; without any it would install nothing.\n\n"
        "Run `pipenv lock` and commit Pipfile and Pipfile.lock (or add a requirements.txt), or unset ENABLE_PIPENV."
    )


def test_enable_pipenv_with_only_requirements_txt_installs_it_with_pipenv_as_sclorg_does(make_app, load_config):
    p = plan_for(
        make_app, load_config, {"requirements.txt": "flask\n"}, ENABLE_PIPENV="1", PIN_PIPENV_VERSION="2026.2.2"
    )
    assert (p.manager, p.files, p.pipenv_version) == ("pipenv", ("requirements.txt",), "2026.2.2")
    assert p.reason == "ENABLE_PIPENV is set and there is a requirements.txt but no Pipfile"
    assert (p.not_used, p.warnings) == ((), ())


def test_enable_pipenv_with_a_pipfile_and_no_lock_lets_pipenv_lock_it_and_warns(make_app, load_config):
    p = plan_for(make_app, load_config, {"Pipfile": "[packages]\n", "requirements.txt": ""}, ENABLE_PIPENV="1")
    assert (p.manager, p.files) == ("pipenv", ("Pipfile",))
    assert p.reason == "ENABLE_PIPENV is set and there is a Pipfile but no Pipfile.lock"
    assert p.not_used == (("requirements.txt", "pipenv installs from Pipfile when there is one"),)
    assert p.warnings == (
        "There is no Pipfile.lock, so pipenv resolves Pipfile now and the versions installed can change from one "
        "build to the next. Run `pipenv lock` and commit Pipfile.lock for repeatable builds.",
    )


def test_a_pipfile_without_its_lock_is_reported_as_not_used(make_app, load_config):
    p = plan_for(make_app, load_config, {"Pipfile": "", "requirements.txt": ""})
    assert p.manager == "pip"
    assert p.not_used == (("Pipfile", "there is no Pipfile.lock; run `pipenv lock` to use it"),)


def test_uv_and_micropipenv_run_in_the_dependency_directory(make_app, load_config, monkeypatch):
    for lock, text in (("uv.lock", ""), ("poetry.lock", poetry_lock_for(PYPROJECT))):
        runs = Runs()
        monkeypatch.setattr(output, "run", runs)
        app = make_app({**WEB_APP, lock: text, "pyproject.toml": PYPROJECT})
        config = load_config(app)
        deps.install(deps.plan(config, python="3.13.5"), config)
        assert set(runs.cwds) == {app}, lock


def test_pin_pipenv_version_without_enable_pipenv_warns(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": ""}, PIN_PIPENV_VERSION="2024.4.1")
    assert p.warnings == ("PIN_PIPENV_VERSION is set but ENABLE_PIPENV is not, so pipenv is not used.",)


# ---------------------------------------------------------------------------
# Pipfile.lock against Pipfile: the hash every pipenv release records.

# Hashes recorded by real pipenv releases for these Pipfiles (Project's Pipfile hash, printed by
# pipenv 2026.10.3, 2024.4.1 and 2022.8.5 themselves).
RENAMED = """\
[packages]
Flask = "==3.1.1"
zope_interface = {version = "*", markers = "python_version >= '3.9'"}

[dev-packages]
PyTest = "*"

[docs]
Sphinx = "*"

[requires]
python_version = "3.13"
"""
PIPENV_2026_10_3 = "9dc662ab2fc11317a3c2136e60ac61b500cefdef8fccd991ecceba42094fddb9"  # names as PEP 503 writes them
PIPENV_2024_4_1 = "9f6741baba98325bf213351c8e69a4fea54a575307f405071ed230faea1d4194"  # names as written
PIPENV_2022_8_5 = "be337248d56ee33b59653087c0b1e26339f85faddc326bec638618f6f0f6dde3"  # no [docs] category yet
# No [[source]]: pipenv hashes its default PyPI source (`pipenv lock` by 2026.10.3 and 2024.4.1).
NO_SOURCE = '[packages]\nSix = "==1.17.0"\n'
NO_SOURCE_TODAY = "84c2e21771457e7e60048cd7d81874d5f8210db4c93d03494250d6e942ed338c"
NO_SOURCE_2024 = "8e307d083e2847f7a7a5be2ae057a947cdadd8070736211b3e9f7dc284c56ef8"


def test_the_pipfile_hashes_are_those_real_pipenv_releases_record():
    assert deps.pipfile_hashes(tomllib.loads(RENAMED)) == (PIPENV_2026_10_3, PIPENV_2024_4_1, PIPENV_2022_8_5)
    assert deps.pipfile_hashes(tomllib.loads(NO_SOURCE)) == (NO_SOURCE_TODAY, NO_SOURCE_2024)


def test_a_pipfile_whose_names_are_already_canonical_hashes_the_same_every_way():
    pipfile = '[[source]]\nname = "private"\nurl = "https://index.invalid/simple"\nverify_ssl = true\n\n'
    pipfile += '[packages]\nrequests = "*"\n'
    # pipenv 2026.10.3 and 2024.4.1 both record this one.
    assert deps.pipfile_hashes(tomllib.loads(pipfile)) == (
        "a513e0c98e4b8ca8a04911c6db84b319d0aae5eb4c9c6938407d523fd4d6b034",
    )


@pytest.mark.parametrize("sha256", [NO_SOURCE_TODAY, NO_SOURCE_2024])
@pytest.mark.parametrize("switch", [{}, {"ENABLE_PIPENV": "1"}, {"ENABLE_MICROPIPENV": "1"}])
def test_a_pipfile_lock_from_any_pipenv_release_is_accepted_without_a_source(make_app, load_config, sha256, switch):
    files = {"Pipfile": NO_SOURCE, "Pipfile.lock": lock_for(NO_SOURCE, sha256)}
    p = plan_for(make_app, load_config, files, **switch)
    assert p.files == ("Pipfile", "Pipfile.lock")


STALE = (
    "Pipfile.lock is out of date with Pipfile: the Pipfile hash it records (_meta.hash) is not this Pipfile's.\n\n"
    "Pipfile changed after Pipfile.lock was made, so installing the lock would not give the packages Pipfile asks "
    "for. The hash as older pipenv releases computed it (package names as written) is accepted too; this lock "
    "matches neither.\n\n"
    "Run `pipenv lock` where you develop, commit the updated Pipfile.lock, and build again."
)


@pytest.mark.parametrize("lock", [lock_for(NO_SOURCE, NO_SOURCE_TODAY), "{}", '{"_meta": []}'])
@pytest.mark.parametrize("switch", [{}, {"ENABLE_PIPENV": "1"}])
def test_a_pipfile_lock_out_of_date_with_pipfile_stops_the_build_naming_pipenv_lock(
    make_app, load_config, lock, switch
):
    files = {"Pipfile": NO_SOURCE.replace("1.17.0", "1.16.0"), "Pipfile.lock": lock}
    with pytest.raises(ConfigError) as raised:
        plan_for(make_app, load_config, files, **switch)
    assert str(raised.value) == STALE


def test_a_pipfile_lock_without_a_pipfile_is_installed_as_it_is(make_app, load_config):
    assert plan_for(make_app, load_config, {"Pipfile.lock": "{}"}).files == ("Pipfile.lock",)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        ("[packages]", "Pipfile.lock does not parse as JSON: Expecting value: line 1 column 2 (char 1)."),
        ("[]", "Pipfile.lock is not a JSON object."),
    ],
)
def test_a_pipfile_lock_that_is_not_a_json_object_is_an_error_naming_it(make_app, load_config, content, what):
    with pytest.raises(ConfigError) as raised:
        plan_for(make_app, load_config, {"Pipfile.lock": content})
    assert str(raised.value) == (
        f"{what}\n\npipenv writes Pipfile.lock as JSON; it lists the packages the build installs.\n\n"
        "Run `pipenv lock` where you develop and commit the Pipfile.lock it writes (it is not edited by hand)."
    )


# ---------------------------------------------------------------------------
# A mirror of PyPI for Pipfile sources.


def test_the_pypi_mirror_is_pipenv_s_own_setting_then_the_secret_then_pip_index_url(make_app, load_config):
    app = make_app({**APP, "Pipfile.lock": "{}", ".s2i/environment": "PIP_INDEX_URL=https://mirror/simple\n"})
    assert deps.plan(load_config(app), python="3.13.5").pypi_mirror == "PIP_INDEX_URL"
    secret = dataclasses.replace(load_config(app), build_secrets={"PIP_INDEX_URL": "https://u:p@m/simple"})
    assert deps.plan(secret, python="3.13.5").pypi_mirror == "the build secret index-url"
    own = load_config(app, PIPENV_PYPI_MIRROR="https://other/simple")
    assert deps.plan(own, python="3.13.5").pypi_mirror == "PIPENV_PYPI_MIRROR"
    assert deps.plan(load_config(make_app({**APP, "Pipfile.lock": "{}"})), python="3.13.5").pypi_mirror is None


def test_pip_index_url_is_no_mirror_for_other_installers(make_app, load_config):
    p = plan_for(make_app, load_config, {"requirements.txt": ""}, PIP_INDEX_URL="https://mirror/simple")
    assert p.pypi_mirror is None


def test_a_mirror_replaces_only_the_pypi_sources_keeping_their_names():
    sources = [
        {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True},
        {"name": "old", "url": "http://pypi.python.org/simple/", "verify_ssl": False},
        {"name": "private", "url": "https://index.invalid/simple", "verify_ssl": True},
    ]
    lock = json.loads(lock_for(NO_SOURCE, sources=sources))
    mirrored = deps.with_mirror(lock, "http://mirror.invalid/simple")["_meta"]["sources"]
    assert mirrored == [
        {"name": "pypi", "url": "http://mirror.invalid/simple", "verify_ssl": False},
        {"name": "old", "url": "http://mirror.invalid/simple", "verify_ssl": False},
        sources[2],
    ]
    assert deps.with_mirror({"_meta": {"sources": "x"}}, "https://m/") == {"_meta": {"sources": "x"}}


# ---------------------------------------------------------------------------
# Installing Pipfile.lock and with ENABLE_PIPENV.


def test_micropipenv_installs_the_checked_pipfile_lock_without_checking_it_again(make_app, load_config, monkeypatch):
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    app = make_app({**APP, "Pipfile": NO_SOURCE, "Pipfile.lock": lock_for(NO_SOURCE, NO_SOURCE_2024)})
    config = load_config(app)
    deps.install(deps.plan(config, python="3.13.5"), config)
    [(argv, env)] = runs
    assert argv[:2] == [str(deps.TOOLS_PYTHON), "-c"]
    assert argv[3:] == [str(app / "Pipfile.lock"), "/opt/app-root/bin/pip"]
    assert env["MICROPIPENV_NO_LOCKFILE_PRINT"] == "1"


def test_micropipenv_gets_a_copy_of_the_lock_whose_pypi_source_is_the_mirror(make_app, load_config, monkeypatch):
    copies = []

    def run(argv, *, cwd=None, env=None) -> int:
        copies.append((argv[3], json.loads(Path(argv[3]).read_text(encoding="utf-8"))))
        return 0

    monkeypatch.setattr(output, "run", run)
    pypi = {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}
    app = make_app({**APP, "Pipfile": NO_SOURCE, "Pipfile.lock": lock_for(NO_SOURCE, sources=[pypi])})
    config = dataclasses.replace(load_config(app), build_secrets={"PIP_INDEX_URL": "https://u:secret@m.invalid/s/"})
    deps.install(deps.plan(config, python="3.13.5"), config)
    [(path, lock)] = copies
    assert not path.startswith(str(app))
    assert lock["_meta"]["sources"] == [{"name": "pypi", "url": "https://u:secret@m.invalid/s/", "verify_ssl": True}]
    assert not Path(path).exists()  # the scratch copy (with the credentials) is gone


def test_the_micropipenv_driver_reports_micropipenv_s_error_without_a_traceback(tmp_path):
    fake = tmp_path / "micropipenv.py"
    fake.write_text(
        "class MicropipenvException(Exception):\n    pass\n\n"
        "def install_pipenv(pip_bin, pipfile_lock):\n"
        "    raise MicropipenvException(f'cannot install {sorted(pipfile_lock)} with {pip_bin}')\n"
    )
    (tmp_path / "Pipfile.lock").write_text('{"default": {}}')
    result = subprocess.run(
        [sys.executable, "-c", deps._MICROPIPENV_LOCK, str(tmp_path / "Pipfile.lock"), "/opt/app-root/bin/pip"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr == "micropipenv: cannot install ['default'] with /opt/app-root/bin/pip\n"


@pytest.mark.parametrize(
    ("files", "command"),
    [
        ({"Pipfile": NO_SOURCE, "Pipfile.lock": lock_for(NO_SOURCE, NO_SOURCE_2024)}, ["sync"]),
        ({"Pipfile": NO_SOURCE}, ["install", "--deploy"]),
        ({"requirements.txt": "flask\n"}, ["install", "-r", "requirements.txt"]),
    ],
)
def test_enable_pipenv_leaves_the_pinned_pipenv_on_path_and_runs_it_as_sclorg_does(
    make_app, load_config, monkeypatch, files, command
):
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    monkeypatch.setattr(build_secrets, "system_ca_bundle", lambda: Path("/etc/ssl/certs/ca-certificates.crt"))
    config = load_config(
        make_app({**APP, **files}), ENABLE_PIPENV="1", PIN_PIPENV_VERSION="2026.2.2", PIP_INDEX_URL="https://m/s/"
    )
    deps.install(deps.plan(config, python="3.13.5"), config)
    venv = "/opt/app-root/share/pipenv"
    assert [argv[1:] if argv[0] == str(deps.UV) else argv for argv, _ in runs] == [
        ["venv", "--quiet", "--clear", "--python", "/usr/bin/python3", venv],
        ["pip", "install", "--quiet", "--python", f"{venv}/bin/python", "pipenv==2026.2.2"],
        ["ln", "-sfn", "../share/pipenv/bin/pipenv", "/opt/app-root/bin/pipenv"],
        [f"{venv}/bin/pipenv", *command],
    ]
    env = runs[-1][1]
    assert (env["VIRTUAL_ENV"], env["PIPENV_PYPI_MIRROR"]) == ("/opt/app-root", "https://m/s/")
    # Older pipenv trusts certifi's bundle only: the image's store (a proxy CA in it) is named.
    assert env["REQUESTS_CA_BUNDLE"] == "/etc/ssl/certs/ca-certificates.crt"
