"""Servers other than mod_wsgi, chosen by the app, and mod_wsgi tuning, in real containers."""

from __future__ import annotations

import shutil

import pytest

import harness

# app -> the unique text that proves which server answered (shared with test_restricted).
SERVED = harness.SERVED
# app -> what the start line says about the choice.
CHOSEN = {
    "server_mod_wsgi": "with mod_wsgi-express (WSGI_SERVER=mod_wsgi (from ",
    "server_gunicorn": "with gunicorn (WSGI_SERVER=gunicorn (from ",
    "server_gunicorn_conf": "with gunicorn (the app has a gunicorn.conf.py)",
    "server_uwsgi": "with uWSGI (WSGI_SERVER=uwsgi (from ",
    "server_waitress": "with waitress (WSGI_SERVER=waitress (from ",
    "server_warpdrive_type": "with waitress (.warpdrive/server_type says waitress)",
}
PID1 = {
    "server_mod_wsgi": "s2i-wsgi start",  # the launcher stays PID 1 above Apache (pid1.py)
    "server_gunicorn": "gunicorn",
    "server_gunicorn_conf": "gunicorn",
    "server_uwsgi": "uwsgi",
    "server_waitress": "waitress_serve.py",  # waitress-serve, stopping on SIGTERM (servers.WAITRESS_SERVE)
    "server_warpdrive_type": "waitress_serve.py",
}


@pytest.mark.parametrize("app", list(SERVED))
@harness.USERS
def test_the_chosen_server_serves_the_app_as_pid_1(built, containers, app, user):
    build = built(app).assert_ok()
    container = harness.serve(containers, build.image, user=user)
    status, body, _ = container.get("/")
    assert (status, body.decode()) == (200, SERVED[app]), container.logs()
    logs = container.logs()
    assert CHOSEN[app] in logs, logs
    ps = container.exec("ps", "-o", "pid=,args=", "-e").stdout.decode()
    pid1 = next(line for line in ps.splitlines() if line.split()[0] == "1")
    assert PID1[app] in pid1, ps


@pytest.mark.parametrize("app", ["server_gunicorn", "server_uwsgi"])
def test_the_server_is_installed_at_build_pinned(built, app):
    build = built(app).assert_ok()
    title = {"server_gunicorn": "gunicorn", "server_uwsgi": "uWSGI"}[app]
    assert f"---> Installing {title} (WSGI_SERVER=" in build.output
    assert ", pinned by the builder" in build.output


def test_gunicorn_logs_each_request_on_the_terminal(built, containers):
    container = containers(built("server_gunicorn").assert_ok().image)
    container.wait_ready()
    container.get("/")
    assert '"GET / HTTP/1.1" 200' in container.logs_with('"GET / HTTP/1.1" 200')


def test_uwsgi_logs_each_request_on_the_terminal(built, containers):
    container = containers(built("server_uwsgi").assert_ok().image)
    container.wait_ready()
    container.get("/")
    assert "GET / =>" in container.logs_with("GET / =>")


def test_the_apps_gunicorn_settings_win_over_the_builders_defaults(built, containers):
    container = containers(built("server_gunicorn_conf").assert_ok().image)
    container.wait_ready()
    container.get("/")
    logs = container.logs_with("server_gunicorn_conf access GET / 200")
    assert "server_gunicorn_conf access GET / 200" in logs, logs
    assert "(gunicorn.conf.py sets wsgi_app)" in logs, logs


def test_gunicorn_workers_follow_the_cpu_limit(built, containers):
    container = containers(built("server_gunicorn").assert_ok().image, "--cpus", "1")
    container.wait_ready()
    assert container.workers("gunicorn", 1) == 1
    assert "on port 8080: 1 process (1 CPUs) x 5 threads" in container.logs()


def test_mod_wsgi_runs_two_daemon_processes_with_one_cpu(built, containers):
    container = containers(built("server_mod_wsgi").assert_ok().image, "--cpus", "1")
    container.wait_ready()
    assert "on port 8080: 2 processes (1 CPUs, at least 2) x 5 threads" in container.logs(), container.logs()
    ps = container.exec("ps", "-o", "args=", "-e").stdout.decode()
    assert sum(1 for line in ps.splitlines() if line.startswith("(wsgi:")) == 2, ps


