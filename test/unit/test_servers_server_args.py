""".warpdrive/server_args (servers/server_args.py): split like shell words, never run, and never
setting what the launcher owns."""

from __future__ import annotations

import pytest

from s2i_wsgi.errors import ConfigError


def test_server_args_are_split_like_shell_words_and_come_last(launch):
    files = {".warpdrive/server_args": "# tuning\n--setenv MARKER 'two words'\n--processes 4  # wins\n"}
    argv, _ = launch(files=files)
    assert argv[-5:] == ["--setenv", "MARKER", "two words", "--processes", "4"]


def test_server_args_directory_holds_one_file_per_server(launch):
    files = {".warpdrive/server_args/gunicorn": "--max-requests 100\n", ".warpdrive/server_args/mod_wsgi": "--x\n"}
    argv, _ = launch("gunicorn", files)
    assert argv[-3:] == ["--max-requests", "100", "wsgi:application"]


def test_server_args_go_before_the_app_for_waitress(launch):
    argv, _ = launch("waitress", {".warpdrive/server_args": "--connection-limit=200"})
    assert argv[-2:] == ["--connection-limit=200", "wsgi:application"]


def test_server_args_expand_environment_variables(launch):
    argv, _ = launch(files={".warpdrive/server_args": "--setenv GREETING ${HELLO} --setenv B $HELLO"}, HELLO="hi")
    assert argv[-6:] == ["--setenv", "GREETING", "hi", "--setenv", "B", "hi"]


@pytest.mark.parametrize(
    "text", ["--processes $(nproc)", "--x `id`", "--a 1; rm -rf /", "--a 1 | tee", "--a &", "--a > f"]
)
def test_server_args_with_shell_syntax_are_refused(launch, text):
    with pytest.raises(ConfigError) as error:
        launch(files={".warpdrive/server_args": f"# ok\n{text}\n"})
    what, why, _ = str(error.value).split("\n\n")
    assert what.startswith(".warpdrive/server_args line 2 contains `")
    assert what.endswith(f"`: {text!r}")
    assert why == (
        "This file holds server options only. It is split into words but never run by a shell, "
        "so command substitution, pipes, redirections and `;` or `&` cannot work."
    )


def test_server_args_command_substitution_message_is_exact(launch):
    with pytest.raises(ConfigError) as error:
        launch(files={".warpdrive/server_args": "--processes $(nproc)\n"})
    assert str(error.value) == (
        ".warpdrive/server_args line 1 contains `$(`: '--processes $(nproc)'\n\n"
        "This file holds server options only. It is split into words but never run by a shell, "
        "so command substitution, pipes, redirections and `;` or `&` cannot work.\n\n"
        "Write the options literally ($NAME and ${NAME} are replaced from the environment); "
        "run commands in a hook instead."
    )


def test_server_args_referring_to_an_unset_variable_are_refused(launch):
    with pytest.raises(ConfigError, match=r"^.warpdrive/server_args refers to \$NOPE, which is not set\."):
        launch(files={".warpdrive/server_args": "--threads $NOPE"})


def test_server_args_with_an_unclosed_quote_are_refused(launch):
    with pytest.raises(ConfigError, match=r"^.warpdrive/server_args cannot be split into words: No closing quotation"):
        launch(files={".warpdrive/server_args": "--setenv A 'b"})


@pytest.mark.parametrize(
    ("server", "text", "option"),
    [
        ("mod_wsgi", "--port 9000", "--port"),
        ("mod_wsgi", "--entry-point=x.py", "--entry-point"),
        ("gunicorn", "-c other.py", "-c"),
        ("gunicorn", "--config=other.py", "--config"),
        ("uwsgi", "--http-socket :9000", "--http-socket"),
        ("waitress", "--listen=*:9000", "--listen"),
    ],
)
def test_server_args_may_not_set_what_the_launcher_owns(launch, server, text, option):
    with pytest.raises(ConfigError) as error:
        launch(server, {".warpdrive/server_args": text})
    title = {"mod_wsgi": "mod_wsgi-express", "uwsgi": "uWSGI"}.get(server, server)
    assert str(error.value).startswith(
        f".warpdrive/server_args sets {option}, which the launcher sets for {title}.\n\n"
    )
    assert f"\n\nRemove {option} from .warpdrive/server_args. " in str(error.value)


def test_the_port_conflict_message_is_exact(launch):
    with pytest.raises(ConfigError) as error:
        launch(files={".warpdrive/server_args": "--port 9000"})
    assert str(error.value) == (
        ".warpdrive/server_args sets --port, which the launcher sets for mod_wsgi-express.\n\n"
        "It decides where the server listens and what it serves, from PORT and the detected entry point. "
        "Logs go to the terminal.\n\n"
        "Remove --port from .warpdrive/server_args. Use PORT, APP_MODULE or APP_HOME instead. Other options "
        "in this file come after the MOD_WSGI_* ones, so they win."
    )


def test_similar_but_different_options_are_allowed(launch):
    argv, _ = launch(files={".warpdrive/server_args": "--https-port 8443 --server-name example.com"})
    assert argv[-4:] == ["--https-port", "8443", "--server-name", "example.com"]
