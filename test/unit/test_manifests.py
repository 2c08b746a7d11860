"""The OpenShift and Kubernetes artefacts users deploy with (imagestreams/, openshift/templates/,
kubernetes/, and the manifests in docs/): Kubernetes kinds validate against the API schemas of named
Kubernetes versions (kubernetes-validate, offline), OpenShift kinds get structural checks, and the
production settings (restricted security context, probes, grace period) are asserted field by field
against what the launcher actually does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from s2i_wsgi import build_secrets, config

REPO = Path(__file__).resolve().parents[2]
IMAGESTREAM = REPO / "imagestreams" / "s2i-wsgi.json"
TEMPLATE = REPO / "openshift" / "templates" / "s2i-wsgi-app.json"
KUBERNETES = REPO / "kubernetes"
DOCS = REPO / "docs"

# The oldest Kubernetes the manifests are meant for (OpenShift 4.14's, the release that deprecated
# DeploymentConfig) and the newest whose schemas the pinned kubernetes-validate bundles.
KUBERNETES_VERSIONS = ("1.27", "1.37")
OPENSHIFT_API_VERSIONS = {
    "ImageStream": "image.openshift.io/v1",
    "BuildConfig": "build.openshift.io/v1",
    "Route": "route.openshift.io/v1",
    "Template": "template.openshift.io/v1",
}
BUILDER_ANNOTATIONS = {
    "tags",
    "supports",
    "sampleRepo",
    "iconClass",
    "openshift.io/display-name",
    "description",
    "version",
}
RUNTIME_ANNOTATIONS = BUILDER_ANNOTATIONS - {"supports", "sampleRepo"}
# What the values of the required parameters are in the processed template.
SAMPLE_PARAMETERS = {"NAME": "yourapp", "SOURCE_REPOSITORY_URL": "https://github.com/you/yourapp.git"}
REFERENCE = re.compile(r"\$\{\{?([A-Za-z_][A-Za-z0-9_]*)\}\}?")
MENTIONED_FILE = re.compile(
    r"\b((?:imagestreams|openshift/templates|kubernetes|docs/monitoring)/(?:[\w-]+/)*[\w.-]+\.(?:json|yaml|yml))"
)
# The longest a request runs before the server gives up on it: what a graceful stop may wait for.
LONGEST_REQUEST = config.BY_NAME["WSGI_REQUEST_TIMEOUT"].default


# ---------------------------------------------------------------------------
# Loading and walking the files.


def load_imagestream() -> dict[str, Any]:
    return json.loads(IMAGESTREAM.read_text(encoding="utf-8"))


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def substitute(node: Any, values: dict[str, str]) -> Any:
    """What `oc process` does: ${NAME} inside strings, and a whole "${{NAME}}" as a JSON value."""
    if isinstance(node, dict):
        return {key: substitute(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [substitute(value, values) for value in node]
    if isinstance(node, str):
        whole = re.fullmatch(r"\$\{\{(\w+)\}\}", node)
        if whole:
            return json.loads(values[whole[1]])
        return re.sub(r"\$\{(\w+)\}", lambda match: values[match[1]], node)
    return node


def processed_objects() -> list[dict[str, Any]]:
    template = load_template()
    values = {p["name"]: p.get("value", "") for p in template["parameters"]} | SAMPLE_PARAMETERS
    return substitute(template["objects"], values)


def template_object(kind: str, objects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    found = [obj for obj in (objects or load_template()["objects"]) if obj["kind"] == kind]
    assert len(found) == 1, f"the template has {len(found)} {kind} objects, expected one"
    return found[0]


def kubernetes_files() -> list[Path]:
    return sorted(path for path in KUBERNETES.glob("*.yaml") if path.name != "kustomization.yaml")


def kubernetes_objects() -> list[dict[str, Any]]:
    return [obj for path in kubernetes_files() for obj in yaml.safe_load_all(path.read_text()) if obj]


def kubernetes_object(kind: str) -> dict[str, Any]:
    found = [obj for obj in kubernetes_objects() if obj["kind"] == kind]
    assert len(found) == 1, f"kubernetes/ has {len(found)} {kind} objects, expected one"
    return found[0]


def docs_manifests() -> list[dict[str, Any]]:
    """Every ```yaml block in docs/ that is a whole Kubernetes object (snippets are left out)."""
    found = []
    for path in sorted(DOCS.glob("*.md")):
        for block in re.findall(r"^```yaml\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S):
            obj = yaml.safe_load(block)
            if isinstance(obj, dict) and {"apiVersion", "kind"} <= obj.keys():
                found.append(obj)
    return found


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    return obj["spec"]["template"]["metadata"]["labels"]


