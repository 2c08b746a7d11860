"""The variable table and load(): defaults, layers, parsing, and the messages for bad values."""

from __future__ import annotations

import platform
import re
from pathlib import Path

import pytest

from s2i_wsgi import cli, config, python_version
from s2i_wsgi.config import BOOLEAN, BY_NAME, VARIABLES
from s2i_wsgi.errors import ConfigError

# ---------------------------------------------------------------------------
# The table itself.


def test_every_variable_name_appears_once_in_the_table():
    names = [variable.name for variable in VARIABLES]
    assert len(names) == len(set(names))
    assert set(names) == set(BY_NAME)


@pytest.mark.parametrize("variable", [v for v in VARIABLES if v.default is not None], ids=lambda v: v.name)
def test_every_fixed_default_is_itself_an_allowed_value(variable):
    text = str(variable.default).lower() if variable.kind is BOOLEAN else str(variable.default)
    assert variable.kind.parse(text) == variable.default


def test_mod_wsgi_tuning_variables_each_name_a_server_option_or_an_apache_directive():
    tuning = [v for v in VARIABLES if v.section == config.MOD_WSGI]
    assert tuning, "the table has no mod_wsgi-express rows"
    for variable in tuning:
        assert variable.name.startswith("MOD_WSGI_")
        assert re.fullmatch(r"--[a-z-]+( --[a-z-]+)*|[A-Z][A-Za-z]+", variable.option or ""), variable.name


def test_every_variable_has_help_text_that_ends_a_sentence():
    for variable in VARIABLES:
        assert variable.help.strip().endswith((".", ")")), variable.name


# ---------------------------------------------------------------------------
# Defaults and precedence.


def test_an_app_without_settings_gets_the_table_defaults(make_app, load_config):
    cfg = load_config(make_app())
    for variable in VARIABLES:
        assert cfg[variable.name] == variable.default, variable.name
        assert cfg.source_of(variable.name) == "default"
        assert not cfg.is_set(variable.name)
    assert cfg["PORT"] == 8080
    assert cfg["WSGI_THREADS"] == 5
    assert cfg["MOD_WSGI_ACCESS_LOG"] is True


def test_warpdrive_environment_overrides_the_default(make_app, load_config):
    app = make_app({".warpdrive/environment": "MOD_WSGI_THREADS=7\n"})
    cfg = load_config(app)
    assert cfg["MOD_WSGI_THREADS"] == 7
    assert cfg.source_of("MOD_WSGI_THREADS") == ".warpdrive/environment"


def test_s2i_environment_overrides_warpdrive_environment(make_app, load_config):
    app = make_app(
        {
            ".warpdrive/environment": "MOD_WSGI_THREADS=7\n",
            ".s2i/environment": "MOD_WSGI_THREADS=9\n",
        }
    )
    cfg = load_config(app)
    assert cfg["MOD_WSGI_THREADS"] == 9
    assert cfg.source_of("MOD_WSGI_THREADS") == ".s2i/environment"


def test_process_environment_overrides_both_app_files(make_app, load_config):
    app = make_app(
        {
            ".warpdrive/environment": "MOD_WSGI_THREADS=7\n",
            ".s2i/environment": "MOD_WSGI_THREADS=9\n",
        }
    )
    cfg = load_config(app, MOD_WSGI_THREADS="11")
    assert cfg["MOD_WSGI_THREADS"] == 11
    assert cfg.source_of("MOD_WSGI_THREADS") == "environment"
    assert cfg.is_set("MOD_WSGI_THREADS")


def test_each_variable_is_resolved_from_its_own_highest_layer(make_app, load_config):
    app = make_app(
        {
            ".warpdrive/environment": "PORT=9001\nMOD_WSGI_THREADS=7\nMOD_WSGI_LOG_LEVEL=info\n",
            ".s2i/environment": "MOD_WSGI_THREADS=9\n",
        }
    )
    cfg = load_config(app, MOD_WSGI_LOG_LEVEL="debug")
    assert (cfg["PORT"], cfg.source_of("PORT")) == (9001, ".warpdrive/environment")
    assert (cfg["MOD_WSGI_THREADS"], cfg.source_of("MOD_WSGI_THREADS")) == (9, ".s2i/environment")
    assert (cfg["MOD_WSGI_LOG_LEVEL"], cfg.source_of("MOD_WSGI_LOG_LEVEL")) == ("debug", "environment")
    assert cfg.source_of("MOD_WSGI_REQUEST_TIMEOUT") == "default"


