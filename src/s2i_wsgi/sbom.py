"""The app image's software bill of materials: one CycloneDX JSON document at /opt/app-root/sbom.cdx.json
(the images' label io.s2i-wsgi.sbom names it) listing the app's virtualenv and the image's Debian packages.

- The Python part comes from cyclonedx-py (cyclonedx-bom), the CycloneDX project's generator for Python
  environments, run from its own virtualenv in the builder (/opt/s2i-wsgi/sbom), never the app's.
- The Debian part is dpkg's list, added here as components with `pkg:deb/debian/NAME@VERSION?arch=...`
  purls under one operating-system component, the shape scanners read: Trivy takes the OS (and so which
  advisories apply) from that component and the packages from its dependencies, and the source package
  from its `aquasecurity:trivy:SrcName` property; Grype reads the source package from the purl's
  `upstream` qualifier; Dependency-Track keeps one document per project version, so both parts must be
  in the same document.
- Under /opt/app-root, so s2i's extended build copies it into the runtime image along with the
  virtualenv; assemble-runtime there replaces the Debian part with the runtime image's packages.
- Credentials never reach it: cyclonedx-py copies the URL a package was installed from (PEP 610's
  direct_url.json) into purls and references, and every such URL is masked as in the build log.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, output, redact
from .config import APP_PYTHON, APP_ROOT, BUILDER_HOME, Config
from .errors import BuildError

PATH = APP_ROOT / "sbom.cdx.json"
LABEL = "io.s2i-wsgi.sbom"
SPEC_VERSION = "1.6"
# The generator's own interpreter: run isolated (-I), so an app's PYTHONPATH cannot shadow its modules;
# the app's interpreter it inspects still gets the app's environment.
GENERATOR_PYTHON = BUILDER_HOME / "sbom" / "bin" / "python"
# Backslash escapes (tab, newline) are for dpkg-query, which expands them itself.
DPKG_FORMAT = "\\t".join(
    ("${Package}", "${Version}", "${Architecture}", "${source:Package}", "${source:Version}", "${db:Status-Abbrev}\\n")
)
TRIVY = "aquasecurity:trivy:"


@dataclass(frozen=True)
class DebianPackage:
    name: str
    version: str
    arch: str
    source: str
    source_version: str


@dataclass(frozen=True)
class OperatingSystem:
    id: str  # os-release ID, the purl namespace: debian
    version: str  # 13.8 (Trivy's OS name); forky/sid have no number: their codename


def parse_dpkg(listing: str) -> list[DebianPackage]:
    """dpkg-query's DPKG_FORMAT lines, installed packages only (status `ii`), sorted."""
    found = []
    for line in listing.splitlines():
        fields = line.split("\t")
        if len(fields) != 6 or not fields[5].startswith("ii"):
            continue
        name, version, arch, source, source_version, _ = fields
        found.append(DebianPackage(name, version, arch, source or name, source_version or version))
    return sorted(found, key=lambda package: (package.name, package.arch))


def read_os(etc: Path = Path("/etc")) -> OperatingSystem:
    """The distribution and its point release as Trivy and Syft name it (/etc/debian_version's 13.8)."""
    release: dict[str, str] = {}
    try:
        for line in (etc / "os-release").read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                release[key.strip()] = value.strip().strip("\"'")
    except OSError:
        pass
    try:
        point = (etc / "debian_version").read_text(encoding="utf-8").strip()
    except OSError:
        point = ""
    if not re.fullmatch(r"\d+(\.\d+)*", point):
        point = release.get("VERSION_ID") or release.get("VERSION_CODENAME") or point
    return OperatingSystem(release.get("ID", "debian"), point)


def _qualifier(value: str) -> str:
    """A purl qualifier's value, encoded as packageurl-python (and so cyclonedx-py) encodes it."""
    return urllib.parse.quote(value, safe=":/")


