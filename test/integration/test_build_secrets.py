"""Build secrets: a CA bundle and index credentials injected for assemble are used by pip and
the build's hooks, and are nowhere in the app image: not in a layer (docker save), its history,
its configuration (environment, labels) or its filesystem. The builder image built with a CA
in certs/ keeps no trace of it either."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import textwrap
import uuid
from pathlib import Path

import pytest

import harness
from test_dependencies import write_wheel

SECRETS_DEST = "/tmp/secrets"

# A password-protected simple index: GET with the right Basic credentials, else 401.
INDEX_SERVER = textwrap.dedent(
    """\
    import base64, functools, http.server, os
    EXPECTED = "Basic " + base64.b64encode(os.environ["INDEX_CREDENTIALS"].encode()).decode()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.headers.get("Authorization") != EXPECTED:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="index"')
                self.end_headers()
                return
            super().do_GET()

    http.server.ThreadingHTTPServer(("", 8000), functools.partial(Handler, directory="/index")).serve_forever()
    """
)


def host_ca_bundle() -> str:
    """This machine's CA bundle (whatever trusts this machine's HTTPS), read at test time."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    pytest.fail("No CA bundle found through ssl.get_default_verify_paths() on this machine.")


def appears_in_image(image: str, values: list[str]) -> dict[str, list[str]]:
    """Where each value occurs: `docker history --no-trunc`, `docker inspect`, or any byte of any
    layer (`docker save` streams every layer, including files later deleted, and the config)."""
    found: dict[str, list[str]] = {value: [] for value in values}
    history = harness.text(harness.engine("history", "--no-trunc", image))
    inspect = harness.text(harness.engine("inspect", image))
    for value in values:
        if value in history:
            found[value].append("docker history")
        if value in inspect:
            found[value].append("docker inspect")
    needles = [value.encode() for value in values]
    overlap = max(len(n) for n in needles)
    with subprocess.Popen([harness.ENGINE, "save", image], stdout=subprocess.PIPE) as save:
        assert save.stdout is not None
        tail = b""
        while chunk := save.stdout.read(1 << 20):
            window = tail + chunk
            for value, needle in zip(values, needles, strict=True):
                if needle in window and "docker save" not in found[value]:
                    found[value].append("docker save")
            tail = window[-overlap:]
    assert save.returncode == 0, f"`{harness.ENGINE} save {image}` failed"
    return {value: where for value, where in found.items() if where}