def test_an_empty_number_means_the_default(make_app, load_config):
    cfg = load_config(make_app(), PORT="", WEB_CONCURRENCY="  ")
    assert cfg["PORT"] == 8080
    assert cfg["WEB_CONCURRENCY"] is None
    assert not cfg.is_set("WEB_CONCURRENCY")


def test_an_empty_process_variable_leaves_an_app_file_value_in_place(make_app, load_config):
    # An OpenShift template parameter left empty reaches the build as NAME="": it means "not set".
    app = make_app({".s2i/environment": "PORT=9000\n"})
    cfg = load_config(app, PORT="")
    assert (cfg["PORT"], cfg.source_of("PORT")) == (9000, ".s2i/environment")


def test_an_empty_process_variable_with_nothing_below_it_is_the_default(make_app, load_config):
    cfg = load_config(make_app(), PORT="")
    assert (cfg["PORT"], cfg.source_of("PORT")) == (8080, "default")


def test_the_source_directory_and_app_home_give_the_app_directory(make_app, load_config):
    app = make_app({"web/wsgi.py": "application = None\n"})
    assert load_config(app).app_dir == app
    assert load_config(app, APP_HOME="web").app_dir == app / "web"


# ---------------------------------------------------------------------------
# Value kinds.


@pytest.mark.parametrize("text", ["1", "true", "TRUE", "yes", "on", "y", " True "])
def test_true_spellings_are_true(make_app, load_config, text):
    assert load_config(make_app(), UPGRADE_PIP_TO_LATEST=text)["UPGRADE_PIP_TO_LATEST"] is True


@pytest.mark.parametrize("text", ["0", "false", "False", "no", "off", "n", ""])
def test_false_spellings_are_false(make_app, load_config, text):
    cfg = load_config(make_app(), MOD_WSGI_ACCESS_LOG=text)
    assert cfg["MOD_WSGI_ACCESS_LOG"] is False
    assert cfg.source_of("MOD_WSGI_ACCESS_LOG") == "environment"


def test_an_unknown_boolean_names_the_variable_and_the_accepted_spellings(make_app, load_config):
    with pytest.raises(ConfigError) as raised:
        load_config(make_app(), MOD_WSGI_ACCESS_LOG="maybe")
    message = str(raised.value)
    assert "MOD_WSGI_ACCESS_LOG='maybe' is not a valid value." in message
    assert "MOD_WSGI_ACCESS_LOG must be true or false (also 1/0, yes/no, on/off; empty means false)." in message


def test_a_non_numeric_process_count_names_the_variable_and_the_allowed_range(make_app, load_config):
    with pytest.raises(ConfigError) as raised:
        load_config(make_app(), MOD_WSGI_PROCESSES="abc")
    message = str(raised.value)
    assert message.startswith("MOD_WSGI_PROCESSES='abc' is not a valid value.")
    assert "MOD_WSGI_PROCESSES must be a whole number from 1 to 64." in message
    assert "Change or unset MOD_WSGI_PROCESSES" in message
    assert "s2i-wsgi config" in message
    # A value from the process environment does not claim to come from a file.
    assert "set in" not in message


@pytest.mark.parametrize("text", ["0", "65", "-1", "1.5", "2e3", "4 processes"])
def test_process_counts_outside_one_to_sixty_four_are_rejected(make_app, load_config, text):
    with pytest.raises(ConfigError, match="a whole number from 1 to 64"):
        load_config(make_app(), MOD_WSGI_PROCESSES=text)


def test_numbers_may_have_surrounding_spaces(make_app, load_config):
    assert load_config(make_app(), PORT=" 9000 ")["PORT"] == 9000