def container(obj: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in pod_spec(obj)["containers"] if c["name"] == name]
    return found


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def workloads() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object that runs pods, in kubernetes/, the template and the docs."""
    for obj in kubernetes_objects():
        if obj["kind"] in {"Deployment", "Job", "CronJob"}:
            yield f"kubernetes/{obj['kind']}", obj
    for obj in processed_objects():
        if obj["kind"] in {"Deployment", "Job", "CronJob"}:
            yield f"template/{obj['kind']}", obj
    for obj in docs_manifests():
        if obj["kind"] in {"Deployment", "Job", "CronJob"}:
            yield f"docs/{obj['kind']}", obj


def web_deployments() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("kubernetes", kubernetes_object("Deployment")),
        ("template", template_object("Deployment", processed_objects())),
    ]


WORKLOADS = dict(workloads())
WEB_DEPLOYMENTS = dict(web_deployments())


def validation_cases() -> Iterator[Any]:
    objects = [(f"kubernetes/{obj['kind']}", obj) for obj in kubernetes_objects()]
    objects += [
        (f"template/{obj['kind']}", obj) for obj in processed_objects() if obj["kind"] not in OPENSHIFT_API_VERSIONS
    ]
    objects += [(f"docs/{obj['kind']}", obj) for obj in docs_manifests() if obj["kind"] not in OPENSHIFT_API_VERSIONS]
    for where, obj in objects:
        for version in KUBERNETES_VERSIONS:
            yield pytest.param(obj, version, id=f"{where}-{version}")


# ---------------------------------------------------------------------------
# Kubernetes kinds: the API schema, strictly.


@pytest.mark.parametrize(("obj", "version"), list(validation_cases()))
def test_every_kubernetes_object_validates_strictly_against_the_api_schema(obj, version):
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        pytest.fail(f"{obj['kind']} {obj['metadata'].get('name')}: {path}: {error.message}", pytrace=False)


def test_the_template_makes_a_build_a_deployment_a_service_a_route_and_a_migration_job_template():
    """A new kind must be added here, and so to the schema validation above or the OpenShift checks below."""
    kinds = sorted(obj["kind"] for obj in load_template()["objects"])
    assert kinds == sorted(["ImageStream", "BuildConfig", "Deployment", "Service", "Route", "CronJob"])


# What the OpenShift API refuses an object without (the schema kubernetes-validate lacks for these kinds).
OPENSHIFT_REQUIRED = {
    "Template": [("metadata", "name"), ("objects",), ("parameters",)],
    "ImageStream": [("metadata", "name")],
    "BuildConfig": [
        ("metadata", "name"),
        ("spec", "source", "type"),
        ("spec", "strategy", "type"),
        ("spec", "strategy", "sourceStrategy", "from", "kind"),
        ("spec", "strategy", "sourceStrategy", "from", "name"),
        ("spec", "output", "to", "kind"),
        ("spec", "output", "to", "name"),
    ],
    "Route": [("metadata", "name"), ("spec", "to", "kind"), ("spec", "to", "name")],
}


def openshift_objects() -> Iterator[Any]:
    yield pytest.param(load_imagestream(), id="imagestreams/ImageStream")
    yield pytest.param(load_template(), id="template/Template")
    for obj in load_template()["objects"]:
        if obj["kind"] in OPENSHIFT_API_VERSIONS:
            yield pytest.param(obj, id=f"template/{obj['kind']}")


@pytest.mark.parametrize("obj", list(openshift_objects()))
def test_openshift_objects_have_their_api_version_and_the_fields_the_api_requires(obj):
    assert obj["apiVersion"] == OPENSHIFT_API_VERSIONS[obj["kind"]]
    for path in OPENSHIFT_REQUIRED[obj["kind"]]:
        node = obj
        for key in path:
            assert isinstance(node, dict), f"{'.'.join(path)}: {node!r} is not an object"
            assert key in node, f"{obj['kind']} has no {'.'.join(path)}"
            node = node[key]
        assert node not in ("", None, [], {}), f"{obj['kind']}'s {'.'.join(path)} is empty"


def test_kustomization_lists_every_manifest_in_the_directory_and_renames_the_deployments_image():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    assert kustomization["kind"] == "Kustomization"
    assert sorted(kustomization["resources"]) == [path.name for path in kubernetes_files()]
    image = container(kubernetes_object("Deployment"), "web")["image"]
    assert [entry["name"] for entry in kustomization["images"]] == [image.split(":")[0]]


def test_no_image_reference_names_a_registry_host():
    """Placeholders only: users push to their own registry, whose name this repository cannot know."""
    references = [tag["from"]["name"] for tag in load_imagestream()["spec"]["tags"]]
    references += [c["image"] for obj in WORKLOADS.values() for c in pod_spec(obj)["containers"]]
    references += [
        entry["newName"] for entry in yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())["images"]
    ]
    for reference in references:
        assert "/" not in reference, f"{reference!r} names a registry or a repository path"


# ---------------------------------------------------------------------------
# The builder's image stream.


def test_the_image_stream_is_named_s2i_wsgi_in_the_image_api():
    stream = load_imagestream()
    assert (stream["apiVersion"], stream["kind"], stream["metadata"]["name"]) == (
        "image.openshift.io/v1",
        "ImageStream",
        "s2i-wsgi",
    )


def makefile_variants() -> tuple[dict[str, str], str]:
    """The Makefile's TAG=BASE_IMAGE variants, and the tag of its default BASE_IMAGE."""
    makefile = (REPO / "Makefile").read_text()
    pairs = re.search(r"^VARIANTS\s*\?=\s*(.+)$", makefile, re.M)[1].split()
    variants = dict(pair.split("=", 1) for pair in pairs)
    default_base = re.search(r"^BASE_IMAGE\s*\?=\s*(\S+)", makefile, re.M)[1]
    (default,) = [tag for tag, base in variants.items() if base == default_base]
    return variants, default