@pytest.fixture(scope="module")
def private_index(builder, tmp_path_factory):
    """A password-protected index serving s2i-wsgi-secret-marker, in a container on the default
    network; yields (url with credentials, host, password)."""
    root = tmp_path_factory.mktemp("index")
    project = root / "simple" / "s2i-wsgi-secret-marker"
    wheel = write_wheel(project, "s2i-wsgi-secret-marker", "secrets_private_index: from the protected index")
    (project / "index.html").write_text(f'<html><body><a href="{wheel.name}">{wheel.name}</a></body></html>\n')
    (root / "server.py").write_text(INDEX_SERVER)
    password = f"s2i-wsgi-test-password-{uuid.uuid4().hex}"
    name = f"s2i-wsgi-test-index-{uuid.uuid4().hex[:10]}"
    harness.engine(
        "run", "-d", "--name", name, "--label", harness.LABEL, "--user", "0", "-v", f"{root}:/index:ro",
        "-e", f"INDEX_CREDENTIALS=s2i:{password}", builder, "python3", "/index/server.py",
    )  # fmt: skip
    try:
        host = harness.engine("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name).stdout.decode().strip()
        assert host, f"the index container has no address; logs:\n{harness.text(harness.engine('logs', name))}"
        yield f"http://s2i:{password}@{host}:8000/simple/", host, password
    finally:
        harness.engine("rm", "-f", name, check=False)


@pytest.fixture(scope="module")
def secrets_build(private_index, tmp_path_factory):
    """secrets_private_index built with index-url, pip.conf, ca.crt and a token injected; yields
    (build, the secret values)."""
    url, host, password = private_index
    secrets = tmp_path_factory.mktemp("secrets") / "secrets"
    secrets.mkdir()
    ca_marker = f"s2i-wsgi-test-ca-{uuid.uuid4().hex}"
    token = f"s2i-wsgi-test-token-{uuid.uuid4().hex}"
    (secrets / "index-url").write_text(url + "\n")
    (secrets / "pip.conf").write_text(f"[global]\ntrusted-host = {host}\n")
    (secrets / "ca.crt").write_text(f"# {ca_marker}\n{host_ca_bundle()}")
    (secrets / "token").write_text(token + "\n")
    for path in secrets.iterdir():
        path.chmod(0o600)  # as a careful user keeps them; bin/s2i-build makes its staged copy readable
    result = harness.build_app("secrets_private_index", inject=(f"{secrets}:{SECRETS_DEST}",))
    yield result, {"password": password, "ca": ca_marker, "token": token}
    harness.remove_image(result.image)


def test_injected_index_credentials_and_ca_are_used_during_assemble(secrets_build, containers):
    result, _ = secrets_build
    result.assert_ok()
    assert f"---> Using build secrets from {SECRETS_DEST}: ca.crt, pip.conf, index-url\n" in result.output
    assert "token-seen=yes index-seen=yes ca-seen=yes uv-ca=yes" in result.output
    container = containers(result.image)
    container.wait_ready()
    status, body, _ = container.get("/")
    assert (status, body) == (
        200,
        b"secrets_private_index: from the protected index token-seen=yes index-seen=yes ca-seen=yes uv-ca=yes\n",
    )


def test_no_secret_value_is_in_the_image_its_history_config_or_layers(secrets_build):
    result, values = secrets_build
    result.assert_ok()
    # The package's marker is in a layer: proof that the search finds what is there.
    present = "secrets_private_index: from the protected index"
    assert appears_in_image(result.image, [*values.values(), present]) == {present: ["docker save"]}
    # ...and the build log never printed them either (pip shows the index URL with **** for the password).
    for value in values.values():
        assert value not in result.output


def test_the_secrets_directory_and_variables_are_not_in_the_image(secrets_build):
    result, _ = secrets_build
    script = f"find {SECRETS_DEST} -type f ! -empty 2>/dev/null; echo ---; env"
    listing = harness.run_once(result.image, "sh", "-c", script)
    assert listing.returncode == 0, harness.text(listing)
    files, _, env = listing.stdout.decode().partition("---\n")
    # bin/s2i-build leaves an empty mount point; real s2i leaves the injected files truncated.
    assert files == ""
    for name in ("PIP_INDEX_URL", "PIP_CERT", "SSL_CERT_FILE", "PIP_CONFIG_FILE", "S2I_WSGI_SECRETS_DIR"):
        assert f"\n{name}=" not in f"\n{env}"


@pytest.mark.parametrize("way", ["netrc", "pip.conf"])
def test_a_password_in_an_injected_netrc_or_pip_conf_is_used_and_kept_out_of_the_image(
    private_index, tmp_path_factory, containers, way
):
    url, host, password = private_index
    secrets = tmp_path_factory.mktemp(way) / "secrets"
    secrets.mkdir()
    env: tuple[str, ...] = ()
    if way == "netrc":  # the index URL itself is then a plain variable
        (secrets / "netrc").write_text(f"machine {host} login s2i password {password}\n")
        env = (f"PIP_INDEX_URL={url.replace(f's2i:{password}@', '')}", f"PIP_TRUSTED_HOST={host}")
    else:
        (secrets / "pip.conf").write_text(f"[global]\nindex-url = {url}\ntrusted-host = {host}\n")
    tag = f"s2i-wsgi-test-secret-{way.replace('.', '-')}:{harness.RUN_ID}"
    result = harness.build_app("secrets_private_index", *env, inject=(f"{secrets}:{SECRETS_DEST}",), tag=tag)
    try:
        result.assert_ok()
        assert f"---> Using build secrets from {SECRETS_DEST}: {way}\n" in result.output
        assert "a credential" not in result.output and "credentials, and the build's variables" not in result.output
        container = containers(result.image)
        container.wait_ready()
        assert container.get("/")[1].startswith(b"secrets_private_index: from the protected index")
        assert password not in result.output
        assert appears_in_image(result.image, [password]) == {}
    finally:
        harness.remove_image(tag)


def test_a_password_in_a_build_variable_is_masked_everywhere_we_print_and_the_build_warns(private_index):
    """s2i commits the build's variables as the image's environment, so a credential given with -e
    stays there: the build says so, names the variable and what to use instead, and nothing this
    builder prints or labels shows the password."""
    url, host, password = private_index
    tag = f"s2i-wsgi-test-secret-env:{harness.RUN_ID}"
    result = harness.build_app("secrets_private_index", f"PIP_INDEX_URL={url}", f"PIP_TRUSTED_HOST={host}", tag=tag)
    try:
        result.assert_ok()
        assert (
            "WARNING: PIP_INDEX_URL holds a credential, and the build's variables (s2i's -e, .s2i/environment, "
            "a BuildConfig's env) are written into the app image's environment"
        ) in " ".join(result.output.split())
        assert password not in result.output
        labels = harness.engine("image", "inspect", "--format", "{{json .Config.Labels}}", tag).stdout.decode()
        assert password not in labels
        for command in (["s2i-wsgi", "config"], ["s2i-wsgi", "detect"]):
            shown = harness.run_once(tag, *command)
            assert shown.returncode == 0, harness.text(shown)
            assert password not in harness.text(shown)
        assert f"http://s2i:****@{host}:8000/simple/" in harness.text(harness.run_once(tag, "s2i-wsgi", "config"))
    finally:
        harness.remove_image(tag)


def test_without_the_credentials_the_protected_index_refuses_the_install(private_index, tmp_path_factory):
    url, host, _ = private_index
    secrets = tmp_path_factory.mktemp("nocreds") / "secrets"
    secrets.mkdir()
    (secrets / "index-url").write_text(url.replace("s2i:", "s2i:wrong-", 1) + "\n")
    (secrets / "pip.conf").write_text(f"[global]\ntrusted-host = {host}\n")
    result = harness.build_app(
        "secrets_private_index", inject=(f"{secrets}:{SECRETS_DEST}",), tag=f"s2i-wsgi-test-nocreds:{harness.RUN_ID}"
    )
    harness.remove_image(result.image)
    assert result.returncode != 0
    assert "ERROR: Installing the packages in requirements.txt failed" in result.output


def test_a_ca_crt_that_is_not_pem_stops_the_build_with_how_to_convert_it(builder, tmp_path):
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "ca.crt").write_text("this is not a certificate\n")
    result = harness.build_app(
        "flask_hello", inject=(f"{secrets}:{SECRETS_DEST}",), tag=f"s2i-wsgi-test-bad-ca:{harness.RUN_ID}"
    )
    harness.remove_image(result.image)
    assert result.returncode != 0
    assert (
        f"ERROR: The build secret {SECRETS_DEST}/ca.crt holds no PEM certificate (no `-----BEGIN CERTIFICATE-----` "
        "line).\n\nIt is meant to be trusted by pip and uv during the build, e.g. the CA of a TLS-inspecting proxy; "
        "a file in another format would be ignored and HTTPS would still fail.\n\nPut the CA certificate(s) in PEM "
        "format into ca.crt; convert a DER file with `openssl x509 -inform der -in proxy.cer -out ca.crt`."
    ) in result.output


def test_a_builder_built_with_a_ca_in_certs_keeps_no_trace_of_it(builder, tmp_path):
    """The builder behind a proxy: its CA in certs/ is trusted while PyPI packages install, and is in
    no layer, history entry or setting of the published image."""
    context = tmp_path / "context"
    for name in ("Dockerfile", ".dockerignore", "requirements", "root", "s2i", "src", "certs"):
        source = harness.REPO / name
        if source.is_dir():
            shutil.copytree(source, context / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            context.mkdir(exist_ok=True)
            shutil.copy2(source, context / name)
    marker = f"s2i-wsgi-test-build-ca-{uuid.uuid4().hex}"
    (context / "certs" / "proxy.crt").write_text(f"# {marker}\n{host_ca_bundle()}")
    tag = f"s2i-wsgi-test-builder-ca:{harness.RUN_ID}"
    try:
        harness.engine(
            "build", "--build-arg", f"BASE_IMAGE={harness.BASE_IMAGE}", "-t", tag, str(context), timeout=1800
        )
        assert appears_in_image(tag, [marker]) == {}
    finally:
        harness.remove_image(tag)
