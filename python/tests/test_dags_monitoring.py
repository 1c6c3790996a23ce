"""health_predict_monitoring_retraining end to end, with real Airflow, spark-submit and MLflow.

The future slice is made for the test (dag_support.drifted_future): one batch resampled from the
reference (no drift), then one batch with drift injected into every feature. The DAG runs once per
batch: batch 1 ends at no_drift (and its next_batch task, run again as a retry would, gets batch 1
again without moving the cursor), batch 2 finds DRIFT_DETECTED and triggers health_predict_training
with the split and both batches, and a third run finds NO_MORE_DATA.

`airflow dags test` runs one DAG without a scheduler, so the triggered training run stays queued in
the metadata DB; the test then plays the scheduler: it runs the training DAG for that queued run's
logical date and conf (`dags test` replaces the queued run with the one it executes) and checks that
the sweep trained on the accumulated data."""
import json

import pyarrow.parquet as pq
from mlflow import MlflowClient

from dag_support import MECHANICS_ONLY, MODEL, TINY_SPACE, drifted_future

BATCH = 600


def _ids(path):
    return pq.read_table(path, columns=["encounter_id"]).column("encounter_id").to_pylist()


def test_monitoring_finds_injected_drift_retrains_on_accumulated_batches_then_runs_out(airflow, trained, tmp_path):
    assert trained.run.state == "success", "the training DAG must have produced a split and a champion"
    future = drifted_future(trained.split, tmp_path / "future", clean=BATCH, drifted=BATCH)
    batches = tmp_path / "batches"
    conf = {"split_uri": str(trained.split), "future": str(future), "batches": str(batches),
            "reports": str(tmp_path / "drift"), "batch_size": BATCH,
            "training_params": {"space": TINY_SPACE, "max_trials": 3, "model_name": MODEL, **MECHANICS_ONLY,
                                "experiment": "airflow-retraining-e2e"}}
    variables = {"health_predict_mlflow_uri": trained.mlflow, "health_predict_data_root": tmp_path / "root"}
    dag = "health_predict_monitoring_retraining"

    first = airflow.dags_test(dag, conf, variables=variables)
    assert first.state == "success", f"{first}\n{first.output[-6000:]}"
    assert first.xcoms["next_batch"]["fields"]["batch"] == "1"
    assert first.xcoms["drift_check"]["status"] == "NO_DRIFT", first.xcoms["drift_check"]
    assert first.states == {"plan": "success", "next_batch": "success", "check_more_data": "success",
                            "drift_check": "success", "check_drift": "success", "no_drift": "success",
                            "no_more_data": "skipped", "training_data": "skipped", "trigger_retraining": "skipped"}
    assert airflow.runs("health_predict_training")[-1]["run_id"] == trained.run.run_id, "nothing triggered yet"

    # Airflow retries next_batch of that run after the job had succeeded: the run's batch again, the cursor
    # recorded it once (under the run id) and stays at batch 1, so the next run still gets batch 2.
    cursor = json.loads((batches / "cursor.json").read_text())
    assert [(b["id"], b["key"]) for b in cursor["batches"]] == [(1, first.run_id)]
    rows = _ids(batches / "batch-00001")
    retried = airflow.task_test(first, "next_batch", variables=variables)
    assert retried.states["next_batch"] == "success"
    assert retried.xcoms["next_batch"]["fields"] == {**first.xcoms["next_batch"]["fields"], "again": "true"}
    assert json.loads((batches / "cursor.json").read_text()) == cursor
    assert _ids(batches / "batch-00001") == rows

    second = airflow.dags_test(dag, conf, variables=variables)
    assert second.state == "success", f"{second}\n{second.output[-6000:]}"
    assert second.xcoms["next_batch"]["fields"]["batch"] == "2"
    assert second.xcoms["drift_check"]["status"] == "DRIFT_DETECTED", second.xcoms["drift_check"]
    assert (tmp_path / "drift" / "batch-00002" / "report.html").exists()
    assert second.states["no_drift"] == "skipped" and second.states["trigger_retraining"] == "success"
    accumulated = [str(batches / "batch-00001"), str(batches / "batch-00002")]
    triggered = airflow.runs("health_predict_training")[-1]
    assert triggered["state"] == "queued" and triggered["run_id"] != trained.run.run_id
    assert triggered["conf"] == {**conf["training_params"], "run_split": False, "split_uri": str(trained.split),
                                 "extra_data": accumulated}

    third = airflow.dags_test(dag, conf, variables=variables)
    assert third.state == "success", f"{third}\n{third.output[-6000:]}"
    assert third.xcoms["next_batch"]["status"] == "NO_MORE_DATA"
    assert third.states["no_more_data"] == "success"
    assert {third.states[t] for t in ["drift_check", "check_drift", "no_drift", "training_data",
                                      "trigger_retraining"]} == {"skipped"}

    # The scheduler's part: run the queued training run (same logical date, same conf).
    logical_date = str(triggered["logical_date"]).replace(" ", "T")
    retraining = airflow.dags_test("health_predict_training", triggered["conf"], variables=variables,
                                   logical_date=logical_date if "+" in logical_date else logical_date + "+00:00")
    assert retraining.state == "success", f"{retraining}\n{retraining.output[-6000:]}"
    assert retraining.states["split"] == "skipped" and retraining.states["reuse_split"] == "success"
    assert [r["conf"] for r in airflow.runs("health_predict_training")][-1] == triggered["conf"]
    sweep = MlflowClient(tracking_uri=trained.mlflow).get_run(retraining.xcoms["tune"]["fields"]["run"])
    assert sweep.data.params["data"] == str(trained.split)
    assert sweep.data.params["extra_train_data"] == ",".join(accumulated), "trained on reference + both batches"
    register = retraining.xcoms["register"]["fields"]
    assert register["name"] == MODEL and int(register["version"]) == int(trained.version) + 1
    assert register["decision"] in {"PROMOTED", "REJECTED"}, "gated against the champion"
