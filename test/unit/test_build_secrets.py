"""Build secrets: which files give which variables to the build's child processes, the
errors for unusable files (which never quote a secret), and that nothing outlives the build."""

from __future__ import annotations

import os

import pytest

from s2i_wsgi import build, build_secrets, output
from s2i_wsgi.errors import ConfigError

CERT = "-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n"
SYSTEM = "# the image's bundle\n-----BEGIN CERTIFICATE-----\nMIIBsystem\n-----END CERTIFICATE-----\n"
URL = "https://builder:s3cret-token@pypi.example.com/simple/"


@pytest.fixture
def secret_dir(tmp_path):
    def make(files: dict[str, str] | None = None):
        directory = tmp_path / "secrets"
        directory.mkdir(exist_ok=True)
        for name, text in (files or {}).items():
            (directory / name).write_text(text)
        return directory

    return make


@pytest.fixture
def scratch(tmp_path):
    path = tmp_path / "scratch"
    path.mkdir()
    return path


@pytest.fixture
def system_bundle(tmp_path):
    path = tmp_path / "system.pem"
    path.write_text(SYSTEM)
    return path


def test_a_missing_directory_gives_no_variables(tmp_path, scratch):
    found = build_secrets.load(tmp_path / "absent", scratch)
    assert found.environment == {} and found.used == ()


def test_ca_crt_is_trusted_besides_the_image_bundle_by_every_installer(secret_dir, scratch, system_bundle):
    found = build_secrets.load(secret_dir({"ca.crt": CERT}), scratch, system_bundle)
    bundle = scratch / "ca-bundle.pem"
    assert bundle.read_text() == SYSTEM + CERT
    for name in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO"):
        assert found.environment[name] == str(bundle)
    assert found.used == ("ca.crt",)


def test_pip_conf_and_netrc_are_named_by_path(secret_dir, scratch):
    directory = secret_dir({"pip.conf": "[global]\ntrusted-host = x\n", "netrc": "machine x login a password b\n"})
    found = build_secrets.load(directory, scratch)
    assert found.environment["PIP_CONFIG_FILE"] == str(directory / "pip.conf")
    assert found.environment["NETRC"] == str(directory / "netrc")
    assert found.environment["S2I_WSGI_SECRETS_DIR"] == str(directory)


def test_index_urls_reach_pip_and_uv(secret_dir, scratch):
    extra = "https://a.example.com/simple/\n# comment\nhttps://b.example.com/simple/\n"
    found = build_secrets.load(secret_dir({"index-url": URL + "\n", "extra-index-url": extra}), scratch)
    env = found.environment
    assert env["PIP_INDEX_URL"] == env["UV_DEFAULT_INDEX"] == URL
    assert (
        env["PIP_EXTRA_INDEX_URL"] == env["UV_INDEX"] == "https://a.example.com/simple/ https://b.example.com/simple/"
    )
    assert found.used == ("index-url", "extra-index-url")


def test_other_files_are_listed_for_hooks_and_empty_files_are_absent(secret_dir, scratch):
    found = build_secrets.load(secret_dir({"token": "abc", "netrc": ""}), scratch)
    assert found.other == ("token",)
    assert "NETRC" not in found.environment  # s2i truncates injected files after a build


def test_a_ca_crt_without_a_pem_certificate_is_an_error(secret_dir, scratch):
    directory = secret_dir({"ca.crt": "not a certificate\n"})
    with pytest.raises(ConfigError) as caught:
        build_secrets.load(directory, scratch)
    assert str(caught.value) == (
        f"The build secret {directory / 'ca.crt'} holds no PEM certificate (no `-----BEGIN CERTIFICATE-----` line)."
        "\n\nIt is meant to be trusted by pip and uv during the build, e.g. the CA of a TLS-inspecting proxy; a "
        "file in another format would be ignored and HTTPS would still fail.\n\nPut the CA certificate(s) in PEM "
        "format into ca.crt; convert a DER file with `openssl x509 -inform der -in proxy.cer -out ca.crt`."
    )


def test_a_binary_ca_crt_says_to_convert_it(secret_dir, scratch):
    directory = secret_dir()
    (directory / "ca.crt").write_bytes(b"\x30\x82\x05\xff\xfe")
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        build_secrets.load(directory, scratch)


def test_an_unreadable_secret_error_names_the_file_and_the_fix(secret_dir, scratch, monkeypatch):
    directory = secret_dir({"netrc": "machine x login a password b\n"})

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(directory), "read_text", denied)
    with pytest.raises(ConfigError) as caught:
        build_secrets.load(directory, scratch)
    assert str(caught.value) == (
        f"The build secret {directory / 'netrc'} cannot be read (permission denied).\n\n"
        "The build uses it to reach your package index; without it the install would fail later with a less "
        "clear error.\n\n" + build_secrets.FIX_READABLE
    )


