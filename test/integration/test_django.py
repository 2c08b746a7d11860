"""A Django project: static files collected at build and served by Apache, migrations at start."""

from __future__ import annotations

import re

import pytest

from harness import APPS, USERS, serve


@pytest.fixture(scope="module")
def django_build(built):
    return built("django_collectstatic").assert_ok()


def test_collectstatic_runs_at_build_with_a_static_root_supplied(django_build):
    assert "---> Collecting Django static files (manage.py collectstatic)" in django_build.output
    assert "STATIC_ROOT is not set: collected into /opt/app-root/static" in django_build.output
    assert "Entry point: mysite.wsgi:application (Django project (mysite.settings.WSGI_APPLICATION" in (
        django_build.output
    )


@USERS
def test_django_app_is_migrated_at_start_and_served(django_build, containers, user):
    container = serve(containers, django_build.image, user=user)
    status, body, _ = container.get("/")
    assert (status, body) == (200, b"Hello from django_collectstatic (migrated)\n"), container.logs()
    assert "Running Django migrations at start" in container.logs()


@USERS
def test_static_files_are_served_by_apache_with_their_content_type(django_build, containers, user):
    container = serve(containers, django_build.image, user=user)
    status, body, headers = container.get("/static/pages/site.css")
    assert status == 200, container.logs()
    assert body == (APPS / "django_collectstatic" / "pages" / "static" / "pages" / "site.css").read_bytes()
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Server"].startswith("Apache")


def test_disable_migrate_leaves_the_database_alone(django_build, containers):
    container = containers(django_build.image, "-e", "DISABLE_MIGRATE=true")
    container.wait_ready()
    assert container.get("/")[0] == 500  # no tables: the app's own query fails
    assert "Running Django migrations" not in container.logs()


def test_ready_check_fails_until_s2i_wsgi_migrate_has_run(django_build, containers):
    container = containers(django_build.image, "-e", "DISABLE_MIGRATE=true")
    container.wait_ready()
    before = container.exec("s2i-wsgi", "ready")
    assert before.returncode == 1
    assert "ERROR: ready: GET / on port 8080 answered 500." in before.stderr.decode()
    migrate = container.exec("s2i-wsgi", "migrate")
    assert migrate.returncode == 0, migrate.stdout.decode() + migrate.stderr.decode()
    assert "---> Running Django migrations now" in migrate.stdout.decode()
    after = container.exec("s2i-wsgi", "ready")
    assert after.returncode == 0, after.stderr.decode()
    assert after.stdout.decode() == "ready: GET / on port 8080 answered 200\n"


@pytest.mark.parametrize("server", ["gunicorn", "waitress", "uwsgi"])
def test_static_files_are_served_without_django_by_the_other_servers(built, containers, server):
    result = built("django_collectstatic", f"WSGI_SERVER={server}").assert_ok()
    container = containers(result.image, "--user", "123456:0")
    container.wait_ready()
    assert container.get("/")[:2] == (200, b"Hello from django_collectstatic (migrated)\n"), container.logs()
    status, body, headers = container.get("/static/pages/site.css")
    assert status == 200, container.logs()
    assert body == (APPS / "django_collectstatic" / "pages" / "static" / "pages" / "site.css").read_bytes()
    assert headers["Content-Type"].startswith("text/css")


@USERS
def test_a_heroku_style_app_started_by_its_procfile_gets_its_static_files_collected(built, containers, user):
    """Procfile `web: gunicorn --config gunicorn.conf.py mysite.wsgi`, WhiteNoise's manifest storage:
    without collectstatic at build, {% static %} raises and the page answers 500."""
    result = built("corpus_heroku_django").assert_ok()
    assert "---> Collecting Django static files (manage.py collectstatic)" in result.output
    container = serve(containers, result.image, user=user)
    status, body, _ = container.get("/")
    match = re.fullmatch(rb"corpus_heroku_django stylesheet=(/static/pages/site\.[0-9a-f]{12}\.css)\n", body)
    assert status == 200 and match, (status, body, container.logs())
    status, css, headers = container.get(match[1].decode())
    assert (status, css) == (
        200,
        (APPS / "corpus_heroku_django" / "pages" / "static" / "pages" / "site.css").read_bytes(),
    )
    assert headers["Content-Type"].startswith("text/css")
    assert "corpus_heroku_django GET / 200" in container.logs_with("corpus_heroku_django GET / 200")