def deb_purl(package: DebianPackage, system: OperatingSystem) -> str:
    """pkg:deb/debian/NAME@VERSION?arch=...&distro=debian-13.8[&upstream=SOURCE[@VERSION]] (qualifiers sorted,
    as the purl specification asks; `upstream` as Syft writes it, for Grype)."""
    qualifiers = {"arch": package.arch}
    if system.version:
        qualifiers["distro"] = f"{system.id}-{system.version}"
    if package.source != package.name or package.source_version != package.version:
        upstream = package.source
        if package.source_version != package.version:
            upstream += f"@{package.source_version}"
        qualifiers["upstream"] = upstream
    encoded = "&".join(f"{key}={_qualifier(value)}" for key, value in sorted(qualifiers.items()))
    name, version = urllib.parse.quote(package.name, safe=""), urllib.parse.quote(package.version, safe=":")
    return f"pkg:deb/{urllib.parse.quote(system.id, safe='')}/{name}@{version}?{encoded}"


def os_ref(system: OperatingSystem) -> str:
    return f"os:{system.id}@{system.version}" if system.version else f"os:{system.id}"


def _is_system(component: Mapping[str, Any]) -> bool:
    return component.get("type") == "operating-system" or str(component.get("purl", "")).startswith("pkg:deb/")


def with_system_packages(
    document: dict[str, Any], packages: list[DebianPackage], system: OperatingSystem
) -> dict[str, Any]:
    """`document` with its Debian part (if any) replaced by `packages` under one operating-system component."""
    dropped = {c.get("bom-ref") for c in document.get("components", []) if _is_system(c)}
    components = [c for c in document.get("components", []) if not _is_system(c)]
    dependencies = []
    for dependency in document.get("dependencies", []):
        if dependency.get("ref") in dropped:
            continue
        kept = dict(dependency)
        if "dependsOn" in kept:
            kept["dependsOn"] = [ref for ref in kept["dependsOn"] if ref not in dropped]
        dependencies.append(kept)
    refs = []
    for package in packages:
        purl = deb_purl(package, system)
        component: dict[str, Any] = {
            "type": "library",
            "bom-ref": purl,
            "name": package.name,
            "version": package.version,
            "purl": purl,
        }
        if package.source != package.name or package.source_version != package.version:
            component["properties"] = [
                {"name": f"{TRIVY}SrcName", "value": package.source},
                {"name": f"{TRIVY}SrcVersion", "value": package.source_version},
            ]
        components.append(component)
        refs.append(purl)
    ref = os_ref(system)
    components.append({"type": "operating-system", "bom-ref": ref, "name": system.id, "version": system.version})
    dependencies.append({"ref": ref, "dependsOn": refs})
    return {**document, "components": components, "dependencies": dependencies}


def _redact_purl(purl: str) -> str:
    """A purl's qualifiers are percent-encoded (`vcs_url=git%2Bhttps://user:token%40host/...`), which the
    build log's rule would not see: mask each decoded value, then encode it again."""
    head, sep, rest = purl.partition("?")
    if not sep:
        return purl
    qualifiers, hash_sep, subpath = rest.partition("#")
    masked = []
    for item in qualifiers.split("&"):
        key, eq, value = item.partition("=")
        decoded = urllib.parse.unquote(value)
        shown = redact.text(decoded)
        masked.append(f"{key}{eq}{_qualifier(shown)}" if shown != decoded else item)
    return f"{head}?{'&'.join(masked)}{hash_sep}{subpath}"


def redacted(value: Any) -> Any:
    """Every string in the document with URL credentials masked (redact.py), purls' qualifiers included."""
    if isinstance(value, dict):
        return {key: redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redacted(item) for item in value]
    if isinstance(value, str):
        shown = redact.text(value)
        return _redact_purl(shown) if shown.startswith("pkg:") else shown
    return value


def _with_tool(document: dict[str, Any]) -> dict[str, Any]:
    """Name the launcher among the document's tools: it wrote the Debian part."""
    metadata = dict(document.get("metadata", {}))
    tools = metadata.get("tools")
    if isinstance(tools, dict) and isinstance(tools.get("components"), list):
        tool = {"type": "application", "name": "s2i-wsgi", "version": __version__}
        if tool not in tools["components"]:
            metadata["tools"] = {**tools, "components": [*tools["components"], tool]}
    return {**document, "metadata": metadata}


