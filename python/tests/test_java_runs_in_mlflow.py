"""MLflow's own Python client reads what the Java `train` job logged: params, metrics, the split
manifest as dataset input, and the fitted PipelineModel as an artifact."""
import json
import re

import mlflow
from mlflow import MlflowClient

from conftest import SAMPLE, run_job


def test_train_run_is_readable_with_mlflows_python_client(mlflow_server, tmp_path):
    split = tmp_path / "split"
    done = run_job("split", "--input", str(SAMPLE), "--output", str(split))
    assert done.returncode == 0, done.stderr

    done = run_job("train", "--data", str(split), "--model", "lr", "--experiment", "python-interop",
                   env={"MLFLOW_TRACKING_URI": mlflow_server})
    assert done.returncode == 0, done.stderr
    run_id = re.search(r"train: OK run=([0-9a-f]{32}) ", done.stdout).group(1)

    client = MlflowClient(tracking_uri=mlflow_server)
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["model_family"] == "lr"
    assert 0.5 < run.data.metrics["val_roc_auc"] <= 1.0
    assert run.data.metrics["val_rows"] == 161

    dataset = run.inputs.dataset_inputs[0].dataset
    assert dataset.digest == "40de59eff2292ce6"
    assert "readmitted_binary" in dataset.schema
    assert any(t.key == "mlflow.data.context" and t.value == "training" for t in run.inputs.dataset_inputs[0].tags)

    model_files = {f.path for f in client.list_artifacts(run_id, "model")}
    assert {"model/MLmodel", "model/sparkml"} <= model_files

    mlflow.set_tracking_uri(mlflow_server)
    manifest_path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="data/split_manifest.json",
                                                        dst_path=str(tmp_path / "dl"))
    with open(manifest_path) as f:
        manifest = json.load(f)
    assert manifest["counts"]["linesRead"] == 4999
    assert manifest["counts"]["excludedTerminal"] == 91
