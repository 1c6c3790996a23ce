"""Shared fixtures: a real MLflow tracking server on a free loopback port, and the jobs launcher."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Session fixtures of the DAG tests (a real Airflow home; one training DAG run shared by several tests).
from dag_support import airflow, trained  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[2]
JOBS = ROOT / "bin" / "health-predict"
SAMPLE = ROOT / "data" / "sample" / "diabetic_data_sample.csv"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MlflowProcess:
    """A real `mlflow server` (SQLite backend, proxied artifacts) on a loopback port, which a test can stop
    and start again with the same port and data, as an upgrade or a rescheduled pod would."""

    def __init__(self, work: Path):
        self.work = work
        self.port = _free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self) -> "MlflowProcess":
        log = open(self.work / "server.log", "a")
        mlflow = Path(sys.executable).with_name("mlflow")
        self.proc = subprocess.Popen(
            [str(mlflow), "server", "--backend-store-uri", f"sqlite:///{self.work}/mlflow.db",
             "--artifacts-destination", str(self.work / "artifacts"), "--serve-artifacts",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"})
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(self.uri + "/health", timeout=2)
                return self
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError("MLflow server did not start:\n" + (self.work / "server.log").read_text()[-3000:])
                time.sleep(0.5)

    def stop(self) -> None:
        """Stops the server and its workers (the whole process group), so the port is free at once."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(timeout=30)
        self.proc = None


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """Starts `mlflow server` for the whole session; fails loudly if it cannot."""
    server = MlflowProcess(tmp_path_factory.mktemp("mlflow")).start()
    yield server.uri
    server.stop()


def run_job(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs a job through bin/health-predict (the jobs jar must be built: `make build`)."""
    if not (ROOT / "jobs" / "target" / "health-predict-jobs.jar").exists():
        raise RuntimeError("jobs jar not built; run `make build` first")
    return subprocess.run([str(JOBS), *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=900)


def audit_entries(client, model: str) -> list[dict]:
    """The model's registry audit log (`register`, `approve`, `rollback` decisions), oldest first; [] if none."""
    experiment = client.get_experiment_by_name("health-predict-registry")
    runs = [] if experiment is None else client.search_runs(
        [experiment.experiment_id], f"tags.`health_predict.audit_model` = '{model}'", order_by=["attributes.start_time ASC"])
    if not runs:
        return []
    with open(client.download_artifacts(runs[0].info.run_id, f"audit/{model}.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


# Session fixtures of the standalone-cluster tests (they take ROOT, SAMPLE and _free_port from above).
from spark_cluster_support import cluster, cluster_split, cluster_sweep  # noqa: E402,F401
