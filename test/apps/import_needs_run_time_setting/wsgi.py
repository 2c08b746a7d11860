"""Imports only where REQUIRED_SETTING is set: a warning at build, a failure at run without it."""

import os

GREETING = os.environ["REQUIRED_SETTING"]


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"Hello from import_needs_run_time_setting: {GREETING}\n".encode()]
