"""health_predict_deployment: roll the champion out to the Kubernetes serving Deployment, undo on failure.

    read_champion → build_push_image → roll_out → rollout_status → smoke_test → rollback → outcome

* read_champion: the model version to serve, from MLflow (alias `champion`, or the `version` Param).
* build_push_image: `make images` (Jib, no Docker daemon) pushes health-predict-serving:<git sha> to the
  registry (Variable health_predict_image_registry; on AWS the ECR registry, after `aws ecr get-login-password`
  or with Jib's ECR credential helper).
* roll_out: one `kubectl patch` of the Deployment sets the image and pins MODEL_URI to the exact version,
  so the change is one revision and `kubectl rollout undo` restores image and model together.
* rollout_status: `kubectl rollout status` (new pods Ready, i.e. the model loaded).
* smoke_test: GET /health/ready must serve the deployed version (asked again until smoke_timeout_seconds, since
  the Service may still reach a draining pod of the previous revision for a moment); a real POST /predict
  (conf/examples/predict-request.json) must return a probability from it.
* rollback (runs whatever happened before): if roll_out changed the Deployment and a later step failed,
  `kubectl rollout undo` and wait for it; otherwise it is skipped.
* outcome: fails the run when the deployment failed (after the rollback), so a failed deployment is never green.
"""
from __future__ import annotations

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Param, TriggerRule, task

from health_predict_dags import settings

KUBECTL = "kubectl -n {{ var.value.get('health_predict_k8s_namespace', '%s') }}" % settings.DEFAULTS[
    "health_predict_k8s_namespace"]
DEPLOYMENT = "deployment/" + settings.var("health_predict_k8s_deployment")

