"""The build paths agree: the real `s2i build`, OpenShift 4's way (`s2i build --as-dockerfile`, then an
image build of that Dockerfile) and bin/s2i-build give the same app image: environment, labels, user,
command, files, and the body it serves as UID 1001 and as an arbitrary UID."""

from __future__ import annotations

import json

import pytest

import harness

# Each app answers a body that proves its case on every path.
APPS = {
    "flask_hello": b"Hello from flask_hello\n",
    # .s2i/environment values in quotes mean their content, whichever path built the image.
    "env_quoted": b"env_quoted: hello world | single quoted | as written\n",
    "s2i_bin_override": b"s2i_bin_override: assembled by .s2i/bin/assemble; started by the app's own run\n",
    # .s2iignore: local-settings.txt, *.log (but keep.log) and docs/ stay out of the image.
    "s2iignore": b"s2iignore: .s2iignore keep.log wsgi.py\n",
    # Heroku's bin/pre_compile committed without its executable bit, bin/post_compile, and .profile
    # (a dotfile at the top of the source) sourced at start.
    "hooks_heroku": b"Hello from hooks_heroku: pre_compile=missing post_compile=3.0.4 profile=from .profile in src\n",
    # An ASGI app: the build's verdict (recorded in /opt/app-root) reaches the start on every path.
    "asgi_plain": b"Hello from asgi_plain (ASGI 3.0)\n",
}
PATHS = harness.BUILD_PATHS
# Labels that name the build tool's own bookkeeping (bin/s2i-build's layered rebuild), and the
# display name, which is each image's own tag.
OWN_LABELS = ("io.s2i-wsgi.", "io.k8s.display-name")


@pytest.fixture(scope="module")
def images(builder):
    """Every app built on every path, once."""
    built: dict[tuple[str, str], harness.Build] = {}
    for app in APPS:
        for path in PATHS:
            tag = f"s2i-wsgi-test-path-{app.replace('_', '-')}-{path}:{harness.RUN_ID}"
            built[app, path] = harness.build_app(app, tag=tag, path=path)
    yield built
    for result in built.values():
        harness.remove_image(result.image)


def command(config: dict) -> list[str]:
    """The image's command. s2i's generated Dockerfile writes `CMD /usr/libexec/s2i/run` (the shell
    form), which the builder's SHELL wraps; the shell execs it, so the process is the same (see
    test_pid_1_is_the_launcher_on_every_path)."""
    cmd = config.get("Cmd") or []
    shell = config.get("Shell") or ["/bin/sh", "-c"]
    return cmd[len(shell) :] if cmd[: len(shell)] == shell else cmd


def image_id(reference: str) -> str:
    return harness.engine("image", "inspect", "--format", "{{.Id}}", reference).stdout.decode().strip()


def image_config(image: str) -> dict:
    config = json.loads(harness.engine("image", "inspect", "--format", "{{json .Config}}", image).stdout)
    labels = {k: v for k, v in (config.get("Labels") or {}).items() if not k.startswith(OWN_LABELS)}
    # s2i writes the builder's fully qualified name, bin/s2i-build the name it was given: the same image.
    labels["io.openshift.s2i.build.image"] = image_id(labels["io.openshift.s2i.build.image"])
    return {
        "Env": sorted(config.get("Env") or []),
        "Labels": labels,
        "User": config.get("User"),
        "Cmd": command(config),
        "Entrypoint": config.get("Entrypoint"),
        "WorkingDir": config.get("WorkingDir"),
        "ExposedPorts": config.get("ExposedPorts"),
        "Healthcheck": config.get("Healthcheck"),
    }


def files(image: str) -> list[str]:
    """The app's files with owner, group and mode (Python's byte-code caches aside)."""
    listing = harness.run_once(
        image, "find", "/opt/app-root/src", "-name", "__pycache__", "-prune", "-o", "-printf", "%P %U:%G %m\\n"
    )
    assert listing.returncode == 0, harness.text(listing)
    return sorted(listing.stdout.decode().splitlines())


@pytest.mark.smoke
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("app", list(APPS))
def test_every_path_builds_an_image_that_serves_the_app_as_1001_and_as_an_arbitrary_uid(images, containers, app, path):
    result = images[app, path].assert_ok()
    harness.answers(result.image, containers, APPS[app], users=(None, harness.OPENSHIFT_USER))


@pytest.mark.parametrize("app", list(APPS))
def test_every_path_gives_the_same_image_configuration_and_files(images, app):
    reference = images[app, "s2i"].assert_ok()
    for path in ("dockerfile", "s2i-build"):
        other = images[app, path].assert_ok()
        assert image_config(other.image) == image_config(reference.image), f"{path} differs from s2i for {app}"
        assert files(other.image) == files(reference.image), f"{path} differs from s2i for {app}"


def test_quoted_environment_values_mean_their_content_for_the_app_and_the_launcher(images):
    for path in PATHS:
        result = images["env_quoted", path].assert_ok()
        # The launcher found the module the quoted APP_MODULE names.
        assert (
            "---> Entry point: site_pkg.web:application (APP_MODULE=site_pkg.web:application (from .s2i/environment))"
            in result.output
        ), (path, result.output)
        config = harness.run_once(result.image, "s2i-wsgi", "config")
        assert "APP_MODULE" in config.stdout.decode() and '"site_pkg' not in config.stdout.decode()


def test_the_openshift_path_builds_the_dockerfile_s2i_writes(images):
    result = images["s2i_bin_override", "dockerfile"].assert_ok()
    assert "---> The app's own assemble runs first" in result.output


@pytest.mark.parametrize("path", PATHS)
def test_pid_1_is_the_launcher_on_every_path(images, containers, path):
    """So that SIGTERM reaches the launcher, which turns it into Apache's graceful stop."""
    container = containers(images["flask_hello", path].assert_ok().image)
    container.wait_ready()
    cmdline = container.exec("cat", "/proc/1/cmdline").stdout.decode().split("\0")
    assert cmdline[:4] == ["/usr/bin/python3", "-Iu", "/usr/local/bin/s2i-wsgi", "start"], cmdline


def test_every_path_carries_the_bill_of_materials_its_label_names(images):
    """The label comes from the builder image (s2i commits the container, OpenShift's Dockerfile starts
    FROM it); the document from assemble (test_sbom.py looks into it)."""
    for path in PATHS:
        where, document = harness.sbom(images["flask_hello", path].assert_ok().image)
        assert where == "/opt/app-root/sbom.cdx.json", path
        assert "pkg:pypi/flask@3.1.3" in [c.get("purl") for c in document["components"]], path
