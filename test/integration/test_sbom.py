"""Every app image carries a software bill of materials: a CycloneDX document, found through the image's
label, that lists what is installed in the app's virtualenv (at the versions installed) and the image's
Debian packages; built with the builder, and on the runtime image (s2i --runtime-image), whose Debian
packages it then lists instead of the builder's."""

from __future__ import annotations

import json
import re

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

import harness

APP = "flask_hello"
PATH = "/opt/app-root/sbom.cdx.json"


@pytest.fixture(scope="module")
def images(builder):
    """flask_hello built through the real s2i as a full image and on the runtime image."""
    runtime = harness.ensure_runtime()
    full = harness.build_app(APP, tag=f"s2i-wsgi-test-sbom-full:{harness.RUN_ID}").assert_ok()
    lean = harness.build_app(
        APP, tag=f"s2i-wsgi-test-sbom-lean:{harness.RUN_ID}", options=("--runtime-image", runtime)
    ).assert_ok()
    yield {"full": full, "runtime": lean}
    for build in (full, lean):
        harness.remove_image(build.image)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(app: str) -> dict[str, str]:
    """NAME==VERSION lines of the app's requirements.txt."""
    lines = (harness.APPS / app / "requirements.txt").read_text().splitlines()
    pins = dict(line.split("==", 1) for line in lines if "==" in line and not line.startswith("#"))
    return {normalized(name): version.strip() for name, version in pins.items()}


def installed(image: str) -> dict[str, str]:
    """What pip says is in the app's virtualenv."""
    listed = harness.run_once(image, "python", "-m", "pip", "list", "--format", "json")
    assert listed.returncode == 0, harness.text(listed)
    return {normalized(item["name"]): item["version"] for item in json.loads(listed.stdout)}


@pytest.mark.smoke
@pytest.mark.parametrize("kind", ["full", "runtime"])
def test_the_label_names_a_valid_cyclonedx_document_listing_every_installed_python_package(images, kind):
    image = images[kind].image
    where, document = harness.sbom(image)
    assert where == PATH
    assert (document["bomFormat"], document["specVersion"]) == ("CycloneDX", "1.6")
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    assert error is None, str(error)
    python = {
        normalized(c["name"]): (c["version"], c["purl"])
        for c in document["components"]
        if c.get("purl", "").startswith("pkg:pypi/")
    }
    for name, version in pinned(APP).items():
        assert python.get(name) == (version, f"pkg:pypi/{name}@{version}"), sorted(python)
    assert {name: version for name, (version, _) in python.items()} == installed(image)


@pytest.mark.parametrize("kind", ["full", "runtime"])
def test_the_document_lists_the_images_own_debian_packages_under_debian(images, kind):
    image = images[kind].image
    _, document = harness.sbom(image, "--user", "1000770000:0")  # group 0 reads it, as OpenShift runs it
    deb = {c["name"]: c for c in document["components"] if c.get("purl", "").startswith("pkg:deb/debian/")}
    dpkg = harness.run_once(
        image, "dpkg-query", "--show", "--showformat", "${db:Status-Abbrev}\\t${Package}\\t${Version}\\n"
    )
    rows = [line.split("\t") for line in dpkg.stdout.decode().splitlines()]
    assert {name: version for status, name, version in rows if status.startswith("ii")} == {
        name: c["version"] for name, c in deb.items()
    }
    assert {"apache2-bin", "python3"} <= deb.keys()
    assert ("gcc" in deb) == (kind == "full")  # the runtime image's list, not the builder's
    system = [c for c in document["components"] if c["type"] == "operating-system"]
    assert [c["name"] for c in system] == ["debian"]
    assert {"ref": system[0]["bom-ref"], "dependsOn": [c["bom-ref"] for c in deb.values()]} in document["dependencies"]


def test_the_build_says_what_the_bill_of_materials_lists(images):
    full = images["full"].output
    assert re.search(
        rf"---> Software bill of materials \(CycloneDX 1\.6\): \d+ Python and \d+ Debian packages in {PATH}", full
    ), full
    lean = images["runtime"].output
    assert re.search(
        r"---> Software bill of materials: \d+ Python packages from the builder and this image's \d+ Debian "
        rf"packages in {PATH}",
        lean,
    ), lean
