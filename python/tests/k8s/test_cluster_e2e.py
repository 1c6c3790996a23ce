"""End to end on the single-node cluster built from source (scripts/cluster.sh): Spark jobs whose executors are
pods, submitted in client mode as the DAGs submit them and as a SparkApplication through the Spark operator, and
the serving pod loading a champion registered in an MLflow server on the host. Needs root, the Kubernetes binaries
(make cluster-tools), the Spark operator (make spark-operator), kustomize, the venv, the jobs jar and the two Jib
tars; takes minutes, so it runs only from `make test-k8s`, never from `make test` (which leaves this folder out).

Environment: SERVING_TAR, JOBS_TAR (default <module>/target/jib-image.tar).
"""
import contextlib
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.request

import pytest
import yaml

from cluster_support import (CLUSTER, JOBS, JOBS_TAR, KUBECONFIG, KUBECTL, KUSTOMIZE, ROOT, SAMPLE, SERVING_TAR,
                             SPARK_OPERATOR, image_of, kubectl, kubectl_json, mlflow, result_line, run,
                             started_cluster, train_and_register)  # noqa: F401,F811 (mlflow: a fixture)

NS = "health-predict-jobs"
# split of the sample, whatever the master: rows read, accepted, rejected, initial, future, excluded
SAMPLE_SPLIT = {"read": "4999", "accepted": "4999", "rejected": "0", "initial": "982", "future": "3926",
                "excluded": "91"}


@pytest.fixture(scope="module")
def cluster():
    assert (ROOT / "jobs" / "target" / "health-predict-jobs.jar").is_file(), "jobs jar missing: mvn package"
    assert SPARK_OPERATOR.exists(), f"{SPARK_OPERATOR} missing: make spark-operator"
    assert KUSTOMIZE.is_file(), f"{KUSTOMIZE} missing: make deploy-tools"
    with started_cluster(SERVING_TAR, JOBS_TAR):
        yield


@pytest.fixture(scope="module")
def spark_io(cluster):
    io = ROOT / ".cluster" / "spark-io" / f"test-{os.getpid()}"
    io.mkdir(parents=True)
    os.chmod(io, 0o1777)
    (io / "in.csv").write_bytes(SAMPLE.read_bytes())
    yield io
    shutil.rmtree(io)


@contextlib.contextmanager
def watched_pods():
    """Records each pod seen in the jobs namespace while the block runs (polled: this cluster refuses watches):
    name -> (phase, pod IP, spark-role label, service account)."""
    seen, done = {}, threading.Event()

    def watch():
        while not done.is_set():
            p = subprocess.run([str(KUBECTL), "--kubeconfig", str(KUBECONFIG), "-n", NS, "get", "pods", "-o", "json"],
                               capture_output=True, text=True)
            if p.returncode == 0:
                for pod in json.loads(p.stdout)["items"]:
                    seen[pod["metadata"]["name"]] = (pod["status"].get("phase"), pod["status"].get("podIP"),
                                                     pod["metadata"].get("labels", {}).get("spark-role"),
                                                     pod["spec"].get("serviceAccountName"))
            done.wait(2)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        yield seen
    finally:
        done.set()
        t.join()


def spark(job, *args, io, timeout=900):
    """Runs `cluster.sh spark` while recording the executor pods seen in the jobs namespace."""
    with watched_pods() as seen:
        p = run("nice", "-n", "19", CLUSTER, "spark", job, *args, timeout=timeout,
                env={"JOBS_TAR": str(JOBS_TAR), "SPARK_IO": str(io)})
    return p, seen


def assert_two_executor_pods(executors, seen):
    """Two executors ran as pods on the bridge under the project's service account."""
    assert len(executors) == 2, seen
    for name, (phase, ip, role, sa) in executors.items():
        assert role == "executor" and sa == "health-predict-spark", (name, role, sa)
        assert ip and ip.startswith("10.244.0."), (name, ip)


