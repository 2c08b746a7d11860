"""Mistakes a user can make end the build with a message that says what to do."""

from __future__ import annotations


def test_source_without_an_entry_point_fails_listing_what_was_searched(built):
    result = built("no_entry_point")
    assert result.returncode != 0
    assert "ERROR: No WSGI application found in /opt/app-root/src. Searched, in order:" in result.output
    assert "  - wsgi.py defining `application` or `app`" in result.output
    assert "  - app.py defining `application` or `app`" in result.output
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
