"""Django at build and start: collectstatic and its record, the static URL alias, migrations.

The app's Python is never run: output.run is replaced by a recorder that prints what the
collectstatic script would (its `S2I_WSGI_DJANGO {json}` result line) into the `collect` list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from s2i_wsgi import django, output
from s2i_wsgi.detect import Django, EntryPoint, detect
from s2i_wsgi.errors import BuildError, StartError

MANAGE_PY = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
DJANGO_APP = {
    "manage.py": MANAGE_PY,
    "mysite/__init__.py": "",
    "mysite/settings.py": 'WSGI_APPLICATION = "mysite.wsgi.application"\n',
    "mysite/wsgi.py": "application = object()\n",
}


def result_line(**fields) -> str:
    result = {"staticfiles": True, "static_url": "/static/", "static_root": "/srv/static", "static_root_default": False}
    return "S2I_WSGI_DJANGO " + json.dumps({**result, **fields})


class Runs(list):
    """Every command run, as (argv, cwd, env); prints `lines` into `collect` and exits with `code`."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.code = 0

    def __call__(self, argv, *, cwd=None, env=None, collect=None) -> int:
        self.append((list(argv), cwd, env))
        if collect is not None:
            collect.extend(self.lines)
        return self.code


@pytest.fixture
def runs(monkeypatch) -> Runs:
    runs = Runs()
    monkeypatch.setattr(output, "run", runs)
    return runs


@pytest.fixture
def state_file(tmp_path, monkeypatch) -> Path:
    """The collectstatic record, in tmp_path instead of /opt/app-root/etc."""
    path = tmp_path / "etc" / "s2i-wsgi" / "django-static.json"
    monkeypatch.setattr(django, "STATE_FILE", path)
    return path


@pytest.fixture
def django_app(make_app, load_config):
    """django_app(NAME=value...): (config, entry) for a startproject-style Django app."""

    def make(**environ):
        config = load_config(make_app(DJANGO_APP), **environ)
        return config, detect(config)

    return make


def record(state_file: Path, **result) -> None:
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(result), encoding="utf-8")


# ---------------------------------------------------------------------------
# static_alias: what Apache serves, from the collectstatic record.


def test_the_static_url_is_aliased_to_the_collected_directory(state_file):
    record(state_file, static_url="/static/", static_root="/srv/static")
    assert django.static_alias() == ("/static", "/srv/static")


def test_a_relative_static_url_is_made_absolute(state_file):
    record(state_file, static_url="static/", static_root="/srv/static")
    assert django.static_alias() == ("/static", "/srv/static")


def test_a_static_url_without_a_trailing_slash_is_kept(state_file):
    record(state_file, static_url="/assets", static_root="/srv/static")
    assert django.static_alias() == ("/assets", "/srv/static")


def test_a_nested_static_url_loses_only_its_trailing_slashes(state_file):
    record(state_file, static_url="/app/static//", static_root="/srv/static")
    assert django.static_alias() == ("/app/static", "/srv/static")


@pytest.mark.parametrize("url", ["https://cdn.example.com/static/", "http://cdn/x/", "//cdn.example.com/static/"])
def test_static_files_served_from_another_host_get_no_alias(state_file, url):
    record(state_file, static_url=url, static_root="/srv/static")
    assert django.static_alias() is None


@pytest.mark.parametrize(
    "fields", [{"static_url": "", "static_root": "/srv"}, {"static_url": "/s/", "static_root": ""}]
)
def test_an_empty_static_url_or_root_gets_no_alias(state_file, fields):
    record(state_file, **fields)
    assert django.static_alias() is None


def test_without_a_collectstatic_record_there_is_no_alias(state_file):
    assert not state_file.exists()
    assert django.static_alias() is None


def test_a_corrupt_collectstatic_record_is_ignored(state_file):
    state_file.parent.mkdir(parents=True)
    state_file.write_text("{not json", encoding="utf-8")
    assert django.static_alias() is None


