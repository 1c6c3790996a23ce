"""Real Airflow for the DAG tests: one AIRFLOW_HOME (SQLite metadata DB) per session, DAG runs with
`airflow dags test` (the DAG's tasks run in-process, as the scheduler would run them, without a scheduler
or an executor), and the run's task states, XComs and triggered runs read back from the metadata DB.

Fixtures registered in conftest.py: `airflow` (the session's Airflow home) and `trained` (one run of
health_predict_training on the sample, shared by the tests that need a split and a champion)."""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
BIN = Path(sys.executable).parent
# The DAG tests check the wiring (tasks, XComs, aliases), not model quality: the tiny sweep's model is
# gated against the champion only, without the untuned baseline and the chance floors.
MECHANICS_ONLY = {"baseline": "none", "chance_floors": False}
TINY_SPACE = "jobs/src/test/resources/tiny-space.yaml"
MODEL = "HealthPredictAirflow"


@dataclass
class DagRun:
    """One finished `airflow dags test` run, read back from the metadata DB."""
    dag_id: str
    run_id: str
    state: str
    states: dict[str, str]
    xcoms: dict[str, object]
    output: str = field(repr=False)

    def __str__(self) -> str:
        return f"{self.dag_id} {self.run_id}: {self.state} {self.states}"


class Airflow:
    """An Airflow home with a migrated SQLite DB and the project's DAG folder."""

    def __init__(self, home: Path):
        self.home = home
        self.db = home / "airflow.db"
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db}",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "false",
            # spark-submit (PySpark's, same Spark as the pom) and airflow come from this venv.
            "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
            "SPARK_LOCAL_IP": "127.0.0.1",
        }

    def cli(self, *args: str, env: dict | None = None, timeout: int = 1200) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "airflow"), *args], cwd=ROOT, capture_output=True, text=True,
                              env={**self.env, **(env or {})}, timeout=timeout)

    def dags_test(self, dag_id: str, conf: dict | None = None, *, variables: dict | None = None,
                  env: dict | None = None, logical_date: str | None = None, timeout: int = 1500) -> DagRun:
        """Runs `airflow dags test` and returns the run's task states and XComs (any run state)."""
        extra = {f"AIRFLOW_VAR_{k.upper()}": str(v) for k, v in (variables or {}).items()}
        args = ["dags", "test", dag_id] + ([logical_date] if logical_date else []) + ["-c", json.dumps(conf or {})]
        started = time.monotonic()
        done = self.cli(*args, env={**extra, **(env or {})}, timeout=timeout)
        output = done.stdout + done.stderr
        finished = re.findall(rf"DagRun Finished: dag_id={dag_id}, logical_date=[^,]*, run_id=([^,]+),.*?state=(\w+)",
                              output)
        if not finished:
            raise AssertionError(f"`airflow {' '.join(args)}` ended (exit {done.returncode}) without finishing a run:\n"
                                 + output[-6000:])
        run_id, state = finished[-1]
        run = DagRun(dag_id, run_id, state, self.task_states(dag_id, run_id), self.xcoms(dag_id, run_id), output)
        print(f"{run} in {time.monotonic() - started:.0f} s")
        return run

    def task_test(self, run: DagRun, task_id: str, *, variables: dict | None = None, timeout: int = 900) -> DagRun:
        """Runs one task of a finished DAG run again, as a retry or a cleared task does: `airflow tasks test`
        with the run's id runs that task instance in-process with the same templates, run id and upstream
        XComs, and records its state and XCom. Returns the run as read back afterwards."""
        extra = {f"AIRFLOW_VAR_{k.upper()}": str(v) for k, v in (variables or {}).items()}
        started = time.monotonic()
        done = self.cli("tasks", "test", run.dag_id, task_id, run.run_id, env=extra, timeout=timeout)
        output = done.stdout + done.stderr
        if done.returncode != 0:
            raise AssertionError(f"`airflow tasks test {run.dag_id} {task_id} {run.run_id}` failed "
                                 f"(exit {done.returncode}):\n" + output[-6000:])
        again = DagRun(run.dag_id, run.run_id, run.state, self.task_states(run.dag_id, run.run_id),
                       self.xcoms(run.dag_id, run.run_id), output)
        print(f"{task_id} of {run.run_id} again: {again.states[task_id]} in {time.monotonic() - started:.0f} s")
        return again

    def _query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db) as db:
            return db.execute(sql, params).fetchall()

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        return dict(self._query("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
                                dag_id, run_id))

    def xcoms(self, dag_id: str, run_id: str) -> dict[str, object]:
        """Return values by task id; other keys as '<task>.<key>'."""
        rows = self._query("SELECT task_id, key, value FROM xcom WHERE dag_id = ? AND run_id = ?", dag_id, run_id)
        out = {}
        for task, key, value in rows:
            decoded = json.loads(value) if isinstance(value, (str, bytes)) else value
            out[task if key == "return_value" else f"{task}.{key}"] = decoded
        return out

    def runs(self, dag_id: str) -> list[dict]:
        rows = self._query("SELECT run_id, state, conf, logical_date, triggered_by FROM dag_run WHERE dag_id = ? "
                           "ORDER BY id", dag_id)
        return [{"run_id": r, "state": s, "conf": json.loads(c) if isinstance(c, (str, bytes)) and c else c,
                 "logical_date": d, "triggered_by": t} for r, s, c, d, t in rows]


