"""The start (s2i run): the plan (environment, deploy-env, entry point), what runs before the
server, the command that replaces the launcher, and `start --dry-run` / `detect` for command
entry points and Django projects."""

from __future__ import annotations

import json
import os

import pytest

from s2i_wsgi import cli, django, hooks, output, start
from s2i_wsgi.errors import HookError

from .conftest import TWO_CPUS

WSGI_PY = "application = object()\n"
DJANGO_APP = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
    "mysite/__init__.py": "",
    "mysite/settings.py": 'WSGI_APPLICATION = "mysite.wsgi.application"\n',
    "mysite/wsgi.py": "application = object()\n",
}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """The CLI reads os.environ: no developer DJANGO_SETTINGS_MODULE; no real collectstatic record; our own
    hook markers and CPUs."""
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    monkeypatch.setattr(django, "STATE_FILE", tmp_path / "etc" / "django-static.json")
    monkeypatch.setattr(hooks, "STATE_DIR", tmp_path / "state")
    monkeypatch.setattr(cli, "detect_limits", lambda: TWO_CPUS)


@pytest.fixture
def environ():
    """The process environment of the start: PATH only, for the hooks' bash."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def write_hook(app, name, body, *, executable=True):
    path = app / ".s2i" / "action_hooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    path.chmod(0o755 if executable else 0o644)


def record_static(url="/static/", root="/opt/app-root/static"):
    django.STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    django.STATE_FILE.write_text(json.dumps({"static_url": url, "static_root": root}), encoding="utf-8")


# ---------------------------------------------------------------------------
# plan


def test_the_plan_exports_the_default_port(make_app, environ):
    plan = start.plan(environ, make_app({"wsgi.py": WSGI_PY}))
    assert plan.env["PORT"] == "8080"
    assert plan.entry.target == "wsgi:application"


def test_the_plan_exports_the_port_from_s2i_environment(make_app, environ):
    plan = start.plan(environ, make_app({"wsgi.py": WSGI_PY, ".s2i/environment": "PORT=9000\nGREETING=hi\n"}))
    assert plan.env["PORT"] == "9000"
    assert plan.env["GREETING"] == "hi"
    assert plan.config["PORT"] == 9000


def test_the_plan_keeps_the_process_environment(make_app, environ):
    plan = start.plan({**environ, "SECRET_KEY": "s"}, make_app({"wsgi.py": WSGI_PY}))
    assert plan.env["SECRET_KEY"] == "s"
    assert "DJANGO_SETTINGS_MODULE" not in plan.env


def test_the_plan_adds_the_django_settings_module_for_a_django_project(make_app, environ):
    plan = start.plan(environ, make_app(DJANGO_APP))
    assert plan.entry.django is not None
    assert plan.env["DJANGO_SETTINGS_MODULE"] == "mysite.settings"


@pytest.mark.parametrize("given", [None, ""])
def test_the_plan_gives_the_app_a_runtime_directory_under_tmpdir_when_the_platform_sets_none(make_app, environ, given):
    extra = {} if given is None else {"XDG_RUNTIME_DIR": given}
    plan = start.plan({**environ, **extra}, make_app({"wsgi.py": WSGI_PY}))
    # Not the home directory (the app's source), which a restricted platform mounts read-only.
    assert plan.env["XDG_RUNTIME_DIR"] == str(hooks.STATE_DIR / "runtime")


def test_the_plan_keeps_the_platforms_runtime_directory(make_app, environ):
    plan = start.plan({**environ, "XDG_RUNTIME_DIR": "/run/user/1000770000"}, make_app({"wsgi.py": WSGI_PY}))
    assert plan.env["XDG_RUNTIME_DIR"] == "/run/user/1000770000"


def test_the_runtime_directory_is_made_private_before_anything_runs(make_app, environ):
    plan = start.plan(environ, make_app({"wsgi.py": WSGI_PY}))
    start.write_files(plan, TWO_CPUS)
    assert (hooks.STATE_DIR / "runtime").is_dir()
    assert (hooks.STATE_DIR / "runtime").stat().st_mode & 0o777 == 0o700
    start.write_files(plan, TWO_CPUS)  # a restarted container finds it there


def test_a_runtime_directory_the_platform_gives_is_left_alone(make_app, environ, tmp_path):
    plan = start.plan({**environ, "XDG_RUNTIME_DIR": str(tmp_path / "theirs")}, make_app({"wsgi.py": WSGI_PY}))
    start.write_files(plan, TWO_CPUS)
    assert not (tmp_path / "theirs").exists()
    assert not (hooks.STATE_DIR / "runtime").exists()


def test_a_deploy_env_hook_that_sets_app_module_changes_the_entry_point(make_app, environ, capfd):
    app = make_app({"wsgi.py": WSGI_PY, "web.py": "app = object()\n"})
    write_hook(app, "deploy-env", "APP_MODULE=web:app\nGREETING=from-hook\n")
    plan = start.plan(environ, app)
    assert plan.entry.target == "web:app"
    assert plan.env["APP_MODULE"] == "web:app"
    assert plan.env["GREETING"] == "from-hook"
    assert plan.config.source_of("APP_MODULE") == "environment"
    assert "---> Reading environment from the deploy-env hook .s2i/action_hooks/deploy-env\n" in capfd.readouterr().out


def test_herokus_profile_is_sourced_from_the_top_and_what_it_exports_reaches_the_app(make_app, environ, capfd):
    # As Heroku sources it at every dyno start: a shell script, so only what it exports counts, and
    # a deploy-env hook (the image's own) comes after it.
    app = make_app(
        {
            "wsgi.py": WSGI_PY,
            ".profile": 'export GREETING="from $(basename "$PWD")"\nLOCAL_ONLY=1\nexport MOOD=profile\n',
        }
    )
    write_hook(app, "deploy-env", "MOOD=deploy-env\n")
    plan = start.plan(environ, app)
    assert plan.env["GREETING"] == f"from {app.name}"
    assert "LOCAL_ONLY" not in plan.env
    assert plan.env["MOOD"] == "deploy-env"
    out = capfd.readouterr().out
    assert "---> Reading environment from Heroku's .profile\n" in out
    assert out.index("Heroku's .profile") < out.index("the deploy-env hook")


def test_a_profile_that_fails_stops_the_start_with_its_status(make_app, environ):
    app = make_app({"wsgi.py": WSGI_PY, ".profile": "echo no database >&2\nreturn 3\n"})
    with pytest.raises(HookError) as raised:
        start.plan(environ, app)
    assert str(raised.value) == (
        "Heroku's .profile failed when sourced (exit status 3).\n\n"
        ".profile is sourced by bash at every start, as Heroku does, to export environment variables; its "
        "output is above.\n\n"
        "Fix .profile so that sourcing it succeeds (`bash -c '. ./.profile'`), or remove it."
    )


def test_a_deploy_env_hook_that_sets_port_changes_the_port(make_app, environ):
    app = make_app({"wsgi.py": WSGI_PY})
    write_hook(app, "deploy-env", "export PORT=8443\n")
    plan = start.plan(environ, app)
    assert plan.env["PORT"] == "8443"
    assert plan.config["PORT"] == 8443


def test_a_deploy_env_hook_overrides_s2i_environment(make_app, environ):
    app = make_app({"wsgi.py": WSGI_PY, "web.py": "app = 1\n", ".s2i/environment": "APP_MODULE=wsgi:application\n"})
    write_hook(app, "deploy-env", "APP_MODULE=web:app\n")
    assert start.plan(environ, app).entry.target == "web:app"


def test_without_env_hooks_the_deploy_env_hook_is_not_read(make_app, environ, capfd):
    app = make_app({"wsgi.py": WSGI_PY, "web.py": "app = object()\n"})
    write_hook(app, "deploy-env", "APP_MODULE=web:app\n")
    plan = start.plan(environ, app, env_hooks=False)
    assert plan.entry.target == "wsgi:application"
    assert "APP_MODULE" not in plan.env
    assert capfd.readouterr().out == ""


def test_a_deploy_env_hook_that_sets_the_django_settings_module_decides_the_wsgi_module(make_app, environ):
    app = make_app(
        {
            **DJANGO_APP,
            "config/__init__.py": "",
            "config/settings.py": 'WSGI_APPLICATION = "config.wsgi.application"\n',
            "config/wsgi.py": "application = object()\n",
        }
    )
    write_hook(app, "deploy-env", "DJANGO_SETTINGS_MODULE=config.settings\n")
    plan = start.plan(environ, app)
    assert plan.env["DJANGO_SETTINGS_MODULE"] == "config.settings"
    assert plan.entry.target == "config.wsgi:application"


# ---------------------------------------------------------------------------
# before_server


@pytest.fixture
def runs(monkeypatch):
    """output.run replaced: every command is recorded and succeeds."""
    calls = []

    def run(argv, *, cwd=None, env=None, collect=None):
        calls.append(list(argv))
        return 0

    monkeypatch.setattr(output, "run", run)
    return calls


def test_before_the_server_deploy_cfg_then_deploy_then_migrate_run(make_app, environ, runs):
    app = make_app(DJANGO_APP)
    write_hook(app, "deploy-cfg", "#!/bin/sh\n")
    write_hook(app, "deploy", "#!/bin/sh\n")
    start.before_server(start.plan(environ, app))
    assert runs == [
        [str(app / ".s2i/action_hooks/deploy-cfg")],
        [str(app / ".s2i/action_hooks/deploy")],
        [str(django.PYTHON), str(app / "manage.py"), "migrate", "--noinput"],
    ]


def test_deploy_cfg_runs_on_the_first_start_of_a_container_only(make_app, environ, runs):
    app = make_app({"wsgi.py": WSGI_PY})
    write_hook(app, "deploy-cfg", "#!/bin/sh\n")
    write_hook(app, "deploy", "#!/bin/sh\n")
    plan = start.plan(environ, app)
    start.before_server(plan)
    start.before_server(plan)
    assert [argv[0].rsplit("/", 1)[1] for argv in runs] == ["deploy-cfg", "deploy", "deploy"]


def test_disable_migrate_skips_migrations_at_start(make_app, environ, runs):
    app = make_app({**DJANGO_APP, ".s2i/environment": "DISABLE_MIGRATE=true\n"})
    start.before_server(start.plan(environ, app))
    assert runs == []


# ---------------------------------------------------------------------------
# command


def test_a_command_entry_point_is_run_as_it_is(make_app, environ):
    plan = start.plan(environ, make_app({"Procfile": "web: gunicorn -b :$PORT wsgi\n", "wsgi.py": WSGI_PY}))
    assert start.command(plan, TWO_CPUS)[0] == ["bash", "-c", "gunicorn -b :$PORT wsgi"]


def test_an_executable_app_sh_is_run_as_it_is(make_app, environ):
    app = make_app({"app.sh": "#!/bin/sh\nexec serve\n"})
    (app / "app.sh").chmod(0o755)
    assert start.command(start.plan(environ, app), TWO_CPUS)[0] == [str(app / "app.sh")]


def test_enable_init_wrapper_runs_a_command_entry_point_under_dumb_init(make_app, environ):
    app = make_app({"Procfile": "web: python manage.py runserver 0.0.0.0:$PORT\n", "wsgi.py": WSGI_PY})
    plan = start.plan({**environ, "ENABLE_INIT_WRAPPER": "true"}, app)
    assert start.command(plan, TWO_CPUS)[0] == [
        "/usr/bin/dumb-init",
        "--",
        "bash",
        "-c",
        "python manage.py runserver 0.0.0.0:$PORT",
    ]


def test_enable_init_wrapper_leaves_a_wsgi_server_alone(make_app, environ):
    # A WSGI server reaps its own processes (sclorg: "It never applies to Gunicorn").
    plan = start.plan({**environ, "ENABLE_INIT_WRAPPER": "true"}, make_app({"wsgi.py": WSGI_PY}))
    assert start.command(plan, TWO_CPUS)[0][0] == "/opt/app-root/bin/mod_wsgi-express"


def test_a_wsgi_entry_point_is_served_by_mod_wsgi_express(make_app, environ):
    app = make_app({"wsgi.py": WSGI_PY})
    argv = start.command(start.plan(environ, app), TWO_CPUS)[0]
    assert argv[:2] == ["/opt/app-root/bin/mod_wsgi-express", "start-server"]
    assert argv[argv.index("--entry-point") + 1] == "wsgi"
    assert argv[argv.index("--callable-object") + 1] == "application"
    assert argv[argv.index("--working-directory") + 1] == str(app)
    assert "--url-alias" not in argv


def test_recorded_static_files_are_aliased_by_mod_wsgi_express(make_app, environ):
    record_static(url="/static/", root="/opt/app-root/static")
    argv = start.command(start.plan(environ, make_app(DJANGO_APP)), TWO_CPUS)[0]
    at = argv.index("--url-alias")
    assert argv[at : at + 3] == ["--url-alias", "/static", "/opt/app-root/static"]


def test_static_files_on_a_cdn_are_not_aliased(make_app, environ):
    record_static(url="https://cdn.example.com/static/")
    argv = start.command(start.plan(environ, make_app(DJANGO_APP)), TWO_CPUS)[0]
    assert "--url-alias" not in argv


def test_a_command_entry_point_gets_no_static_alias(make_app, environ):
    record_static()
    plan = start.plan(environ, make_app({**DJANGO_APP, "Procfile": "web: ./serve\n"}))
    assert start.command(plan, TWO_CPUS)[0] == ["bash", "-c", "./serve"]


# ---------------------------------------------------------------------------
# s2i-wsgi start --dry-run and detect


@pytest.fixture
def source(make_app, monkeypatch):
    """source({files}): make an app and point the launcher at it, as S2I_WSGI_SOURCE_DIR does."""

    def use(files):
        app = make_app(files)
        monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(app))
        return app

    return use


def test_start_dry_run_of_a_procfile_says_it_must_listen_on_port(source, capsys):
    source({"Procfile": "web: ./serve --port $PORT\n"})
    assert cli.main(["start", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        "---> Starting bash -c ./serve --port $PORT (Procfile `web:` line); it must listen on port 8080\n"
        "bash -c './serve --port $PORT'\n"
    )
    assert err == ""


def test_start_dry_run_of_a_django_project_neither_reads_deploy_env_nor_migrates(source, capsys, runs):
    app = source(DJANGO_APP)
    write_hook(app, "deploy-env", "APP_MODULE=elsewhere:app\n")
    record_static()
    assert cli.main(["start", "--dry-run"]) == 0
    step, command = capsys.readouterr().out.splitlines()
    assert step == (
        "---> Serving mysite.wsgi:application (Django project (mysite.settings.WSGI_APPLICATION = "
        "'mysite.wsgi.application')) with mod_wsgi-express (the default; WSGI_SERVER chooses another) on port 8080: "
        "2 processes (2 CPUs) x 5 threads"
    )
    assert " --entry-point mysite.wsgi --callable-object application " in command
    assert " --url-alias /static /opt/app-root/static " in command
    assert runs == []


def test_detect_of_a_procfile_shows_the_command_and_that_it_serves_itself(source, capsys):
    source({"Procfile": "web: ./serve\n", "wsgi.py": WSGI_PY})
    assert cli.main(["detect"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "entry point:  bash -c ./serve",
        "file:         Procfile",
        "because:      Procfile `web:` line",
        "server:       the command itself (it must listen on PORT)",
        "command:      bash -c ./serve",
    ]


def test_detect_of_a_django_project_names_the_settings_and_migrations(source, capsys):
    source(DJANGO_APP)
    assert cli.main(["detect"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        "entry point:  mysite.wsgi:application",
        "file:         mysite/wsgi.py",
        "because:      Django project (mysite.settings.WSGI_APPLICATION = 'mysite.wsgi.application')",
        "searched:     an executable app.sh; manage.py naming DJANGO_SETTINGS_MODULE (a Django project)",
    ]
    assert "django:       settings mysite.settings; migrate at start: yes" in lines
    assert lines[-1].startswith("command:      /opt/app-root/bin/mod_wsgi-express start-server ")


def test_detect_of_a_django_project_with_disable_migrate_says_no(source, capsys):
    source({**DJANGO_APP, ".s2i/environment": "DISABLE_MIGRATE=yes\n"})
    assert cli.main(["detect"]) == 0
    assert "django:       settings mysite.settings; migrate at start: no (DISABLE_MIGRATE)\n" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# Django's static files with servers other than mod_wsgi


def test_gunicorn_serves_django_static_files_through_a_whitenoise_wrapper(make_app, environ, tmp_path, monkeypatch):
    monkeypatch.setattr(django, "WRAPPER_DIR", tmp_path / "modules")
    record_static()
    plan = start.plan({**environ, "WSGI_SERVER": "gunicorn"}, make_app(DJANGO_APP))
    argv, env = start.command(plan, TWO_CPUS)
    assert argv[-1] == "s2i_wsgi_static:application"
    assert env["PYTHONPATH"].split(":")[0] == str(tmp_path / "modules")
    start.write_files(plan, TWO_CPUS)
    wrapper = (tmp_path / "modules" / "s2i_wsgi_static.py").read_text()
    assert "from mysite.wsgi import application as _application\n" in wrapper
    assert "application = WhiteNoise(_application, root='/opt/app-root/static', prefix='/static/')\n" in wrapper


def test_uwsgi_maps_django_static_files_itself(make_app, environ):
    record_static()
    plan = start.plan({**environ, "WSGI_SERVER": "uwsgi"}, make_app(DJANGO_APP))
    argv, _ = start.command(plan, TWO_CPUS)
    assert argv[-2:] == ["--static-map", "/static=/opt/app-root/static"]


def test_without_collected_static_files_the_app_is_served_unwrapped(make_app, environ, tmp_path, monkeypatch):
    monkeypatch.setattr(django, "WRAPPER_DIR", tmp_path / "modules")
    plan = start.plan({**environ, "WSGI_SERVER": "waitress"}, make_app(DJANGO_APP))
    argv, _ = start.command(plan, TWO_CPUS)
    assert argv[-1] == "mysite.wsgi:application"
    start.write_files(plan, TWO_CPUS)
    assert not (tmp_path / "modules").exists()
