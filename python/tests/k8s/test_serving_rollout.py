"""The serving Deployment on the single-node cluster built from source (scripts/cluster.sh), and the deployment DAG
rolling it with the real kubectl:

1. `kustomize build k8s/overlays/minikube`, applied with kubectl, makes the serving Deployment Ready; its HPA, PDB
   and NodePort Service exist, and kube-proxy routes the NodePort and the cluster IP to the Ready pods. Adjusted for
   this cluster only where it has to be: the Prometheus Operator's kinds (ServiceMonitor, PrometheusRule) are left
   out (no such CRDs here), the image is the Jib tar imported into the cluster's containerd, MLflow is the server on
   the pod bridge's gateway, and MODEL_URI is pinned to version 1 (the DAG, not a champion reload, must be what
   moves the pods to version 2).
2. `airflow dags test health_predict_deployment` with kubectl = .tools/bin/kubectl-v1.34.4 on KUBECONFIG
   .cluster/kubeconfig rolls the Deployment from version 1 to version 2, and its smoke test passes against the new
   pods through the NodePort (127.0.0.1:30080, the Airflow connection health_predict_serving).
3. The same DAG with a version whose run holds no model (its pods never become Ready) and a short rollout_timeout:
   `rollout status` times out, the DAG's `kubectl rollout undo` brings the previous pods back, they serve the
   previous version, and the run fails (outcome).

There is no registry here: `make images` (the DAG's build_push_image) is replaced, for these DAG runs only, by a
`make` shim first on PATH that records its arguments and does nothing else; the image it would have pushed is the
serving Jib tar, imported beforehand with `scripts/cluster.sh import`, and the DAG's registry Variable and image_tag
Param name exactly that image. kubectl is the real one.

Needs root, the Kubernetes binaries with kube-proxy (make cluster-tools), kustomize (.tools/bin), the venv, the jobs
jar and the serving Jib tar (SERVING_TAR, default serving/target/jib-image.tar). Runs only from `make test-k8s`.
"""
import json
import re
import threading
import time

import pytest
import yaml
from mlflow import MlflowClient

from cluster_support import (JOBS, KUBECONFIG, KUBECTL, KUSTOMIZE, ROOT, SAMPLE, SERVING_TAR, get_json, image_of,
                             kubectl, kubectl_json, mlflow, run, started_cluster, train_and_register)  # noqa: F401,F811 (mlflow: a fixture)
from dag_support import make_airflow

NS = "health-predict"
DEPLOYMENT = "health-predict-serving"
MODEL = "HealthPredict"
NODEPORT = "http://127.0.0.1:30080"  # k8s/overlays/minikube/service-nodeport.yaml; kube-proxy routes it
API_KEY = "demo-client-key"  # k8s/overlays/minikube/demo-secrets.env
ABSENT_KINDS = {"ServiceMonitor", "PrometheusRule"}  # Prometheus Operator CRDs, not installed on this cluster
MAKE_SHIM = """#!/usr/bin/env bash
# Stands in for `make images` (no registry here; the image was imported into the cluster beforehand).
echo "$*" >> "$MAKE_SHIM_LOG"
"""


@pytest.fixture(scope="module")
def cluster():
    """The cluster with the serving image imported; yields the image reference. The namespace is deleted before
    `down`: etcd's data is kept between runs, and the Deployment would otherwise come back at the next `up`."""
    assert KUSTOMIZE.is_file(), f"{KUSTOMIZE} missing: make deploy-tools (or make {KUSTOMIZE.resolve()})"
    assert (ROOT / "jobs" / "target" / "health-predict-jobs.jar").is_file(), "jobs jar missing: mvn package"
    with started_cluster(SERVING_TAR):
        try:
            yield image_of(SERVING_TAR)
        finally:
            kubectl("delete", "namespace", NS, "--ignore-not-found", "--wait=true", "--timeout=180s", timeout=200)


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    out = tmp_path_factory.mktemp("data") / "split"
    run("nice", "-n", "19", JOBS, "split", "--input", SAMPLE, "--output", out)
    return out


