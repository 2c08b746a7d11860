"""The app image's bill of materials (sbom.py): dpkg's list as CycloneDX components, merged into
cyclonedx-py's document, credentials masked, checked against the CycloneDX schema; the generator
replaced by a script that prints what cyclonedx-py prints (or fails as it could)."""

from __future__ import annotations

import json
import textwrap

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from s2i_wsgi import sbom
from s2i_wsgi.errors import BuildError

TRIXIE = sbom.OperatingSystem("debian", "13.8")
DPKG = (
    "apache2-bin\t2.4.71-1~deb13u1\tamd64\tapache2\t2.4.71-1~deb13u1\tii \n"
    "bsdutils\t1:2.41-5+b1\tamd64\tutil-linux\t2.41-5\tii \n"
    "libssl3t64\t3.5.4-1~deb13u1\tamd64\topenssl\t3.5.4-1~deb13u1\tii \n"
    "python3\t3.13.5-1\tamd64\tpython3-defaults\t3.13.5-1\tii \n"
    "gone\t1.0-1\tamd64\t\t\trc \n"
    "tzdata\t2025b-4\tall\t\t\tii \n"
)
# What cyclonedx-py 7.5 writes for a virtualenv with Flask, one package installed from a git URL and
# one from an archive URL, both with credentials (as PEP 610's direct_url.json records them).
GENERATED = {
    "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "serialNumber": "urn:uuid:2be5773d-7cd3-4b4b-90a5-e165474ddace",
    "metadata": {
        "timestamp": "2026-01-01T00:00:00+00:00",
        "tools": {"components": [{"type": "application", "group": "CycloneDX", "name": "cyclonedx-py"}]},
    },
    "components": [
        {
            "bom-ref": "flask==3.1.3",
            "name": "flask",
            "purl": "pkg:pypi/flask@3.1.3",
            "type": "library",
            "version": "3.1.3",
        },
        {
            "bom-ref": "urlpkg==1.0",
            "externalReferences": [
                {"type": "distribution", "url": "https://tok3n@files.example.com/urlpkg-1.0.tar.gz"}
            ],
            "name": "urlpkg",
            "purl": "pkg:pypi/urlpkg@1.0?download_url=https://tok3n%40files.example.com/urlpkg-1.0.tar.gz",
            "type": "library",
            "version": "1.0",
        },
        {
            "bom-ref": "vcspkg==1.0",
            "externalReferences": [{"type": "vcs", "url": "https://user:s3cret@git.example.com/org/repo.git#abc123"}],
            "name": "vcspkg",
            "purl": "pkg:pypi/vcspkg@1.0?vcs_url=git%2Bhttps://user:s3cret%40git.example.com/org/repo.git%40abc123",
            "type": "library",
            "version": "1.0",
        },
    ],
    "dependencies": [{"ref": "flask==3.1.3"}, {"ref": "urlpkg==1.0"}, {"ref": "vcspkg==1.0"}],
}


def assert_valid(document: dict) -> None:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    assert error is None, str(error)


def components_by_name(document: dict) -> dict[str, dict]:
    return {component["name"]: component for component in document["components"]}


def test_only_installed_packages_are_listed_and_a_missing_source_is_the_package_itself():
    packages = sbom.parse_dpkg(DPKG)
    assert [p.name for p in packages] == ["apache2-bin", "bsdutils", "libssl3t64", "python3", "tzdata"]
    assert packages[-1] == sbom.DebianPackage("tzdata", "2025b-4", "all", "tzdata", "2025b-4")


def test_the_distribution_is_named_by_its_point_release_or_else_its_codename(tmp_path):
    (tmp_path / "os-release").write_text('ID=debian\nVERSION_ID="13"\nVERSION_CODENAME=trixie\n')
    (tmp_path / "debian_version").write_text("13.8\n")
    assert sbom.read_os(tmp_path) == TRIXIE
    (tmp_path / "os-release").write_text("ID=debian\nVERSION_CODENAME=forky\n")
    (tmp_path / "debian_version").write_text("forky/sid\n")
    assert sbom.read_os(tmp_path) == sbom.OperatingSystem("debian", "forky")


