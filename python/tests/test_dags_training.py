"""`airflow dags test health_predict_training` end to end on the bundled sample: real Airflow, every Spark
step a spark-submit of the jobs jar in local mode (no spark_default connection: the DAG's local default),
a real MLflow server; the run ends with a registered champion version."""
import json

from mlflow import MlflowClient

from conftest import audit_entries
from dag_support import MODEL, TINY_SPACE


def test_training_dag_splits_tunes_and_registers_a_champion(trained):
    run = trained.run
    assert run.state == "success", f"{run}\n{run.output[-6000:]}"
    assert run.states == {
        "plan": "success", "choose_split": "success", "split": "success", "reuse_split": "skipped",
        "tune": "success", "register": "success", "check_promotion": "success",
        "trigger_deployment": "skipped", "skip_deployment": "success"}

    # Every Spark step went through spark-submit with the jobs jar, in local mode by default.
    assert "no connection 'spark_default': spark-submit runs with --master local[*]" in run.output
    submits = [line for line in run.output.splitlines() if "Spark-Submit cmd: spark-submit --master local[*]" in line]
    assert len(submits) == 3, submits
    assert all("--class org.healthpredict.jobs.HealthPredictCli" in s and "health-predict-jobs.jar" in s
               for s in submits)
    assert any(f"tune --data {trained.split} --space " in s and TINY_SPACE in s and "--max-trials 4" in s
               for s in submits)

    split = run.xcoms["split"]["fields"]
    assert int(split["initial"]) > 0 and split["output"] == str(trained.split)
    assert json.loads((trained.split / "manifest.json").read_text())["counts"]["accepted"] == int(split["accepted"])

    tune = run.xcoms["tune"]["fields"]
    register = run.xcoms["register"]["fields"]
    assert register["name"] == MODEL and register["decision"] == "PROMOTED"
    assert register["champion"] == register["version"] == trained.version

    client = MlflowClient(tracking_uri=trained.mlflow)
    # The alias itself may have moved since: the monitoring test retrains on the same server and model name.
    registered = client.get_model_version(MODEL, trained.version)
    assert registered.run_id == tune["run"]
    sweep = client.get_run(tune["run"])
    assert sweep.info.status == "FINISHED"
    assert sweep.info.run_name == f"airflow {run.run_id}", "the sweep is named after the Airflow run"
    assert sweep.data.params["data"] == str(trained.split)


def _tree(root):
    """Every file below root with its size and modification time: a rewrite changes the names or times."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_retried_split_and_register_repeat_nothing(airflow, trained):
    """Airflow retries split and register of the finished training run (the job had succeeded, the task is
    run again with the same run id, as after a lost heartbeat or a cleared task): split leaves the very
    output and manifest, register finds the version it made and moves nothing."""
    run = trained.run
    assert run.state == "success", f"{run}\n{run.output[-6000:]}"
    variables = {"health_predict_mlflow_uri": trained.mlflow, "health_predict_data_root": trained.data_root}
    manifest, files = (trained.split / "manifest.json").read_text(), _tree(trained.split)

    again = airflow.task_test(run, "split", variables=variables)
    assert again.states["split"] == "success"
    first, second = run.xcoms["split"]["fields"], again.xcoms["split"]["fields"]
    assert second["again"] == "true" and first["again"] == "false"
    assert {k: v for k, v in second.items() if k != "again"} == {k: v for k, v in first.items() if k != "again"}
    assert (trained.split / "manifest.json").read_text() == manifest, "the manifest is the first split's"
    assert _tree(trained.split) == files, "no part was written again"

    client = MlflowClient(tracking_uri=trained.mlflow)
    # The monitoring test may have retrained and moved the aliases since: whatever they are, they stay.
    versions = sorted((int(v.version), v.run_id) for v in client.search_model_versions(f"name = '{MODEL}'"))
    aliases, audit = client.get_registered_model(MODEL).aliases, audit_entries(client, MODEL)
    sweep = run.xcoms["tune"]["fields"]["run"]

    again = airflow.task_test(run, "register", variables=variables)
    assert again.states["register"] == "success"
    register = again.xcoms["register"]["fields"]
    assert (register["version"], register["decision"], register["again"]) == (trained.version, "PROMOTED", "true")
    assert register["champion"] == aliases["champion"]
    assert "was registered and decided before" in again.output
    assert sorted((int(v.version), v.run_id) for v in client.search_model_versions(f"name = '{MODEL}'")) == versions
    assert [r for _, r in versions].count(sweep) == 1, "one version per sweep"
    assert client.get_registered_model(MODEL).aliases == aliases
    assert audit_entries(client, MODEL) == audit, "no decision recorded again"
