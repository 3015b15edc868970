"""The Helm chart, linted and rendered by real Helm: the Helm Go SDK that `helm-python-sdk` ships as a shared
library (no helm binary, no cluster; `lookup` finds nothing, as under `helm template`).

Three value sets stand for the installs users make: the defaults (one pod on SQLite), several replicas on an
external PostgreSQL database with the key and URL from Secrets they manage, and an edge install with an
ingress, a network policy and an HPA. Each is linted (`helm lint --strict`), rendered, validated against the
Kubernetes schemas (`kubernetes-validate`, offline) and checked for what a user relies on: the pods bind the
address their probes reach and never start without a key, lists reach the API, a PDB never blocks a drain,
and value sets that cannot work fail with a message saying what to set.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from service.auth import Authenticator
from service.config import Settings
from service.metrics import Metrics
from service.sources.catalogue import load_catalogue

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "helm"
RELEASE = "screening"
FULLNAME = "screening-end-user-screening"
# The chart's kubeVersion floor and the newest schemas the validator ships.
KUBERNETES_VERSIONS = ["1.27.0", "1.37.0"]
CUSTOM_RESOURCES = {"ServiceMonitor", "PrometheusRule"}
SHARED_DATABASE_MESSAGE = "needs a shared database: set database.url"

MULTI_REPLICA = {
    "replicaCount": 3,
    "database": {"existingSecret": "screening-db"},
    "apiKeys": {"existingSecret": "screening-keys"},
}
EDGE = {
    "database": {"url": "postgresql+psycopg://screening:pw@db.internal:5432/screening"},
    "autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 5},
    "ingress": {
        "enabled": True,
        "className": "nginx",
        "hosts": [{"host": "screening.example.internal", "paths": [{"path": "/", "pathType": "Prefix"}]}],
        "tls": [{"secretName": "screening-tls", "hosts": ["screening.example.internal"]}],
    },
    "networkPolicy": {
        "enabled": True,
        "from": [{"namespaceSelector": {"matchLabels": {"team": "erp"}}}],
        "egress": [{"ports": [{"port": 5432, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]}],
    },
    "serviceMonitor": {"enabled": True},
    "prometheusRule": {"enabled": True},
}
VALUE_SETS: dict[str, dict[str, Any]] = {"default": {}, "multi-replica-postgres-secret": MULTI_REPLICA, "edge": EDGE}

Objects = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def chart() -> Iterator[helm.Chart]:
    helm.disable_logging()  # the SDK logs every `fail` message to stderr as well as raising it
    with helm.Chart.load(CHART) as loaded:
        yield loaded


def render_files(chart: helm.Chart, values: dict[str, Any]) -> dict[str, str]:
    return chart.render(values, name=RELEASE, namespace="default", is_install=True)


def render(chart: helm.Chart, values: dict[str, Any]) -> Objects:
    """The rendered objects by kind (the chart makes at most one of each)."""
    objects: Objects = {}
    for path, text in render_files(chart, values).items():
        if not path.endswith(".yaml"):
            continue
        for document in yaml.safe_load_all(text):
            if document:
                assert document["kind"] not in objects, (path, document["kind"])
                objects[document["kind"]] = document
    return objects


@pytest.fixture(scope="module")
def rendered(chart: helm.Chart) -> dict[str, Objects]:
    return {name: render(chart, values) for name, values in VALUE_SETS.items()}


def api_container(objects: Objects) -> dict[str, Any]:
    [container] = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    return container


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in container.get("env", [])}


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


# --- helm itself --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(VALUE_SETS))
def test_helm_lint_strict_finds_nothing(name: str) -> None:
    report = helm.lint(CHART, VALUE_SETS[name], strict=True, namespace="default")
    problems = [message for message in report["messages"] if message["severity"] >= 2]  # 2 warning, 3 error

    assert report["total_charts_linted"] == 1
    assert (problems, report["errors"]) == ([], [])


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name", list(VALUE_SETS))
def test_every_object_is_valid_for_kubernetes(rendered: dict[str, Objects], name: str, version: str) -> None:
    for kind, document in rendered[name].items():
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
def test_the_schema_check_rejects_a_broken_deployment(
    rendered: dict[str, Objects], path: tuple[Any, ...], value: Any
) -> None:
    broken = copy.deepcopy(rendered["default"]["Deployment"])
    target: Any = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


# --- the default install works -------------------------------------------------------------------------------


def test_default_values_run_one_pod_on_one_volume_with_the_scheduler_inside(rendered: dict[str, Objects]) -> None:
    objects = rendered["default"]
    deployment = objects["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    claims = [
        volume["persistentVolumeClaim"]["claimName"] for volume in pod["volumes"] if "persistentVolumeClaim" in volume
    ]
    mounts = {mount["name"]: mount["mountPath"] for mount in api_container(objects)["volumeMounts"]}

    assert set(objects) == {"ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim", "Deployment", "Service"}
    assert deployment["spec"]["replicas"] == 1
    # The old pod lets go of the ReadWriteOnce volume before the new one mounts it.
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert claims == [objects["PersistentVolumeClaim"]["metadata"]["name"]]
    assert objects["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert {volume["name"] for volume in pod["volumes"] if "persistentVolumeClaim" in volume} == {"data"}
    assert mounts["data"] == "/data"  # the image's SCREENING_DATA_DIR, where SQLite lives
    # No CronJob writing to a store of its own: the pod refreshes the lists it serves.
    assert env_of(api_container(objects))["SCREENING_SCHEDULER_ENABLED"] == "true"
    assert "SCREENING_DATABASE_URL" not in env_of(api_container(objects))


@pytest.mark.parametrize("name", list(VALUE_SETS))
def test_pods_bind_all_interfaces_on_the_port_their_probes_reach(rendered: dict[str, Objects], name: str) -> None:
    container = api_container(rendered[name])
    [port] = container["ports"]
    args = container["args"]

    assert args[:2] == ["screening", "serve"]
    assert option(args, "--host") == "0.0.0.0"  # noqa: S104 - a pod listens on its own interfaces
    assert port == {"name": "http", "containerPort": int(option(args, "--port")), "protocol": "TCP"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    # The image refuses to serve without a key (SCREENING_CONTAINER): every pod gets one.
    assert "SCREENING_API_KEYS" in env_of(container)


def test_without_a_key_the_chart_generates_one_the_service_accepts(rendered: dict[str, Objects]) -> None:
    objects = rendered["default"]
    keys = objects["Secret"]["stringData"]["SCREENING_API_KEYS"]
    secret = keys.split(":")[2]

    assert env_of(api_container(objects))["SCREENING_API_KEYS"] == {
        "secretKeyRef": {"name": FULLNAME, "key": "SCREENING_API_KEYS"}
    }
    assert re.fullmatch(r"helm:admin:[A-Za-z0-9]{40}", keys)
    principal = Authenticator(create_engine("sqlite://"), [keys]).authenticate(secret)
    assert principal is not None
    assert principal.is_admin


def test_allow_open_serves_without_a_key_and_says_so(chart: helm.Chart) -> None:
    objects = render(chart, {"allowOpen": True})
    env = env_of(api_container(objects))

    assert "Secret" not in objects
    assert "SCREENING_API_KEYS" not in env
    assert env["SCREENING_ALLOW_OPEN"] == "true"


# --- several replicas need a shared database -----------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [{"replicaCount": 3}, {"autoscaling": {"enabled": True}}],
    ids=["three-replicas", "autoscaling"],
)
def test_more_than_one_pod_without_a_database_fails_with_what_to_set(chart: helm.Chart, values: dict[str, Any]) -> None:
    with pytest.raises(helm.HelmRenderError, match=SHARED_DATABASE_MESSAGE):
        render(chart, values)


def test_multi_replica_reads_key_and_database_from_existing_secrets(rendered: dict[str, Objects]) -> None:
    objects = rendered["multi-replica-postgres-secret"]
    env = env_of(api_container(objects))
    cron_env = env_of(objects["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0])
    pod = objects["Deployment"]["spec"]["template"]["spec"]

    assert "Secret" not in objects
    assert env["SCREENING_API_KEYS"] == {"secretKeyRef": {"name": "screening-keys", "key": "SCREENING_API_KEYS"}}
    assert env["SCREENING_DATABASE_URL"] == {"secretKeyRef": {"name": "screening-db", "key": "SCREENING_DATABASE_URL"}}
    assert cron_env == {"SCREENING_DATABASE_URL": env["SCREENING_DATABASE_URL"]}  # the ingest needs no API key
    assert objects["Deployment"]["spec"]["replicas"] == 3
    assert objects["Deployment"]["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    # The CronJob refreshes the lists into the shared database; the API pods only pick them up.
    assert env["SCREENING_SCHEDULER_ENABLED"] == "false"
    assert "PersistentVolumeClaim" not in objects
    assert all("emptyDir" in volume for volume in pod["volumes"])


def test_an_inline_database_url_goes_to_the_secret_not_the_configmap(rendered: dict[str, Objects]) -> None:
    objects = rendered["edge"]
    url = EDGE["database"]["url"]

    assert objects["Secret"]["stringData"]["SCREENING_DATABASE_URL"] == url
    assert url not in yaml.safe_dump(objects["ConfigMap"])
    assert env_of(api_container(objects))["SCREENING_DATABASE_URL"] == {
        "secretKeyRef": {"name": FULLNAME, "key": "SCREENING_DATABASE_URL"}
    }


def test_without_the_cronjob_the_replicas_refresh_the_lists_themselves(chart: helm.Chart) -> None:
    objects = render(chart, {**MULTI_REPLICA, "ingest": {"cronJob": False}})

    assert "CronJob" not in objects
    assert env_of(api_container(objects))["SCREENING_SCHEDULER_ENABLED"] == "true"


@pytest.mark.parametrize(
    ("values", "budget"),
    [
        ({}, False),
        (MULTI_REPLICA, True),
        ({**MULTI_REPLICA, "replicaCount": 1}, False),
        (EDGE, True),
        ({**EDGE, "autoscaling": {"enabled": True, "minReplicas": 1}}, False),
    ],
    ids=["default", "three-replicas", "one-replica-postgres", "hpa-min-2", "hpa-min-1"],
)
def test_a_disruption_budget_only_when_two_or_more_pods_run(
    chart: helm.Chart, values: dict[str, Any], budget: bool
) -> None:
    objects = render(chart, values)
    pod_labels = objects["Deployment"]["spec"]["template"]["metadata"]["labels"]

    assert ("PodDisruptionBudget" in objects) is budget
    for pdb in [objects[kind] for kind in objects if kind == "PodDisruptionBudget"]:
        assert pdb["spec"]["maxUnavailable"] == 1
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


# --- values that cannot work are refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"replicaCount": "two"}, "/replicaCount"),
        ({"existingSecret": "old-style"}, "existingSecret"),
        ({"database": {"url": "postgresql://db/x"}}, "/database/url"),
        ({"config": {"SCREENING_REFRESH_CRON": 15}}, "/config/SCREENING_REFRESH_CRON"),
        ({"config": {"log_level": "INFO"}}, "log_level"),
    ],
    ids=["replica-count-type", "unknown-key", "database-driver", "config-not-a-string", "config-not-a-setting"],
)
def test_the_values_schema_names_the_bad_value(chart: helm.Chart, values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm.HelmValuesError, match=re.escape(message)):
        render(chart, values)
    assert helm.lint(CHART, values)["errors"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"config": {"SCREENING_HOST": "127.0.0.1"}}, "config.SCREENING_HOST is set by the chart"),
        ({"config": {"SCREENING_API_KEYS": "a:screen:0123456789abcdef"}}, "config.SCREENING_API_KEYS is set by"),
        ({"database": {"url": "postgresql+psycopg://db/x", "existingSecret": "db"}}, "not both"),
        ({"apiKeys": {"value": "a:screen:0123456789abcdef", "existingSecret": "keys"}}, "not both"),
    ],
)
def test_conflicting_values_fail_with_a_message(chart: helm.Chart, values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm.HelmRenderError, match=re.escape(message)):
        render(chart, values)


def test_the_values_example_names_sources_of_the_catalogue() -> None:
    text = (CHART / "values.yaml").read_text()
    [example] = re.findall(r'e\.g\.\s*#?\s*"([a-z_,]+)"', text.replace("\n  #", ""))
    catalogue = load_catalogue(ROOT / "lists")

    assert [source for source in example.split(",") if source not in catalogue.sources] == []


# --- standard options ------------------------------------------------------------------------------------------


def test_name_overrides_rename_every_object(chart: helm.Chart) -> None:
    renamed = render(chart, {**MULTI_REPLICA, "fullnameOverride": "kyc"})
    labelled = render(chart, {"nameOverride": "kyc-screening"})

    assert {document["metadata"]["name"] for document in renamed.values()} == {"kyc", "kyc-ingest"}
    assert renamed["Deployment"]["spec"]["template"]["spec"]["serviceAccountName"] == "kyc"
    assert labelled["Deployment"]["metadata"]["name"] == "screening-kyc-screening"
    assert labelled["Service"]["spec"]["selector"]["app.kubernetes.io/name"] == "kyc-screening"


def test_the_pods_run_under_the_charts_service_account_without_a_token(rendered: dict[str, Objects]) -> None:
    objects = rendered["multi-replica-postgres-secret"]
    for pod in (
        objects["Deployment"]["spec"]["template"]["spec"],
        objects["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"],
    ):
        assert pod["serviceAccountName"] == objects["ServiceAccount"]["metadata"]["name"]
        assert pod["automountServiceAccountToken"] is False


def test_a_config_change_rolls_the_pods(chart: helm.Chart, rendered: dict[str, Objects]) -> None:
    def annotations(objects: Objects) -> dict[str, str]:
        return dict(objects["Deployment"]["spec"]["template"]["metadata"]["annotations"])

    before = annotations(rendered["default"])
    changed = annotations(render(chart, {"config": {"SCREENING_REFRESH_CRON": "0 3 * * *"}}))
    rekeyed = annotations(render(chart, {"apiKeys": {"value": "erp:screen:0123456789abcdef"}}))

    assert re.fullmatch(r"[0-9a-f]{64}", before["checksum/config"])
    assert annotations(render(chart, {})) == before
    assert changed["checksum/config"] != before["checksum/config"]
    assert rekeyed["checksum/secret"] != before["checksum/secret"]


def test_ingress_and_network_policy_lead_to_the_api_port(rendered: dict[str, Objects]) -> None:
    objects = rendered["edge"]
    [rule] = objects["Ingress"]["spec"]["rules"]
    [path] = rule["http"]["paths"]
    policy = objects["NetworkPolicy"]["spec"]
    pod_labels = objects["Deployment"]["spec"]["template"]["metadata"]["labels"]

    assert objects["Ingress"]["spec"]["ingressClassName"] == "nginx"
    assert rule["host"] == "screening.example.internal"
    assert path["backend"]["service"] == {"name": objects["Service"]["metadata"]["name"], "port": {"name": "http"}}
    assert objects["Service"]["spec"]["ports"][0]["targetPort"] == "http"
    assert policy["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert policy["ingress"] == [
        {"ports": [{"port": "http", "protocol": "TCP"}], "from": EDGE["networkPolicy"]["from"]},
    ]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    # DNS first, then what the user allowed.
    assert {"port": 53, "protocol": "UDP"} in policy["egress"][0]["ports"]
    assert policy["egress"][1:] == EDGE["networkPolicy"]["egress"]


def test_notes_say_how_to_reach_the_api_and_read_the_key(chart: helm.Chart) -> None:
    [default] = [text for path, text in render_files(chart, {}).items() if path.endswith("NOTES.txt")]
    [managed] = [text for path, text in render_files(chart, MULTI_REPLICA).items() if path.endswith("NOTES.txt")]

    assert f"get secret {FULLNAME} -o jsonpath='{{.data.SCREENING_API_KEYS}}'" in default
    assert f"port-forward svc/{FULLNAME} 8000:8000" in default
    assert f"exec deploy/{FULLNAME} -- screening ingest --all" in default
    assert "from Secret screening-keys, key SCREENING_API_KEYS" in managed
    assert f"CronJob {FULLNAME}-ingest" in managed


# --- pods, settings, refresh, monitoring ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Deployment", "CronJob"])
def test_every_pod_is_non_root_read_only_with_memory_request_equal_to_limit(
    rendered: dict[str, Objects], kind: str
) -> None:
    document = rendered["multi-replica-postgres-secret"][kind]
    template = (
        document["spec"]["jobTemplate"]["spec"]["template"] if kind == "CronJob" else document["spec"]["template"]
    )
    pod = template["spec"]
    [container] = pod["containers"]
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["resources"]["requests"]["memory"] == container["resources"]["limits"]["memory"]
    assert mounts == {"/tmp", "/data"}  # noqa: S108 - mount paths, not temp files


def test_configmap_keys_are_screening_settings_and_hold_no_secret(rendered: dict[str, Objects]) -> None:
    data = rendered["default"]["ConfigMap"]["data"]
    settings = {f"SCREENING_{name.upper()}" for name in Settings.model_fields}

    assert set(data) <= settings, set(data) - settings
    assert {"SCREENING_REFRESH_CRON", "SCREENING_REVIEW_THRESHOLD", "SCREENING_LOG_JSON"} <= set(data)
    assert not {"SCREENING_API_KEYS", "SCREENING_DATABASE_URL"} & set(data)
    assert all(isinstance(value, str) for value in data.values())
    # The values reach the pods unchanged (numbers stay strings, so pydantic parses them).
    assert Settings.model_validate({key.removeprefix("SCREENING_").lower(): v for key, v in data.items()})


def test_list_refresh_cronjob_never_overlaps_and_follows_the_refresh_setting(
    chart: helm.Chart, rendered: dict[str, Objects]
) -> None:
    objects = rendered["multi-replica-postgres-secret"]
    cronjob = objects["CronJob"]
    [container] = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    rescheduled = render(chart, {**MULTI_REPLICA, "config": {"SCREENING_REFRESH_CRON": "0 3 * * *"}})

    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["schedule"] == objects["ConfigMap"]["data"]["SCREENING_REFRESH_CRON"]
    assert cronjob["spec"]["timeZone"] == "Etc/UTC"
    assert container["args"] == ["screening", "ingest", "--all"]
    assert rescheduled["CronJob"]["spec"]["schedule"] == "0 3 * * *"


def test_service_hpa_and_servicemonitor_select_the_api_pods(rendered: dict[str, Objects]) -> None:
    objects = rendered["edge"]
    pod_labels = objects["Deployment"]["spec"]["template"]["metadata"]["labels"]
    service = objects["Service"]

    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert "replicas" not in objects["Deployment"]["spec"]  # the HPA owns the count
    assert objects["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": objects["Deployment"]["metadata"]["name"],
    }
    assert (
        objects["HorizontalPodAutoscaler"]["spec"]["minReplicas"],
        objects["HorizontalPodAutoscaler"]["spec"]["maxReplicas"],
    ) == (2, 5)
    # Ingest pods carry another component, so the Service never routes to them.
    cron_labels = objects["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert not service["spec"]["selector"].items() <= cron_labels.items()
    monitor = objects["ServiceMonitor"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"


def test_alert_rules_use_metrics_the_service_exports(rendered: dict[str, Objects]) -> None:
    [group] = rendered["edge"]["PrometheusRule"]["spec"]["groups"]
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
    metrics.observe_ingest("un_sc_sanctions", 1.0, ok=False)
    names = {family.name for family in text_string_to_metric_families(metrics.render()[0].decode())}
    assert {"screening_ingest_last_failure_timestamp_seconds", "screening_ingest_last_success_timestamp_seconds"} <= (
        names
    )