def test_the_image_stream_has_a_builder_and_a_runtime_tag_for_every_variant_the_makefile_builds():
    versions = list(makefile_variants()[0])
    tags = [tag["name"] for tag in load_imagestream()["spec"]["tags"]]
    assert sorted(tags) == sorted(["latest", *versions, *(f"{version}-runtime" for version in versions)])


def test_latest_is_an_alias_of_the_default_variant():
    tags = {tag["name"]: tag for tag in load_imagestream()["spec"]["tags"]}
    assert tags["latest"]["from"] == {"kind": "ImageStreamTag", "name": makefile_variants()[1]}
    assert tags["latest"]["from"]["name"] in tags


def test_every_version_tag_imports_the_image_of_the_same_name_and_tag():
    for tag in load_imagestream()["spec"]["tags"]:
        if tag["name"] != "latest":
            assert tag["from"] == {"kind": "DockerImage", "name": f"s2i-wsgi:{tag['name']}"}


def test_every_tag_pulls_through_the_cluster_registry():
    for tag in load_imagestream()["spec"]["tags"]:
        assert tag["referencePolicy"] == {"type": "Local"}, tag["name"]


def test_builder_tags_carry_the_catalog_annotations_and_the_builder_tag():
    for tag in load_imagestream()["spec"]["tags"]:
        if tag["name"].endswith("-runtime"):
            continue
        annotations = tag["annotations"]
        assert annotations.keys() >= BUILDER_ANNOTATIONS, tag["name"]
        assert annotations["tags"].split(",") == ["builder", "python", "wsgi", "mod_wsgi"]
        assert annotations["iconClass"] == "icon-python"
        assert annotations["sampleRepo"] == "https://github.com/sclorg/django-ex.git"
        assert all(annotations[key].strip() for key in BUILDER_ANNOTATIONS)