@pytest.mark.parametrize("text", ["# only a comment\n", URL + "\n" + URL + "\n", "pypi.example.com/simple\n"])
def test_a_bad_index_url_is_an_error_that_never_quotes_the_url(secret_dir, scratch, text):
    with pytest.raises(ConfigError) as caught:
        build_secrets.load(secret_dir({"index-url": text}), scratch)
    assert "index-url" in str(caught.value)
    assert "s3cret" not in str(caught.value) and "pypi.example.com/simple\n" not in str(caught.value)


def test_the_scratch_bundle_is_removed_after_the_build(secret_dir):
    with build_secrets.provided(secret_dir({"ca.crt": CERT})) as found:
        bundle = found.environment["PIP_CERT"]
        assert os.path.isfile(bundle)
    assert not os.path.exists(bundle)
    assert not os.path.exists(os.path.dirname(bundle))


def test_the_build_log_names_files_never_values(secret_dir, scratch, capsys):
    found = build_secrets.load(secret_dir({"index-url": URL, "token": "x"}), scratch)
    build_secrets.describe(found, ["PIP_INDEX_URL"])
    out = capsys.readouterr().out
    assert f"---> Using build secrets from {found.directory}: index-url\n" in out
    assert "Also there, for hooks (S2I_WSGI_SECRETS_DIR): token" in out
    assert "Build secrets override PIP_INDEX_URL for this build." in out
    assert "s3cret" not in out


# --- through the build ----------------------------------------------------------


class Recorder(list):
    def __call__(self, argv, *, cwd=None, env=None, collect=None) -> int:
        self.append((list(argv), dict(env or {})))
        return 0


def test_installers_and_hooks_get_the_secrets_and_the_build_environment_does_not(
    make_app, secret_dir, monkeypatch, capsys
):
    directory = secret_dir({"index-url": URL, "ca.crt": CERT})
    app = make_app(
        {"app.py": "app = object()\n", "requirements.txt": "flask\n", ".s2i/action_hooks/build": "#!/bin/sh\n"}
    )
    (app / ".s2i/action_hooks/build").chmod(0o755)
    runs = Recorder()
    monkeypatch.setattr(output, "run", runs)
    monkeypatch.setattr(build.importcheck, "check", lambda config, entry, env: None)  # runs the app's Python
    generator_environ: list = []  # the SBOM generator needs no secret, and gets none
    monkeypatch.setattr(build.sbom, "write", lambda config, environ: generator_environ.append(environ))
    environ = {"S2I_WSGI_SECRETS_DIR": str(directory), "PIP_INDEX_URL": "https://public.example.com/simple/"}
    build.build(environ, app)
    assert generator_environ[0]["PIP_INDEX_URL"] == "https://public.example.com/simple/"
    assert "PIP_CERT" not in generator_environ[0]
    pip_run = next(env for argv, env in runs if "pip" in argv)
    hook_run = next(env for argv, env in runs if argv[0].endswith("build"))
    for env in (pip_run, hook_run):
        assert env["PIP_INDEX_URL"] == URL
        assert env["PIP_CERT"].endswith("ca-bundle.pem")
    assert environ == {"S2I_WSGI_SECRETS_DIR": str(directory), "PIP_INDEX_URL": "https://public.example.com/simple/"}
    assert "PIP_INDEX_URL" not in os.environ
    assert not os.path.exists(pip_run["PIP_CERT"])
    assert "s3cret" not in capsys.readouterr().out


def test_a_credential_in_a_build_variable_is_named_in_a_warning_without_its_value(capsys):
    build_secrets.warn_exposed(
        {
            "PIP_INDEX_URL": "https://ci:hunter2@pypi.example.com/simple/",
            "DJANGO_SECRET_KEY": "not-so-secret",
            "PIP_EXTRA_INDEX_URL": "https://pypi.example.com/simple/",
            "EMPTY_TOKEN": "",
        }
    )
    err = capsys.readouterr().err
    assert err.startswith(
        "WARNING: DJANGO_SECRET_KEY, PIP_INDEX_URL hold credentials, and the build's variables (s2i's -e, "
        ".s2i/environment, a BuildConfig's env) are written into the app image's environment"
    )
    assert "index-url or netrc in a directory injected at /tmp/secrets" in err
    assert "hunter2" not in err and "not-so-secret" not in err


def test_build_variables_without_credentials_give_no_warning(capsys):
    build_secrets.warn_exposed({"PIP_INDEX_URL": "https://pypi.example.com/simple/", "APP_MODULE": "app:app"})
    assert capsys.readouterr().err == ""
