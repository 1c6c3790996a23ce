"""Shared fixtures: a real MLflow tracking server on a free loopback port, and the jobs launcher."""
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


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """Starts `mlflow server` (SQLite backend, proxied artifacts); fails loudly if it cannot."""
    work = tmp_path_factory.mktemp("mlflow")
    port = _free_port()
    log = open(work / "server.log", "w")
    mlflow = Path(sys.executable).with_name("mlflow")
    proc = subprocess.Popen(
        [str(mlflow), "server", "--backend-store-uri", f"sqlite:///{work}/mlflow.db",
         "--artifacts-destination", str(work / "artifacts"), "--serve-artifacts",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"})
    uri = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(uri + "/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("MLflow server did not start:\n" + (work / "server.log").read_text()[-3000:])
            time.sleep(0.5)
    yield uri
    proc.terminate()
    proc.wait(timeout=30)


def run_job(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs a job through bin/health-predict (the jobs jar must be built: `make build`)."""
    if not (ROOT / "jobs" / "target" / "health-predict-jobs.jar").exists():
        raise RuntimeError("jobs jar not built; run `make build` first")
    return subprocess.run([str(JOBS), *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=900)