def test_each_version_tag_supports_its_own_python_version():
    tags = {tag["name"]: tag for tag in load_imagestream()["spec"]["tags"]}
    for name, tag in tags.items():
        version = tags[tag["from"]["name"]]["name"] if name == "latest" else name.removesuffix("-runtime")
        assert tag["annotations"]["version"] == version, name
        if name != "latest" and not name.endswith("-runtime"):
            assert tag["annotations"]["supports"] == f"python:{version},python,wsgi"


def test_runtime_tags_are_not_offered_as_builders_and_say_they_are_for_extended_builds():
    runtime = [tag for tag in load_imagestream()["spec"]["tags"] if tag["name"].endswith("-runtime")]
    assert runtime
    for tag in runtime:
        annotations = tag["annotations"]
        assert annotations.keys() >= RUNTIME_ANNOTATIONS, tag["name"]
        assert "builder" not in annotations["tags"].split(",")
        assert "--runtime-image" in annotations["description"]
        assert "extended build" in annotations["description"]


# ---------------------------------------------------------------------------
# The app template: parameters.


def test_every_parameter_the_template_uses_is_declared_and_every_declared_one_is_used():
    template = load_template()
    used = set(REFERENCE.findall(json.dumps({key: value for key, value in template.items() if key != "parameters"})))
    declared = [parameter["name"] for parameter in template["parameters"]]
    assert len(declared) == len(set(declared)), "a parameter is declared twice"
    assert used - set(declared) == set(), "used but not declared"
    assert set(declared) - used == set(), "declared but not used"


def test_every_parameter_has_a_display_name_and_a_description_and_is_required_or_has_a_default():
    for parameter in load_template()["parameters"]:
        assert parameter.get("displayName", "").strip(), parameter["name"]
        assert parameter.get("description", "").strip(), parameter["name"]
        assert parameter.get("required") is True or "value" in parameter, parameter["name"]


def test_name_and_repository_are_required_and_the_rest_have_the_documented_defaults():
    parameters = {p["name"]: p for p in load_template()["parameters"]}
    assert {name for name, p in parameters.items() if p.get("required")} == {"NAME", "SOURCE_REPOSITORY_URL"}
    assert set(parameters) >= {
        "SOURCE_REPOSITORY_REF",
        "CONTEXT_DIR",
        "APP_MODULE",
        "APP_HOME",
        "MEMORY_LIMIT",
        "CPU_LIMIT",
        "REPLICAS",
    }
    assert parameters["BUILDER_TAG"]["value"] == "latest"
    assert parameters["BUILDER_NAMESPACE"]["value"] == "openshift"
    assert json.loads(parameters["REPLICAS"]["value"]) >= 1


def test_the_default_builder_tag_is_a_builder_tag_of_the_image_stream():
    default = {p["name"]: p for p in load_template()["parameters"]}["BUILDER_TAG"]["value"]
    tags = {tag["name"]: tag for tag in load_imagestream()["spec"]["tags"]}
    assert "builder" in tags[default]["annotations"]["tags"].split(",")


# ---------------------------------------------------------------------------
# The app template: build.


def test_the_build_uses_the_s2i_wsgi_builder_from_the_chosen_namespace_and_tag():
    strategy = template_object("BuildConfig")["spec"]["strategy"]
    assert strategy["type"] == "Source"
    assert strategy["sourceStrategy"]["from"] == {
        "kind": "ImageStreamTag",
        "namespace": "${BUILDER_NAMESPACE}",
        "name": "s2i-wsgi:${BUILDER_TAG}",
    }