def test_a_collectstatic_record_that_is_not_an_object_is_ignored(state_file):
    state_file.parent.mkdir(parents=True)
    state_file.write_text("[]\n", encoding="utf-8")
    assert django.static_alias() is None


# ---------------------------------------------------------------------------
# collectstatic at build.


def test_collectstatic_is_skipped_for_apps_that_are_not_django(make_app, load_config, runs, state_file, capsys):
    config = load_config(make_app({"wsgi.py": "application = 1\n"}))
    django.collectstatic(config, detect(config), {})
    assert runs == []
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "started",
    [
        ({"Procfile": "web: gunicorn --config gunicorn.conf.py mysite.wsgi\n"}, {}),
        ({"app.sh": "#!/bin/sh\nexec gunicorn mysite.wsgi\n"}, {}),
        ({}, {"APP_MODULE": "mysite.wsgi:application"}),
    ],
    ids=["procfile", "app-sh", "app-module"],
)
def test_collectstatic_runs_for_a_django_project_however_it_is_started(
    make_app, load_config, runs, state_file, started
):
    files, environ = started
    app = make_app({**DJANGO_APP, **files})
    if "app.sh" in files:
        (app / "app.sh").chmod(0o755)
    config = load_config(app, **environ)
    entry = detect(config)
    runs.lines = [result_line()]
    django.collectstatic(config, entry, {})
    [(argv, _, env)] = runs
    assert 'call_command("collectstatic"' in argv[2]
    assert env["DJANGO_SETTINGS_MODULE"] == "mysite.settings"


def test_a_manage_py_that_names_no_settings_is_not_taken_for_a_django_project(make_app, load_config, runs):
    app = make_app({"manage.py": "print('not Django')\n", "Procfile": "web: python manage.py\n"})
    config = load_config(app)
    django.collectstatic(config, detect(config), {})
    assert runs == []


def test_disable_collectstatic_skips_it_and_says_so(django_app, runs, state_file, capsys):
    config, entry = django_app(DISABLE_COLLECTSTATIC="true")
    django.collectstatic(config, entry, {})
    assert runs == []
    assert capsys.readouterr().out == "---> Skipping collectstatic (DISABLE_COLLECTSTATIC)\n"
    assert not state_file.exists()


