"""Names of the Airflow Variables and Connections the DAGs read, and their local defaults.

Every value is read when a task runs (Jinja templates or inside a task), never while the DAG file is
parsed, so changing a Variable takes effect on the next run without a re-parse.

Variables (all optional):
  health_predict_project_dir     checkout with bin/, conf/, jobs/target (default: the folder above dags/)
  health_predict_jobs_jar        the shaded jobs jar spark-submit runs (default: <project>/jobs/target/health-predict-jobs.jar;
                                 on Kubernetes e.g. local:///opt/health-predict/health-predict-jobs.jar)
  health_predict_data_root       where the DAGs keep split, batches, cursor and drift reports (default: <project>/out/airflow;
                                 any Hadoop URI, e.g. s3a://bucket/health-predict)
  health_predict_raw_input       raw CSV the training DAG splits (default: the bundled sample)
  health_predict_mlflow_uri      MLflow tracking server (default: http://127.0.0.1:5000)
  health_predict_spark_conf      JSON object of extra Spark properties for every job, e.g. a cluster's executor memory
  health_predict_driver_memory   spark-submit --driver-memory (default 2g)
  health_predict_image_registry  registry the deployment DAG pushes the serving image to (default: local)
  health_predict_jib_goal        Jib goal of `make images`: build (push) or buildTar (default: build)
  health_predict_k8s_namespace   namespace of the serving Deployment (default: health-predict)
  health_predict_k8s_deployment  the serving Deployment (default: health-predict-serving)

Connections (all optional):
  spark_default         the Spark master for spark-submit: host local[*] (the default when the connection
                        is missing), spark://host:7077, k8s://https://api-server; extra deploy-mode, spark-binary
  health_predict_s3     S3 for s3a:// URIs: login = access key id, password = secret key, extra
                        {"endpoint_url": "...", "path_style_access": true}; without it the AWS default chain applies
  health_predict_serving  the serving endpoint for the deployment DAG's smoke test: host/port/schema
                        (default http://127.0.0.1:8080), password = an API key of the service
"""
from __future__ import annotations

from pathlib import Path

PROJECT_DIR_DEFAULT = str(Path(__file__).resolve().parents[2])

SPARK_CONN_ID = "spark_default"
S3_CONN_ID = "health_predict_s3"
SERVING_CONN_ID = "health_predict_serving"

CLI_MAIN = "org.healthpredict.jobs.HealthPredictCli"
TRAINING_DAG_ID = "health_predict_training"
DEPLOYMENT_DAG_ID = "health_predict_deployment"
MONITORING_DAG_ID = "health_predict_monitoring_retraining"

DEFAULTS = {
    "health_predict_project_dir": PROJECT_DIR_DEFAULT,
    "health_predict_jobs_jar": PROJECT_DIR_DEFAULT + "/jobs/target/health-predict-jobs.jar",
    "health_predict_data_root": PROJECT_DIR_DEFAULT + "/out/airflow",
    "health_predict_raw_input": PROJECT_DIR_DEFAULT + "/data/sample/diabetic_data_sample.csv",
    "health_predict_mlflow_uri": "http://127.0.0.1:5000",
    "health_predict_spark_conf": "{}",
    "health_predict_driver_memory": "2g",
    "health_predict_image_registry": "local",
    "health_predict_jib_goal": "build",
    "health_predict_k8s_namespace": "health-predict",
    "health_predict_k8s_deployment": "health-predict-serving",
}


def var(name: str) -> str:
    """A Jinja expression for Variable `name` with its local default (for templated fields)."""
    return "{{ var.value.get('%s', '%s') }}" % (name, DEFAULTS[name])


def get(name: str) -> str:
    """Variable `name` or its local default; call only while a task runs."""
    from airflow.sdk import Variable

    return Variable.get(name, default=DEFAULTS[name])


def resolve(path: str) -> str:
    """A relative path is relative to the project directory; URIs and absolute paths stay as they are."""
    if not path or "://" in path or path.startswith("/"):
        return path
    return get("health_predict_project_dir").rstrip("/") + "/" + path


def dag_defaults(**overrides) -> dict:
    """What the three DAGs share: no backfill, one run at a time (a sweep, the batch cursor and a rollout
    are each sequential), a fixed start date, the doc shown in the UI."""
    import pendulum

    return {"start_date": pendulum.datetime(2026, 1, 1, tz="UTC"), "catchup": False, "max_active_runs": 1,
            **overrides}
