"""A WSGI app with an ASGI part (ASGI_MOUNT, asgi_mount.py): Apache proxies the prefix to uvicorn,
which supervisord runs beside it."""

from __future__ import annotations

import os

import pytest

from s2i_wsgi import asgi, asgi_mount, cli, start
from s2i_wsgi.errors import ConfigError

from .conftest import TWO_CPUS, value_of

WSGI = {"wsgi.py": "def application(environ, start_response):\n    return []\n"}
CHAT = {"chat.py": "async def app(scope, receive, send):\n    pass\n"}


@pytest.fixture
def plan(make_app, monkeypatch, tmp_path):
    monkeypatch.setattr(asgi, "WRAPPER_DIR", tmp_path / "asgi")
    monkeypatch.setattr(asgi_mount, "SOCKET", tmp_path / "asgi-mount.sock")

    def make(files=None, **environ):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environ}
        return start.plan(env, make_app({**WSGI, **CHAT, **(files or {})}), env_hooks=False)

    return make


def test_apache_proxies_the_prefix_to_a_unix_socket_and_supervisord_runs_uvicorn_on_it(plan, tmp_path):
    chosen = plan(ASGI_MOUNT="/ws/=chat:app")
    argv, _ = start.command(chosen, TWO_CPUS)
    assert argv[:2] == ["/opt/app-root/bin/mod_wsgi-express", "start-server"]
    assert argv[-3:] == ["--proxy-mount-point", "/ws", f"unix:{tmp_path / 'asgi-mount.sock'}|http://localhost"]
    extra = start.extra_processes(chosen.config)
    assert extra.names() == [("asgi-mount", "ASGI_MOUNT")]
    command = extra.procfile[0].command
    assert command.startswith(f"PYTHONPATH={tmp_path / 'asgi'}:{chosen.config.app_dir} exec /opt/app-root/bin/uvicorn ")
    assert "--uds " + str(tmp_path / "asgi-mount.sock") in command
    assert "--root-path /ws" in command
    assert command.endswith(" s2i_wsgi_asgi:application")


def test_the_start_writes_the_mounted_apps_wrapper_and_removes_a_stale_socket(plan, tmp_path):
    chosen = plan(ASGI_MOUNT="/ws=chat:app", WSGI_REQUEST_TIMEOUT="9")
    asgi_mount.SOCKET.write_text("left by a previous run")
    start.write_files(chosen, TWO_CPUS)
    assert not asgi_mount.SOCKET.exists()
    wrapper = (tmp_path / "asgi" / "s2i_wsgi_asgi.py").read_text(encoding="utf-8")
    assert "from chat import app as _app\n" in wrapper
    assert "application = RequestTimeout(_app, 9)\n" in wrapper


def test_supervisord_runs_the_web_server_and_the_asgi_part(plan, capsys):
    chosen = plan(ASGI_MOUNT="/ws=chat:app")
    assert start.run(chosen, TWO_CPUS, dry_run=True) == 0
    conf = capsys.readouterr().out
    assert "[program:web]" in conf
    assert "; ASGI_MOUNT\n[program:asgi-mount]" in conf


@pytest.mark.parametrize(
    ("environ", "files", "message"),
    [
        (
            {"WSGI_SERVER": "gunicorn"},
            {},
            "ASGI_MOUNT=/ws=chat:app is set, but the server is gunicorn.\n\n"
            "The ASGI part is reached through mod_wsgi-express's Apache, which proxies the prefix to it.\n\n"
            "Serve the app with mod_wsgi (unset WSGI_SERVER, or set WSGI_SERVER=mod_wsgi), or unset ASGI_MOUNT.",
        ),
        (
            {"APP_MODULE": "chat:app"},
            {},
            "ASGI_MOUNT=/ws=chat:app is set, but chat:app is an ASGI app.\n\n"
            "ASGI_MOUNT adds an ASGI part to a WSGI app served by mod_wsgi, whose Apache proxies the prefix to it."
            "\n\nUnset ASGI_MOUNT: an ASGI app serves every path itself, WebSockets included.",
        ),
        (
            {},
            {"Procfile": "web: ./serve\n"},
            "ASGI_MOUNT=/ws=chat:app is set, but the app is served by bash -c ./serve itself.\n\n"
            "ASGI_MOUNT adds an ASGI part to a WSGI app served by mod_wsgi, whose Apache proxies the prefix to it."
            "\n\nUnset ASGI_MOUNT, or serve a WSGI app (APP_MODULE) so that mod_wsgi is in front.",
        ),
    ],
)
def test_asgi_mount_without_mod_wsgi_serving_a_wsgi_app_is_refused_with_why(plan, environ, files, message):
    with pytest.raises(ConfigError) as raised:
        plan(files, ASGI_MOUNT="/ws=chat:app", **environ)
    assert str(raised.value) == message


@pytest.mark.parametrize("value", ["/=chat:app", "ws=chat:app", "/ws", "/ws=chat:", "/ws=1chat:app"])
def test_a_malformed_asgi_mount_names_the_variable_and_the_form(make_app, monkeypatch, capsys, value):
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(make_app({**WSGI, **CHAT})))
    monkeypatch.setenv("ASGI_MOUNT", value)
    assert cli.main(["detect"]) != 0
    assert capsys.readouterr().err == (
        f"ERROR: ASGI_MOUNT={value!r} is not a valid value.\n\n"
        "ASGI_MOUNT must be URL-PATH=MODULE:CALLABLE, a prefix other than / and an ASGI app, e.g. "
        "/ws=chat.asgi:app.\n\n"
        "Change or unset ASGI_MOUNT. `s2i-wsgi config` lists every setting and where it came from.\n"
    )


def test_detect_lists_the_asgi_part_as_an_extra_process(make_app, monkeypatch, capsys):
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(make_app({**WSGI, **CHAT})))
    monkeypatch.setenv("ASGI_MOUNT", "/ws=chat:app")
    monkeypatch.setattr(cli, "detect_limits", lambda: TWO_CPUS)
    assert cli.main(["detect"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "extra:        asgi-mount (ASGI_MOUNT)" in lines
    assert value_of(lines[-1].split(), "--proxy-mount-point") == "/ws"
