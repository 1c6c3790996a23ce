"""`airflow dags test health_predict_training` end to end on the bundled sample: real Airflow, every Spark
step a spark-submit of the jobs jar in local mode (no spark_default connection: the DAG's local default),
a real MLflow server; the run ends with a registered champion version."""
import json

from mlflow import MlflowClient

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
