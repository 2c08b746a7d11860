"""Container plumbing for the integration tests: build the builder once, build
apps through the real s2i CLI (or, where a test is about another path,
OpenShift's way: `s2i build --as-dockerfile` then an image build; or
bin/s2i-build, the documented no-s2i command), run them on random 127.0.0.1
ports, poll for readiness with a deadline, and always clean up. Failures carry
the container's logs and the build's output.

One module a job: engine (the engine's CLI and the images), builds (building
apps), sources (app sources prepared for a test), containers (running them),
load_balancer (HAProxy in front of replicas). Tests use `harness.NAME`."""

from .builds import BUILD_PATH, BUILD_PATHS, S2I, SERVED, Build, build_app, s2i_argv
from .containers import (
    ARBITRARY_USER,
    OPENSHIFT_USER,
    SBOM_LABEL,
    USERS,
    Container,
    answers,
    as_user,
    request,
    run_app,
    run_once,
    sbom,
    serve,
)
from .engine import (
    APPS,
    BASE_IMAGE,
    BUILD_ARGS,
    BUILDER,
    ENGINE,
    LABEL,
    REPO,
    RUN_ID,
    RUNTIME,
    engine,
    ensure_builder,
    ensure_runtime,
    free_port,
    poll_until,
    remove_image,
    text,
)
from .load_balancer import LB_IMAGE, LoadBalancer, ensure_load_balancer_image, start_load_balancer
from .sources import UV, copy_app, git_source, in_builder, uv_locked

__all__ = [
    "APPS",
    "ARBITRARY_USER",
    "BASE_IMAGE",
    "BUILDER",
    "BUILD_ARGS",
    "BUILD_PATH",
    "BUILD_PATHS",
    "ENGINE",
    "LABEL",
    "LB_IMAGE",
    "OPENSHIFT_USER",
    "REPO",
    "RUNTIME",
    "RUN_ID",
    "S2I",
    "SBOM_LABEL",
    "SERVED",
    "USERS",
    "UV",
    "Build",
    "Container",
    "LoadBalancer",
    "answers",
    "as_user",
    "build_app",
    "copy_app",
    "engine",
    "ensure_builder",
    "ensure_load_balancer_image",
    "ensure_runtime",
    "free_port",
    "git_source",
    "in_builder",
    "poll_until",
    "remove_image",
    "request",
    "run_app",
    "run_once",
    "s2i_argv",
    "sbom",
    "serve",
    "start_load_balancer",
    "text",
    "uv_locked",
]
