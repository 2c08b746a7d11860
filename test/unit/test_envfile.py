"""The app's environment files mean one thing on every build path (src/s2i_wsgi/envfile.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from s2i_wsgi import cli, envfile
from s2i_wsgi.errors import ConfigError


@pytest.mark.parametrize(
    ("raw", "meaning"),
    [
        ('"pkg.wsgi:application"', "pkg.wsgi:application"),
        ("'pkg.wsgi:application'", "pkg.wsgi:application"),
        ("pkg.wsgi:application", "pkg.wsgi:application"),
        ('"hello world"', "hello world"),
        ('""', ""),
        ('"say \\"hi\\""', 'say "hi"'),
        ('"C:\\\\dir"', "C:\\dir"),
        ('"\\$HOME"', "$HOME"),
        ('"$HOME/x"', "$HOME/x"),
        ("'\\n stays'", "\\n stays"),
        ('"\\t stays"', "\\t stays"),
        ('  "trimmed"  ', "trimmed"),
    ],
)
def test_a_value_that_is_one_quoted_word_means_its_content_as_docker_env_and_a_shell_read_it(raw, meaning):
    assert envfile.unquote(raw) == meaning


@pytest.mark.parametrize(
    "raw",
    ['"a" "b"', "'a'b'", '"unterminated', 'half"', '"escaped end\\"', 'x="y"', '"'],
)
def test_a_value_that_is_not_one_quoted_word_is_taken_as_written(raw):
    assert envfile.unquote(raw) == raw.strip()


def test_environment_file_lines_are_name_equals_value_with_comments_and_blanks(tmp_path: Path):
    path = tmp_path / "environment"
    path.write_text(
        "# settings\n"
        "\n"
        "APP_MODULE=web:app\n"
        "  export DJANGO_SETTINGS_MODULE=site.settings\n"
        "DATABASE_URL=postgres://u:p@db/x?a=b\n"
        'GREETING="hello world"\n'
        "HOME_DIR=$HOME/x\n"
        "EMPTY=\n"
    )
    assert envfile.read(path) == {
        "APP_MODULE": "web:app",
        "DJANGO_SETTINGS_MODULE": "site.settings",
        "DATABASE_URL": "postgres://u:p@db/x?a=b",
        "GREETING": "hello world",
        "HOME_DIR": "$HOME/x",
        "EMPTY": "",
    }
    assert envfile.read_raw(path)["GREETING"] == '"hello world"'


def test_a_missing_environment_file_sets_nothing(tmp_path: Path):
    assert envfile.read(tmp_path / "absent") == {}


def test_an_environment_file_that_is_not_utf8_names_the_file(tmp_path: Path):
    path = tmp_path / ".s2i" / "environment"
    path.parent.mkdir()
    path.write_bytes(b"APP_MODULE=caf\xe9:app\n")
    with pytest.raises(ConfigError) as raised:
        envfile.read(path)
    assert str(raised.value).startswith(".s2i/environment cannot be read (")
    assert "Save .s2i/environment as UTF-8 text with NAME=VALUE lines." in str(raised.value)


def test_a_quoted_value_passed_on_verbatim_by_s2i_gets_its_meaning(tmp_path: Path):
    path = tmp_path / "environment"
    path.write_text('APP_MODULE="pkg.wsgi:application"\nPLAIN=x\nSET_AGAIN="file"\n')
    environ = {"APP_MODULE": '"pkg.wsgi:application"', "PLAIN": "x", "SET_AGAIN": "from -e"}
    assert envfile.passed_verbatim(environ, path) == {"APP_MODULE": "pkg.wsgi:application"}


def test_the_launcher_sees_and_passes_on_the_unquoted_value_whatever_the_path(make_app, load_config):
    app = make_app({".s2i/environment": 'APP_MODULE="pkg.wsgi:application"\nGREETING="hello world"\n'})
    # The real s2i (verbatim), --as-dockerfile (escaped: verbatim too), an old s2i (Docker unquoted it).
    for environ in (
        {"APP_MODULE": '"pkg.wsgi:application"', "GREETING": '"hello world"'},
        {"APP_MODULE": "pkg.wsgi:application", "GREETING": "hello world"},
        {},
    ):
        config = load_config(app, **environ)
        assert config["APP_MODULE"] == "pkg.wsgi:application"
        assert config.source_of("APP_MODULE") == ".s2i/environment"
        assert config.environment["GREETING"] == "hello world"


def test_a_value_set_again_with_e_keeps_its_own_origin(make_app, load_config):
    app = make_app({".s2i/environment": 'APP_MODULE="pkg.wsgi:application"\n'})
    config = load_config(app, APP_MODULE="other.wsgi:application")
    assert (config["APP_MODULE"], config.source_of("APP_MODULE")) == ("other.wsgi:application", "environment")


def test_every_command_runs_with_the_file_s_meaning_in_its_environment(make_app, monkeypatch, capsys):
    app = make_app({".s2i/environment": 'GREETING="hello world"\n'})
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(app))
    monkeypatch.setenv("GREETING", '"hello world"')
    assert cli.main(["usage"]) == 0
    assert os.environ["GREETING"] == "hello world"


def test_an_empty_value_in_the_environment_does_not_hide_the_file_s(make_app, load_config):
    app = make_app({".s2i/environment": "APP_MODULE=pkg.wsgi:application\nMOD_WSGI_THREADS=9\n"})
    config = load_config(app, APP_MODULE="", MOD_WSGI_THREADS="  ")
    assert (config["APP_MODULE"], config.source_of("APP_MODULE")) == ("pkg.wsgi:application", ".s2i/environment")
    assert config["MOD_WSGI_THREADS"] == 9
