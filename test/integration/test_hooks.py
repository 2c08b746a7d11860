"""Action hooks (.s2i and warpdrive) run at the documented moments, as child processes."""

from __future__ import annotations

import harness


@harness.USERS
def test_s2i_action_hooks_run_before_and_after_dependencies_and_at_start(built, containers, user):
    result = built("hooks_s2i").assert_ok()
    assert "---> Running the pre-build hook .s2i/action_hooks/pre-build\npre-build hook: before dependencies" in (
        result.output
    )
    assert "---> Running the build hook .s2i/action_hooks/build\nbuild hook: after dependencies" in result.output
    container = harness.serve(containers, result.image, user=user)
    assert container.get("/")[1] == b"Hello from hooks_s2i: pre-build=yes build=markupsafe deploy=yes\n"
    assert "    deploy hook: before the server" in container.logs()


@harness.USERS
def test_herokus_pre_compile_post_compile_and_profile_run_as_heroku_runs_them(built, containers, user):
    # bin/pre_compile is committed without its executable bit or a #! line: Heroku runs it anyway.
    result = built("hooks_heroku").assert_ok()
    assert (
        "---> Running Heroku's pre_compile hook bin/pre_compile\npre_compile hook: markupsafe missing\n"
    ) in result.output
    assert (
        "---> Running Heroku's post_compile hook bin/post_compile\npost_compile hook in /opt/app-root/src\n"
    ) in result.output
    container = harness.serve(containers, result.image, user=user)
    assert container.get("/")[1] == (
        b"Hello from hooks_heroku: pre_compile=missing post_compile=3.0.4 profile=from .profile in src\n"
    )
    assert "---> Reading environment from Heroku's .profile\n" in container.logs()


@harness.USERS
def test_warpdrive_hooks_environment_and_deploy_mode_work_unchanged(built, containers, user):
    result = built("warpdrive_app").assert_ok()
    assert "warpdrive build hook sees BUILD_FLAVOUR=from-build-env GREETING=from-warpdrive-environment" in (
        result.output
    )
    container = harness.serve(containers, result.image, user=user)
    assert container.get("/")[1] == (
        b"Hello from warpdrive_app: greeting=from-warpdrive-environment build=from-build-env "
        b"runtime=from-deploy-env deploy-cfg=1 deploy=1\n"
    )


def test_deploy_cfg_runs_once_per_container_and_deploy_on_every_start(built, containers):
    container = containers(built("warpdrive_app").assert_ok().image)
    container.wait_ready()
    harness.engine("restart", "-t", "2", container.name)
    container.port = int(
        harness.engine("port", container.name, "8080/tcp").stdout.decode().split()[0].rsplit(":", 1)[1]
    )
    container.wait_ready()
    assert container.get("/")[1].endswith(b"deploy-cfg=1 deploy=2\n")