def test_a_debian_purl_keeps_the_epoch_encodes_the_plus_and_names_a_different_source_as_upstream():
    bsdutils, libssl, python3 = (p for p in sbom.parse_dpkg(DPKG) if p.name in ("bsdutils", "libssl3t64", "python3"))
    assert sbom.deb_purl(bsdutils, TRIXIE) == (
        "pkg:deb/debian/bsdutils@1:2.41-5%2Bb1?arch=amd64&distro=debian-13.8&upstream=util-linux%402.41-5"
    )
    assert sbom.deb_purl(libssl, TRIXIE) == (
        "pkg:deb/debian/libssl3t64@3.5.4-1~deb13u1?arch=amd64&distro=debian-13.8&upstream=openssl"
    )
    apache = sbom.parse_dpkg(DPKG)[0]
    assert sbom.deb_purl(apache, TRIXIE) == (
        "pkg:deb/debian/apache2-bin@2.4.71-1~deb13u1?arch=amd64&distro=debian-13.8&upstream=apache2"
    )
    assert "upstream" not in sbom.deb_purl(sbom.parse_dpkg(DPKG)[-1], TRIXIE)
    assert python3.source == "python3-defaults"


def test_debian_packages_join_the_python_ones_under_one_operating_system_in_valid_cyclonedx():
    document = sbom.with_system_packages(GENERATED, sbom.parse_dpkg(DPKG), TRIXIE)
    assert_valid(document)
    found = components_by_name(document)
    assert found["flask"] == GENERATED["components"][0]
    assert found["debian"] == {
        "type": "operating-system",
        "bom-ref": "os:debian@13.8",
        "name": "debian",
        "version": "13.8",
    }
    assert found["libssl3t64"]["properties"] == [
        {"name": "aquasecurity:trivy:SrcName", "value": "openssl"},
        {"name": "aquasecurity:trivy:SrcVersion", "value": "3.5.4-1~deb13u1"},
    ]
    assert "properties" not in found["tzdata"]
    os_dependency = document["dependencies"][-1]
    assert os_dependency["ref"] == "os:debian@13.8"
    assert os_dependency["dependsOn"] == [
        found[name]["purl"] for name in ("apache2-bin", "bsdutils", "libssl3t64", "python3", "tzdata")
    ]
    assert document["dependencies"][:3] == GENERATED["dependencies"]


def test_the_runtime_images_packages_replace_the_builders():
    builder = sbom.with_system_packages(
        GENERATED, sbom.parse_dpkg(DPKG + "gcc\t4:14.2.0-1\tamd64\tgcc-defaults\t1.220\tii \n"), TRIXIE
    )
    runtime = sbom.with_system_packages(builder, sbom.parse_dpkg(DPKG), TRIXIE)
    assert runtime == sbom.with_system_packages(GENERATED, sbom.parse_dpkg(DPKG), TRIXIE)
    assert "gcc" not in components_by_name(runtime)
    assert_valid(runtime)


def test_credentials_in_urls_and_in_purl_qualifiers_are_masked_and_the_document_stays_valid():
    document = sbom.redacted(sbom.with_system_packages(GENERATED, sbom.parse_dpkg(DPKG), TRIXIE))
    text = json.dumps(document)
    assert "s3cret" not in text and "tok3n" not in text
    found = components_by_name(document)
    assert found["vcspkg"]["purl"] == (
        "pkg:pypi/vcspkg@1.0?vcs_url=git%2Bhttps://user:%2A%2A%2A%2A%40git.example.com/org/repo.git%40abc123"
    )
    assert found["vcspkg"]["externalReferences"][0]["url"] == "https://user:****@git.example.com/org/repo.git#abc123"
    assert found["urlpkg"]["externalReferences"][0]["url"] == "https://****@files.example.com/urlpkg-1.0.tar.gz"
    assert found["flask"] == GENERATED["components"][0]
    assert_valid(document)


@pytest.fixture
def generator(tmp_path, monkeypatch):
    """A stand-in for the generator's interpreter; write(body) gives it a shell script body."""
    fake = tmp_path / "sbom-python"

    def write(body: str) -> None:
        fake.write_text("#!/bin/sh\n" + textwrap.dedent(body))
        fake.chmod(0o755)

    monkeypatch.setattr(sbom, "GENERATOR_PYTHON", fake)
    monkeypatch.setattr(sbom, "debian_packages", lambda: sbom.parse_dpkg(DPKG))
    monkeypatch.setattr(sbom, "read_os", lambda: TRIXIE)
    return write


