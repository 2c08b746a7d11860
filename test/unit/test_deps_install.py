"""deps.install(): the installers run in order, with the build's environment (deps/install.py, deps/run.py)."""

from __future__ import annotations

import pytest

from s2i_wsgi import deps, output
from s2i_wsgi.errors import BuildError

from .deps_support import APP, PYPROJECT, Runs, plan_for


def test_setup_py_alone_is_installed_unless_disabled(make_app, load_config):
    p = plan_for(make_app, load_config, {"setup.py": ""})
    assert (p.manager, p.project) == ("none", "setup.py")
    assert p.reason == "there is no lock file or requirements.txt, only the project's setup.py"
    p = plan_for(make_app, load_config, {"setup.cfg": ""}, DISABLE_SETUP_PY_PROCESSING="1")
    assert (p.project, p.not_used) == (None, (("setup.cfg", "DISABLE_SETUP_PY_PROCESSING is set"),))


def test_install_checks_the_lock_before_installing_and_names_the_stale_file(make_app, load_config, monkeypatch):
    runs = Runs("--check")
    monkeypatch.setattr(output, "run", runs)
    config = load_config(make_app({**APP, "uv.lock": "", "pyproject.toml": PYPROJECT}))
    with pytest.raises(BuildError) as raised:
        deps.install(deps.plan(config, python="3.13.5"), config)
    assert str(raised.value).startswith(
        "uv.lock is out of date with pyproject.toml (uv lock --check exited with status 1)."
    )
    assert len(runs) == 1
    argv, env = runs[0]
    assert argv[1:4] == ["lock", "--check", "--offline"]
    assert env["UV_PROJECT_ENVIRONMENT"] == "/opt/app-root"
    assert env["UV_SYSTEM_CERTS"] == "1"
