"""The mod_wsgi-express command line built from the configuration table."""

from __future__ import annotations

import pytest

from s2i_wsgi.config import APP_ROOT, MOD_WSGI, VARIABLES
from s2i_wsgi.detect import detect
from s2i_wsgi.resources import Limits
from s2i_wsgi.servers import processes, queue_timeout
from s2i_wsgi.servers.mod_wsgi_express import (
    APACHE_CONF,
    APACHE_INCLUDE,
    PRIVATE_NETWORKS,
    apache_conf,
    apache_files,
    apache_include,
)
from s2i_wsgi.servers.mod_wsgi_express import argv as mod_wsgi_express

from .conftest import TWO_CPUS, value_of, values_of


@pytest.fixture
def argv_for(make_app, load_config):
    """argv_for(NAME=value..., files=..., limits=...): the server argv for a small Flask-style app."""

    def build(files=None, limits=TWO_CPUS, **environ):
        app = make_app(files or {"app.py": "app = object()\n"})
        config = load_config(app, **environ)
        return mod_wsgi_express(config, detect(config), limits)

    return build


def test_the_server_is_mod_wsgi_express_from_the_app_virtualenv(argv_for):
    argv = argv_for()
    assert argv[:2] == [str(APP_ROOT / "bin" / "mod_wsgi-express"), "start-server"]


def test_the_detected_entry_point_is_loaded_as_a_module(argv_for):
    argv = argv_for({"mysite/wsgi.py": "application = 1\n"})
    assert value_of(argv, "--application-type") == "module"
    assert value_of(argv, "--entry-point") == "mysite.wsgi"
    assert value_of(argv, "--callable-object") == "application"


def test_the_app_directory_is_the_working_directory_and_on_the_python_path(make_app, load_config):
    app = make_app({"web/app.py": "app = 1\n"})
    config = load_config(app, APP_HOME="web")
    argv = mod_wsgi_express(config, detect(config), TWO_CPUS)
    assert value_of(argv, "--working-directory") == str(app / "web")
    # The source root after it, as sclorg and warpdrive have it: web/ may import what the top holds.
    assert values_of(argv, "--python-path") == [str(app / "web"), str(app)]


def test_a_src_directory_is_added_to_the_python_path(argv_for):
    argv = argv_for({"app.py": "app = 1\n", "src/lib/__init__.py": ""})
    paths = values_of(argv, "--python-path")
    assert len(paths) == 2
    assert paths[1].endswith("/src")


def test_the_port_comes_from_port(argv_for):
    assert value_of(argv_for(), "--port") == "8080"
    argv = argv_for(PORT="9090")
    assert value_of(argv, "--port") == "9090"
    assert value_of(argv, "--server-root").endswith("/mod_wsgi-9090")


def test_logs_go_to_the_terminal(argv_for):
    argv = argv_for()
    assert "--log-to-terminal" in argv
    assert "--startup-log" in argv


def test_processes_come_from_mod_wsgi_processes_over_web_concurrency(argv_for):
    argv = argv_for(MOD_WSGI_PROCESSES="3", WEB_CONCURRENCY="7")
    assert value_of(argv, "--processes") == "3"


def test_processes_come_from_web_concurrency_when_mod_wsgi_processes_is_unset(argv_for):
    assert value_of(argv_for(WEB_CONCURRENCY="7"), "--processes") == "7"


def test_processes_default_to_the_cpu_limit(argv_for):
    assert value_of(argv_for(limits=Limits(cpus=3.0, memory=None)), "--processes") == "3"


@pytest.mark.parametrize("cpus", [0.5, 1.0])
def test_processes_default_to_at_least_two_for_mod_wsgi(make_app, load_config, cpus):
    config = load_config(make_app())
    limits = Limits(cpus=cpus, memory=None)
    assert processes(config, limits, "mod_wsgi") == (2, f"{cpus:g} CPUs, at least 2")
    assert processes(config, limits, "gunicorn") == (1, f"{cpus:g} CPUs")


def test_processes_default_to_one_when_memory_holds_only_one(make_app, load_config):
    limits = Limits(cpus=1.0, memory=300 * 1024 * 1024)
    assert processes(load_config(make_app()), limits, "mod_wsgi") == (1, "1 CPUs, 300 MiB")


def test_processes_default_is_reduced_by_a_tight_memory_limit(argv_for):
    limits = Limits(cpus=8.0, memory=512 * 1024 * 1024)
    assert value_of(argv_for(limits=limits), "--processes") == "2"