def test_the_build_writes_one_document_readable_by_group_0_and_says_what_it_lists(
    generator, tmp_path, load_config, make_app, capsys
):
    generator(f"cat <<'EOF'\n{json.dumps(GENERATED)}\nEOF\necho 'WARNING  | CDX > Validation skipped.' >&2\n")
    target = tmp_path / "sbom.cdx.json"
    sbom.write(load_config(make_app({})), {}, target)
    assert capsys.readouterr().out == (
        f"---> Software bill of materials (CycloneDX 1.6): 3 Python and 5 Debian packages in {target}\n"
    )
    document = json.loads(target.read_text())
    assert_valid(document)
    assert "s3cret" not in target.read_text()
    assert {"type": "application", "name": "s2i-wsgi", "version": sbom.__version__} in document["metadata"]["tools"][
        "components"
    ]
    assert target.stat().st_mode & 0o777 == 0o664
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_a_failing_generator_stops_the_build_with_its_output_and_the_way_out(
    generator, tmp_path, load_config, make_app
):
    generator(
        """\
        echo 'Traceback (most recent call last):' >&2
        echo "KeyError: 'Name'" >&2
        exit 1
        """
    )
    with pytest.raises(BuildError) as failure:
        sbom.write(load_config(make_app({})), {}, tmp_path / "sbom.cdx.json")
    assert str(failure.value) == (
        f"Writing the software bill of materials ({sbom.PATH}) failed: cyclonedx-py exited with status 1:\n\n"
        "Traceback (most recent call last):\nKeyError: 'Name'\n\n"
        "The app image's label io.s2i-wsgi.sbom says where its list of installed packages is, for scanners "
        "and audits; an image without it would pass them unnoticed, so the build stops rather than leave it out.\n\n"
        "Set DISABLE_SBOM=true (in .s2i/environment, or -e at build) to build without it, and report the "
        "message above to the builder image's maintainers."
    )
    assert not (tmp_path / "sbom.cdx.json").exists()


def test_output_that_is_not_cyclonedx_stops_the_build(generator, tmp_path, load_config, make_app):
    generator("echo '{\"hello\": 1}'\n")
    with pytest.raises(BuildError, match=r"failed: cyclonedx-py.s output is not a CycloneDX document\."):
        sbom.write(load_config(make_app({})), {}, tmp_path / "sbom.cdx.json")


def test_disable_sbom_writes_none_and_removes_a_previous_images(generator, tmp_path, load_config, make_app, capsys):
    generator("exit 1\n")
    target = tmp_path / "sbom.cdx.json"
    target.write_text("{}")
    sbom.write(load_config(make_app({".s2i/environment": "DISABLE_SBOM=true\n"})), {}, target)
    assert capsys.readouterr().out == "---> Software bill of materials: not written (DISABLE_SBOM is true)\n"
    assert not target.exists()


def test_assemble_runtime_lists_the_runtime_images_debian_packages(generator, tmp_path, capsys):
    target = tmp_path / "sbom.cdx.json"
    builder = sbom.parse_dpkg(DPKG + "gcc\t4:14.2.0-1\tamd64\tgcc-defaults\t1.220\tii \n")
    target.write_text(json.dumps(sbom.with_system_packages(GENERATED, builder, TRIXIE)))
    sbom.refresh(target)
    assert capsys.readouterr().out == (
        f"---> Software bill of materials: 3 Python packages from the builder and this image's 5 Debian "
        f"packages in {target}\n"
    )
    document = json.loads(target.read_text())
    assert "gcc" not in components_by_name(document)
    assert_valid(document)


def test_assemble_runtime_without_a_document_writes_none(generator, tmp_path, capsys):
    sbom.refresh(tmp_path / "sbom.cdx.json")
    assert capsys.readouterr().out == ""
    assert not (tmp_path / "sbom.cdx.json").exists()


def test_a_document_that_cannot_be_written_stops_the_build_without_a_traceback(
    generator, tmp_path, load_config, make_app
):
    generator(f"cat <<'EOF'\n{json.dumps(GENERATED)}\nEOF\n")
    with pytest.raises(BuildError, match=r"failed: .*/no-such-dir/sbom\.cdx\.json cannot be written \(No such file"):
        sbom.write(load_config(make_app({})), {}, tmp_path / "no-such-dir" / "sbom.cdx.json")