def test_web_concurrency_sets_the_gunicorn_workers(built, containers):
    container = containers(built("server_gunicorn").assert_ok().image, "-e", "WEB_CONCURRENCY=3")
    container.wait_ready()
    assert container.workers("gunicorn", 3) == 3


def test_detect_derives_processes_from_cpu_and_memory_limits(built):
    image = built("server_gunicorn").assert_ok().image
    result = harness.run_once(image, "s2i-wsgi", "detect", run_args=("--cpus", "2", "--memory", "300m"))
    out = harness.text(result)
    assert result.returncode == 0, out
    assert "processes:    1 (2 CPUs, 300 MiB)\n" in out
    assert "chosen:       WSGI_SERVER=gunicorn (from " in out


# ---------------------------------------------------------------------------
# mod_wsgi tuning and .warpdrive/server_args.


@harness.USERS
def test_url_alias_serves_static_files_through_apache(built, containers, user):
    container = harness.serve(containers, built("mod_wsgi_tuning").assert_ok().image, user=user)
    _, body, headers = container.get("/assets/site.css")
    content_type = headers.get("Content-Type", "")
    assert body == (harness.APPS / "mod_wsgi_tuning" / "static" / "site.css").read_bytes()
    assert content_type.startswith("text/css"), content_type


@harness.USERS
def test_trusted_proxy_header_sets_the_url_scheme(built, containers, user):
    container = harness.serve(containers, built("mod_wsgi_tuning").assert_ok().image, user=user)
    assert container.get("/")[1] == b"mod_wsgi_tuning scheme=http\n"
    assert container.get("/", **{"X-Forwarded-Proto": "https"})[1] == b"mod_wsgi_tuning scheme=https\n"


@harness.USERS
def test_server_args_reach_mod_wsgi_express(built, containers, user):
    container = harness.serve(containers, built("server_args").assert_ok().image, user=user)
    assert container.get("/")[1] == b"server_args marker=from server_args hello\n"


# ---------------------------------------------------------------------------
# Bad input.


def test_an_unknown_server_type_in_the_warpdrive_file_fails_the_build(tmp_path):
    source = tmp_path / "app"
    shutil.copytree(harness.APPS / "server_warpdrive_type", source)
    (source / ".warpdrive" / "server_type").write_text("tornado\n")
    result = harness.build_app("server_warpdrive_type", source=source, tag=f"s2i-wsgi-test-bad-type:{harness.RUN_ID}")
    harness.remove_image(f"s2i-wsgi-test-bad-type:{harness.RUN_ID}")
    assert result.returncode != 0
    assert "ERROR: .warpdrive/server_type says 'tornado', which is not a server this builder runs." in result.output
    assert "The server type must be one of mod_wsgi, gunicorn, uwsgi, waitress." in result.output


def test_conflicting_server_choices_fail_the_build(built):
    result = built("server_waitress", "WARPDRIVE_SERVER_TYPE=gunicorn")
    assert result.returncode != 0
    assert "ERROR: The server is chosen more than once, differently:\n" in result.output
    assert "- WARPDRIVE_SERVER_TYPE=gunicorn (from environment)\n" in result.output


def test_a_non_numeric_process_count_fails_the_build(built):
    result = built("server_args", "MOD_WSGI_PROCESSES=many")
    assert result.returncode != 0
    assert "ERROR: MOD_WSGI_PROCESSES='many' is not a valid value." in result.output
    assert "MOD_WSGI_PROCESSES must be a whole number from 1 to 64." in result.output


def test_a_server_chosen_only_at_run_time_fails_with_a_clear_message(built):
    image = built("server_args").assert_ok().image
    result = harness.run_once(image, run_args=("-e", "WSGI_SERVER=gunicorn"))
    out = harness.text(result)
    assert result.returncode == 1, out
    assert "ERROR: gunicorn was chosen (WSGI_SERVER=gunicorn (from environment)), but it is not installed" in out
