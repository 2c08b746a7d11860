"""Detection finds `application`, but importing the module fails."""

import module_that_is_not_installed  # noqa: F401


def application(environ, start_response):
    start_response("200 OK", [])
    return [b"unreachable"]