with DAG(
    dag_id=settings.DEPLOYMENT_DAG_ID,
    description="Build and push the serving image, roll out the champion, smoke-test, roll back on failure",
    schedule=None,
    tags=["health-predict", "kubernetes", "deployment"],
    doc_md=__doc__,
    **settings.dag_defaults(),
    params={
        "model_name": Param("HealthPredict", type="string", description="Registered model name."),
        "version": Param("", type=["string", "integer"],
                         description="Model version to deploy. Empty: the current champion."),
        "image_tag": Param("", type="string", description="Serving image tag. Empty: the checkout's short git sha."),
        "container": Param("serving", type="string", description="Container name in the Deployment."),
        "rollout_timeout": Param("10m", type="string", description="kubectl rollout status --timeout."),
        "smoke_timeout_seconds": Param(300, type="integer", minimum=1,
                                       description="How long the smoke test waits for /health/ready."),
    },
) as dag:

    @task
    def read_champion(**context) -> dict:
        """The version to deploy: the `version` Param, else the version behind alias `champion`."""
        import json
        import urllib.parse
        import urllib.request

        p = context["params"]
        mlflow = settings.get("health_predict_mlflow_uri").rstrip("/")
        if str(p["version"]).strip():
            query = urllib.parse.urlencode({"name": p["model_name"], "version": str(p["version"]).strip()})
            path = "/api/2.0/mlflow/model-versions/get?" + query
        else:
            query = urllib.parse.urlencode({"name": p["model_name"], "alias": "champion"})
            path = "/api/2.0/mlflow/registered-models/alias?" + query
        try:
            with urllib.request.urlopen(mlflow + path, timeout=30) as response:
                version = json.load(response)["model_version"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"MLflow at {mlflow} has no such model version ({query}): {e.read()[:300]!r}") from e
        result = {"name": version["name"], "version": str(version["version"]), "run_id": version.get("run_id"),
                  "model_uri": f"models:/{version['name']}/{version['version']}"}
        print(f"deploying {result['model_uri']} (run {result['run_id']})")
        return result

    build_push_image = BashOperator(
        task_id="build_push_image",
        cwd=settings.var("health_predict_project_dir"),
        # The last line (the image reference) is this task's XCom.
        bash_command=(
            "set -euo pipefail\n"
            "tag='{{ params.image_tag }}'; [[ -n \"$tag\" ]] || tag=$(git rev-parse --short=12 HEAD)\n"
            "registry='" + settings.var("health_predict_image_registry") + "'\n"
            "make images JIB_GOAL=" + settings.var("health_predict_jib_goal")
            + " IMAGE_REGISTRY=\"$registry\" IMAGE_TAG=\"$tag\" >&2\n"
            "echo \"$registry/health-predict-serving:$tag\"\n"),
    )

    roll_out = BashOperator(
        task_id="roll_out",
        bash_command=(
            "set -euo pipefail\n"
            + KUBECTL + " patch " + DEPLOYMENT + " --type=strategic -p '"
            '{"spec":{"template":{"metadata":{"annotations":{'
            '"health-predict/model-uri":"{{ ti.xcom_pull(task_ids=\'read_champion\')[\'model_uri\'] }}"}},'
            '"spec":{"containers":[{"name":"{{ params.container }}",'
            '"image":"{{ ti.xcom_pull(task_ids=\'build_push_image\') }}",'
            '"env":[{"name":"MODEL_URI","value":"{{ ti.xcom_pull(task_ids=\'read_champion\')[\'model_uri\'] }}"}]'
            "}]}}}}'\n"
            "echo patched\n"),
    )

    rollout_status = BashOperator(
        task_id="rollout_status",
        bash_command=KUBECTL + " rollout status " + DEPLOYMENT + " --timeout={{ params.rollout_timeout }}",
    )

    @task
    def smoke_test(champion: dict, **context) -> dict:
        """/health/ready serves the deployed version and a real /predict answers with a probability from it."""
        import json
        import time
        import urllib.request
        from pathlib import Path

        from airflow.sdk import BaseHook

        try:
            conn = BaseHook.get_connection(settings.SERVING_CONN_ID)
            base = f"{conn.schema or 'http'}://{conn.host}" + (f":{conn.port}" if conn.port else "")
            key = conn.password
        except Exception:  # no connection: the local default
            base, key = "http://127.0.0.1:8080", None
        deadline = time.monotonic() + context["params"]["smoke_timeout_seconds"]
        while True:
            try:
                with urllib.request.urlopen(base + "/health/ready", timeout=5) as response:
                    ready = json.load(response)
                if str(ready.get("version")) == champion["version"] and ready.get("model") == champion["name"]:
                    break
                # Right after `rollout status`, the Service can still send a request to a pod of the previous
                # revision: it drains (preStop) until kube-proxy or the load balancer has dropped it. Ask again.
                print(f"{base} still serves {ready}; asking again")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{base} serves {ready}, expected {champion['name']} version "
                                       f"{champion['version']}")
            except OSError as e:  # refused, 503 while loading, timeouts
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{base}/health/ready not ready in time: {e}") from e
            time.sleep(2)
        body = (Path(settings.get("health_predict_project_dir")) / "conf/examples/predict-request.json").read_bytes()
        headers = {"Content-Type": "application/json", **({"X-API-Key": key} if key else {})}
        request = urllib.request.Request(base + "/predict", data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            prediction = json.load(response)
        probability = prediction.get("probability")
        if not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
            raise RuntimeError(f"/predict answered without a probability: {prediction}")
        print(f"smoke test passed: {base} serves {champion['model_uri']}, /predict probability={probability:.4f}")
        return {"base_url": base, "version": champion["version"], "probability": probability}

    rollback = BashOperator(
        task_id="rollback",
        trigger_rule=TriggerRule.ALL_DONE,
        # Exit 99 marks the task skipped: nothing to undo when roll_out never changed the Deployment,
        # or when the smoke test passed.
        bash_command=(
            "set -euo pipefail\n"
            "if [[ -z \"{{ ti.xcom_pull(task_ids='roll_out') or '' }}\" ]]; then "
            "echo 'the Deployment was not changed: nothing to undo'; exit 99; fi\n"
            "if [[ -n \"{{ ti.xcom_pull(task_ids='smoke_test') or '' }}\" ]]; then "
            "echo 'deployment healthy: nothing to undo'; exit 99; fi\n"
            + KUBECTL + " rollout undo " + DEPLOYMENT + "\n"
            + KUBECTL + " rollout status " + DEPLOYMENT + " --timeout={{ params.rollout_timeout }}\n"
            "echo rolled-back\n"),
    )

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def outcome(**context) -> str:
        from airflow.sdk.exceptions import AirflowFailException

        ti = context["ti"]
        if ti.xcom_pull(task_ids="smoke_test"):
            return "deployed"
        changed = bool(ti.xcom_pull(task_ids="roll_out"))
        rolled_back = ti.xcom_pull(task_ids="rollback") == "rolled-back"
        if not changed:
            state = "the Deployment was not changed"
        elif rolled_back:
            state = "the Deployment was rolled back (kubectl rollout undo)"
        else:
            state = "the Deployment was changed and the rollback failed: check it by hand"
        raise AirflowFailException("the deployment failed; " + state)

    champion = read_champion()
    smoke = smoke_test(champion)
    champion >> build_push_image >> roll_out >> rollout_status >> smoke >> rollback >> outcome()
