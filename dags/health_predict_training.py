"""health_predict_training: split → ASHA sweep → register behind the champion gate → (optionally) deploy.

Every Spark step is a spark-submit of the jobs jar (JobSubmitOperator, a SparkSubmitOperator). Run by
hand with Params, or triggered by health_predict_monitoring_retraining with `run_split: false`, the
existing split and the accumulated batches in `extra_data`.

    plan → choose_split ─┬─ split ───────┬→ tune → register → check_promotion ─┬→ trigger_deployment
                         └─ reuse_split ─┘                                      └→ skip_deployment
"""
from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import DAG, Param, TriggerRule, task

from health_predict_dags import settings
from health_predict_dags.jobs import JobSubmitOperator

with DAG(
    dag_id=settings.TRAINING_DAG_ID,
    description="Split the raw data, run an ASHA sweep on Spark, register the winner behind the champion gate",
    schedule=None,
    tags=["health-predict", "spark", "training"],
    doc_md=__doc__,
    **settings.dag_defaults(),
    params={
        "run_split": Param(True, type="boolean",
                           description="Split raw_input first; false reuses split_uri (retraining)."),
        "raw_input": Param("", type="string",
                           description="Raw CSV (any Hadoop URI). Empty: Variable health_predict_raw_input "
                                       "(default the bundled sample)."),
        "split_uri": Param("", type="string",
                           description="Output of split / input of tune. Empty: <health_predict_data_root>/split."),
        "extra_data": Param([], type="array", items={"type": "string"},
                            description="More encounters for the train part, e.g. next-batch batches (retraining)."),
        "space": Param("conf/spaces/quick.yaml", type="string",
                       description="Search space file (relative to the project directory, or absolute)."),
        "max_trials": Param(9, type="integer", minimum=1, description="Budget: trials to start."),
        "time_budget": Param("", type="string", description="Budget: wall-clock limit, e.g. 20m (empty: none)."),
        "max_concurrent": Param(2, type="integer", minimum=1, description="Trials training at once."),
        "eta": Param(3, type="integer", minimum=2, description="ASHA reduction factor η."),
        "metric": Param("ROC_AUC", enum=["ROC_AUC", "PR_AUC", "LOG_LOSS", "F1"],
                        description="Cross-validated metric the sweep optimises."),
        "seed": Param(42, type="integer", description="Seed of sampling and models."),
        "experiment": Param("health-predict-airflow", type="string", description="MLflow experiment of the sweep."),
        "model_name": Param("HealthPredict", type="string", description="Registered model name."),
        "margin": Param(0.0, type="number", description="Required improvement over the champion."),
        "min_roc_auc": Param(None, type=["null", "number"], description="Floor: test ROC-AUC at least this."),
        "baseline": Param("lr", enum=["lr", "none"],
                          description="Untuned model the candidate must beat on the same test rows (none: no baseline)."),
        "chance_floors": Param(True, type="boolean",
                               description="Require test ROC-AUC clearly above chance and PR-AUC above the positive rate."),
        "require_approval": Param(False, type="boolean",
                                  description="A passing version waits for `approve` instead of becoming champion."),
        "deploy": Param(False, type="boolean",
                        description="On promotion, trigger health_predict_deployment for the new champion."),
    },
) as dag:

    @task(multiple_outputs=True)
    def plan(**context) -> dict:
        """Resolves Params and Variables into the jobs' arguments (shown in this task's XCom)."""
        p = context["params"]
        data_root = settings.get("health_predict_data_root").rstrip("/")
        split_uri = settings.resolve(p["split_uri"] or data_root + "/split")
        raw = settings.resolve(p["raw_input"] or settings.get("health_predict_raw_input"))
        tune = ["--data", split_uri]
        for extra in p["extra_data"]:
            tune += ["--data", settings.resolve(extra)]
        tune += ["--space", settings.resolve(p["space"]), "--max-trials", str(p["max_trials"]),
                 "--max-concurrent", str(p["max_concurrent"]), "--eta", str(p["eta"]), "--metric", p["metric"],
                 "--seed", str(p["seed"]), "--tracking-uri", settings.get("health_predict_mlflow_uri"),
                 "--experiment", p["experiment"], "--run-name", f"airflow {context['run_id']}"]
        if p["time_budget"]:
            tune += ["--time-budget", p["time_budget"]]
        return {"run_split": bool(p["run_split"]), "split_uri": split_uri,
                "split_args": ["--input", raw, "--output", split_uri], "tune_args": tune}

    planned = plan()

    @task.branch
    def choose_split(run_split: bool) -> str:
        return "split" if run_split else "reuse_split"

    # Lists from plan arrive as JSON (a Jinja template renders to one string).
    split = JobSubmitOperator(task_id="split", job="split",
                              job_args="{{ ti.xcom_pull(task_ids='plan', key='split_args') | tojson }}")
    reuse_split = EmptyOperator(task_id="reuse_split")
    tune = JobSubmitOperator(task_id="tune", job="tune",
                             job_args="{{ ti.xcom_pull(task_ids='plan', key='tune_args') | tojson }}",
                             trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    register = JobSubmitOperator(
        task_id="register", job="register",
        job_args=[
            "--run", "{{ ti.xcom_pull(task_ids='tune')['fields']['run'] }}",
            "--name", "{{ params.model_name }}",
            "--tracking-uri", settings.var("health_predict_mlflow_uri"),
            "--margin", "{{ params.margin }}",
            "--actor", "airflow:{{ dag.dag_id }}",
            # Empty tokens are dropped: an unset Param leaves its option out.
            "{% if params.min_roc_auc is not none %}--min-roc-auc={{ params.min_roc_auc }}{% endif %}",
            "--baseline={{ params.baseline }}",
            "{% if not params.chance_floors %}--no-chance-floors{% endif %}",
            "{% if params.require_approval %}--require-approval{% endif %}",
        ])

    @task.branch
    def check_promotion(register_result: dict, **context) -> str:
        fields = register_result["fields"]
        decision = fields.get("decision")
        # A retried register reports its run's earlier decision (again=true), by then perhaps superseded:
        # only a version that is champion now is deployed.
        champion_now = fields.get("champion") == fields.get("version")
        print(f"register decision: {decision} (champion now: {fields.get('champion')}); "
              f"deploy on promotion: {context['params']['deploy']}")
        promoted = decision == "PROMOTED" and champion_now
        return "trigger_deployment" if promoted and context["params"]["deploy"] else "skip_deployment"

    trigger_deployment = TriggerDagRunOperator(
        task_id="trigger_deployment",
        trigger_dag_id=settings.DEPLOYMENT_DAG_ID,
        conf={"model_name": "{{ params.model_name }}",
              "version": "{{ ti.xcom_pull(task_ids='register')['fields']['version'] }}"},
    )
    skip_deployment = EmptyOperator(task_id="skip_deployment")

    chosen = choose_split(planned["run_split"])
    chosen >> [split, reuse_split]
    [split, reuse_split] >> tune >> register
    check_promotion(register.output) >> [trigger_deployment, skip_deployment]
