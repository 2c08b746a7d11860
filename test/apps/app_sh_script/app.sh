#!/bin/bash
# The app starts itself (sclorg's APP_SCRIPT default): here a stdlib server.
exec python -c '
import os
from wsgiref.simple_server import make_server

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"Hello from app_sh_script\n"]

make_server("0.0.0.0", int(os.environ["PORT"]), app).serve_forever()
'
