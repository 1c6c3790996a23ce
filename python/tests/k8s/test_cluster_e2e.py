"""End to end on the single-node cluster built from source (scripts/cluster.sh): a Spark job whose executors are
pods, and the serving pod loading a champion registered in an MLflow server on the host. Needs root, the
Kubernetes binaries (make cluster-tools), the venv, the jobs jar and the two Jib tars; takes minutes, so it runs
only from `make test-k8s`, never from `make test` (which leaves this folder out).

Environment: SERVING_TAR, JOBS_TAR (default <module>/target/jib-image.tar).
"""
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.request

import pytest

from cluster_support import (CLUSTER, JOBS, JOBS_TAR, KUBECONFIG, KUBECTL, ROOT, SAMPLE, SERVING_TAR, kubectl,
                             mlflow, result_line, run, started_cluster, train_and_register)  # noqa: F401,F811 (mlflow: a fixture)

NS = "health-predict-jobs"


@pytest.fixture(scope="module")
def cluster():
    assert (ROOT / "jobs" / "target" / "health-predict-jobs.jar").is_file(), "jobs jar missing: mvn package"
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


def spark(job, *args, io, timeout=900):
    """Runs `cluster.sh spark` while recording the executor pods seen in the jobs namespace."""
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
        p = run("nice", "-n", "19", CLUSTER, "spark", job, *args, timeout=timeout,
                env={"JOBS_TAR": str(JOBS_TAR), "SPARK_IO": str(io)})
    finally:
        done.set()
        t.join()
    return p, seen


def test_split_runs_on_executor_pods(spark_io):
    t0 = time.monotonic()
    p, seen = spark("split", "--input", spark_io / "in.csv", "--output", spark_io / "split", io=spark_io)
    print(f"split on the cluster: {time.monotonic() - t0:.0f} s; pods {seen}")
    executors = {n: s for n, s in seen.items() if n.startswith("hp-split-exec-")}
    assert len(executors) == 2, seen
    for name, (phase, ip, role, sa) in executors.items():
        assert role == "executor" and sa == "health-predict-spark", (name, role, sa)
        assert ip and ip.startswith("10.244.0."), (name, ip)
    assert any(phase == "Running" for phase, *_ in executors.values()), executors
    r = result_line("split", p.stdout + p.stderr)
    assert (r["read"], r["accepted"], r["rejected"], r["initial"], r["future"], r["excluded"]) == \
        ("4999", "4999", "0", "982", "3926", "91"), r
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
