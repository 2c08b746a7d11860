"""Mistakes a user can make end the build with a message that says what to do."""

from __future__ import annotations


def test_source_without_an_entry_point_fails_listing_what_was_searched(built):
    result = built("no_entry_point")
    assert result.returncode != 0
    assert "ERROR: No WSGI application found in /opt/app-root/src. Searched, in order:" in result.output
    assert "- wsgi.py defining `application`, `app`, `create_app()` or `make_app()`\n" in result.output
    assert "- app.py defining `application`, `app`, `create_app()` or `make_app()`\n" in result.output
    assert "- main.py defining `application`, `app`, `create_app()` or `make_app()`\n" in result.output
    assert "set APP_MODULE=module:callable" in result.output


def test_invalid_variable_value_fails_naming_the_variable_and_allowed_values(built):
    result = built("flask_hello", "MOD_WSGI_THREADS=lots")
    assert result.returncode != 0
    assert "ERROR: MOD_WSGI_THREADS='lots' is not a valid value." in result.output
    assert "MOD_WSGI_THREADS must be a whole number from 1 to 256." in result.output


def test_requirement_that_does_not_exist_fails_the_build(built):
    result = built("bad_requirement")
    assert result.returncode != 0
    assert "ERROR: Installing the packages in requirements.txt failed" in result.output
    assert "no-such-package-s2i-wsgi" in result.output


def test_failing_pre_build_hook_stops_the_build_with_its_output(built):
    result = built("hooks_pre_build_fails")
    assert result.returncode != 0
    assert "pre-build: the asset bundle is missing" in result.output
    assert "ERROR: The pre-build hook .s2i/action_hooks/pre-build failed (exit status 3)." in result.output
    assert "Fix .s2i/action_hooks/pre-build so that it exits 0, or remove it." in result.output


def test_hook_without_executable_bit_is_explained(built):
    result = built("hooks_not_executable")
    assert result.returncode != 0
    assert "ERROR: The build hook .warpdrive/action_hooks/build is not executable." in result.output
    assert "Run `chmod +x .warpdrive/action_hooks/build`" in result.output


def test_two_project_packages_and_nothing_explicit_is_ambiguous(built):
    result = built("ambiguous_entry_points")
    assert result.returncode != 0
    assert "ERROR: Found 2 WSGI entry points and no setting to choose between them:" in result.output
    assert "- site_a/wsgi.py\n- site_b/wsgi.py" in result.output
    assert "APP_MODULE=site_a.wsgi:application" in result.output


def test_app_module_naming_a_missing_module_fails_the_build(built):
    result = built("app_module_missing")
    assert result.returncode != 0
    assert (
        "ERROR: APP_MODULE=shop.missing:app names module `shop.missing`, which is neither in the source "
        "nor installed in the app's virtualenv."
    ) in result.output


def test_app_module_naming_a_missing_attribute_suggests_the_right_one(built):
    result = built("flask_hello", "APP_MODULE=app:application")
    assert result.returncode != 0
    assert "names `application`, but app.py defines no top-level `application`. It does define `app`" in (result.output)


def test_import_error_in_user_code_fails_the_build_as_an_import_error(built):
    result = built("broken_import")
    assert result.returncode != 0
    assert (
        "ERROR: Importing wsgi (wsgi.py) failed: ModuleNotFoundError: No module named 'module_that_is_not_installed'"
    ) in result.output
    assert "ModuleNotFoundError: No module named 'module_that_is_not_installed'" in result.output
    assert "No WSGI application found" not in result.output


def test_a_conda_environment_without_a_pip_file_is_refused_before_installing(built):
    result = built("deps_conda_environment")
    assert result.returncode != 0
    assert (
        "ERROR: There is an environment.yml (a conda environment) but no requirements.txt, lock file or "
        "pyproject.toml in /opt/app-root/src.\n\n"
        "This image installs packages with pip, pipenv, poetry or uv; conda is not in it, so the packages "
        "environment.yml lists would not be installed.\n\n"
        "List the app's packages in a requirements.txt (those under `pip:` in environment.yml as they are, "
        "conda packages by their names on PyPI), or build with an image that has conda."
    ) in result.output
    assert "---> Dependencies:" not in result.output  # refused before any installer runs