@pytest.fixture(scope="module")
def airflow(tmp_path_factory):
    return make_airflow(tmp_path_factory.mktemp("airflow-home"))


@pytest.fixture(scope="module")
def shims(tmp_path_factory):
    """A folder for the front of PATH: the `make` shim, and `kubectl` as the cluster's real kubectl."""
    d = tmp_path_factory.mktemp("shims")
    (d / "make").write_text(MAKE_SHIM)
    (d / "make").chmod(0o755)
    (d / "kubectl").symlink_to(KUBECTL)
    return d


@pytest.fixture(scope="module")
def overlay(cluster, mlflow, split):
    """Version 1 registered, the minikube overlay applied for this cluster and rolled out; yields the objects
    applied and the kinds left out."""
    reg = train_and_register(mlflow, split)
    assert reg["decision"] == "PROMOTED" and reg["version"] == "1", reg
    objects, left_out = overlay_for_this_cluster(cluster, mlflow, f"models:/{MODEL}/1")
    t0 = time.monotonic()
    kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects))
    kubectl("-n", NS, "rollout", "status", f"deployment/{DEPLOYMENT}", "--timeout=600s", timeout=620)
    print(f"overlay applied, Deployment rolled out: {time.monotonic() - t0:.0f} s")
    return objects, left_out


def overlay_for_this_cluster(image: str, mlflow: str, model_uri: str) -> tuple[list[dict], list[str]]:
    """`kustomize build k8s/overlays/minikube` without the kinds this cluster lacks, with this cluster's image,
    MLflow and a pinned model version."""
    built = [d for d in yaml.safe_load_all(run(KUSTOMIZE, "build", ROOT / "k8s" / "overlays" / "minikube").stdout) if d]
    left_out = sorted(d["kind"] for d in built if d["kind"] in ABSENT_KINDS)
    objects = [d for d in built if d["kind"] not in ABSENT_KINDS]
    for d in objects:
        if d["kind"] == "Deployment":
            container = d["spec"]["template"]["spec"]["containers"][0]
            assert container["image"] == "health-predict-serving:dev", container["image"]  # the overlay's, as built
            container["image"] = image
        elif d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("health-predict-serving-config"):
            assert d["data"]["MLFLOW_TRACKING_URI"] == "http://host.minikube.internal:5000", d["data"]
            d["data"].update(MLFLOW_TRACKING_URI=mlflow, MODEL_URI=model_uri)
    return objects, left_out


def deploy(airflow, shims, mlflow, image, tmp_path, **params):
    """One `airflow dags test health_predict_deployment` with the real kubectl and the `make` shim; returns the run
    and the shim's recorded calls."""
    registry, tag = image.rsplit("/health-predict-serving:", 1)
    log = tmp_path / "make-calls.txt"
    log.touch()
    env = {"PATH": f"{shims}:{airflow.env['PATH']}", "KUBECONFIG": str(KUBECONFIG), "MAKE_SHIM_LOG": str(log),
           "AIRFLOW_CONN_HEALTH_PREDICT_SERVING": json.dumps(
               {"conn_type": "http", "host": "127.0.0.1", "port": 30080, "schema": "http", "password": API_KEY})}
    variables = {"health_predict_mlflow_uri": mlflow, "health_predict_image_registry": registry}
    dag_run = airflow.dags_test("health_predict_deployment", {"model_name": MODEL, "image_tag": tag, **params},
                                variables=variables, env=env)
    return dag_run, log.read_text().splitlines()


def explain(dag_run) -> str:
    """A DAG run for a failure message: task states and the exceptions its tasks raised (the full output is long)."""
    errors = [line for line in dag_run.output.splitlines() if re.match(r"^\w*(Error|Exception): ", line)]
    return f"{dag_run}\nexceptions raised:\n" + "\n".join(errors or ["(none)"]) + f"\n...\n{dag_run.output[-3000:]}"


