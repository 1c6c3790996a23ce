"""A real Spark standalone cluster for the tests, shared by the whole session: a master and two one-core
workers on loopback, started from the venv's PySpark (`spark-class`, the same Spark version as the pom) by
scripts/spark-standalone.sh. The jobs reach it through `spark-submit --master spark://… --deploy-mode client`.

The session also shares the two jobs several tests start from, each submitted once to the cluster with its
event log: the sample's split, and a small sweep on it."""
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, _free_port
from dag_support import BIN

SCRIPT = ROOT / "scripts" / "spark-standalone.sh"
JAR = ROOT / "jobs" / "target" / "health-predict-jobs.jar"
SUBMIT_ENV = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PATH": f"{BIN}:{os.environ['PATH']}"}

# Smaller than the tiny space (18 boosting rounds of a depth-5 GBT on 5 folds are most of its Spark jobs),
# yet with the sweep's own boosting loop (GbtWarmStart: cached predictions chained tree by tree): the
# defaults of lr and gbt at full resource, in parallel, then a sampled trial at rung 0. (On 2 folds with lr
# capped at 6 iterations every trial of the sample was degenerate, and a sweep without a winner fails.)
SWEEP_SPACE = """families:
  lr:
    resource: {kind: iterations, param: maxIter, min: 2, max: 18}
    params:
      regParam: {loguniform: [1.0e-3, 1.0]}
      elasticNetParam: {uniform: [0.0, 1.0]}
  gbt:
    resource: {kind: iterations, param: maxIter, min: 2, max: 6}
    params:
      maxDepth: {int: [2, 3]}
      stepSize: {loguniform: [0.05, 0.3]}
"""


def java_flags() -> str:
    flags = [line.strip() for line in (ROOT / "bin/lib/java-flags.sh").read_text().splitlines()
             if line.strip().startswith("-")]
    return " ".join(flags + [f"-Dlog4j2.configurationFile={ROOT}/conf/log4j2.properties"])


@dataclass
class Cluster:
    """A running standalone cluster: its master URL, state directory and the script's environment."""
    master: str
    state: Path
    env: dict

    def script(self, *args: str) -> str:
        done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=self.env, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


@dataclass
class Submitted:
    """A job that ran on the cluster: what it wrote (`output`), its standard output and its event log folder."""
    output: Path
    stdout: str
    events: Path


@dataclass
class Sweep:
    """A sweep that ran on the cluster: its MLflow run, standard output, event log folder and the tune command
    (for a test to run the same sweep again)."""
    run_id: str
    stdout: str
    events: Path
    args: tuple[str, ...]


def submit_command(master: str, events: Path, *job: str, conf: tuple[str, ...] = ()) -> list[str]:
    """spark-submit of a job to the cluster in client mode, with an uncompressed event log in `events`."""
    flags = java_flags()
    return [str(BIN / "spark-submit"), "--master", master, "--deploy-mode", "client",
            "--class", "org.healthpredict.jobs.HealthPredictCli", "--name", f"health-predict-{job[0]}",
            "--driver-memory", "2g", "--executor-memory", "1g", "--total-executor-cores", "2",
            "--conf", f"spark.driver.extraJavaOptions={flags}", "--conf", f"spark.executor.extraJavaOptions={flags}",
            "--conf", "spark.eventLog.enabled=true", "--conf", f"spark.eventLog.dir={events.as_uri()}",
            "--conf", "spark.eventLog.compress=false", "--conf", "spark.ui.showConsoleProgress=false",
            "--conf", "spark.sql.shuffle.partitions=8", *[a for c in conf for a in ("--conf", c)], str(JAR), *job]


def submit(cluster: Cluster, events: Path, *job: str) -> str:
    """Runs a job on the cluster (its event log into the new folder `events`); its standard output."""
    events.mkdir()
    done = subprocess.run(submit_command(cluster.master, events, *job), cwd=ROOT, capture_output=True, text=True,
                          timeout=1200, env=SUBMIT_ENV)
    assert done.returncode == 0, f"{job[0]} failed on {cluster.master}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


def events_of(events: Path, app_name: str) -> list[dict]:
    """The event log of the one application named `app_name` in `events`."""
    for log in sorted(events.iterdir()):
        # Spark 4 writes an event log folder (eventlog_v2_<app>/events_<n>_<app>) or, without rolling, one file.
        parts = sorted(log.glob("events_*"), key=lambda f: int(f.name.split("_")[1])) if log.is_dir() else [log]
        lines = [json.loads(line) for part in parts for line in part.read_text().splitlines() if line.strip()]
        start = next(e for e in lines if e["Event"] == "SparkListenerApplicationStart")
        if start["App Name"] == app_name:
            return lines
    raise AssertionError(f"no event log of {app_name} in {events}")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    state = tmp_path_factory.mktemp("spark-standalone")
    env = {**os.environ, "SPARK_STANDALONE_DIR": str(state), "SPARK_MASTER_PORT": str(_free_port()),
           "SPARK_MASTER_WEBUI_PORT": str(_free_port()), "SPARK_WORKERS": "2", "SPARK_WORKER_CORES": "1",
           "SPARK_WORKER_MEMORY": "1536m", "VENV": str(BIN.parent)}
    started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, env=env, timeout=300)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        master = started.stdout.strip().splitlines()[-1]
        assert master.startswith("spark://127.0.0.1:"), started.stdout
        yield Cluster(master, state, env)
    finally:
        subprocess.run([str(SCRIPT), "stop"], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture(scope="session")
def cluster_split(cluster, tmp_path_factory) -> Submitted:
    """The sample split on the cluster with nothing disturbed."""
    work = tmp_path_factory.mktemp("cluster-split")
    out = submit(cluster, work / "events", "split", "--input", str(SAMPLE), "--output", str(work / "split"))
    return Submitted(work / "split", out, work / "events")


@pytest.fixture(scope="session")
def cluster_sweep(cluster, cluster_split, mlflow_server, tmp_path_factory) -> Sweep:
    """Three trials of SWEEP_SPACE on the split, two at a time, tracked in the session's MLflow."""
    work = tmp_path_factory.mktemp("cluster-sweep")
    space = work / "space.yaml"
    space.write_text(SWEEP_SPACE)
    args = ("tune", "--data", str(cluster_split.output), "--space", str(space), "--max-trials", "3", "--folds", "3",
            "--max-concurrent", "2", "--tracking-uri", mlflow_server, "--experiment", "spark-cluster")
    out = submit(cluster, work / "events", *args, "--run-name", "undisturbed")
    run = re.search(r"^tune: OK run=([0-9a-f]{32}) trials=3 ", out, re.M)
    assert run, out[-3000:]
    return Sweep(run.group(1), out, work / "events", args)
