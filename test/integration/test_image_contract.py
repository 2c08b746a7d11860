"""The builder image keeps the s2i / OpenShift contract (shared/DESIGN.md)."""

from __future__ import annotations

import json
import re

import pytest

import harness
from harness import REPO, run_once

pytestmark = pytest.mark.smoke


def inspect(image: str) -> dict:
    return json.loads(harness.engine("image", "inspect", image).stdout)[0]


def test_labels_point_s2i_at_the_scripts_and_describe_the_image(builder):
    labels = inspect(builder)["Config"]["Labels"]
    assert labels["io.openshift.s2i.scripts-url"] == "image:///usr/libexec/s2i"
    assert labels["io.openshift.expose-services"] == "8080:http"
    assert "builder" in labels["io.openshift.tags"].split(",")
    for key in (
        "io.k8s.description",
        "io.k8s.display-name",
        "org.opencontainers.image.title",
        "org.opencontainers.image.description",
        "org.opencontainers.image.base.name",
    ):
        assert labels.get(key), f"label {key} missing"


def test_runs_as_numeric_uid_1001_exposes_8080_and_works_in_the_source_dir(builder):
    config = inspect(builder)["Config"]
    assert config["User"] == "1001"
    assert "8080/tcp" in config["ExposedPorts"]
    assert config["WorkingDir"] == "/opt/app-root/src"
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["HOME"] == "/opt/app-root/src"
    assert env["VIRTUAL_ENV"] == "/opt/app-root"
    assert env["PATH"].startswith("/opt/app-root/bin:")
    assert env["LANG"] == env["LC_ALL"] == "en_US.UTF-8"
    assert env["PYTHONIOENCODING"] == "UTF-8"


def test_default_command_prints_usage_and_exits_0(builder):
    result = run_once(builder)
    assert result.returncode == 0, harness.text(result)
    out = result.stdout.decode()
    assert "s2i build" in out and "bin/s2i-build" in out


def test_bash_c_runs_the_virtualenv_python(builder):
    result = run_once(
        builder, "bash", "-c", "command -v python; python --version; python -c 'import sys; print(sys.prefix)'"
    )
    assert result.returncode == 0, harness.text(result)
    lines = result.stdout.decode().split()
    assert lines[0] == "/opt/app-root/bin/python"
    assert re.fullmatch(r"3\.\d+\.\d+", lines[2])
    assert lines[3] == "/opt/app-root"


def test_virtualenv_stays_active_in_interactive_sh_and_login_bash(builder):
    for shell in (["sh", "-ic", "command -v python"], ["bash", "-lc", "command -v python"]):
        result = run_once(builder, *shell)
        assert result.stdout.decode().strip().splitlines()[-1] == "/opt/app-root/bin/python", (
            shell,
            harness.text(result),
        )


def test_locale_is_a_generated_utf8_locale(builder):
    script = (
        "import locale, sys; locale.setlocale(locale.LC_ALL, ''); print(locale.getlocale()[1], sys.stdout.encoding)"
    )
    result = run_once(builder, "python", "-c", script)
    assert result.returncode == 0, harness.text(result)
    assert result.stdout.decode().split() == ["UTF-8", "utf-8"]
    assert "en_US.utf8" in run_once(builder, "locale", "-a").stdout.decode().split()


def test_tools_s2i_and_openshift_need_are_present(builder):
    result = run_once(
        builder, "sh", "-c", "command -v tar && command -v chown && command -v sh && ls -l /usr/libexec/s2i"
    )
    assert result.returncode == 0, harness.text(result)
    for script in ("assemble", "run", "save-artifacts", "usage"):
        assert re.search(rf"-rwxr-xr-x .* {script}\n", result.stdout.decode()), script


def test_arbitrary_uid_in_group_0_gets_a_passwd_entry_and_can_write_the_app_dirs(builder):
    script = (
        "import getpass, os, pwd; print(getpass.getuser(), pwd.getpwuid(os.getuid()).pw_dir);"
        "open('/opt/app-root/src/probe', 'w').write('x'); os.mkdir('/opt/app-root/lib/probe'); print('writable')"
    )
    result = run_once(builder, "python", "-c", script, run_args=("--user", "123456:0"))
    assert result.returncode == 0, harness.text(result)
    assert result.stdout.decode().split() == ["default", "/opt/app-root/src", "writable"]


USERS = pytest.mark.parametrize("user", ["1001", "123456:0"], ids=["uid-1001", "arbitrary-uid"])
# What a user in group 0 tried when /etc/passwd was group-writable: add a UID-0 line and su to it.
BECOME_ROOT = "echo 'x::0:0::/:/bin/bash' >> /etc/passwd; su x -c id; id -u"


@USERS
def test_no_user_in_the_container_can_become_root(builder, user):
    result = run_once(builder, "bash", "-c", BECOME_ROOT, run_args=("--user", user))
    out = harness.text(result)
    assert "/etc/passwd: Permission denied" in out, out
    assert "uid=0" not in out, out
    assert result.stdout.decode().split() == [user.split(":")[0]], out
    files = run_once(builder, "ls", "-ln", "/etc/passwd", "/etc/group").stdout.decode().split("\n")
    for line in filter(None, files):
        assert line.startswith("-rw-r--r-- 1 0 0 "), line


def test_no_program_in_the_builder_or_an_app_image_keeps_a_set_uid_bit(builder, built):
    app = built("wsgi_plain").assert_ok().image
    for image in (builder, app, harness.ensure_runtime()):
        found = run_once(image, "find", "/", "-xdev", "-perm", "/6000", "-type", "f", run_args=("--user", "0"))
        assert found.stdout.decode().split() == [], f"{image}: {harness.text(found)}"


@USERS
def test_an_arbitrary_uid_has_a_name_under_the_entrypoint_and_in_every_shell(builder, containers, user):
    names = 'whoami; python -c "import getpass, os, pwd; print(getpass.getuser(), pwd.getpwuid(os.getuid()).pw_dir)"'
    direct = run_once(builder, "bash", "-c", names, run_args=("--user", user))
    assert direct.stdout.decode().split() == ["default", "default", "/opt/app-root/src"], harness.text(direct)
    # docker exec (oc rsh) starts no entrypoint: the shell's own start-up names the UID.
    container = containers(builder, "--user", user, command=["sleep", "60"])
    shell = container.exec("bash", "-c", names)
    assert shell.stdout.decode().split() == ["default", "default", "/opt/app-root/src"], harness.text(shell)


def test_pinned_mod_wsgi_and_supervisor_are_installed(builder):
    pins = dict(
        line.split("==")
        for path in ("builder.txt", "tools.txt")
        for line in (REPO / "requirements" / path).read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    result = run_once(builder, "sh", "-c", "pip show mod_wsgi | grep ^Version; supervisord --version")
    assert result.returncode == 0, harness.text(result)
    version, supervisor = result.stdout.decode().split("\n")[:2]
    assert version == f"Version: {pins['mod_wsgi']}"
    assert supervisor == pins["supervisor"]


def test_launcher_runs_outside_the_app_virtualenv(builder):
    result = run_once(builder, "sh", "-c", "head -1 $(command -v s2i-wsgi); s2i-wsgi --version")
    assert result.returncode == 0, harness.text(result)
    shebang, version = result.stdout.decode().splitlines()
    assert shebang.startswith("#!/usr/bin/python3")
    assert version.startswith("s2i-wsgi ")
