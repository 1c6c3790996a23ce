"""What the cluster tests share: running commands with their output in the failure message, the cluster's kubectl,
starting and stopping the cluster (scripts/cluster.sh) and an MLflow server on the pod bridge's gateway."""
import contextlib
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import JOBS, ROOT, SAMPLE, _free_port  # noqa: F401 (SAMPLE: for the test modules)

CLUSTER = ROOT / "scripts" / "cluster.sh"
KUBECTL = ROOT / ".tools" / "bin" / "kubectl-v1.34.4"
KUBECONFIG = ROOT / ".cluster" / "kubeconfig"
KUSTOMIZE = ROOT / ".tools" / "bin" / "kustomize"
SPARK_OPERATOR = ROOT / ".tools" / "bin" / "spark-operator"
GATEWAY = "10.244.0.1"  # the pod bridge's address on the host: pods reach the host here
SERVING_TAR = Path(os.environ.get("SERVING_TAR", ROOT / "serving" / "target" / "jib-image.tar"))
JOBS_TAR = Path(os.environ.get("JOBS_TAR", ROOT / "jobs" / "target" / "jib-image.tar"))


def run(*cmd, timeout=900, env=None, **kw) -> subprocess.CompletedProcess:
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})}, **kw)
    assert p.returncode == 0, \
        f"{cmd[:3]} exited {p.returncode}\nstdout:\n{p.stdout[-4000:]}\nstderr:\n{p.stderr[-4000:]}"
    return p


def kubectl(*args, **kw) -> subprocess.CompletedProcess:
    return run(KUBECTL, "--kubeconfig", KUBECONFIG, *args, **kw)


def kubectl_json(*args) -> dict:
    return json.loads(kubectl(*args, "-o", "json").stdout)


def result_line(job, text) -> dict:
    """The key=value fields of a jobs command's `<job>: OK ...` line."""
    m = re.search(rf"^{job}: OK (.*)$", text, re.M)
    assert m, f"no '{job}: OK' line in:\n{text[-3000:]}"
    return dict(kv.split("=", 1) for kv in m.group(1).split())


def image_of(tar: Path) -> str:
    """The reference a Jib tar is tagged with, as containerd names it after an import (docker.io/...)."""
    manifest = json.loads(run("tar", "-xOf", tar, "manifest.json").stdout)
    tag = manifest[0]["RepoTags"][0]
    return tag if tag.count("/") >= 2 else f"docker.io/{tag}"


# kernel settings the kubelet and kube-proxy change while the cluster runs; `down` puts them back
SYSCTLS = ("vm.overcommit_memory", "kernel.panic", "kernel.panic_on_oops", "net.ipv4.ip_forward",
           "net.ipv4.conf.all.route_localnet")


def sysctls() -> dict[str, str]:
    return {k: run("sysctl", "-n", k).stdout.strip() for k in SYSCTLS}


def leftovers(sysctls_before: dict[str, str]) -> list[str]:
    """What a stopped cluster must not leave: iptables rules of the kubelet or kube-proxy, the bridge, mounts or
    processes of .cluster, changed kernel settings."""
    found = []
    for save in ("iptables-save", "ip6tables-save"):
        rules = [line for line in run(save).stdout.splitlines() if "KUBE-" in line]
        found += [f"{save}: {line}" for line in rules]
    if subprocess.run(["ip", "link", "show", "hp-cni0"], capture_output=True).returncode == 0:
        found.append("bridge hp-cni0")
    state = str(ROOT / ".cluster") + "/"
    found += [f"mount {m}" for m in run("findmnt", "-rn", "-o", "TARGET").stdout.splitlines() if m.startswith(state)]
    found += [f"pid file {p.name}" for p in (ROOT / ".cluster" / "run").glob("*.pid")]
    after = sysctls()
    found += [f"{k}={after[k]} (was {v})" for k, v in sysctls_before.items() if after[k] != v]
    return found


@contextlib.contextmanager
def started_cluster(*tars: Path):
    """cluster.sh up (with the pod bridge and its gateway address, where the API server, MLflow and the client-mode
    Spark driver listen), a first pod, the image tars imported; afterwards, whatever happened, `cluster.sh down` and
    a check that it left nothing behind."""
    for f in (*tars, KUBECTL):
        assert f.is_file(), f"{f} missing (make images JIB_GOAL=buildTar or make images-test, make cluster-tools)"
    before = sysctls()
    t0 = time.monotonic()
    try:
        run("nice", "-n", "19", CLUSTER, "up", timeout=300)
        run(CLUSTER, "smoke", timeout=300)
        if tars:
            run(CLUSTER, "import", *tars, timeout=600)
        print(f"cluster up, smoke, imports: {time.monotonic() - t0:.0f} s")
        yield
    finally:
        t0 = time.monotonic()
        down = subprocess.run([str(CLUSTER), "down"], capture_output=True, text=True, timeout=300)
        print(f"cluster down: {time.monotonic() - t0:.0f} s")
        left = leftovers(before)
        assert down.returncode == 0 and not left, \
            f"cluster.sh down exited {down.returncode}, left {left}\n{down.stderr}"


@contextlib.contextmanager
def mlflow_on_gateway(state: Path):
    """scripts/mlflow-server.sh on the bridge's gateway (pods and this host reach it) with its state in `state`;
    yields its URI."""
    env = {"MLFLOW_HOST": GATEWAY, "MLFLOW_PORT": str(_free_port()), "MLFLOW_STATE": str(state)}
    run(ROOT / "scripts" / "mlflow-server.sh", "start", env=env, timeout=180)
    try:
        yield f"http://{GATEWAY}:{env['MLFLOW_PORT']}"
    finally:
        subprocess.run([str(ROOT / "scripts" / "mlflow-server.sh"), "stop"], env={**os.environ, **env})


@pytest.fixture(scope="module")
def mlflow(cluster, tmp_path_factory):
    """MLflow on the gateway for the module, started once its `cluster` fixture has the bridge up."""
    with mlflow_on_gateway(tmp_path_factory.mktemp("mlflow")) as uri:
        yield uri


def train_and_register(mlflow: str, split: Path, name: str = "HealthPredict") -> dict:
    """A cheap model version: LR trained on the split, registered without the baseline and the chance floors (LR on
    the sample's 681 training rows is near chance; these tests are about the mechanics, not the model)."""
    env = {"MLFLOW_TRACKING_URI": mlflow, "HP_DRIVER_MEMORY": "2g"}
    p = run("nice", "-n", "19", JOBS, "train", "--model", "LR", "--data", split, env=env)
    train = result_line("train", p.stdout + p.stderr)
    p = run("nice", "-n", "19", JOBS, "register", "--run", train["run"], "--name", name,
            "--baseline", "none", "--no-chance-floors", env=env)
    return result_line("register", p.stdout + p.stderr)


def get_json(url: str, timeout: float = 10, headers: dict | None = None, data: bytes | None = None):
    """(status, JSON body) of a GET, or a POST when data is given; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")
