"""A Django project whose settings name ASGI_APPLICATION is served by an ASGI server, with its
collected static files served before Django and its migrations run at start."""

from __future__ import annotations

import harness

APP = "asgi_django_settings"


@harness.USERS
def test_an_asgi_django_project_is_served_over_asgi_with_static_files_and_migrations(built, containers, user):
    result = built(APP).assert_ok()
    assert (
        "mysite.asgi:application is an ASGI application (ASGIHandler, found by the build's import check)"
        in result.output
    )
    container = harness.serve(containers, result.image, user=user)
    status, body, _ = container.get("/")
    assert (status, body) == (200, b"Hello from asgi_django_settings (migrated, uvloop loop)\n"), container.logs()
    status, body, headers = container.get("/static/pages/site.css")
    assert (status, headers["content-type"]) == (200, "text/css"), container.logs()
    assert body.endswith(b"body { color: #0b5; }\n")
    assert container.get("/static/pages/none.css")[0] == 404
    assert "gunicorn" in container.pid1()
