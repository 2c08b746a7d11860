"""assemble-runtime: the builder's output, copied by s2i into the runtime image's WORKDIR, put in place."""

from __future__ import annotations

import pytest

from s2i_wsgi import assemble_runtime, cli
from s2i_wsgi.errors import BuildError


@pytest.fixture
def app_root(tmp_path):
    """A runtime image's /opt/app-root: its own virtualenv and an empty source directory."""
    root = tmp_path / "app-root"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "python").write_text("runtime's")
    (root / "pyvenv.cfg").write_text("runtime's")
    (root / "src").mkdir()
    return root


def stage(app_root):
    """What s2i copies: the builder's /opt/app-root, at WORKDIR/app-root."""
    staged = app_root / "src" / "app-root"
    (staged / "bin").mkdir(parents=True)
    (staged / "bin" / "python").write_text("builder's")
    (staged / "lib" / "site").mkdir(parents=True)
    (staged / "pyvenv.cfg").write_text("builder's")
    (staged / "src" / "pkg").mkdir(parents=True)
    (staged / "src" / "wsgi.py").write_text("application = 1")
    (staged / "src" / "pkg" / "mod.py").write_text("")
    return staged


def test_a_tree_s2i_staged_in_the_workdir_replaces_the_virtualenv_and_fills_the_source(app_root):
    stage(app_root)
    assert assemble_runtime.place(app_root) is True
    assert (app_root / "bin" / "python").read_text() == "builder's"
    assert (app_root / "pyvenv.cfg").read_text() == "builder's"
    assert (app_root / "lib" / "site").is_dir()
    assert (app_root / "src" / "wsgi.py").read_text() == "application = 1"
    assert (app_root / "src" / "pkg" / "mod.py").is_file()
    assert not (app_root / "src" / "app-root").exists()


def test_an_app_copied_into_place_is_left_alone(app_root):
    (app_root / "src" / "wsgi.py").write_text("application = 1")
    assert assemble_runtime.place(app_root) is False
    assert (app_root / "src" / "wsgi.py").is_file()


def test_an_apps_own_app_root_directory_is_not_mistaken_for_a_staged_tree(app_root):
    (app_root / "src" / "app-root" / "src").mkdir(parents=True)
    assert assemble_runtime.place(app_root) is False
    assert (app_root / "src" / "app-root" / "src").is_dir()


def test_without_a_virtualenv_the_runtime_cannot_serve(tmp_path):
    with pytest.raises(BuildError, match="There is no virtualenv in"):
        assemble_runtime.check(tmp_path)


def test_a_tree_that_cannot_be_moved_is_explained_not_a_traceback(app_root, monkeypatch):
    stage(app_root)

    def refuse(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(assemble_runtime.shutil, "move", refuse)
    with pytest.raises(BuildError) as raised:
        assemble_runtime.place(app_root)
    message = str(raised.value)
    assert message.startswith(f"Moving {app_root / 'src' / 'app-root'} into {app_root} failed: [Errno 13]")
    assert "only root can move them into place" in message
    assert "io.openshift.s2i.assemble-runtime-user label" in message


def test_place_only_moves_the_tree_and_checks_nothing(app_root, monkeypatch):
    stage(app_root)
    monkeypatch.setattr(cli, "APP_ROOT", app_root)
    monkeypatch.setattr(assemble_runtime, "check", lambda *_: pytest.fail("--place-only must not check"))
    assert cli.main(["assemble-runtime", "--place-only"]) == 0
    assert (app_root / "bin" / "python").read_text() == "builder's"
    assert not (app_root / "src" / "app-root").exists()
