"""Answers with the mod_wsgi serving it: the version the app pinned, not the builder's."""

import importlib.metadata

import mod_wsgi


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    package = importlib.metadata.version("mod_wsgi")
    module = ".".join(map(str, mod_wsgi.version))
    return [f"deps_mod_wsgi_pinned: package {package}, module {module}\n".encode()]