def test_processes_explain_where_the_count_came_from(make_app, load_config):
    app = make_app()
    assert processes(load_config(app, MOD_WSGI_PROCESSES="3", WEB_CONCURRENCY="7"), TWO_CPUS) == (
        3,
        "MOD_WSGI_PROCESSES",
    )
    assert processes(load_config(app, WEB_CONCURRENCY="7"), TWO_CPUS) == (7, "WEB_CONCURRENCY")
    assert processes(load_config(app), Limits(cpus=1.5, memory=None)) == (2, "1.5 CPUs")
    assert processes(load_config(app), Limits(cpus=4.0, memory=1024 * 1024 * 1024)) == (4, "4 CPUs, 1024 MiB")


def test_process_count_set_in_s2i_environment_is_used(argv_for):
    argv = argv_for({"app.py": "app = 1\n", ".s2i/environment": "WEB_CONCURRENCY=5\n"})
    assert value_of(argv, "--processes") == "5"


def test_the_access_log_is_on_by_default(argv_for):
    assert "--access-log" in argv_for()


def test_the_access_log_is_left_out_when_mod_wsgi_access_log_is_false(argv_for):
    assert "--access-log" not in argv_for(MOD_WSGI_ACCESS_LOG="false")
    assert "--access-log" not in argv_for(MOD_WSGI_ACCESS_LOG="")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--request-timeout", "60"),
        ("--queue-timeout", "45"),
        ("--connect-timeout", "15"),
        ("--socket-timeout", "60"),
        ("--startup-timeout", "15"),
        ("--shutdown-timeout", "5"),
        ("--graceful-timeout", "15"),
        ("--deadlock-timeout", "60"),
        ("--header-timeout", "15"),
        ("--body-timeout", "15"),
    ],
)
def test_production_timeouts_are_explicit(argv_for, option, value):
    assert value_of(argv_for(), option) == value


def test_a_timeout_variable_sets_its_option(argv_for):
    assert value_of(argv_for(MOD_WSGI_REQUEST_TIMEOUT="120"), "--request-timeout") == "120"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "45"),
        ({"MOD_WSGI_REQUEST_TIMEOUT": "5"}, "5"),
        ({"WSGI_REQUEST_TIMEOUT": "30"}, "30"),
        ({"WSGI_REQUEST_TIMEOUT": "30", "MOD_WSGI_REQUEST_TIMEOUT": "10"}, "10"),
        ({"MOD_WSGI_REQUEST_TIMEOUT": "45"}, "45"),
        ({"MOD_WSGI_REQUEST_TIMEOUT": "300"}, "45"),
        ({"MOD_WSGI_REQUEST_TIMEOUT": "0"}, "45"),
        ({"MOD_WSGI_REQUEST_TIMEOUT": "5", "MOD_WSGI_QUEUE_TIMEOUT": "60"}, "60"),
        ({"MOD_WSGI_REQUEST_TIMEOUT": "5", "MOD_WSGI_QUEUE_TIMEOUT": "0"}, "0"),
        ({"MOD_WSGI_REQUEST_TIMEOUT": "5", "MOD_WSGI_QUEUE_TIMEOUT": ""}, "5"),
    ],
)
def test_the_queue_timeout_is_never_longer_than_the_request_timeout_unless_set(argv_for, environ, expected):
    assert value_of(argv_for(**environ), "--queue-timeout") == expected


def test_the_queue_timeout_says_where_it_came_from(make_app, load_config):
    app = make_app()
    assert queue_timeout(load_config(app)) == (45, "45 s, no longer than the request timeout (60 s)")
    assert queue_timeout(load_config(app, MOD_WSGI_REQUEST_TIMEOUT="5")) == (
        5,
        "the request timeout, MOD_WSGI_REQUEST_TIMEOUT=5",
    )
    assert queue_timeout(load_config(app, WSGI_REQUEST_TIMEOUT="30")) == (
        30,
        "the request timeout, WSGI_REQUEST_TIMEOUT=30",
    )
    assert queue_timeout(load_config(app, MOD_WSGI_REQUEST_TIMEOUT="0")) == (45, "45 s, as the request timeout is off")
    assert queue_timeout(load_config(app, MOD_WSGI_QUEUE_TIMEOUT="90")) == (90, "set in environment")
    with_file = make_app({"app.py": "app = 1\n", ".s2i/environment": "MOD_WSGI_QUEUE_TIMEOUT=2\n"})
    assert queue_timeout(load_config(with_file)) == (2, "set in .s2i/environment")


def test_threads_log_level_and_body_limit_have_defaults(argv_for):
    argv = argv_for()
    assert value_of(argv, "--threads") == "5"
    assert value_of(argv, "--log-level") == "warn"
    assert value_of(argv, "--limit-request-body") == "10485760"
    assert value_of(argv, "--maximum-requests") == "0"


def test_max_clients_leaves_room_for_keep_alive_connections_unless_set(argv_for):
    assert value_of(argv_for(), "--max-clients") == "100"
    assert value_of(argv_for(MOD_WSGI_PROCESSES="8", MOD_WSGI_THREADS="20"), "--max-clients") == "240"
    assert value_of(argv_for(MOD_WSGI_MAX_CLIENTS="40"), "--max-clients") == "40"


