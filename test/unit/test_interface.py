"""WSGI or ASGI (interface.py): APP_INTERFACE, else the build's recorded verdict, else reading the file."""

from __future__ import annotations

from s2i_wsgi import interface
from s2i_wsgi.detect import detect

FASTAPI = {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
WSGI = {"wsgi.py": "def application(environ, start_response):\n    return []\n"}


def decide(make_app, load_config, files, **environ):
    config = load_config(make_app(files), **environ)
    return interface.decide(config, detect(config))


def test_without_a_verdict_reading_the_file_decides(make_app, load_config):
    assert decide(make_app, load_config, FASTAPI) == interface.Interface("asgi", "main.py makes `app` with FastAPI")
    assert decide(make_app, load_config, WSGI) == interface.Interface("wsgi", "nothing in its file says ASGI")


def test_the_builds_verdict_wins_over_reading_for_the_same_entry_point_only(make_app, load_config):
    config = load_config(make_app(WSGI))
    entry = detect(config)
    interface.record(entry, "asgi", "MyASGIApp")
    assert interface.decide(config, entry) == interface.Interface(
        "asgi", "MyASGIApp, found by the build's import check"
    )
    other = load_config(make_app(FASTAPI, name="other"), APP_INTERFACE="auto")
    assert interface.decide(other, detect(other)).why == "main.py makes `app` with FastAPI"
    interface.forget()
    assert interface.decide(config, entry).kind == "wsgi"


def test_app_interface_wins_over_everything(make_app, load_config):
    found = decide(make_app, load_config, FASTAPI, APP_INTERFACE="wsgi")
    assert found == interface.Interface("wsgi", "APP_INTERFACE=wsgi (from environment)")


def test_a_command_has_no_interface(make_app, load_config):
    assert decide(make_app, load_config, {"Procfile": "web: uvicorn main:app\n", **FASTAPI}) is None


def test_a_damaged_record_is_no_verdict(make_app, load_config):
    interface.RECORD.write_text("{not json", encoding="utf-8")
    assert decide(make_app, load_config, FASTAPI).why == "main.py makes `app` with FastAPI"