def test_a_port_above_65535_is_rejected(make_app, load_config):
    with pytest.raises(ConfigError, match=r"PORT must be a whole number from 1 to 65535\."):
        load_config(make_app(), PORT="70000")


def test_a_timeout_of_zero_is_allowed(make_app, load_config):
    assert load_config(make_app(), MOD_WSGI_REQUEST_TIMEOUT="0")["MOD_WSGI_REQUEST_TIMEOUT"] == 0


def test_a_number_without_upper_bound_says_at_least(make_app, load_config):
    with pytest.raises(ConfigError, match=r"MOD_WSGI_MAXIMUM_REQUESTS must be a whole number, at least 0\."):
        load_config(make_app(), MOD_WSGI_MAXIMUM_REQUESTS="lots")


def test_a_bad_value_in_s2i_environment_names_that_file(make_app, load_config):
    app = make_app({".s2i/environment": "WEB_CONCURRENCY=many\n"})
    with pytest.raises(ConfigError) as raised:
        load_config(app)
    message = str(raised.value)
    assert "WEB_CONCURRENCY='many' (set in .s2i/environment) is not a valid value." in message
    assert "WEB_CONCURRENCY must be a whole number from 1 to 64." in message


def test_warpdrive_home_sets_app_home_and_s2i_environment_wins(make_app, load_config):
    cfg = load_config(make_app({".warpdrive/home": "web\n", "web/wsgi.py": ""}))
    assert (cfg["APP_HOME"], cfg.source_of("APP_HOME"), cfg.app_dir.name) == ("web", ".warpdrive/home", "web")
    cfg = load_config(make_app({".warpdrive/home": "web\n", ".s2i/environment": "APP_HOME=site\n"}))
    assert (cfg["APP_HOME"], cfg.source_of("APP_HOME")) == ("site", ".s2i/environment")


def test_an_absolute_warpdrive_home_is_refused_naming_the_file(make_app, load_config):
    # warpdrive took an absolute path too; here the app's directory must be part of the source.
    with pytest.raises(ConfigError) as raised:
        load_config(make_app({".warpdrive/home": "/opt/app-root/src/web\n"}))
    assert str(raised.value).startswith(
        "APP_HOME='/opt/app-root/src/web' (set in .warpdrive/home) is not a valid value.\n\n"
        "APP_HOME must be a directory inside the source, relative to it (e.g. src/web)."
    )


def test_a_bad_value_in_warpdrive_environment_names_that_file(make_app, load_config):
    app = make_app({".warpdrive/environment": "MOD_WSGI_THREADS=0\n"})
    with pytest.raises(ConfigError, match=r"MOD_WSGI_THREADS='0' \(set in \.warpdrive/environment\)"):
        load_config(app)


def test_a_bad_file_value_hidden_by_a_good_process_value_is_not_an_error(make_app, load_config):
    app = make_app({".s2i/environment": "MOD_WSGI_THREADS=lots\n"})
    assert load_config(app, MOD_WSGI_THREADS="8")["MOD_WSGI_THREADS"] == 8


def test_log_level_is_case_insensitive(make_app, load_config):
    assert load_config(make_app(), MOD_WSGI_LOG_LEVEL="DEBUG")["MOD_WSGI_LOG_LEVEL"] == "debug"


def test_an_unknown_log_level_lists_the_allowed_levels(make_app, load_config):
    with pytest.raises(ConfigError) as raised:
        load_config(make_app(), MOD_WSGI_LOG_LEVEL="verbose")
    levels = "emerg, alert, crit, error, warn, notice, info, debug"
    assert f"MOD_WSGI_LOG_LEVEL must be one of {levels}." in str(raised.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("myproject.wsgi", "myproject.wsgi"),
        ("myproject.wsgi:application", "myproject.wsgi:application"),
        ("app:app", "app:app"),
        ("  web:app  ", "web:app"),
        ("flaskr:create_app()", "flaskr:create_app()"),
        ("flaskr:create_app('prod', debug=False)", "flaskr:create_app('prod', debug=False)"),
    ],
)
def test_app_module_accepts_module_and_module_colon_callable(make_app, load_config, text, value):
    assert load_config(make_app(), APP_MODULE=text)["APP_MODULE"] == value


