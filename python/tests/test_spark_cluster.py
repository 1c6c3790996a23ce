"""The jobs on a real Spark standalone cluster: a master and two workers on loopback, started from the
venv's PySpark (`spark-class`, the same Spark version as the pom) by scripts/spark-standalone.sh, and
split → tune → register submitted with `spark-submit --master spark://… --deploy-mode client`.

Nothing may depend on local mode: the event logs prove that tasks ran in two executors on two workers
(closures and the jar's classes travelled to them), and that the sweep's trials ran in their own FAIR
pools at the same time, sharing the executors."""
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from mlflow import MlflowClient

from conftest import ROOT, SAMPLE, _free_port
from dag_support import BIN, TINY_SPACE

SCRIPT = ROOT / "scripts" / "spark-standalone.sh"
JAR = ROOT / "jobs" / "target" / "health-predict-jobs.jar"


def _java_flags() -> str:
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


@pytest.fixture(scope="module")
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


def submit_command(master: str, events: Path, *job: str, conf: tuple[str, ...] = ()) -> list[str]:
    """spark-submit of a job to the cluster in client mode, with an uncompressed event log in `events`."""
    flags = _java_flags()
    return [str(BIN / "spark-submit"), "--master", master, "--deploy-mode", "client",
            "--class", "org.healthpredict.jobs.HealthPredictCli", "--name", f"health-predict-{job[0]}",
            "--driver-memory", "2g", "--executor-memory", "1g", "--total-executor-cores", "2",
            "--conf", f"spark.driver.extraJavaOptions={flags}", "--conf", f"spark.executor.extraJavaOptions={flags}",
            "--conf", "spark.eventLog.enabled=true", "--conf", f"spark.eventLog.dir={events.as_uri()}",
            "--conf", "spark.eventLog.compress=false", "--conf", "spark.ui.showConsoleProgress=false",
            "--conf", "spark.sql.shuffle.partitions=8", *[a for c in conf for a in ("--conf", c)], str(JAR), *job]


SUBMIT_ENV = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PATH": f"{BIN}:{os.environ['PATH']}"}


def _submit(master: str, events: Path, *job: str) -> subprocess.CompletedProcess:
    done = subprocess.run(submit_command(master, events, *job), cwd=ROOT, capture_output=True, text=True,
                          timeout=1200, env=SUBMIT_ENV)
    assert done.returncode == 0, f"{job[0]} failed on {master}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done


def _events(events: Path, app_name: str) -> list[dict]:
    """The event log of the one application named `app_name` in `events`."""
    for log in sorted(events.iterdir()):
        # Spark 4 writes an event log folder (eventlog_v2_<app>/events_<n>_<app>) or, without rolling, one file.
        parts = sorted(log.glob("events_*"), key=lambda f: int(f.name.split("_")[1])) if log.is_dir() else [log]
        lines = [json.loads(line) for part in parts for line in part.read_text().splitlines() if line.strip()]
        start = next(e for e in lines if e["Event"] == "SparkListenerApplicationStart")
        if start["App Name"] == app_name:
            return lines
    raise AssertionError(f"no event log of {app_name} in {events}")


def test_split_tune_register_run_on_a_standalone_cluster(cluster, mlflow_server, tmp_path):
    master = cluster.master
    events = tmp_path / "events"
    events.mkdir()
    split = tmp_path / "split"

    out = _submit(master, events, "split", "--input", str(SAMPLE), "--output", str(split)).stdout
    assert "split: OK read=4999 " in out
    assert json.loads((split / "manifest.json").read_text())["counts"]["initial"] > 0

    out = _submit(master, events, "tune", "--data", str(split), "--space", str(ROOT / TINY_SPACE),
                  "--max-trials", "4", "--max-concurrent", "2", "--tracking-uri", mlflow_server,
                  "--experiment", "spark-cluster").stdout
    run = re.search(r"^tune: OK run=([0-9a-f]{32}) trials=4 ", out, re.M)
    assert run, out[-3000:]

    # The cluster wiring is under test, not model quality: no baseline, no chance floors.
    out = _submit(master, events, "register", "--run", run.group(1), "--name", "HealthPredictCluster",
                  "--baseline", "none", "--no-chance-floors", "--tracking-uri", mlflow_server).stdout
    assert re.search(r"^register: OK name=HealthPredictCluster version=1 decision=PROMOTED champion=1 ", out, re.M), out
    client = MlflowClient(tracking_uri=mlflow_server)
    assert client.get_model_version_by_alias("HealthPredictCluster", "champion").run_id == run.group(1)

    # The sweep ran on the cluster's executors, not in the driver.
    tune = _events(events, "health-predict-tune")
    start = next(e for e in tune if e["Event"] == "SparkListenerEnvironmentUpdate")
    assert start["Spark Properties"]["spark.master"] == master
    executors = {e["Executor ID"]: e["Executor Info"] for e in tune if e["Event"] == "SparkListenerExecutorAdded"}
    assert len(executors) >= 2, executors
    workers = {info["Log Urls"]["stdout"].split("/logPage")[0] for info in executors.values()}
    assert len(workers) >= 2, f"executors on {len(workers)} worker(s): {workers}"

    pools = {e["Job ID"]: e["Properties"].get("spark.scheduler.pool") for e in tune
             if e["Event"] == "SparkListenerJobStart"}
    stage_pool = {s["Stage ID"]: pools[e["Job ID"]] for e in tune if e["Event"] == "SparkListenerJobStart"
                  for s in e["Stage Infos"]}
    trial_tasks = [(stage_pool.get(e["Stage ID"]), e["Task Info"]["Executor ID"]) for e in tune
                   if e["Event"] == "SparkListenerTaskEnd" and e["Task End Reason"]["Reason"] == "Success"
                   and str(stage_pool.get(e["Stage ID"])).startswith("trial-")]
    assert len({pool for pool, _ in trial_tasks}) >= 2, "trials ran in their own FAIR pools"
    assert len({executor for _, executor in trial_tasks}) >= 2, "trial tasks ran on both executors"

    # Two trials' jobs were running at the same time (FAIR pools sharing the executors).
    spans = {}
    for e in tune:
        if e["Event"] == "SparkListenerJobStart" and str(pools[e["Job ID"]]).startswith("trial-"):
            spans[e["Job ID"]] = [pools[e["Job ID"]], e["Submission Time"], None]
        elif e["Event"] == "SparkListenerJobEnd" and e["Job ID"] in spans:
            spans[e["Job ID"]][2] = e["Completion Time"]
    overlapping = [(a, b) for a in spans.values() for b in spans.values()
                   if a[0] != b[0] and a[2] and b[2] and a[1] < b[2] and b[1] < a[2]]
    assert overlapping, "no two trials' jobs overlapped in time"
