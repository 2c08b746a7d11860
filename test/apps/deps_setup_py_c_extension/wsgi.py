"""The C extension built by `pip install .` from setup.py."""

import cmarker


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"deps_setup_py_c_extension: {cmarker.answer()} from {cmarker.__file__.rsplit('.', 1)[-1]}\n".encode()]
