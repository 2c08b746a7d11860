"""Reading an entry point's file for what makes it ASGI (detect/interface.py), without running it."""

from __future__ import annotations

import pytest

from s2i_wsgi.detect.interface import asgi_framework


@pytest.mark.parametrize(
    ("source", "name", "framework"),
    [
        ("from fastapi import FastAPI\napp = FastAPI()\n", "app", "FastAPI"),
        ("import fastapi\napp = fastapi.FastAPI(title='x')\n", "app", "FastAPI"),
        ("from starlette.applications import Starlette\napp = Starlette(routes=[])\n", "app", "Starlette"),
        ("from quart import Quart\napp = Quart(__name__)\n", "app", "Quart"),
        ("from fasthtml.common import *\napp, rt = fast_app()\n", "app", "FastHTML"),
        (
            "from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n",
            "application",
            "Django (get_asgi_application)",
        ),
        ("import falcon.asgi\napp = falcon.asgi.App()\n", "app", "Falcon (falcon.asgi.App)"),
        ("async def app(scope, receive, send):\n    pass\n", "app", "an `async def`"),
        # WSGI, or nothing known: the default the servers have always assumed.
        ("from flask import Flask\napp = Flask(__name__)\n", "app", None),
        ("import falcon\napp = falcon.App()\n", "app", None),
        ("def application(environ, start_response):\n    return []\n", "application", None),
        # What binds the name last decides: a WSGI wrapper around an ASGI app is WSGI.
        ("from fastapi import FastAPI\napp = FastAPI()\napp = wrap(app)\n", "app", None),
    ],
)
def test_what_binds_the_name_last_says_whether_it_is_asgi(tmp_path, source, name, framework):
    path = tmp_path / "main.py"
    path.write_text(source, encoding="utf-8")
    assert asgi_framework(path, name) == framework
