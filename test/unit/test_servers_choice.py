"""Which server runs the app, and why: choose_server() (servers/choice.py), and what start and detect say of it."""

from __future__ import annotations

import pytest

from s2i_wsgi import cli
from s2i_wsgi.errors import ConfigError
from s2i_wsgi.resources import Limits
from s2i_wsgi.servers import choose_server

APP = {"wsgi.py": "application = object()\n"}


@pytest.fixture
def choose(make_app, load_config):
    """choose(files, NAME=value...): choose_server() for an app with those files and that environment."""

    def run(files=None, **environ):
        return choose_server(load_config(make_app({**APP, **(files or {})}), **environ))

    return run


def test_mod_wsgi_is_the_default(choose):
    assert choose() == ("mod_wsgi", "the default; WSGI_SERVER chooses another")


@pytest.mark.parametrize("name", ["mod_wsgi", "gunicorn", "uwsgi", "waitress"])
def test_wsgi_server_chooses_the_server(choose, name):
    assert choose(WSGI_SERVER=name) == (name, f"WSGI_SERVER={name} (from environment)")


def test_wsgi_server_is_case_insensitive(choose):
    assert choose(WSGI_SERVER="Gunicorn")[0] == "gunicorn"


def test_wsgi_server_in_s2i_environment_says_where_it_came_from(choose):
    assert choose({".s2i/environment": "WSGI_SERVER=uwsgi\n"}) == (
        "uwsgi",
        "WSGI_SERVER=uwsgi (from .s2i/environment)",
    )


def test_warpdrive_server_type_variable_is_accepted(choose):
    assert choose(WARPDRIVE_SERVER_TYPE="waitress") == (
        "waitress",
        "WARPDRIVE_SERVER_TYPE=waitress (from environment)",
    )


def test_warpdrive_server_type_file_is_accepted(choose):
    assert choose({".warpdrive/server_type": "gunicorn\n"}) == ("gunicorn", ".warpdrive/server_type says gunicorn")


def test_agreeing_choices_are_fine(choose):
    files = {".warpdrive/server_type": "uwsgi\n"}
    assert choose(files, WSGI_SERVER="uwsgi", WARPDRIVE_SERVER_TYPE="uwsgi")[0] == "uwsgi"


def test_an_explicit_choice_beats_a_gunicorn_configuration(choose):
    assert choose({"gunicorn.conf.py": "workers = 2\n"}, WSGI_SERVER="mod_wsgi")[0] == "mod_wsgi"


def test_an_app_with_gunicorn_conf_py_gets_gunicorn(choose):
    assert choose({"gunicorn.conf.py": "workers = 2\n"}) == ("gunicorn", "the app has a gunicorn.conf.py")


def test_app_config_selects_gunicorn(choose):
    assert choose({"conf/gunicorn.py": ""}, APP_CONFIG="conf/gunicorn.py") == (
        "gunicorn",
        "APP_CONFIG=conf/gunicorn.py is a gunicorn configuration",
    )


def test_gunicorn_cmd_args_selects_gunicorn(choose):
    assert choose(GUNICORN_CMD_ARGS="--workers 3") == ("gunicorn", "GUNICORN_CMD_ARGS is set")


def test_gunicorn_conf_py_in_app_home_counts(choose):
    files = {"web/wsgi.py": "application = 1\n", "web/gunicorn.conf.py": ""}
    assert choose(files, APP_HOME="web")[0] == "gunicorn"


# ---------------------------------------------------------------------------
# Bad input: exact messages.


def test_unknown_wsgi_server_names_the_value_and_the_allowed_ones(make_app, load_config):
    with pytest.raises(ConfigError) as error:
        load_config(make_app(APP), WSGI_SERVER="apache")
    assert str(error.value) == (
        "WSGI_SERVER='apache' is not a valid value.\n\n"
        "WSGI_SERVER must be one of mod_wsgi, gunicorn, uwsgi, waitress.\n\n"
        "Change or unset WSGI_SERVER. `s2i-wsgi config` lists every setting and where it came from."
    )


def test_unknown_warpdrive_server_type_variable_is_rejected(make_app, load_config):
    with pytest.raises(ConfigError) as error:
        load_config(make_app(APP), WARPDRIVE_SERVER_TYPE="tornado")
    assert str(error.value).startswith(
        "WARPDRIVE_SERVER_TYPE='tornado' is not a valid value.\n\n"
        "WARPDRIVE_SERVER_TYPE must be one of mod_wsgi, gunicorn, uwsgi, waitress.\n\n"
    )