@pytest.fixture
def apache_for(make_app, load_config):
    """apache_for(NAME=value...): the text of both Apache files written at start, for a small app."""

    def build(limits=TWO_CPUS, **environ):
        config = load_config(make_app({"app.py": "app = object()\n"}), **environ)
        files = apache_files(config, limits)
        assert files == {APACHE_CONF: apache_conf(config), APACHE_INCLUDE: apache_include(config, limits)}
        return files[APACHE_CONF] + files[APACHE_INCLUDE]

    return build


def test_apache_runs_one_child_holding_every_worker_thread(argv_for, apache_for):
    assert value_of(argv_for(), "--include-file") == str(APACHE_INCLUDE)
    text = apache_for()
    for line in ("ServerLimit 1", "StartServers 1", "ThreadsPerChild 100", "MaxRequestWorkers 100",
                 "MaxSpareThreads 100"):  # fmt: skip
        assert f"\n{line}\n" in text
    assert "\nMaxRequestWorkers 40\n" in apache_for(MOD_WSGI_MAX_CLIENTS="40")


def test_apache_is_told_to_refuse_trace_and_hide_its_version(apache_for):
    text = apache_for()
    for line in ("TraceEnable Off", "ServerTokens Prod", "ServerSignature Off"):
        assert f"\n{line}\n" in text


def test_apache_starts_with_the_request_limits_then_mod_wsgi_express_configuration(make_app, load_config):
    config = load_config(make_app({"app.py": "app = object()\n"}), PORT="8081")
    argv = mod_wsgi_express(config, detect(config), TWO_CPUS)
    assert apache_conf(config).splitlines()[-4:] == [
        "LimitRequestLine 8190",
        "LimitRequestFields 100",
        "LimitRequestFieldSize 8190",
        f"Include '{value_of(argv, '--server-root')}/httpd.conf'",
    ]


def test_request_line_and_header_limits_are_apache_directives_in_the_include_file(argv_for, apache_for):
    text = apache_for()
    for line in ("LimitRequestLine 8190", "LimitRequestFields 100", "LimitRequestFieldSize 8190"):
        assert f"\n{line}\n" in text
    text = apache_for(MOD_WSGI_LIMIT_REQUEST_FIELDS="20", MOD_WSGI_LIMIT_REQUEST_FIELD_SIZE="1000")
    assert "\nLimitRequestFields 20\n" in text and "\nLimitRequestFieldSize 1000\n" in text
    assert not [arg for arg in argv_for() if arg.startswith("Limit")]  # never on the command line


def test_trusted_proxy_headers_are_believed_only_from_private_networks_unless_proxies_are_named(argv_for):
    assert values_of(argv_for(), "--trust-proxy") == []  # no headers trusted: nothing to restrict
    headers = {"MOD_WSGI_TRUST_PROXY_HEADERS": "X-Forwarded-Proto"}
    assert values_of(argv_for(**headers), "--trust-proxy") == list(PRIVATE_NETWORKS)
    named = argv_for(**headers, MOD_WSGI_TRUST_PROXY="10.128.0.0/14 10.1.2.3")
    assert values_of(named, "--trust-proxy") == ["10.128.0.0/14", "10.1.2.3"]


def test_every_tuning_variable_with_a_value_appears_exactly_once(argv_for, apache_for):
    argv = argv_for(MOD_WSGI_MAX_CLIENTS="40")
    lines = apache_for().splitlines()
    for variable in VARIABLES:
        if variable.section != MOD_WSGI or variable.default is None or isinstance(variable.default, bool):
            continue
        if variable.option.startswith("--"):
            assert len(values_of(argv, variable.option)) == 1, variable.option
        else:
            assert [line for line in lines if line.split()[0] == variable.option] == [
                f"{variable.option} {variable.default}"
            ]
    for option in ("--processes", "--threads", "--request-timeout", "--queue-timeout", "--max-clients"):
        assert len(values_of(argv, option)) == 1, option


def test_the_argv_is_all_strings(argv_for):
    assert all(isinstance(arg, str) for arg in argv_for(MOD_WSGI_MAX_CLIENTS="40"))


def test_the_source_is_not_checked_for_changes_on_every_request(argv_for):
    assert "--disable-reloading" in argv_for()
    assert "--disable-reloading" in argv_for(SERVER_MODE="development")


def test_reload_on_changes_keeps_reloading(argv_for):
    argv = argv_for(SERVER_MODE="development", MOD_WSGI_RELOAD_ON_CHANGES="true")
    assert "--reload-on-changes" in argv
    assert "--disable-reloading" not in argv