def _failure(what: str, shown: str = "") -> BuildError:
    detail = f"\n\n{shown.strip()[-2000:]}" if shown.strip() else ""
    return BuildError(
        f"Writing the software bill of materials ({PATH}) failed: {what}{detail}",
        f"The app image's label {LABEL} says where its list of installed packages is, for scanners and "
        "audits; an image without it would pass them unnoticed, so the build stops rather than leave it out.",
        "Set DISABLE_SBOM=true (in .s2i/environment, or -e at build) to build without it, and report "
        "the message above to the builder image's maintainers.",
    )


def python_packages(environ: Mapping[str, str], python: Path = APP_PYTHON) -> dict[str, Any]:
    """cyclonedx-py's document of the virtualenv of `python`."""
    generator = GENERATOR_PYTHON
    argv = [
        str(generator),
        "-I",
        "-m",
        "cyclonedx_py",
        "environment",
        "--spec-version",
        SPEC_VERSION,
        "--output-format",
        "JSON",
        "--no-validate",  # the validator needs lxml and jsonschema (requirements/sbom.txt)
        "--output-file",
        "-",
        str(python),
    ]
    try:
        done = subprocess.run(argv, capture_output=True, env=dict(environ), check=False, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise _failure(f"cyclonedx-py could not be run ({generator}: {exc.strerror}).") from None
    shown = done.stderr.decode(errors="replace")
    if done.returncode != 0:
        raise _failure(f"cyclonedx-py exited with status {done.returncode}:", shown)
    try:
        document = json.loads(done.stdout)
    except ValueError as exc:
        raise _failure(f"cyclonedx-py's output is not JSON ({exc}).", shown) from None
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise _failure("cyclonedx-py's output is not a CycloneDX document.", shown)
    return document


def debian_packages() -> list[DebianPackage]:
    try:
        done = subprocess.run(
            ["dpkg-query", "--show", "--showformat", DPKG_FORMAT], capture_output=True, check=False, text=True
        )
    except OSError as exc:
        raise _failure(f"dpkg-query could not be run ({exc.strerror}).") from None
    if done.returncode != 0:
        raise _failure(f"dpkg-query exited with status {done.returncode}:", done.stderr)
    return parse_dpkg(done.stdout)


def save(document: dict[str, Any], path: Path = PATH) -> None:
    """Replace `path` at once (readable by group 0 and others: it holds nothing secret)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        partial.chmod(0o664)
        partial.replace(path)
    except OSError as exc:  # a hook that made /opt/app-root read-only, a full disk
        partial.unlink(missing_ok=True)
        raise _failure(f"{path} cannot be written ({exc.strerror}).") from None


def count(document: Mapping[str, Any]) -> tuple[int, int]:
    """(Python packages, Debian packages) listed."""
    purls = [str(c.get("purl", "")) for c in document.get("components", [])]
    return sum(p.startswith("pkg:pypi/") for p in purls), sum(p.startswith("pkg:deb/") for p in purls)


def write(config: Config, environ: Mapping[str, str], path: Path = PATH) -> None:
    """The build's last step: the bill of materials of the virtualenv as installed, and of the image."""
    if config["DISABLE_SBOM"]:
        path.unlink(missing_ok=True)  # a layered rebuild's previous image had one: it would be out of date
        output.step("Software bill of materials: not written (DISABLE_SBOM is true)")
        return
    document = python_packages(environ)
    document = _with_tool(with_system_packages(document, debian_packages(), read_os()))
    save(redacted(document), path)
    python, debian = count(document)
    output.step(
        f"Software bill of materials (CycloneDX {document.get('specVersion')}): {python} Python and "
        f"{debian} Debian packages in {path}"
    )


def refresh(path: Path = PATH) -> None:
    """assemble-runtime: the document came from the builder; the Debian packages are now the runtime image's."""
    if not path.exists():
        return
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _failure(f"the builder's document cannot be read ({exc}).") from None
    if not isinstance(document, dict):
        raise _failure("the builder's document is not a CycloneDX document.")
    document = with_system_packages(document, debian_packages(), read_os())
    save(document, path)
    python, debian = count(document)
    output.step(
        f"Software bill of materials: {python} Python packages from the builder and this image's "
        f"{debian} Debian packages in {path}"
    )