def serving_pods() -> dict[str, dict]:
    """The Deployment's pods that are not terminating: name -> IP, Ready, the MODEL_URI set on the pod (None when
    it comes from the ConfigMap only)."""
    pods = kubectl_json("-n", NS, "get", "pods", "-l", f"app.kubernetes.io/name={DEPLOYMENT}")["items"]
    return {p["metadata"]["name"]: pod_state(p) for p in pods if not p["metadata"].get("deletionTimestamp")}


def pod_state(pod: dict) -> dict:
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0].get("env", [])}
    ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
    return {"ip": pod["status"].get("podIP"), "ready": ready, "model_uri": env.get("MODEL_URI")}


def versions_served(pods: dict[str, dict]) -> dict[str, object]:
    """Each pod's /health/ready answer, asked at the pod's own IP (the host reaches pod IPs over the bridge)."""
    return {name: get_json(f"http://{p['ip']}:8080/health/ready")[1] for name, p in pods.items()}


def template_model_uri() -> str | None:
    spec = kubectl_json("-n", NS, "get", "deployment", DEPLOYMENT)["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value") for e in spec["containers"][0].get("env", [])}
    return env.get("MODEL_URI")


class PodWatch:
    """Records every pod of the Deployment seen while it runs (polled every 2 s): name -> MODEL_URI on the pod and
    whether it was ever Ready."""

    def __init__(self):
        self.seen: dict[str, dict] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._done.is_set():
            try:
                pods = kubectl_json("-n", NS, "get", "pods", "-l", f"app.kubernetes.io/name={DEPLOYMENT}")["items"]
            except AssertionError:  # an API server hiccup: the next poll records it
                pods = []
            for p in pods:
                state = pod_state(p)
                before = self.seen.get(p["metadata"]["name"], {"ready": False})
                self.seen[p["metadata"]["name"]] = {**state, "ready": before["ready"] or state["ready"]}
            self._done.wait(2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()


def test_minikube_overlay_makes_the_deployment_ready(overlay, cluster):
    objects, left_out = overlay
    assert left_out == ["PrometheusRule", "ServiceMonitor"], left_out
    deployment = kubectl_json("-n", NS, "get", "deployment", DEPLOYMENT)
    assert deployment["status"].get("readyReplicas") == deployment["spec"]["replicas"] == 2, deployment["status"]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == cluster

    hpa = kubectl_json("-n", NS, "get", "hpa", DEPLOYMENT)
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 3), hpa["spec"]  # maxReplicas: the overlay's
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": DEPLOYMENT}
    pdb = kubectl_json("-n", NS, "get", "pdb", DEPLOYMENT)
    assert pdb["spec"]["minAvailable"] == 1 and pdb["status"]["currentHealthy"] == 2, pdb
    service = kubectl_json("-n", NS, "get", "service", DEPLOYMENT)
    assert service["spec"]["type"] == "NodePort" and service["spec"]["ports"][0]["nodePort"] == 30080, service["spec"]

    ready = {"status": "ready", "model": MODEL, "version": "1"}
    pods = serving_pods()
    assert len(pods) == 2 and all(p["ready"] for p in pods.values()), pods
    assert versions_served(pods) == {name: ready for name in pods}
    # kube-proxy: the NodePort on loopback and the cluster IP reach the Ready pods
    assert get_json(f"{NODEPORT}/health/ready") == (200, ready)
    assert get_json(f"http://{service['spec']['clusterIP']}/health/ready") == (200, ready)
    body = (ROOT / "conf" / "examples" / "predict-request.json").read_bytes()
    status, answer = get_json(f"{NODEPORT}/predict", data=body,
                              headers={"Content-Type": "application/json", "X-API-Key": API_KEY})
    assert status == 200 and answer["model"] == {"name": MODEL, "version": "1"}, (status, answer)
    assert 0.0 <= answer["probability"] <= 1.0, answer