def test_split_runs_on_executor_pods(spark_io):
    t0 = time.monotonic()
    p, seen = spark("split", "--input", spark_io / "in.csv", "--output", spark_io / "split", io=spark_io)
    print(f"split on the cluster: {time.monotonic() - t0:.0f} s; pods {seen}")
    executors = {n: s for n, s in seen.items() if n.startswith("hp-split-exec-")}
    assert_two_executor_pods(executors, seen)
    # a poll may miss the Running phase of a short job; Succeeded (exit 0) means the pod ran too
    assert all(phase in ("Running", "Succeeded") for phase, *_ in executors.values()), executors
    r = result_line("split", p.stdout + p.stderr)
    assert {k: r[k] for k in SAMPLE_SPLIT} == SAMPLE_SPLIT, r
    out = spark_io / "split"
    assert not list(spark_io.glob("split.incomplete-*"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest, manifest
    for part in ("initial/train", "initial/validation", "initial/test", "future", "excluded"):
        assert list((out / part).rglob("*.parquet")), f"no parquet files in {out / part}"


def test_serving_pod_ready_with_the_champion_and_predicts(mlflow, spark_io):
    split = spark_io / "split"
    if not (split / "manifest.json").is_file():  # this test alone: split locally
        run(JOBS, "split", "--input", SAMPLE, "--output", split)
    t0 = time.monotonic()
    reg = train_and_register(mlflow, split)
    assert reg["decision"] == "PROMOTED" and reg["champion"] == reg["version"] == "1", reg
    print(f"train + register: {time.monotonic() - t0:.0f} s")

    t0 = time.monotonic()
    run(CLUSTER, "serving", SERVING_TAR, env={"MLFLOW_URI": mlflow}, timeout=600)
    kubectl("wait", "--for=condition=Ready", "pod/serving", "--timeout=300s", timeout=320)
    print(f"serving Ready: {time.monotonic() - t0:.0f} s after cluster.sh serving")
    logs = kubectl("logs", "serving").stdout
    assert "model loaded (startup): HealthPredict version none -> 1" in logs, logs

    pf = subprocess.Popen([str(KUBECTL), "--kubeconfig", str(KUBECONFIG), "port-forward", "pod/serving", ":8080"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = pf.stdout.readline()
        m = re.search(r"127\.0\.0\.1:(\d+) -> 8080", line)
        assert m, line
        base = f"http://127.0.0.1:{m.group(1)}"
        with urllib.request.urlopen(f"{base}/health/ready", timeout=10) as r:
            assert r.status == 200
            assert json.load(r) == {"status": "ready", "model": "HealthPredict", "version": "1"}
        body = (ROOT / "conf" / "examples" / "predict-request.json").read_bytes()
        req = urllib.request.Request(f"{base}/predict", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-API-Key": "demo-client-key"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200
            answer = json.load(r)
        assert 0.0 <= answer["probability"] <= 1.0, answer
        assert answer["label"] in (0, 1) and answer["readmitted_within_30_days"] == (answer["label"] == 1), answer
        assert answer["model"] == {"name": "HealthPredict", "version": "1"} and answer["variant"] == "champion"
    finally:
        pf.terminate()
        pf.wait(10)


def test_tune_runs_on_executor_pods(mlflow, spark_io):
    split = spark_io / "split"
    if not (split / "manifest.json").is_file():  # this test alone: split locally
        run(JOBS, "split", "--input", SAMPLE, "--output", split)
    t0 = time.monotonic()
    p, seen = spark("tune", "--data", split, "--space", ROOT / "jobs" / "src" / "test" / "resources" / "tiny-space.yaml",
                    "--max-trials", "4", "--tracking-uri", mlflow, io=spark_io, timeout=1200)
    print(f"tune on the cluster: {time.monotonic() - t0:.0f} s; pods {seen}")
    executors = {n: s for n, s in seen.items() if n.startswith("hp-tune-exec-")}
    assert len(executors) == 2 and all(s[2] == "executor" for s in executors.values()), seen
    r = result_line("tune", p.stdout + p.stderr)
    assert r["trials"] == "4" and int(r["completed"]) >= 1, r
    assert 0.0 <= float(r["test_roc_auc"]) <= 1.0, r
    with urllib.request.urlopen(f"{mlflow}/api/2.0/mlflow/runs/get?run_id={r['run']}", timeout=10) as resp:
        run_info = json.load(resp)["run"]["info"]
    assert run_info["status"] == "FINISHED", run_info


def split_application(io, image) -> list[dict]:
    """`kustomize build spark-operator` cut to the split application and what it needs (namespace, service account,
    RBAC, settings), for this cluster: its image, the input and output in the shared hostPath (Spark's own volume
    settings: the controller passes only spark-local-dir volumes, the rest is the webhook's), CPU requests that fit
    two cores, and no retries, so a failure shows at once."""
    built = [d for d in yaml.safe_load_all(run(KUSTOMIZE, "build", ROOT / "spark-operator").stdout) if d]
    kept = [d for d in built if d["kind"] not in ("SparkApplication", "ScheduledSparkApplication")
            or d["metadata"]["name"] == "health-predict-split"]
    app = next(d for d in kept if d["kind"] == "SparkApplication")
    spec = app["spec"]
    assert spec["arguments"][0] == "split" and spec["mode"] == "cluster", spec
    spec["image"] = image
    spec["arguments"] = ["split", "--input", str(io / "in.csv"), "--output", str(io / "split-operator")]
    spec["restartPolicy"] = {"type": "Never"}
    for role in ("driver", "executor"):
        spec[role].update(coreRequest="250m", memory="1g")
        spec["sparkConf"][f"spark.kubernetes.{role}.volumes.hostPath.io.mount.path"] = str(io)
        spec["sparkConf"][f"spark.kubernetes.{role}.volumes.hostPath.io.options.path"] = str(io)
    return kept


def test_split_application_runs_through_the_spark_operator(spark_io):
    """spark-operator/split.yaml through the Kubeflow Spark operator (built from the Go module proxy, started by
    `cluster.sh operator`): the controller submits it in cluster mode, the driver pod (the project's service account)
    asks the API server for executor pods through the `kubernetes` Service, and the application ends COMPLETED
    with the same split as in client mode."""
    t0 = time.monotonic()
    run(CLUSTER, "operator", timeout=180)
    kubectl("apply", "-f", "-", input=yaml.safe_dump_all(split_application(spark_io, image_of(JOBS_TAR))))
    state, deadline = None, time.monotonic() + 600
    try:
        with watched_pods() as seen:
            while state not in ("COMPLETED", "FAILED", "SUBMISSION_FAILED") and time.monotonic() < deadline:
                time.sleep(3)
                app = kubectl_json("-n", NS, "get", "sparkapplication", "health-predict-split")
                state = app.get("status", {}).get("applicationState", {}).get("state")
        print(f"split through the operator: {state} after {time.monotonic() - t0:.0f} s; pods {seen}")
        driver = app["status"]["driverInfo"]["podName"]
        log = kubectl("-n", NS, "logs", driver).stdout
        assert state == "COMPLETED", f"{app['status']}\n{log[-4000:]}"
    finally:
        kubectl("-n", NS, "delete", "sparkapplication", "health-predict-split", "--ignore-not-found", "--wait=true")
    assert seen[driver][2:] == ("driver", "health-predict-spark"), seen
    assert_two_executor_pods({n: s for n, s in seen.items() if s[2] == "executor"}, seen)
    r = result_line("split", log)
    assert {k: r[k] for k in SAMPLE_SPLIT} == SAMPLE_SPLIT, r
    assert json.loads((spark_io / "split-operator" / "manifest.json").read_text())