# A call takes literal arguments only, as gunicorn and Flask parse it: nothing is evaluated.
@pytest.mark.parametrize(
    "text",
    [
        "my-app:app",
        "web:app:x",
        "web:",
        "web.:app",
        "1web",
        "web:app.wsgi_app",
        "web:create_app(os.environ)",
        "web:create_app(**{'a': 1})",
        "web:create_app()()",
        "web:factories.create_app()",
    ],
)
def test_app_module_that_is_not_a_dotted_name_is_rejected_with_an_example(make_app, load_config, text):
    with pytest.raises(ConfigError) as raised:
        load_config(make_app(), APP_MODULE=text)
    assert (
        "APP_MODULE must be MODULE, MODULE:CALLABLE or MODULE:FACTORY(ARGS), "
        "e.g. myproject.wsgi:application or flaskr:create_app()."
    ) in str(raised.value)


@pytest.mark.parametrize(("text", "value"), [("src/web", "src/web"), ("web/", "web"), ("./web", "web")])
def test_app_home_is_a_relative_directory(make_app, load_config, text, value):
    assert load_config(make_app(), APP_HOME=text)["APP_HOME"] == value


@pytest.mark.parametrize("text", ["/opt/app-root/src/web", "..", "../other", "web/../../etc"])
def test_app_home_outside_the_source_is_rejected(make_app, load_config, text):
    with pytest.raises(ConfigError) as raised:
        load_config(make_app(), APP_HOME=text)
    message = str(raised.value)
    assert f"APP_HOME={text!r}" in message
    assert "APP_HOME must be a directory inside the source, relative to it (e.g. src/web)." in message


# ---------------------------------------------------------------------------
# The app's environment files.


def test_a_line_that_is_not_name_equals_value_names_the_file_and_the_line(make_app, load_config):
    app = make_app({".s2i/environment": "PORT=9000\nthis is not a setting\n"})
    with pytest.raises(ConfigError) as raised:
        load_config(app)
    message = str(raised.value)
    assert ".s2i/environment line 2 is not NAME=VALUE: 'this is not a setting'" in message
    assert "Every line of .s2i/environment must set one variable." in message
    assert "comments start with #" in message


def test_a_variable_name_with_a_dash_is_rejected(make_app, load_config):
    app = make_app({".warpdrive/environment": "MY-VAR=1\n"})
    with pytest.raises(ConfigError, match=r"\.warpdrive/environment line 1 is not NAME=VALUE: 'MY-VAR=1'"):
        load_config(app)


def test_variables_from_app_files_outside_the_table_are_passed_to_the_app(make_app, load_config):
    app = make_app(
        {
            ".warpdrive/environment": "DJANGO_SETTINGS_MODULE=site.settings\nFEATURE=old\n",
            ".s2i/environment": "FEATURE=new\nSECRET=from-file\n",
        }
    )
    cfg = load_config(app, SECRET="from-run")
    assert cfg.app_environment["DJANGO_SETTINGS_MODULE"] == "site.settings"
    assert cfg.app_environment["FEATURE"] == "new"
    # `-e` at run time wins: the file's value must not be re-applied over it.
    assert "SECRET" not in cfg.app_environment


def test_the_launcher_knows_the_image_variants_the_makefile_builds():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    line = next(line for line in makefile.splitlines() if line.startswith("VARIANTS "))
    tags = [pair.split("=")[0] for pair in line.split("?=")[1].split()]
    assert sorted(tags) == sorted(python_version.VARIANTS)


def test_config_names_the_image_s_python_and_the_other_variants(make_app, monkeypatch, capsys):
    app = make_app({"wsgi.py": "application = None\n"})
    monkeypatch.setenv("S2I_WSGI_SOURCE_DIR", str(app))
    assert cli.main(["config"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.split()[:2] == ["(Python)", platform.python_version()]
    assert first.endswith("this image (variants: s2i-wsgi:3.13, s2i-wsgi:3.11, s2i-wsgi:3.14)")
