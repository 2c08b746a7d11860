"""Build secrets: a CA bundle and package-index credentials, supplied as files
for the build only (s2i --inject, OpenShift build secrets, bin/s2i-build
--inject) in S2I_WSGI_SECRETS_DIR (default /tmp/secrets).

Every file is optional:

  ca.crt           PEM certificates to trust besides the image's own (a
                   TLS-inspecting proxy's CA, a private index's CA)
  pip.conf         a pip configuration file (PIP_CONFIG_FILE)
  netrc            credentials by host, for pip and uv (NETRC)
  index-url        the package index, credentials allowed in the URL
                   (PIP_INDEX_URL, UV_DEFAULT_INDEX)
  extra-index-url  further indexes, one per line (PIP_EXTRA_INDEX_URL, UV_INDEX)

They are read here and reach only the environment of the build's child
processes (installers and hooks), never the launcher's own output, a file in
/opt/app-root, or the image's configuration. ca.crt is appended to the
image's CA bundle in a scratch file outside /opt/app-root, removed when the
build ends. Messages name files, never their contents.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import output, redact
from .errors import ConfigError
from .paths import APP_ROOT, SECRETS_DIR

DEFAULT_DIR = SECRETS_DIR
CA_FILE, PIP_CONF, NETRC, INDEX_URL, EXTRA_INDEX_URL = "ca.crt", "pip.conf", "netrc", "index-url", "extra-index-url"
KNOWN = (CA_FILE, PIP_CONF, NETRC, INDEX_URL, EXTRA_INDEX_URL)
PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
# Everything that verifies TLS in a build: pip, uv, requests, curl, git.
CA_VARIABLES = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO")
FIX_READABLE = (
    "Make the files readable by the build's user (UID 1001, group 0), e.g. `chmod a+r` them before "
    "`s2i build --inject`; OpenShift's build secrets already are."
)


@dataclass(frozen=True)
class BuildSecrets:
    """What was found in the secrets directory and the variables it gives child processes."""

    directory: Path
    used: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)


def system_ca_bundle() -> Path | None:
    """The CA bundle OpenSSL trusts by default in this image (Debian: ca-certificates.crt)."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except PermissionError:
        raise ConfigError(
            f"The build secret {path} cannot be read (permission denied).",
            "The build uses it to reach your package index; without it the install would fail later "
            "with a less clear error.",
            FIX_READABLE,
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"The build secret {path} is not UTF-8 text.",
            f"{path.name} must be a text file.",
            "For ca.crt convert a DER certificate to PEM: `openssl x509 -inform der -in proxy.cer -out ca.crt`.",
        ) from None
    except OSError as exc:
        raise ConfigError(f"The build secret {path} cannot be read ({exc.strerror}).", "", FIX_READABLE) from None


def _check_pem(path: Path, text: str) -> None:
    if PEM_BEGIN not in text:
        raise ConfigError(
            f"The build secret {path} holds no PEM certificate (no `{PEM_BEGIN}` line).",
            "It is meant to be trusted by pip and uv during the build, e.g. the CA of a TLS-inspecting "
            "proxy; a file in another format would be ignored and HTTPS would still fail.",
            "Put the CA certificate(s) in PEM format into ca.crt; convert a DER file with "
            "`openssl x509 -inform der -in proxy.cer -out ca.crt`.",
        )


def _urls(path: Path, text: str, *, single: bool) -> list[str]:
    urls = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    # The message never quotes a URL: it may hold a password.
    if not urls or (single and len(urls) > 1):
        raise ConfigError(
            f"The build secret {path} must hold {'exactly one URL' if single else 'one URL per line'}, "
            f"but it has {len(urls)}.",
            "It names the package index the build installs from.",
            f"Write {'the index URL, e.g. https://user:token@pypi.example.com/simple/,' if single else 'the URLs'} "
            f"into {path.name}, or remove the file.",
        )
    for number, url in enumerate(urls, start=1):
        if not url.startswith(("https://", "http://", "file://")):
            raise ConfigError(
                f"Line {number} of the build secret {path} is not an http(s):// or file:// URL.",
                "It names a package index the build installs from.",
                f"Write the index URL, e.g. https://user:token@pypi.example.com/simple/, into {path.name}.",
            )
    return urls