def test_unknown_server_type_in_the_warpdrive_file_names_the_value_and_the_allowed_ones(choose):
    with pytest.raises(ConfigError) as error:
        choose({".warpdrive/server_type": "shell\n"})
    assert str(error.value) == (
        ".warpdrive/server_type says 'shell', which is not a server this builder runs.\n\n"
        "The server type must be one of mod_wsgi, gunicorn, uwsgi, waitress.\n\n"
        "Write one of them into .warpdrive/server_type, or delete the file to use WSGI_SERVER or the default."
    )


def test_conflicting_server_choices_are_rejected_listing_each(choose):
    with pytest.raises(ConfigError) as error:
        choose(WSGI_SERVER="waitress", WARPDRIVE_SERVER_TYPE="gunicorn")
    assert str(error.value) == (
        "The server is chosen more than once, differently:\n"
        "  - WSGI_SERVER=waitress (from environment)\n"
        "  - WARPDRIVE_SERVER_TYPE=gunicorn (from environment)\n\n"
        "Only one server can run the app, and picking one of these would be a guess.\n\n"
        "Keep one of these settings (WSGI_SERVER is this builder's name for it), or make them agree."
    )


def test_the_warpdrive_file_conflicting_with_wsgi_server_is_rejected(choose):
    with pytest.raises(ConfigError, match=r"  - .warpdrive/server_type says uwsgi\n"):
        choose({".warpdrive/server_type": "uwsgi"}, WSGI_SERVER="mod_wsgi")


def test_start_reports_a_conflict_without_a_traceback(make_app, monkeypatch, capsys):
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(make_app(APP)))
    monkeypatch.setenv("WSGI_SERVER", "waitress")
    monkeypatch.setenv("WARPDRIVE_SERVER_TYPE", "gunicorn")
    assert cli.main(["start", "--dry-run"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("ERROR: The server is chosen more than once, differently:\n")
    assert "Traceback" not in err


# ---------------------------------------------------------------------------
# gunicorn's wsgi_app supplies the entry point (read with ast, never imported).


# ---------------------------------------------------------------------------
# The choice and its reason are printed by start and detect.


@pytest.fixture
def source(make_app, monkeypatch):
    monkeypatch.setattr(cli, "detect_limits", lambda: Limits(cpus=2.0, memory=None))

    def use(files):
        app = make_app(files)
        monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(app))
        return app

    return use


def test_start_says_which_server_and_why(source, capsys):
    source({**APP, "gunicorn.conf.py": "workers = 2\n"})
    assert cli.main(["start", "--dry-run"]) == 0
    step = capsys.readouterr().out.splitlines()[0]
    assert step == (
        "---> Serving wsgi:application (wsgi.py defines `application`) with gunicorn "
        "(the app has a gunicorn.conf.py) on port 8080: 2 processes (2 CPUs) x 5 threads"
    )


def test_start_says_waitress_runs_one_process(source, capsys, monkeypatch):
    source(APP)
    monkeypatch.setenv("WSGI_SERVER", "waitress")
    monkeypatch.setenv("WSGI_THREADS", "8")
    cli.main(["start", "--dry-run"])
    out = capsys.readouterr().out
    assert "with waitress (WSGI_SERVER=waitress (from environment)) on port 8080: " in out
    assert ": 1 process (waitress is single-process) x 8 threads\n" in out


def test_detect_prints_the_server_and_why(source, capsys):
    source({**APP, ".warpdrive/server_type": "uwsgi\n"})
    assert cli.main(["detect"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "server:       uWSGI" in lines
    assert "chosen:       .warpdrive/server_type says uwsgi" in lines
    assert any(line.startswith("command:      /opt/app-root/bin/uwsgi --strict --master ") for line in lines)


def test_start_fails_clearly_when_the_chosen_server_was_not_installed_at_build(source, capsys, monkeypatch):
    source(APP)
    monkeypatch.setenv("WSGI_SERVER", "gunicorn")
    monkeypatch.setattr("os.execvpe", lambda *args: pytest.fail("must not exec"))
    assert cli.main(["start"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "ERROR: gunicorn was chosen (WSGI_SERVER=gunicorn (from environment)), "
        "but it is not installed in the app's virtualenv.\n\n"
    )
    assert "Set WSGI_SERVER=gunicorn for the build" in err
