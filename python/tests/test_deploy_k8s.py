"""k8s/: every overlay builds with kustomize and every object passes the API's strict schema for its kind.

Built-in kinds: the official Kubernetes OpenAPI schemas (strict: unknown fields rejected) of the oldest
and newest supported release. ServiceMonitor / PrometheusRule: the Prometheus Operator's Go types decoded
strictly, and Prometheus' own rule parser on every alert (tools built by `make deploy-tools`). No cluster
runs here, so nothing is applied: what a cluster would reject at admission is what these tests reject.
"""
import copy
import re
import shutil
import subprocess

import pytest

from deploy_support import (ROOT, is_hashed_name, key_of, kustomize_build, monitoring_check, tool,
                            validate_builtin_object)

OVERLAYS = ["minikube", "eks"]
MONITORING = "monitoring.coreos.com/v1"
SERVING_METRICS = ROOT / "serving/src/main/java/org/healthpredict/serving/metrics/ServingMetrics.java"
# The settings ServingMain reads from its environment (docs/serving.md).
SERVING_ENV = {"MLFLOW_TRACKING_URI", "MODEL_URI", "PORT", "API_KEYS", "ADMIN_API_KEYS", "CHALLENGER_URI",
               "CHALLENGER_SHARE", "AB_MODE", "RELOAD_POLL_SECONDS", "MAX_BATCH_RECORDS", "MAX_BODY_BYTES"}


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request):
    return request.param, kustomize_build(ROOT / "k8s" / "overlays" / request.param)


def one(docs, kind, name="health-predict-serving"):
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def generated(docs, kind, base):
    found = [d for d in docs if d["kind"] == kind and is_hashed_name(d["metadata"]["name"], base)]
    assert len(found) <= 1
    return found[0] if found else None


def errors_of(docs, tmp_path):
    errors = []
    for d in docs:
        if d["apiVersion"] != MONITORING:
            errors += [f"{key_of(d)}: {e}" for e in validate_builtin_object(d)]
    checked = monitoring_check([d for d in docs if d["apiVersion"] == MONITORING], tmp_path)
    if checked.returncode != 0:
        errors.append(checked.stdout + checked.stderr)
    return errors