def load(directory: Path, scratch: Path, system_bundle: Path | None = None) -> BuildSecrets:
    """Read the secrets in `directory` (missing: none). A CA bundle is written into `scratch`."""
    if not directory.is_dir():
        return BuildSecrets(directory)
    try:
        names = sorted(entry.name for entry in directory.iterdir() if not entry.name.startswith(".."))
    except PermissionError:
        raise ConfigError(
            f"The build secrets directory {directory} cannot be listed (permission denied).",
            "It holds the CA bundle and index credentials for the build.",
            FIX_READABLE,
        ) from None
    # s2i and OpenShift truncate injected files to zero length after a build; an empty file is absent.
    present = [name for name in names if (directory / name).is_file() and (directory / name).stat().st_size > 0]
    env: dict[str, str] = {"S2I_WSGI_SECRETS_DIR": str(directory)}
    if CA_FILE in present:
        path = directory / CA_FILE
        text = _read(path)
        _check_pem(path, text)
        bundle = scratch / "ca-bundle.pem"
        system = system_bundle if system_bundle is not None else system_ca_bundle()
        base = system.read_text(encoding="utf-8", errors="replace") if system else ""
        bundle.write_text(base.rstrip("\n") + "\n" + text, encoding="utf-8")
        bundle.chmod(0o600)
        env.update(dict.fromkeys(CA_VARIABLES, str(bundle)))
    if PIP_CONF in present:
        _read(directory / PIP_CONF)
        env["PIP_CONFIG_FILE"] = str(directory / PIP_CONF)
    if NETRC in present:
        _read(directory / NETRC)
        env["NETRC"] = str(directory / NETRC)
    if INDEX_URL in present:
        (url,) = _urls(directory / INDEX_URL, _read(directory / INDEX_URL), single=True)
        env.update(PIP_INDEX_URL=url, UV_DEFAULT_INDEX=url)
    if EXTRA_INDEX_URL in present:
        urls = " ".join(_urls(directory / EXTRA_INDEX_URL, _read(directory / EXTRA_INDEX_URL), single=False))
        env.update(PIP_EXTRA_INDEX_URL=urls, UV_INDEX=urls)
    used = tuple(name for name in KNOWN if name in present)
    other = tuple(name for name in present if name not in KNOWN)
    return BuildSecrets(directory, used, other, env)


def describe(secrets: BuildSecrets, overridden: list[str]) -> None:
    """Names only, in the build log."""
    if not secrets.used and not secrets.other:
        return
    output.step(f"Using build secrets from {secrets.directory}: {', '.join(secrets.used) or 'none known'}")
    if secrets.other:
        output.info(f"Also there, for hooks (S2I_WSGI_SECRETS_DIR): {', '.join(secrets.other)}")
    if overridden:
        output.info(f"Build secrets override {', '.join(overridden)} for this build.")
    if secrets.directory.resolve().is_relative_to(APP_ROOT):
        output.warning(
            f"The build secrets directory {secrets.directory} is inside {APP_ROOT}, so its files are part of the "
            "app image (s2i and OpenShift empty them after the build, but they remain). Inject them into "
            f"{DEFAULT_DIR} instead."
        )


def warn_exposed(environment: Mapping[str, str]) -> None:
    """A credential in a build variable is in the app image for good: s2i commits the build's
    variables (-e, .s2i/environment) as the image's environment, and OpenShift's generated
    Dockerfile makes them ENV lines; `docker inspect` shows them to whoever can pull the image.
    Say so, naming the variables (never their values), and what to use instead."""
    exposed = sorted(name for name, value in environment.items() if value and redact.value(name, value) != value)
    if exposed:
        output.warning(
            f"{', '.join(exposed)} {'holds a credential' if len(exposed) == 1 else 'hold credentials'}, and the "
            "build's variables (s2i's -e, .s2i/environment, a BuildConfig's env) are written into the app "
            "image's environment, where anyone who can pull the image reads them (docker inspect). Give "
            f"index credentials to the build as files instead ({INDEX_URL} or {NETRC} in a directory injected "
            f"at {DEFAULT_DIR}: s2i build --inject ./secrets:{DEFAULT_DIR}, or an OpenShift build secret), and "
            "run-time secrets to the container when it runs."
        )


@contextmanager
def provided(directory: Path) -> Iterator[BuildSecrets]:
    """The secrets for the duration of a build; the scratch CA bundle is removed afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="s2i-wsgi-secrets-"))
    try:
        yield load(directory, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def secrets_dir(value: str | None) -> Path:
    return Path(value) if value else DEFAULT_DIR