def test_dag_rolls_the_deployment_to_version_2(overlay, cluster, mlflow, split, airflow, shims, tmp_path):
    reg = train_and_register(mlflow, split)
    assert reg["version"] == "2", reg
    before = serving_pods()
    t0 = time.monotonic()
    with PodWatch() as watch:
        dag_run, make_calls = deploy(airflow, shims, mlflow, cluster, tmp_path, version="2")
    print(f"rollout to version 2 by the DAG: {time.monotonic() - t0:.0f} s; pods seen {watch.seen}")
    assert dag_run.state == "success", explain(dag_run)
    assert dag_run.states == {"read_champion": "success", "build_push_image": "success", "roll_out": "success",
                              "rollout_status": "success", "smoke_test": "success", "rollback": "skipped",
                              "outcome": "success"}, explain(dag_run)
    stale = re.findall(r"still serves .*; asking again", dag_run.output)
    print(f"smoke test answered by the previous revision first: {len(stale)} times {stale[:3]}")
    registry, tag = cluster.rsplit("/health-predict-serving:", 1)
    assert make_calls == [f"images JIB_GOAL=build IMAGE_REGISTRY={registry} IMAGE_TAG={tag}"]
    assert dag_run.xcoms["build_push_image"] == cluster
    smoke = dag_run.xcoms["smoke_test"]
    assert smoke["base_url"] == NODEPORT and smoke["version"] == "2" and 0 <= smoke["probability"] <= 1, smoke

    assert template_model_uri() == f"models:/{MODEL}/2"
    after = serving_pods()
    assert len(after) == 2 and not set(after) & set(before), (before, after)
    assert all(p["ready"] and p["model_uri"] == f"models:/{MODEL}/2" for p in after.values()), after
    assert versions_served(after) == {name: {"status": "ready", "model": MODEL, "version": "2"} for name in after}
    assert get_json(f"{NODEPORT}/health/ready") == (200, {"status": "ready", "model": MODEL, "version": "2"})


def register_without_model(mlflow: str) -> str:
    """A model version whose run logged nothing: pods given it never load a model, so they never become Ready."""
    client = MlflowClient(tracking_uri=mlflow)
    empty = client.create_run("0", run_name="no-model")
    client.set_terminated(empty.info.run_id)
    return client.create_model_version(MODEL, source=f"{empty.info.artifact_uri}/model",
                                       run_id=empty.info.run_id).version


def test_dag_undoes_a_rollout_that_never_becomes_ready(overlay, cluster, mlflow, airflow, shims, tmp_path):
    before = serving_pods()
    _, previous = get_json(f"{NODEPORT}/health/ready")
    assert previous["status"] == "ready", previous
    previous_uri = template_model_uri()
    broken = register_without_model(mlflow)
    t0 = time.monotonic()
    with PodWatch() as watch:
        dag_run, _ = deploy(airflow, shims, mlflow, cluster, tmp_path, version=broken, rollout_timeout="60s")
    print(f"failed rollout of version {broken} and its undo by the DAG: {time.monotonic() - t0:.0f} s; "
          f"pods seen {watch.seen}")
    assert dag_run.state == "failed", explain(dag_run)
    assert dag_run.states == {"read_champion": "success", "build_push_image": "success", "roll_out": "success",
                              "rollout_status": "failed", "smoke_test": "upstream_failed", "rollback": "success",
                              "outcome": "failed"}, explain(dag_run)
    assert dag_run.xcoms["rollback"] == "rolled-back"
    assert "the Deployment was rolled back (kubectl rollout undo)" in dag_run.output
    broken_pods = {n: s for n, s in watch.seen.items() if s["model_uri"] == f"models:/{MODEL}/{broken}"}
    assert broken_pods and not any(s["ready"] for s in broken_pods.values()), watch.seen

    assert template_model_uri() == previous_uri
    after = serving_pods()
    # maxUnavailable 0: the previous pods served throughout, and they are the ones serving now
    assert set(after) == set(before) and all(p["ready"] for p in after.values()), (before, after)
    assert versions_served(after) == {name: previous for name in after}
    assert get_json(f"{NODEPORT}/health/ready") == (200, previous)
