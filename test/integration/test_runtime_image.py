"""The runtime image (`--target runtime`) and s2i's extended build (`--runtime-image`): the app image
carries what it runs and nothing to build with; builder, runtime and app images keep no package caches."""

from __future__ import annotations

import json

import pytest

import harness

APP = "incremental_c_extension"
MARKER = b"incremental_c_extension v1: markupsafe 3.0.2 markupsafe._speedups\n"
NO_BUILD_TOOLS = (
    "for tool in gcc cc c++ g++ make apxs apxs2 pkg-config git uv micropipenv; do "
    'command -v "$tool" /opt/s2i-wsgi/tools/bin/"$tool"; done; '
    "ls -d /usr/include/python3* /usr/include/apache2 /usr/lib/gcc 2>/dev/null; true"
)


@pytest.fixture(scope="module")
def runtime() -> str:
    return harness.ensure_runtime()


@pytest.fixture(scope="module")
def images(builder, runtime):
    """The same app built as a full image and on the runtime image."""
    full = harness.build_app(APP, tag=f"s2i-wsgi-test-runtime-full:{harness.RUN_ID}").assert_ok()
    lean = harness.build_app(
        APP, tag=f"s2i-wsgi-test-runtime-lean:{harness.RUN_ID}", options=("--runtime-image", runtime)
    ).assert_ok()
    yield full, lean
    for build in (full, lean):
        harness.remove_image(build.image)


def size(image: str) -> int:
    return int(harness.engine("image", "inspect", "--format", "{{.Size}}", image).stdout)


def labels(image: str) -> dict[str, str]:
    return json.loads(harness.engine("image", "inspect", "--format", "{{json .Config.Labels}}", image).stdout)


@pytest.mark.smoke
def test_an_app_built_on_the_runtime_image_answers_as_1001_and_as_an_arbitrary_uid(images, containers):
    _, lean = images
    assert "---> The app image will serve wsgi:application with mod_wsgi-express" in lean.output
    for user in (None, harness.OPENSHIFT_USER):
        container = harness.serve(containers, lean.image, user=user)
        status, body, _ = container.get("/")
        assert (status, body) == (200, MARKER), container.logs()
        uid = container.exec("id", "-u").stdout.decode().strip()
        assert uid == (user or "1001").split(":")[0]


def test_an_asgi_app_built_on_the_runtime_image_keeps_its_asgi_server(runtime, containers):
    """The build's verdict (ASGI) and the server it installed travel with /opt/app-root."""
    lean = harness.build_app(
        "asgi_fastapi_main", tag=f"s2i-wsgi-test-runtime-asgi:{harness.RUN_ID}", options=("--runtime-image", runtime)
    ).assert_ok()
    try:
        assert "---> The app image will serve main:app (an ASGI app) with gunicorn with uvicorn workers" in lean.output
        container = harness.serve(containers, lean.image, user=harness.OPENSHIFT_USER)
        assert container.get("/")[:2] == (200, b"Hello from asgi_fastapi_main\n"), container.logs()
        assert "uvicorn_worker.UvicornWorker" in container.logs()
    finally:
        harness.remove_image(lean.image)


@pytest.mark.smoke
def test_the_runtime_image_and_the_app_on_it_have_no_compiler_headers_or_dependency_tools(runtime, images):
    _, lean = images
    for image in (runtime, lean.image):
        found = harness.run_once(image, "bash", "-c", NO_BUILD_TOOLS)
        assert found.stdout.decode().split() == [], f"{image} has build tools:\n{harness.text(found)}"


def test_the_app_on_the_runtime_image_is_smaller_than_the_full_app_image(runtime, images):
    full, lean = images
    base = size(harness.BASE_IMAGE)
    full_mb, lean_mb = (size(full.image) - base) / 1e6, (size(lean.image) - base) / 1e6
    print(f"above {harness.BASE_IMAGE}: full app image {full_mb:.0f} MB, app on the runtime image {lean_mb:.0f} MB")
    assert lean_mb < full_mb / 2


def test_the_runtime_image_declares_the_extended_build(runtime):
    found = labels(runtime)
    assert found["io.openshift.s2i.scripts-url"] == "image:///usr/libexec/s2i"
    assert found["io.openshift.s2i.assemble-input-files"] == "/opt/app-root"
    scripts = harness.run_once(runtime, "ls", "/usr/libexec/s2i").stdout.decode().split()
    assert {"assemble-runtime", "run", "usage"} <= set(scripts)


def test_assemble_runtime_moves_a_tree_s2i_copied_into_the_workdir_into_place(runtime, images, containers):
    """s2i itself copies /opt/app-root into the runtime container's WORKDIR (/opt/app-root/src/app-root)."""
    full, _ = images
    tag = f"s2i-wsgi-test-runtime-s2i-layout:{harness.RUN_ID}"
    dockerfile = (
        f"FROM {runtime}\n"
        f"COPY --from={full.image} --chown=1001:0 /opt/app-root /opt/app-root/src/app-root\n"
        'RUN ["/usr/libexec/s2i/assemble-runtime"]\n'
        'CMD ["/usr/libexec/s2i/run"]\n'
    )
    try:
        built = harness.engine("build", "-t", tag, "-", input=dockerfile.encode())
        assert "---> Moving the app and its virtualenv from /opt/app-root/src/app-root" in harness.text(built)
        container = containers(tag, "--user", "1000770000:0")
        container.wait_ready()
        assert container.get("/")[:2] == (200, MARKER), container.logs()
        assert container.exec("test", "-e", "/opt/app-root/src/app-root").returncode == 1
    finally:
        harness.remove_image(tag)


def test_no_image_keeps_apt_lists_or_package_caches(builder, runtime, images):
    full, lean = images
    for image in (builder, runtime, full.image, lean.image):
        history = harness.engine("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).stdout.decode()
        for line in history.splitlines():
            if "apt-get install" in line:
                assert "rm -rf /var/lib/apt/lists/*" in line, f"{image}: {line}"
        leftovers = harness.run_once(
            image,
            "sh",
            "-c",
            "ls -A /var/lib/apt/lists | grep -v '^partial$' | grep -v '^lock$'; "
            "ls -d /root/.cache /opt/app-root/src/.cache /tmp/artifacts /var/cache/apt/archives/*.deb 2>/dev/null; "
            "true",
            run_args=("--user", "0"),
        )
        assert leftovers.stdout.decode().split() == [], f"{image}:\n{harness.text(leftovers)}"
    # The full app image keeps the dependency cache for incremental builds; the runtime one does not.
    assert harness.run_once(lean.image, "ls", "-A", "/opt/s2i-wsgi/cache").stdout == b""
    assert b"pip" in harness.run_once(full.image, "ls", "/opt/s2i-wsgi/cache").stdout