def test_builds_are_incremental():
    assert template_object("BuildConfig")["spec"]["strategy"]["sourceStrategy"]["incremental"] is True


def test_the_build_takes_its_source_from_the_repository_parameters():
    source = template_object("BuildConfig")["spec"]["source"]
    assert source["git"] == {"uri": "${SOURCE_REPOSITORY_URL}", "ref": "${SOURCE_REPOSITORY_REF}"}
    assert source["contextDir"] == "${CONTEXT_DIR}"


def test_the_build_passes_the_app_parameters_to_the_builder_as_its_own_variables():
    env = template_object("BuildConfig")["spec"]["strategy"]["sourceStrategy"]["env"]
    assert {item["name"]: item["value"] for item in env} == {"APP_MODULE": "${APP_MODULE}", "APP_HOME": "${APP_HOME}"}
    assert all(item["name"] in config.BY_NAME for item in env)


def test_a_build_starts_when_the_builder_image_or_the_build_config_changes():
    triggers = template_object("BuildConfig")["spec"]["triggers"]
    assert sorted(trigger["type"] for trigger in triggers) == ["ConfigChange", "ImageChange"]


def test_the_build_needs_no_secret_to_exist():
    """A BuildConfig naming a missing Secret cannot build; docs/openshift.md adds one with a patch."""
    assert "secrets" not in template_object("BuildConfig")["spec"]["source"]


def test_the_build_pushes_to_the_apps_image_stream_which_resolves_local_names():
    output = template_object("BuildConfig")["spec"]["output"]["to"]
    stream = template_object("ImageStream")
    assert output == {"kind": "ImageStreamTag", "name": f"{stream['metadata']['name']}:latest"}
    # So that `${NAME}:latest` in the pod templates names this stream, not an image on a public registry.
    assert stream["spec"]["lookupPolicy"] == {"local": True}


def test_build_secrets_in_the_docs_go_where_the_builder_reads_them_under_names_it_knows():
    text = (DOCS / "openshift.md").read_text(encoding="utf-8")
    destinations = re.findall(r'"destinationDir":\s*"([^"]*)"', text)
    assert destinations
    assert set(destinations) == {str(build_secrets.DEFAULT_DIR)}
    names = re.findall(r"--from-file=([\w.-]+)=", text)
    assert names
    assert set(names) <= set(build_secrets.KNOWN)


# ---------------------------------------------------------------------------
# The app template: deployment, service, route, migrations.


def test_the_deployment_rolls_out_each_build_of_the_apps_image():
    deployment = template_object("Deployment")
    (trigger,) = json.loads(deployment["metadata"]["annotations"]["image.openshift.io/triggers"])
    output = template_object("BuildConfig")["spec"]["output"]["to"]
    assert trigger["from"] == {"kind": "ImageStreamTag", "name": output["name"]}
    assert trigger["fieldPath"] == 'spec.template.spec.containers[?(@.name=="web")].image'
    assert container(deployment, "web")["image"] == output["name"]


