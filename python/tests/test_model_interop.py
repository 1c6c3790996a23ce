"""A model logged by the Java `train` job is a real MLflow Spark model: MLflow's Python
`mlflow.spark.load_model` and `mlflow.pyfunc.load_model` (PySpark of the pom's Spark version) load it and
give the same probabilities as the Java side on the test split."""
import re

import mlflow
import mlflow.pyfunc
import mlflow.spark
import pytest
from pyspark.ml.functions import vector_to_array
from pyspark.sql import SparkSession

from conftest import ROOT, SAMPLE, run_job

JAR = ROOT / "jobs" / "target" / "health-predict-jobs.jar"


@pytest.fixture(scope="module")
def spark():
    # Our feature stages are JVM classes: PySpark needs the jobs jar, exactly as a Python user would.
    session = (SparkSession.builder.master("local[2]").appName("interop-test")
               .config("spark.jars", str(JAR))
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.ui.enabled", "false")
               .getOrCreate())
    yield session
    session.stop()


def test_java_logged_model_loads_in_python_with_the_same_probabilities(mlflow_server, tmp_path, spark):
    split = tmp_path / "split"
    assert run_job("split", "--input", str(SAMPLE), "--output", str(split)).returncode == 0
    env = {"MLFLOW_TRACKING_URI": mlflow_server}
    trained = run_job("train", "--data", str(split), "--model", "gbt", "-p", "maxIter=10",
                      "--experiment", "interop", env=env)
    assert trained.returncode == 0, trained.stderr
    run_id = re.search(r"train: OK run=([0-9a-f]{32}) ", trained.stdout).group(1)

    java_out = tmp_path / "java-scores"
    scored = run_job("score", "--model", f"runs:/{run_id}/model", "--input", str(split / "initial" / "test"),
                     "--output", str(java_out), env=env)
    assert scored.returncode == 0, scored.stderr
    java = {r["encounter_id"]: r["readmission_probability"] for r in spark.read.parquet(str(java_out)).collect()}
    assert len(java) == 140

    mlflow.set_tracking_uri(mlflow_server)
    test = spark.read.parquet(str(split / "initial" / "test"))
    model = mlflow.spark.load_model(f"runs:/{run_id}/model")
    python = {r["encounter_id"]: r["p"] for r in
              model.transform(test).select("encounter_id", vector_to_array("probability")[1].alias("p"),
                                           "prediction").collect()}
    assert python.keys() == java.keys()
    assert max(abs(python[k] - java[k]) for k in java) <= 1e-9

    pyfunc = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    features = test.drop("readmitted", "readmitted_binary").orderBy("encounter_id")
    predicted = pyfunc.predict(features.toPandas())
    expected = [r["prediction"] for r in model.transform(features).orderBy("encounter_id").collect()]
    assert list(predicted) == expected