def make_airflow(home: Path) -> Airflow:
    airflow = Airflow(home)
    done = airflow.cli("db", "migrate", timeout=300)
    if done.returncode != 0:
        raise RuntimeError("airflow db migrate failed:\n" + (done.stdout + done.stderr)[-4000:])
    return airflow


@pytest.fixture(scope="session")
def airflow(tmp_path_factory) -> Airflow:
    """A real Airflow (from the venv) with the project's DAGs; fails loudly if it cannot start."""
    if not (ROOT / "jobs" / "target" / "health-predict-jobs.jar").exists():
        raise RuntimeError("jobs jar not built; run `make build` first")
    if not (BIN / "spark-submit").exists():
        raise RuntimeError(f"spark-submit not found in {BIN}: pyspark must be installed in the venv (make venv)")
    return make_airflow(tmp_path_factory.mktemp("airflow-home"))


@dataclass
class Trained:
    """The session's run of health_predict_training: its data root, split and registered champion."""
    run: DagRun
    data_root: Path
    split: Path
    mlflow: str
    version: str


@pytest.fixture(scope="session")
def trained(airflow, mlflow_server, tmp_path_factory) -> Trained:
    """health_predict_training end to end on the bundled sample: split → 4-trial sweep → register."""
    data_root = tmp_path_factory.mktemp("airflow-data")
    run = airflow.dags_test(
        "health_predict_training",
        {"space": TINY_SPACE, "max_trials": 4, "max_concurrent": 2, "model_name": MODEL, **MECHANICS_ONLY,
         "experiment": "airflow-training-e2e", "deploy": False},
        variables={"health_predict_mlflow_uri": mlflow_server, "health_predict_data_root": data_root})
    version = (run.xcoms.get("register") or {}).get("fields", {}).get("version", "")
    return Trained(run, data_root, data_root / "split", mlflow_server, version)


def drifted_future(split: Path, out: Path, clean: int, drifted: int, seed: int = 7) -> Path:
    """A future slice for the monitoring DAG: `clean` encounters resampled from the reference (the split's
    initial/train: no drift), then `drifted` more with drift injected into every feature column (integers
    x → 3x + 5, categories moved to the next value in sorted order). Encounter ids rise past the split's
    future, in this order, so next-batch cuts the clean rows first."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    reference = pq.read_table(split / "initial" / "train")
    rng = random.Random(seed)
    picked = reference.take(pa.array([rng.randrange(reference.num_rows) for _ in range(clean + drifted)]))
    first_id = pc.max(pq.read_table(split / "future", columns=["encounter_id"])["encounter_id"]).as_py() + 1
    columns = {}
    for name in picked.column_names:
        column = picked[name].combine_chunks()
        if name == "encounter_id":
            column = pa.array(range(first_id, first_id + picked.num_rows), pa.int64())
        elif name not in ("patient_nbr", "readmitted", "readmitted_binary"):
            values = column.to_pylist()
            if pa.types.is_integer(column.type):
                shifted = [None if v is None else v * 3 + 5 for v in values[clean:]]
            else:
                ordered = sorted({v for v in values if v is not None})
                following = {v: ordered[(i + 1) % len(ordered)] for i, v in enumerate(ordered)}
                shifted = [None if v is None else following[v] for v in values[clean:]]
            column = pa.array(values[:clean] + shifted, column.type)
        columns[name] = column
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pq.write_table(pa.table(columns, schema=picked.schema), out / "part-00000.parquet")
    return out
