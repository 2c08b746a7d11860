"""The callable is deep in a package and not called application or app."""


def storefront(environ, start_response):
    body = b"Hello from app_module_package\n"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]