def test_collectstatic_runs_the_apps_python_with_the_settings_module(django_app, runs, state_file, capsys):
    config, entry = django_app()
    runs.lines = ["119 static files copied to '/srv/static'.", result_line()]
    django.collectstatic(config, entry, {"SECRET_KEY": "build"})
    [(argv, cwd, env)] = runs
    assert argv[:2] == [str(django.PYTHON), "-c"]
    assert 'call_command("collectstatic", interactive=False, verbosity=1)' in argv[2]
    assert argv[3] == str(django.DEFAULT_STATIC_ROOT)
    assert cwd == config.app_dir
    assert env == {"SECRET_KEY": "build", "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    assert capsys.readouterr().out == "---> Collecting Django static files (manage.py collectstatic)\n"


def test_a_django_settings_module_in_the_environment_is_not_overridden(django_app, runs, state_file):
    config, entry = django_app()
    runs.lines = [result_line()]
    django.collectstatic(config, entry, {"DJANGO_SETTINGS_MODULE": "mysite.settings_build"})
    assert runs[0][2]["DJANGO_SETTINGS_MODULE"] == "mysite.settings_build"


def test_what_collectstatic_collected_is_recorded_for_the_start(django_app, runs, state_file):
    config, entry = django_app()
    runs.lines = [result_line(static_url="/assets/", static_root="/srv/assets")]
    django.collectstatic(config, entry, {})
    assert json.loads(state_file.read_text(encoding="utf-8")) == {
        "staticfiles": True,
        "static_url": "/assets/",
        "static_root": "/srv/assets",
        "static_root_default": False,
    }
    assert django.static_alias() == ("/assets", "/srv/assets")


def test_the_last_result_line_counts(django_app, runs, state_file):
    config, entry = django_app()
    runs.lines = [result_line(static_url="/old/"), "noise", result_line(static_url="/new/"), "Goodbye"]
    django.collectstatic(config, entry, {})
    assert django.static_alias() == ("/new", "/srv/static")


def test_without_static_root_the_default_directory_is_reported(django_app, runs, state_file, capsys):
    config, entry = django_app()
    default = str(django.DEFAULT_STATIC_ROOT)
    runs.lines = [result_line(static_root=default, static_root_default=True)]
    django.collectstatic(config, entry, {})
    assert f"    STATIC_ROOT is not set: collected into {default}\n" in capsys.readouterr().out
    assert django.static_alias() == ("/static", default)


def test_without_staticfiles_installed_nothing_is_recorded(django_app, runs, state_file, capsys):
    config, entry = django_app()
    runs.lines = [result_line(staticfiles=False, static_root="")]
    django.collectstatic(config, entry, {})
    assert "    django.contrib.staticfiles is not installed: nothing to collect\n" in capsys.readouterr().out
    assert not state_file.exists()


def test_a_failed_collectstatic_stops_the_build_with_advice(django_app, runs, state_file):
    config, entry = django_app()
    runs.code = 1
    with pytest.raises(BuildError) as raised:
        django.collectstatic(config, entry, {})
    message = str(raised.value)
    assert message.startswith("collectstatic failed (exit status 1) for the Django settings mysite.settings.")
    assert "often a setting reads an environment variable that is only set at run time" in message
    assert "or set DISABLE_COLLECTSTATIC=true and serve static files yourself." in message
    assert not state_file.exists()


# ---------------------------------------------------------------------------
# migrate at start.


def test_migrate_is_skipped_for_apps_that_are_not_django(make_app, load_config, runs, capsys):
    config = load_config(make_app({"wsgi.py": "application = 1\n"}))
    django.migrate(config, detect(config), {})
    assert runs == []
    assert capsys.readouterr().out == ""


def test_migrate_runs_manage_py_migrate_noinput(django_app, runs, capsys):
    config, entry = django_app()
    django.migrate(config, entry, {"DATABASE_URL": "sqlite://"})
    [(argv, cwd, env)] = runs
    assert argv == [str(django.PYTHON), str(config.app_dir / "manage.py"), "migrate", "--noinput"]
    assert cwd == config.app_dir
    assert env == {"DATABASE_URL": "sqlite://", "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    assert capsys.readouterr().out == (
        "---> Running Django migrations at start (manage.py migrate; DISABLE_MIGRATE=true turns this off)\n"
    )


def test_migrate_says_when_it_runs(django_app, runs, capsys):
    config, entry = django_app()
    django.migrate(config, entry, {}, when="now")
    assert capsys.readouterr().out.startswith("---> Running Django migrations now (")


def test_a_failed_migration_stops_the_start_with_advice(django_app, runs):
    config, entry = django_app()
    runs.code = 2
    with pytest.raises(StartError) as raised:
        django.migrate(config, entry, {})
    message = str(raised.value)
    assert message.startswith("manage.py migrate failed (exit status 2).")
    assert "so the container stops instead." in message
    assert "or set DISABLE_MIGRATE=true and run `s2i-wsgi migrate` yourself (a Job or an init container)." in message


def test_django_env_adds_the_settings_module_only_for_django_entries(tmp_path):
    plain = EntryPoint("wsgi", "application", None, "test")
    project = EntryPoint("wsgi", "application", None, "test", django=Django(tmp_path / "manage.py", "x.settings"))
    assert django.django_env(plain, {"A": "1"}) == {"A": "1"}
    assert django.django_env(project, {"A": "1"}) == {"A": "1", "DJANGO_SETTINGS_MODULE": "x.settings"}
