"""health_predict_monitoring_retraining: the next batch of future data → drift check → retrain on drift.

Each run cuts one batch with `next-batch` (its cursor is a durable JSON document, so a crashed run
cuts the same rows again and no batch is skipped or repeated; the batch is recorded under the DAG
run's id, so a retried or cleared task gets its run's batch again and never moves the cursor twice), checks it for drift
against the reference with `drift`, and on DRIFT_DETECTED triggers health_predict_training on the
existing split plus every batch cut so far (reference + accumulated batches).

    plan → next_batch → check_more_data ─┬→ no_more_data
                                         └→ drift_check → check_drift ─┬→ training_data → trigger_retraining
                                                                       └→ no_drift
Runs daily (one batch a day) or by hand with Params.
"""
from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import DAG, Param, task

from health_predict_dags import settings
from health_predict_dags.jobs import JobSubmitOperator


def _plan(key: str) -> str:
    return "{{ ti.xcom_pull(task_ids='plan', key='%s') }}" % key


with DAG(
    dag_id=settings.MONITORING_DAG_ID,
    description="Next batch of future data, drift check against the reference, retraining on drift",
    schedule="@daily",
    tags=["health-predict", "spark", "monitoring"],
    doc_md=__doc__,
    **settings.dag_defaults(),
    params={
        "split_uri": Param("", type="string",
                           description="The split the model was trained on. Empty: <health_predict_data_root>/split."),
        "future": Param("", type="string", description="Future encounters to cut batches from. Empty: <split>/future."),
        "reference": Param("", type="string",
                           description="Reference for the drift tests. Empty: <split>/initial/train."),
        "batches": Param("", type="string",
                         description="Directory of the batches. Empty: <health_predict_data_root>/batches."),
        "cursor": Param("", type="string",
                        description="The batch cursor's JSON document. Empty: <batches>/cursor.json."),
        "reports": Param("", type="string",
                         description="Drift reports, one folder per batch. Empty: <health_predict_data_root>/drift."),
        "batch_size": Param(1000, type="integer", minimum=1, description="Encounters per batch."),
        "drift_share": Param(0.5, type="number", minimum=0, maximum=1,
                             description="Data set drift when at least this share of features drift."),
        "drift_model": Param("", type="string",
                             description="Model for prediction/performance drift, e.g. models:/HealthPredict@champion "
                                         "(empty: data drift only)."),
        "experiment": Param("health-predict-monitoring", type="string", description="MLflow monitoring experiment."),
        "retrain": Param(True, type="boolean", description="Trigger health_predict_training on drift."),
        "training_params": Param({}, type="object",
                                 description="Params for the triggered training run, e.g. {\"max_trials\": 9}."),
    },
) as dag:

    @task(multiple_outputs=True)
    def plan(**context) -> dict:
        p = context["params"]
        data_root = settings.get("health_predict_data_root").rstrip("/")
        split_uri = settings.resolve(p["split_uri"] or data_root + "/split").rstrip("/")
        batches = settings.resolve(p["batches"] or data_root + "/batches").rstrip("/")
        return {
            "split_uri": split_uri,
            "future": settings.resolve(p["future"] or split_uri + "/future"),
            "reference": settings.resolve(p["reference"] or split_uri + "/initial/train"),
            "batches": batches,
            "cursor": settings.resolve(p["cursor"] or batches + "/cursor.json"),
            "reports": settings.resolve(p["reports"] or data_root + "/drift").rstrip("/"),
        }

    next_batch = JobSubmitOperator(
        task_id="next_batch", job="next-batch",
        job_args=["--future", _plan("future"), "--batch-size", "{{ params.batch_size }}",
                  "--state", _plan("cursor"), "--out", _plan("batches"),
                  # One batch per DAG run: a retry of this task after the job succeeded gets the same batch.
                  "--key", "{{ run_id }}"])

    @task.branch
    def check_more_data(batch: dict) -> str:
        if batch["status"] == "NO_MORE_DATA":
            return "no_more_data"
        print(f"batch {batch['fields']['batch']}: {batch['fields']['rows']} rows at {batch['fields']['path']}")
        return "drift_check"

    no_more_data = EmptyOperator(task_id="no_more_data")

    drift_check = JobSubmitOperator(
        task_id="drift_check", job="drift",
        job_args=["--reference", _plan("reference"),
                  "--current", "{{ ti.xcom_pull(task_ids='next_batch')['fields']['path'] }}",
                  "--report", _plan("reports") + "/batch-{{ '%05d' % (ti.xcom_pull(task_ids='next_batch')"
                                                 "['fields']['batch'] | int) }}",
                  "--drift-share", "{{ params.drift_share }}",
                  "--tracking-uri", settings.var("health_predict_mlflow_uri"),
                  "--experiment", "{{ params.experiment }}",
                  "{% if params.drift_model %}--model={{ params.drift_model }}{% endif %}"])

    @task.branch
    def check_drift(drift: dict, **context) -> str:
        print(f"drift: {drift['status']} ({drift['ok']})")
        if drift["status"] == "DRIFT_DETECTED" and context["params"]["retrain"]:
            return "training_data"
        return "no_drift"

    no_drift = EmptyOperator(task_id="no_drift")

    @task
    def training_data(**context) -> dict:
        """Conf of the training run: the split (not split again) plus every batch cut so far."""
        ti = context["ti"]
        k = int(ti.xcom_pull(task_ids="next_batch")["fields"]["batch"])
        batches = ti.xcom_pull(task_ids="plan", key="batches")
        split_uri = ti.xcom_pull(task_ids="plan", key="split_uri")
        accumulated = [f"{batches}/batch-{i:05d}" for i in range(1, k + 1)]
        conf = {**context["params"]["training_params"], "run_split": False, "split_uri": split_uri,
                "extra_data": accumulated}
        print(f"retraining on {split_uri} + {len(accumulated)} batches")
        return conf

    planned = plan()
    more = check_more_data(next_batch.output)
    conf = training_data()
    trigger_retraining = TriggerDagRunOperator(
        task_id="trigger_retraining", trigger_dag_id=settings.TRAINING_DAG_ID, conf=conf)

    planned >> next_batch >> more >> [no_more_data, drift_check]
    check_drift(drift_check.output) >> [conf, no_drift]
    conf >> trigger_retraining
