"""The Helm chart: rendered by tests/helm_render.py (helm's rules for the constructs the chart uses), validated
against the Kubernetes JSON schemas that `kubernetes-validate` bundles (offline), and checked for the
operational promises: probes, memory request = limit, non-root, a non-overlapping refresh CronJob, migrations
as a hook, and alert rules that use metric names the service really exports."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.config import Settings
from service.metrics import Metrics
from tests.helm_render import (
    Renderer,
    Scope,
    TemplateError,
    go_float,
    load_documents,
    parse,
    render_chart,
)

CHART = Path(__file__).resolve().parent.parent / "helm"
MONITORING = {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}
# The chart's kubeVersion floor and the newest schemas the validator ships.
KUBERNETES_VERSIONS = ["1.27.0", "1.37.0"]
CUSTOM_RESOURCES = {"ServiceMonitor", "PrometheusRule"}

Objects = dict[str, dict[str, Any]]


def render(overrides: dict[str, Any] | None = None) -> Objects:
    return {document["kind"]: document for document in load_documents(render_chart(CHART, overrides))}


@pytest.fixture(scope="module")
def default() -> Objects:
    return render()


@pytest.fixture(scope="module")
def monitored() -> Objects:
    return render(MONITORING)


def pod_specs(objects: Objects) -> dict[str, dict[str, Any]]:
    return {
        "Deployment": objects["Deployment"]["spec"]["template"]["spec"],
        "CronJob": objects["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        "Job": objects["Job"]["spec"]["template"]["spec"],
    }


def test_default_values_render_the_core_objects(default: Objects, monitored: Objects) -> None:
    core = {"ConfigMap", "Secret", "Deployment", "Service", "CronJob", "Job", "HorizontalPodAutoscaler"}
    assert set(default) == core | {"PodDisruptionBudget"}
    assert set(monitored) == set(default) | CUSTOM_RESOURCES


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    "overrides",
    [{}, MONITORING, {"autoscaling": {"enabled": False}, "existingSecret": "screening-prod"}],
    ids=["defaults", "monitoring", "fixed-replicas-existing-secret"],
)
def test_every_object_is_valid_for_kubernetes(version: str, overrides: dict[str, Any]) -> None:
    for kind, document in render(overrides).items():
        if kind in CUSTOM_RESOURCES:
            continue  # Prometheus Operator CRDs: no bundled schema; checked structurally below
        kubernetes_validate.validate(document, version, strict=True)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), "http"),
        (("spec", "template", "spec", "containers", 0, "livenessProbe", "httpPath"), "/healthz"),
        (("spec", "replicas"), "two"),
    ],
)
def test_the_schema_check_rejects_a_broken_deployment(default: Objects, path: tuple[Any, ...], value: Any) -> None:
    broken = copy.deepcopy(default["Deployment"])
    target: Any = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_api_pods_probe_healthz_and_readyz_and_run_without_the_scheduler(default: Objects) -> None:
    deployment = default["Deployment"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]

    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert {"name": "SCREENING_SCHEDULER_ENABLED", "value": "false"} in container["env"]
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    # The HPA owns the replica count while it is enabled; without it the chart sets it.
    assert "replicas" not in deployment["spec"]
    assert render({"autoscaling": {"enabled": False}})["Deployment"]["spec"]["replicas"] == 2


@pytest.mark.parametrize("kind", ["Deployment", "CronJob", "Job"])
def test_every_pod_is_non_root_read_only_with_memory_request_equal_to_limit(default: Objects, kind: str) -> None:
    pod = pod_specs(default)[kind]
    [container] = pod["containers"]
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["resources"]["requests"]["memory"] == container["resources"]["limits"]["memory"]
    assert set(mounts) == {"/tmp", "/data"}  # noqa: S108 - mount paths, not temp files
    assert all("emptyDir" in volumes[name] for name in mounts.values())
    assert container["envFrom"][1] == {"secretRef": {"name": "screening-end-user-screening"}}


def test_configmap_keys_are_screening_settings_and_hold_no_secret(default: Objects) -> None:
    data = default["ConfigMap"]["data"]
    settings = {f"SCREENING_{name.upper()}" for name in Settings.model_fields}

    assert set(data) <= settings, set(data) - settings
    assert {"SCREENING_REFRESH_CRON", "SCREENING_REVIEW_THRESHOLD", "SCREENING_LOG_JSON"} <= set(data)
    assert not {"SCREENING_API_KEYS", "SCREENING_DATABASE_URL"} & set(data)
    assert all(isinstance(value, str) for value in data.values())
    # The values reach the pods unchanged (numbers stay strings, so pydantic parses them).
    assert Settings.model_validate({key.removeprefix("SCREENING_").lower(): v for key, v in data.items()})


def test_secret_holds_keys_and_database_url_and_exists_before_migrations(default: Objects) -> None:
    secret = default["Secret"]
    job = default["Job"]

    assert set(secret["stringData"]) == {"SCREENING_API_KEYS", "SCREENING_DATABASE_URL"}
    assert "pre-install" in secret["metadata"]["annotations"]["helm.sh/hook"]
    secret_weight = int(secret["metadata"]["annotations"]["helm.sh/hook-weight"])
    assert secret_weight < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    rendered = render({"secrets": {"apiKeys": "erp:screen:s3cret", "databaseUrl": "postgresql+psycopg://db/x"}})
    assert rendered["Secret"]["stringData"]["SCREENING_API_KEYS"] == "erp:screen:s3cret"


def test_an_existing_secret_replaces_the_charts_own() -> None:
    objects = render({"existingSecret": "screening-prod"})

    assert "Secret" not in objects
    for pod in pod_specs(objects).values():
        assert {"secretRef": {"name": "screening-prod"}} in pod["containers"][0]["envFrom"]


def test_list_refresh_cronjob_never_overlaps_and_follows_the_refresh_setting(default: Objects) -> None:
    cronjob = default["CronJob"]
    [container] = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]

    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["schedule"] == default["ConfigMap"]["data"]["SCREENING_REFRESH_CRON"]
    assert cronjob["spec"]["timeZone"] == "Etc/UTC"
    assert container["args"] == ["screening", "ingest", "--all"]
    assert render({"config": {"SCREENING_REFRESH_CRON": "0 3 * * *"}})["CronJob"]["spec"]["schedule"] == "0 3 * * *"


def test_migrations_run_as_a_pre_install_and_pre_upgrade_hook(default: Objects) -> None:
    job = default["Job"]
    annotations = job["metadata"]["annotations"]
    [container] = job["spec"]["template"]["spec"]["containers"]

    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
    assert container["args"] == ["screening", "db", "upgrade"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_service_pdb_hpa_and_servicemonitor_select_the_api_pods(monitored: Objects) -> None:
    pod_labels = monitored["Deployment"]["spec"]["template"]["metadata"]["labels"]
    service = monitored["Service"]

    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert monitored["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert monitored["PodDisruptionBudget"]["spec"]["minAvailable"] == 1
    assert monitored["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": monitored["Deployment"]["metadata"]["name"],
    }
    # Ingest and migration pods carry another component, so the Service never routes to them.
    cron_labels = monitored["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert not service["spec"]["selector"].items() <= cron_labels.items()
    monitor = monitored["ServiceMonitor"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"


def test_alert_rules_use_metrics_the_service_exports(monitored: Objects) -> None:
    [group] = monitored["PrometheusRule"]["spec"]["groups"]
    rules = {rule["alert"]: rule for rule in group["rules"]}
    exported: set[str] = set()
    for family in text_string_to_metric_families(Metrics(multiprocess=False).render()[0].decode()):
        exported |= {sample.name for sample in family.samples} | {family.name}
    # Families with no sample yet (labelled counters, the per-source gauges) are exported by name.
    exported |= {name + suffix for name in exported for suffix in ("_total", "_bucket")}
    exported |= {"screening_list_age_seconds", "screening_list_max_age_seconds"}
    exported |= {"screening_ingest_last_failure_timestamp_seconds", "screening_ingest_last_success_timestamp_seconds"}

    assert set(rules) == {
        "ScreeningListStale",
        "ScreeningIngestFailing",
        "ScreeningHighErrorRate",
        "ScreeningHighLatencyP99",
    }
    for name, rule in rules.items():
        used = set(re.findall(r"\bscreening_[a-z_]+", rule["expr"]))
        assert used, name
        assert used <= exported, (name, used - exported)
    assert rules["ScreeningHighLatencyP99"]["expr"].rstrip().endswith("> 0.05")
    assert rules["ScreeningHighErrorRate"]["expr"].rstrip().endswith("> 0.01")
    assert 'route="/v1/screen"' in rules["ScreeningHighLatencyP99"]["expr"]


def test_alert_rule_names_are_the_documented_per_source_gauges() -> None:
    """The list gauges the rules use only appear once a source is known; make one known and look."""
    metrics = Metrics(multiprocess=False)
    metrics.observe_ingest("un_sc", 1.0, ok=False)
    names = {family.name for family in text_string_to_metric_families(metrics.render()[0].decode())}
    assert {"screening_ingest_last_failure_timestamp_seconds", "screening_ingest_last_success_timestamp_seconds"} <= (
        names
    )


# --- the renderer itself, against helm's documented behaviour --------------------------------------------


def render_text(template: str, values: dict[str, Any], defines: str = "") -> str:
    table: dict[str, Any] = {}
    parse(defines, table)
    nodes = parse(template, table)
    context = {"Values": values}
    return Renderer(table).render_nodes(nodes, Scope(context, context, {"$": context}))


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (2, "2"),
        (10001, "10001"),
        (100000, "100000"),
        (1000000, "1e+06"),  # helm's well-known large-integer surprise
        (1234567, "1.234567e+06"),
        (0.82, "0.82"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-1.5, "-1.5"),
        (True, "true"),
        ("15 */6 * * *", "15 */6 * * *"),
    ],
)
def test_values_print_as_go_prints_them(value: Any, printed: str) -> None:
    assert render_text("{{ .Values.x }}", {"x": value}) == printed


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("a:\n  {{- if .Values.on }}\n  b: 1\n  {{- end }}\n", {"on": True}, "a:\n  b: 1\n"),
        ("a:\n  {{- if .Values.on }}\n  b: 1\n  {{- end }}\n", {"on": ""}, "a:\n"),
        ("{{- if not .Values.on }}off{{- else }}on{{- end }}", {"on": {}}, "off"),
        ("x: {{ .Values.n | quote }}", {"n": 8000}, 'x: "8000"'),
        ("x: {{ .Values.s | quote }}", {"s": 'say "hi"'}, 'x: "say \\"hi\\""'),
        ('x: {{ .Values.tag | default "1.0" }}', {"tag": ""}, "x: 1.0"),
        ('x: {{ .Values.tag | default "1.0" }}', {"tag": "2.0"}, "x: 2.0"),
        ("m:\n  {{- toYaml .Values.m | nindent 2 }}", {"m": {"b": [1], "a": "x"}}, "m:\n  a: x\n  b:\n  - 1"),
        ("{{- range $k, $v := .Values.m }}\n{{ $k }}={{ $v }}{{- end }}", {"m": {"b": 2, "a": 1}}, "\na=1\nb=2"),
        ('{{ include "greet" . }}!', {"who": "ops"}, "hello ops!"),
        ("{{/* a comment */}}x {{- /* trimmed */ -}} y", {}, "xy"),
    ],
)
def test_template_constructs_follow_go_template_rules(template: str, values: dict[str, Any], expected: str) -> None:
    defines = '{{- define "greet" -}}\nhello {{ .Values.who }}\n{{- end }}'
    assert render_text(template, values, defines) == expected


@pytest.mark.parametrize(
    "template",
    [
        "{{ .Values.missing }}",
        "{{ .Values.x | upper }}",
        "{{- with .Values.x }}{{ . }}{{ end }}",
        "{{ if .Values.x }}unclosed",
        "{{ .Values.m }}",
        '{{ include "nope" . }}',
    ],
)
def test_constructs_outside_the_supported_set_fail_loudly(template: str) -> None:
    with pytest.raises(TemplateError):
        render_text(template, {"x": "v", "m": {"a": 1}})


def test_go_float_matches_strconv_for_edge_values() -> None:
    assert [go_float(value) for value in (0.0, 123456.0, 1e21, 0.5e-4)] == ["0", "123456", "1e+21", "5e-05"]
