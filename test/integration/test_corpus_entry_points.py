"""Apps laid out as other platforms document them build unchanged through the real s2i: main.py
defining `app` (Google Cloud's buildpacks with pip, poetry and uv, Railpack with uv) and a Flask app
factory in a package (Flask's tutorial), served in production as UID 1001 and as an arbitrary UID."""

from __future__ import annotations

import pytest

import harness

FACTORY_REASON = (
    "package flaskr (named in the project metadata) defines the app factory `create_app` (and no `application` "
    "or `app`)"
)


@pytest.fixture(scope="module")
def railpack_locked(builder, tmp_path_factory):
    return harness.uv_locked("corpus_railpack_main_flask", tmp_path_factory)


@pytest.fixture(scope="module")
def google_uv_locked(builder, tmp_path_factory):
    return harness.uv_locked("corpus_google_main_uv", tmp_path_factory)


def assert_answers(container, body: bytes, start_line: str) -> None:
    status, answered, _ = container.get("/")
    assert (status, answered) == (200, body), container.logs()
    logs = container.logs()
    assert start_line in logs, logs


@harness.USERS
@pytest.mark.parametrize(
    ("app", "body"),
    [
        ("corpus_google_main_pip", b"Hello from corpus_google_main_pip\n"),
        ("corpus_flask_factory", b"Hello from corpus_flask_factory (create_app)\n"),
    ],
)
def test_a_corpus_app_answers_its_marker_served_by_mod_wsgi(built, containers, app, body, user):
    build = built(app).assert_ok()
    target, reason = ("main:app", "main.py defines `app`")
    if app == "corpus_flask_factory":
        target, reason = ("flaskr:create_app()", FACTORY_REASON)
    assert f"---> Entry point: {target} ({reason})\n" in build.output
    container = harness.serve(containers, build.image, user=user)
    assert_answers(container, body, f"---> Serving {target} ({reason}) with mod_wsgi-express (the default;")


@harness.USERS
def test_the_railpack_uv_app_answers_its_marker(built, containers, railpack_locked, user):
    build = built("corpus_railpack_main_flask", source=railpack_locked).assert_ok()
    assert "---> Installing the packages locked in uv.lock (uv sync --locked)" in build.output
    container = harness.serve(containers, build.image, user=user)
    assert_answers(
        container,
        b"Hello from corpus_railpack_main_flask\n",
        "---> Serving main:app (main.py defines `app`) with mod_wsgi-express",
    )


# What the build log says it installs each Google-style app with (poetry.lock: committed, made by
# poetry 2 for a PEP 621 project with package-mode = false; uv.lock: made by the builder's uv).
GOOGLE_INSTALLS = {
    "corpus_google_main_poetry": (
        "---> Dependencies: micropipenv from pyproject.toml, poetry.lock (there is a poetry.lock)\n",
        "---> Installing the main group locked in poetry.lock (micropipenv)\n",
    ),
    "corpus_google_main_uv": (
        "---> Dependencies: uv from pyproject.toml, uv.lock (there is a uv.lock)\n",
        "---> Installing the packages locked in uv.lock (uv sync --locked)\n",
    ),
}


@harness.USERS
@pytest.mark.parametrize("app", list(GOOGLE_INSTALLS))
def test_a_google_style_main_py_app_with_poetry_or_uv_answers_its_marker(
    built, containers, google_uv_locked, app, user
):
    build = built(app, source=google_uv_locked if app == "corpus_google_main_uv" else None).assert_ok()
    for line in GOOGLE_INSTALLS[app]:
        assert line in build.output, build.output[-6000:]
    assert "Installing the project" not in build.output  # neither is a package
    container = harness.serve(containers, build.image, user=user)
    assert_answers(
        container,
        f"Hello from {app}\n".encode(),
        "---> Serving main:app (main.py defines `app`) with mod_wsgi-express",
    )


def test_the_build_calls_the_factory_to_check_that_it_loads(built):
    build = built("corpus_flask_factory").assert_ok()
    assert "---> Importing flaskr and calling create_app() to check that it loads\n" in build.output


# server -> (how the start line names it, the program that is PID 1)
CHOSEN = {
    "gunicorn": ("gunicorn", "gunicorn"),
    "uwsgi": ("uWSGI", "uwsgi"),
    "waitress": ("waitress", "waitress_serve.py"),
}


@harness.USERS
@pytest.mark.parametrize("server", list(CHOSEN))
def test_the_factory_app_is_served_by_the_server_chosen(built, containers, server, user):
    title, pid1 = CHOSEN[server]
    build = built("corpus_flask_factory", f"WSGI_SERVER={server}").assert_ok()
    container = harness.serve(containers, build.image, user=user)
    assert_answers(
        container,
        b"Hello from corpus_flask_factory (create_app)\n",
        f"---> Serving flaskr:create_app() ({FACTORY_REASON}) with {title} (WSGI_SERVER={server} (from ",
    )
    ps = container.exec("ps", "-o", "pid=,args=", "-p", "1").stdout.decode()
    assert pid1 in ps and "s2i_wsgi_factory:application" in ps, ps


@harness.USERS
def test_app_module_calls_the_factory_with_literal_arguments(built, containers, user):
    image = built("corpus_flask_factory").assert_ok().image
    setting = "APP_MODULE=flaskr:create_app({'GREETING': 'called with arguments'})"
    container = harness.serve(containers, image, "-e", setting, user=user)
    assert_answers(
        container,
        b"Hello from corpus_flask_factory (called with arguments)\n",
        "---> Serving flaskr:create_app({'GREETING': 'called with arguments'}) (APP_MODULE=flaskr:create_app("
        "{'GREETING': 'called with arguments'}) (from environment)) with mod_wsgi-express",
    )


def test_detect_explains_the_factory(built):
    image = built("corpus_flask_factory").assert_ok().image
    result = harness.run_once(image, "s2i-wsgi", "detect")
    out = result.stdout.decode()
    assert "entry point:  flaskr:create_app()\n" in out, harness.text(result)
    assert f"because:      {FACTORY_REASON}\n" in out
    assert (
        "factory:      create_app() is called once per server process, by /tmp/s2i-wsgi/factory/s2i_wsgi_factory.py\n"
        in out
    )