def test_every_object_of_every_overlay_is_valid(overlay, tmp_path):
    name, docs = overlay
    assert {d["kind"] for d in docs} >= {"Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Service",
                                         "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                                         "ServiceMonitor", "PrometheusRule"}
    assert errors_of(docs, tmp_path) == []
    assert all(d["metadata"].get("namespace") == "health-predict" for d in docs if d["kind"] != "Namespace")


def test_broken_objects_are_rejected(overlay, tmp_path):
    """The checks are real: each mutation below is something an API server would refuse."""
    _, docs = overlay
    cases = {
        "unknown container field": lambda d: d["spec"]["template"]["spec"]["containers"][0].__setitem__("readinesProbe", {}),
        "wrong type": lambda d: d["spec"].__setitem__("replicas", "two"),
        "unknown probe field": lambda d: d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"].__setitem__("paht", "/"),
        "missing required field": lambda d: d["spec"]["template"]["spec"]["containers"][0].pop("name"),
    }
    for label, mutate in cases.items():
        broken = copy.deepcopy(one(docs, "Deployment"))
        mutate(broken)
        assert validate_builtin_object(broken), f"{label} was accepted"
    hpa = copy.deepcopy(one(docs, "HorizontalPodAutoscaler"))
    hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilisation"] = 70
    assert validate_builtin_object(hpa)

    monitor = copy.deepcopy(one(docs, "ServiceMonitor"))
    monitor["spec"]["endpoints"][0]["scrapeTimout"] = "10s"
    result = monitoring_check([monitor], tmp_path)
    assert result.returncode == 1 and 'unknown field "scrapeTimout"' in result.stdout
    rule = copy.deepcopy(one(docs, "PrometheusRule"))
    rule["spec"]["groups"][0]["rules"][0]["expr"] = "histogram_quantile(0.95, sum by (le) (rate(x[5m]) > 1"
    result = monitoring_check([rule], tmp_path)
    assert result.returncode == 1 and "could not parse expression" in result.stdout


def test_a_broken_kustomization_does_not_build(tmp_path):
    base = tmp_path / "base"
    shutil.copytree(ROOT / "k8s" / "base", base)
    (base / "hpa.yaml").unlink()
    out = subprocess.run([str(tool("kustomize")), "build", str(base)], capture_output=True, text=True)
    assert out.returncode != 0 and "hpa.yaml" in out.stderr


def test_deployment_rolls_without_losing_capacity_and_runs_locked_down(overlay):
    _, docs = overlay
    dep = one(docs, "Deployment")
    spec = dep["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["automountServiceAccountToken"] is False
    (c,) = pod["containers"]
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
    tmp = next(m for m in c["volumeMounts"] if m["mountPath"] == "/tmp")
    assert "emptyDir" in next(v for v in pod["volumes"] if v["name"] == tmp["name"])
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert c["resources"]["requests"]["cpu"] and c["resources"]["limits"]["memory"]
    # Probes on the service's real endpoints; readiness means "a model is loaded".
    assert c["startupProbe"]["httpGet"]["path"] == "/health/live"
    assert c["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert c["livenessProbe"]["httpGet"]["path"] == "/health/live"
    startup_budget = c["startupProbe"]["periodSeconds"] * c["startupProbe"]["failureThreshold"]
    assert startup_budget >= 180, "model loading (Spark + MLflow download) needs minutes on a cold node"
    # SIGTERM → unready → drain: the preStop sleep plus a drain must fit in the grace period.
    assert c["lifecycle"]["preStop"]["sleep"]["seconds"] + 20 <= pod["terminationGracePeriodSeconds"]


def test_configuration_reaches_the_pods(overlay):
    name, docs = overlay
    c = one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    refs = {("ConfigMap" if "configMapRef" in e else "Secret"): (e.get("configMapRef") or e.get("secretRef"))["name"]
            for e in c["envFrom"]}
    config = one(docs, "ConfigMap", refs["ConfigMap"])
    assert is_hashed_name(config["metadata"]["name"], "health-predict-serving-config")
    assert set(config["data"]) <= SERVING_ENV
    assert config["data"]["PORT"] == "8080" and config["data"]["MODEL_URI"].startswith("models:/")
    assert not {"API_KEYS", "ADMIN_API_KEYS"} & set(config["data"]), "keys belong in the Secret"
    secret = generated(docs, "Secret", "health-predict-serving-secrets")
    if name == "minikube":
        assert secret is not None and refs["Secret"] == secret["metadata"]["name"]
        assert set(secret["data"]) == {"API_KEYS", "ADMIN_API_KEYS"}
    else:  # created out of band on EKS (docs/deploy.md), so no key ever sits in git
        assert secret is None and refs["Secret"] == "health-predict-serving-secrets"


def test_selectors_and_ports_line_up(overlay):
    name, docs = overlay
    dep = one(docs, "Deployment")
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    port_names = {p["name"] for p in dep["spec"]["template"]["spec"]["containers"][0]["ports"]}

    def selects(selector):
        return selector and all(pod_labels.get(k) == v for k, v in selector.items())

    svc = one(docs, "Service")
    assert selects(svc["spec"]["selector"]) and svc["spec"]["ports"][0]["targetPort"] in port_names
    assert svc["spec"]["type"] == ("NodePort" if name == "minikube" else "ClusterIP")
    assert selects(dep["spec"]["selector"]["matchLabels"])
    assert selects(one(docs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"])
    assert selects(one(docs, "NetworkPolicy")["spec"]["podSelector"]["matchLabels"])
    hpa = one(docs, "HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "health-predict-serving"}
    assert hpa["minReplicas"] >= 2 and hpa["maxReplicas"] > hpa["minReplicas"]
    assert one(docs, "PodDisruptionBudget")["spec"]["minAvailable"] < hpa["minReplicas"]
    monitor = one(docs, "ServiceMonitor")["spec"]
    assert all(svc["metadata"]["labels"].get(k) == v for k, v in monitor["selector"]["matchLabels"].items())
    assert monitor["endpoints"][0]["port"] in {p["name"] for p in svc["spec"]["ports"]}
    assert monitor["endpoints"][0]["path"] == "/metrics"
    sa = one(docs, "ServiceAccount")
    assert dep["spec"]["template"]["spec"]["serviceAccountName"] == sa["metadata"]["name"]
    if name == "eks":
        ingress = one(docs, "Ingress")
        backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
        assert backend == {"name": svc["metadata"]["name"], "port": {"name": svc["spec"]["ports"][0]["name"]}}
        assert ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/healthcheck-path"] == "/health/ready"
        assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
        assert c_image(dep).split(":")[0].endswith(".amazonaws.com/health-predict-serving")
    else:
        assert c_image(dep) == "health-predict-serving:dev"


def c_image(dep):
    return dep["spec"]["template"]["spec"]["containers"][0]["image"]


def test_alerts_match_the_issue_and_the_service_metrics(overlay):
    _, docs = overlay
    rules = {r["alert"]: r for g in one(docs, "PrometheusRule")["spec"]["groups"] for r in g["rules"]}
    expected = {  # alert: (threshold in the expression, for)
        "HealthPredictDatasetDrift": (r"hp_dataset_drift_share\)\s*>\s*0\.3\b", "1h"),
        "HealthPredictHighLatencyP95": (r"histogram_quantile\(0\.95,[\s\S]*\)\s*>\s*1\s*$", "5m"),
        "HealthPredictHighErrorRate": (r'status=~"5\.\."[\s\S]*>\s*0\.05\s*$', "10m"),
        "HealthPredictNoModelLoaded": (r"hp_model_loaded[\s\S]*==\s*0", "5m"),
    }
    assert set(rules) == set(expected)
    for alert, (pattern, duration) in expected.items():
        assert re.search(pattern, rules[alert]["expr"].strip()), alert
        assert rules[alert]["for"] == duration, alert
    # Every serving metric an alert reads is one the service registers (the drift share is pushed by the drift job).
    registered = set(re.findall(r'\.name\("([a-z_]+)"\)', SERVING_METRICS.read_text()))
    used = {re.sub(r"_(bucket|count|sum)$", "", m)
            for r in rules.values() for m in re.findall(r"\b(hp_[a-z_]+)", r["expr"])}
    assert used - registered == {"hp_dataset_drift_share"}, used - registered