def test_the_route_sends_https_to_the_service_and_redirects_plain_http():
    objects = processed_objects()
    route, service = template_object("Route", objects), template_object("Service", objects)
    assert route["spec"]["to"]["kind"] == "Service"
    assert route["spec"]["to"]["name"] == service["metadata"]["name"]
    assert route["spec"]["port"]["targetPort"] in {port["name"] for port in service["spec"]["ports"]}
    assert route["spec"]["tls"] == {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"}


@pytest.mark.parametrize("where", ["kubernetes", "template"])
def test_the_service_sends_port_8080_named_http_to_the_web_pods_only(where):
    if where == "kubernetes":
        service, deployment = kubernetes_object("Service"), kubernetes_object("Deployment")
    else:
        objects = processed_objects()
        service, deployment = template_object("Service", objects), template_object("Deployment", objects)
    (port,) = service["spec"]["ports"]
    assert (port["name"], port["port"]) == ("http", 8080)
    ports = {p["name"]: p["containerPort"] for p in container(deployment, "web")["ports"]}
    assert ports[port["targetPort"]] == 8080
    assert selects(service["spec"]["selector"], pod_labels(deployment))
    for name, workload in WORKLOADS.items():
        if workload["kind"] != "Deployment":
            assert not selects(service["spec"]["selector"], pod_labels(workload)), f"{name}'s pods would get traffic"


def test_migrations_run_from_a_suspended_job_template_not_at_every_container_start():
    objects = processed_objects()
    deployment, cronjob = template_object("Deployment", objects), template_object("CronJob", objects)
    assert cronjob["metadata"]["name"] == f"{SAMPLE_PARAMETERS['NAME']}-migrate"
    assert cronjob["spec"]["suspend"] is True
    assert pod_spec(cronjob)["restartPolicy"] == "Never"
    assert container(cronjob, "migrate")["image"] == container(deployment, "web")["image"]
    web_env = {item["name"]: item["value"] for item in container(deployment, "web")["env"]}
    assert config.BY_NAME["DISABLE_MIGRATE"].kind.parse(web_env["DISABLE_MIGRATE"]) is True


@pytest.mark.parametrize("name", [name for name in WORKLOADS if WORKLOADS[name]["kind"] != "Deployment"])
def test_migration_jobs_run_s2i_wsgi_migrate_behind_the_images_entrypoint(name):
    (migrate,) = pod_spec(WORKLOADS[name])["containers"]
    # `command` would replace the entrypoint that gives an arbitrary UID its passwd entry.
    assert "command" not in migrate
    assert migrate["args"] == ["s2i-wsgi", "migrate"]


# ---------------------------------------------------------------------------
# Production settings of every pod: restricted security, probes, stopping.


def assert_restricted(pod: dict[str, Any]) -> None:
    """The restricted Pod Security Standard, with a read-only root: what the integration suite runs
    every server with (test_restricted.py: --read-only --tmpfs /tmp --cap-drop ALL
    --security-opt no-new-privileges --user RANDOM:0)."""
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    # Any UID in group 0 works; a fixed one would be refused by OpenShift's restricted-v2.
    assert "runAsUser" not in pod["securityContext"]
    for volume in pod.get("volumes", []):
        assert set(volume) == {"name", "emptyDir"}, f"volume {volume['name']} is not an emptyDir"
    for each in pod["containers"] + pod.get("initContainers", []):
        security = each["securityContext"]
        assert security["runAsNonRoot"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert security["readOnlyRootFilesystem"] is True
        assert "privileged" not in security
        assert "runAsUser" not in security
        # The one writable place, where the server, nss_wrapper and the hooks write.
        empty_dirs = {volume["name"] for volume in pod.get("volumes", []) if "emptyDir" in volume}
        mounts = {mount["mountPath"]: mount["name"] for mount in each.get("volumeMounts", [])}
        assert mounts.get("/tmp") in empty_dirs, f"container {each['name']} has no emptyDir on /tmp"


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_every_pod_satisfies_the_restricted_pod_security_profile(name):
    pod = pod_spec(WORKLOADS[name])
    assert_restricted(pod)
    assert pod["automountServiceAccountToken"] is False


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_tmp_is_the_only_writable_place_and_it_is_an_emptydir(name):
    pod = pod_spec(WORKLOADS[name])
    empty_dirs = {volume["name"] for volume in pod["volumes"] if "emptyDir" in volume}
    for each in pod["containers"]:
        mounts = {mount["mountPath"]: mount["name"] for mount in each["volumeMounts"]}
        assert list(mounts) == ["/tmp"]
        assert mounts["/tmp"] in empty_dirs


@pytest.mark.parametrize("where", list(WEB_DEPLOYMENTS))
def test_probes_ask_the_launcher_whether_the_server_is_ready_and_alive(where):
    web = container(WEB_DEPLOYMENTS[where], "web")
    assert web["readinessProbe"]["exec"]["command"][:2] == ["s2i-wsgi", "ready"]
    assert web["livenessProbe"]["exec"]["command"][:2] == ["s2i-wsgi", "alive"]
    assert web["startupProbe"]["exec"]["command"][:2] == ["s2i-wsgi", "alive"]


@pytest.mark.parametrize("where", list(WEB_DEPLOYMENTS))
def test_probes_wait_longer_than_the_launchers_own_timeout_before_the_kubelet_kills_them(where):
    web = container(WEB_DEPLOYMENTS[where], "web")
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        command = web[probe]["exec"]["command"]
        own_timeout = float(command[command.index("--timeout") + 1])
        assert web[probe]["timeoutSeconds"] > own_timeout, probe


@pytest.mark.parametrize("where", list(WEB_DEPLOYMENTS))
def test_the_grace_period_outlasts_the_prestop_sleep_plus_the_longest_request(where):
    deployment = WEB_DEPLOYMENTS[where]
    command = container(deployment, "web")["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    drain = int(command[1]) + LONGEST_REQUEST
    assert pod_spec(deployment)["terminationGracePeriodSeconds"] > drain


@pytest.mark.parametrize("where", list(WEB_DEPLOYMENTS))
def test_apache_keeps_idle_connections_open_longer_than_the_load_balancers_in_front(where):
    # ingress-nginx keeps idle connections to pods 60 s: were Apache to close one first, a
    # request sent on it at that moment would be lost (docs/production.md: Scaling out).
    env = {item["name"]: item["value"] for item in container(WEB_DEPLOYMENTS[where], "web")["env"]}
    assert config.BY_NAME["MOD_WSGI_KEEP_ALIVE_TIMEOUT"].kind.parse(env["MOD_WSGI_KEEP_ALIVE_TIMEOUT"]) > 60


@pytest.mark.parametrize("where", list(WEB_DEPLOYMENTS))
def test_a_rollout_adds_a_pod_before_it_removes_one(where):
    strategy = WEB_DEPLOYMENTS[where]["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}


@pytest.mark.parametrize("where", list(WEB_DEPLOYMENTS))
def test_every_web_pod_requests_and_limits_cpu_and_memory(where):
    resources = container(WEB_DEPLOYMENTS[where], "web")["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}


# ---------------------------------------------------------------------------
# kubernetes/: the rest.


def test_the_kubernetes_deployment_runs_three_replicas_labelled_with_the_app_name():
    deployment = kubernetes_object("Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert deployment["metadata"]["labels"]["app.kubernetes.io/name"] == "myapp"
    assert selects(deployment["spec"]["selector"]["matchLabels"], pod_labels(deployment))
    assert container(deployment, "web")["image"] == "myapp:latest"


def test_the_autoscaler_scales_the_deployment_on_cpu_utilisation_from_its_replica_count():
    hpa, deployment = kubernetes_object("HorizontalPodAutoscaler"), kubernetes_object("Deployment")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "myapp"}
    assert hpa["spec"]["minReplicas"] == deployment["spec"]["replicas"] < hpa["spec"]["maxReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"


def test_the_disruption_budget_covers_the_web_pods_and_leaves_most_of_them_up():
    pdb, deployment = kubernetes_object("PodDisruptionBudget"), kubernetes_object("Deployment")
    assert selects(pdb["spec"]["selector"]["matchLabels"], pod_labels(deployment))
    assert pdb["spec"]["maxUnavailable"] == 1


# ---------------------------------------------------------------------------
# Metrics, opt-in: the kubernetes/metrics component.

METRICS = KUBERNETES / "metrics"


def metrics_file(name: str) -> dict[str, Any]:
    return yaml.safe_load((METRICS / name).read_text())


def test_the_metrics_component_is_opt_in_and_names_its_files():
    component = metrics_file("kustomization.yaml")
    assert component["kind"] == "Component"
    assert component["resources"] == ["service.yaml"]
    assert component["patches"] == [{"path": "deployment.yaml"}]
    assert "components" not in yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    assert "# components:\n#   - metrics\n" in (KUBERNETES / "kustomization.yaml").read_text()


def test_metrics_are_served_scraped_and_selected_on_one_port_apart_from_the_apps():
    patch = metrics_file("deployment.yaml")
    web = container(patch, "web")
    port = int(next(env["value"] for env in web["env"] if env["name"] == "METRICS_PORT"))
    assert web["ports"] == [{"name": "metrics", "containerPort": port, "protocol": "TCP"}]
    assert patch["spec"]["template"]["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(port),
        "prometheus.io/path": "/metrics",
    }
    service, deployment = metrics_file("service.yaml"), kubernetes_object("Deployment")
    assert selects(service["spec"]["selector"], pod_labels(deployment))
    assert service["spec"]["ports"] == [{"name": "metrics", "port": port, "targetPort": "metrics", "protocol": "TCP"}]
    monitor = metrics_file("servicemonitor.yaml")
    assert selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"])
    assert monitor["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "15s"}]
    # The app's own Service never sends traffic to the metrics port.
    assert [p["targetPort"] for p in kubernetes_object("Service")["spec"]["ports"]] == ["http"]


def test_the_metrics_service_validates_strictly_against_the_api_schema():
    for version in KUBERNETES_VERSIONS:
        kubernetes_validate.validate(metrics_file("service.yaml"), version, strict=True)


# ---------------------------------------------------------------------------
# The docs.


def test_the_docs_name_only_files_that_exist():
    for path in sorted(DOCS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for mentioned in MENTIONED_FILE.findall(text):
            assert (REPO / mentioned).is_file(), f"{path.name} mentions {mentioned}"


# Every container a reader may copy from README.md or docs/, whole objects and fragments alike.
MARKDOWN = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def pod_specs(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping with a list of containers, at any depth: a pod spec, or a fragment shown as one."""
    if isinstance(node, dict):
        if isinstance(node.get("containers"), list):
            yield node
        for value in node.values():
            yield from pod_specs(value)
    elif isinstance(node, list):
        for item in node:
            yield from pod_specs(item)


def snippet_pods() -> dict[str, dict[str, Any]]:
    found = {}
    for path in MARKDOWN:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^```yaml\n(.*?)^```", text, re.M | re.S):
            line = text.count("\n", 0, match.start()) + 1
            for index, pod in enumerate(pod_specs(yaml.safe_load(match[1]))):
                found[f"{path.relative_to(REPO)}:{line}:{index}"] = pod
    return found


SNIPPET_PODS = snippet_pods()


def test_the_readme_and_the_docs_show_containers():
    """Not vacuous: docs/production.md's health-check snippet and the docs' migration Job at least."""
    assert any(where.startswith("docs/production.md:") for where in SNIPPET_PODS), list(SNIPPET_PODS)
    assert any(where.startswith("docs/") for where in SNIPPET_PODS), list(SNIPPET_PODS)


@pytest.mark.parametrize("where", list(SNIPPET_PODS))
def test_every_container_in_the_readme_and_the_docs_runs_restricted_with_a_read_only_root(where):
    assert_restricted(SNIPPET_PODS[where])


@pytest.mark.parametrize("where", list(SNIPPET_PODS))
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_pod_spec_in_the_readme_and_the_docs_validates_as_a_pod(where, version):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "snippet"}, "spec": SNIPPET_PODS[where]}
    try:
        kubernetes_validate.validate(pod, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        pytest.fail(f"{where}: {path}: {error.message}", pytrace=False)


@pytest.mark.parametrize("where", list(SNIPPET_PODS))
def test_exec_probes_in_the_readme_and_the_docs_outlast_the_launchers_own_timeout(where):
    for each in SNIPPET_PODS[where]["containers"]:
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            command = each.get(probe, {}).get("exec", {}).get("command", [])
            if "--timeout" in command:
                # The kubelet counts an exec probe as failed after timeoutSeconds (default 1).
                own_timeout = float(command[command.index("--timeout") + 1])
                assert each[probe].get("timeoutSeconds", 1) > own_timeout, f"{each['name']} {probe}"
