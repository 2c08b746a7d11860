"""requirements.txt with -r, -c, -e .[extra] and markers."""

import idna
import six
from includes_marker import MARKER


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{MARKER}: idna {idna.__version__}, six {six.__version__}\n".encode()]
