"""Credentials never shown: one rule (src/s2i_wsgi/redact.py) for the build log, `config`, labels and
bin/s2i-build's messages."""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import sys
from pathlib import Path

import pytest

from s2i_wsgi import cli, output, redact

PASSWORD = "s3cr3t-pa55"
SCRIPT = Path(__file__).resolve().parents[2] / "bin" / "s2i-build"


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (f"https://alice:{PASSWORD}@pypi.example.invalid/simple", "https://alice:****@pypi.example.invalid/simple"),
        (f"https://{PASSWORD}@git.example.invalid/app.git", "https://****@git.example.invalid/app.git"),
        (
            f"Looking in indexes: https://u:{PASSWORD}@a.invalid/s, https://b.invalid/s",
            "Looking in indexes: https://u:****@a.invalid/s, https://b.invalid/s",
        ),
        ("https://pypi.example.invalid/simple", "https://pypi.example.invalid/simple"),
        ("git@github.invalid:you/app.git", "git@github.invalid:you/app.git"),
        ("user@host and no URL", "user@host and no URL"),
    ],
)
def test_a_url_s_credentials_are_masked_wherever_it_appears(shown, expected):
    assert redact.text(shown) == expected


@pytest.mark.parametrize("name", ["DB_PASSWORD", "API_TOKEN", "AWS_SECRET_ACCESS_KEY", "UV_INDEX_PRIVATE_PASSWORD"])
def test_a_variable_named_as_a_secret_is_masked_whole(name):
    assert redact.value(name, PASSWORD) == "****"


def test_other_variables_show_their_value_with_url_credentials_masked():
    assert redact.value("PIP_INDEX_URL", f"https://u:{PASSWORD}@x.invalid/s") == "https://u:****@x.invalid/s"
    assert redact.value("MOD_WSGI_THREADS", "5") == "5"


def test_config_never_prints_an_index_password(make_app, monkeypatch, capsys):
    app = make_app({"wsgi.py": "application = None\n"})
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(app))
    monkeypatch.setenv("PIP_INDEX_URL", f"https://alice:{PASSWORD}@pypi.example.invalid/simple")
    assert cli.main(["config"]) == 0
    out = capsys.readouterr().out
    assert PASSWORD not in out
    assert "https://alice:****@pypi.example.invalid/simple" in out


def test_what_a_child_process_prints_is_shown_with_credentials_masked(capfdbinary):
    code = output.run([sys.executable, "-c", f"print('Looking in indexes: https://u:{PASSWORD}@x.invalid/simple')"])
    assert code == 0
    out = capfdbinary.readouterr().out.decode()
    assert PASSWORD not in out
    assert "    Looking in indexes: https://u:****@x.invalid/simple" in out


def test_the_launcher_s_own_messages_are_masked(capsys):
    output.step(f"Installing from https://u:{PASSWORD}@x.invalid/simple")
    output.error(f"https://u:{PASSWORD}@x.invalid/simple answered 401")
    captured = capsys.readouterr()
    assert PASSWORD not in captured.out + captured.err


def load_s2i_build():
    loader = importlib.machinery.SourceFileLoader("s2i_build_redact", str(SCRIPT))
    spec = importlib.util.spec_from_loader("s2i_build_redact", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_bin_s2i_build_keeps_credentials_out_of_the_source_label():
    s2i_build = load_s2i_build()
    args = argparse.Namespace(
        builder="s2i-wsgi", source=f"https://alice:{PASSWORD}@git.example.invalid/app.git", tag="app", env=[]
    )
    label = s2i_build.labels(args)["io.openshift.s2i.build.source-location"]
    assert label == "https://alice:****@git.example.invalid/app.git"


def test_bin_s2i_build_shows_the_s2i_command_without_secrets(monkeypatch, capsys):
    s2i_build = load_s2i_build()
    ran = []
    monkeypatch.setattr(
        s2i_build.subprocess, "run", lambda argv, check: ran.append(argv) or argparse.Namespace(returncode=0)
    )
    args = argparse.Namespace(
        source=f"https://t0k:{PASSWORD}@git.example.invalid/app.git",
        builder="s2i-wsgi",
        tag="app",
        env=[("DB_PASSWORD", PASSWORD), ("PIP_INDEX_URL", f"https://u:{PASSWORD}@x.invalid/s")],
        ref=None,
        context_dir=None,
        inject=[],
        keep_symlinks=False,
        incremental=False,
        runtime_image=None,
    )
    assert s2i_build.build_with_s2i(args) == 0
    shown = capsys.readouterr().out
    assert PASSWORD not in shown
    assert "-e DB_PASSWORD=**** -e PIP_INDEX_URL=https://u:****@x.invalid/s" in shown
    assert PASSWORD in " ".join(ran[0])  # s2i itself gets the real values
