"""health_predict_deployment with real Airflow and MLflow, but no cluster and no registry here:
`kubectl` and `make` (whose `images` target runs Jib and pushes to the registry) are replaced by a
recording stand-in put first on PATH. The stand-in writes every call's arguments to a log, and fails
the first call that starts with a given command line on request, so the tests prove which commands the DAG renders for given inputs and that a
failed step after the rollout leads to `kubectl rollout undo` and a failed run.

The smoke test is not stubbed: in the successful run it talks to the real scoring service
(bin/health-predict-serve on a loopback port) serving the champion that health_predict_training
registered."""
import json
import os
import subprocess
import time
import urllib.request

import pytest
from mlflow import MlflowClient

from conftest import _free_port
from dag_support import MODEL, ROOT

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
STAND_IN = """#!/usr/bin/env bash
# Recording stand-in for the real command (see the test module's docstring).
python3 - "$(basename "$0")" "$PWD" "$@" <<'PY'
import json, os, sys
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(json.dumps({"cmd": sys.argv[1], "cwd": sys.argv[2], "args": sys.argv[3:]}) + "\\n")
PY
fail="${STAND_IN_FAIL:-}"
# Fails the first call that starts with STAND_IN_FAIL (a rollback's own `rollout status` must succeed).
if [[ -n "$fail" && "$(basename "$0") $*" == $fail* && ! -e "$STAND_IN_LOG.failed" ]]; then
  touch "$STAND_IN_LOG.failed"; echo "stand-in: failing '$fail' on request" >&2; exit 1
fi
if [[ "$(basename "$0") $*" == "kubectl"*"rollout status"* ]]; then echo 'deployment "health-predict-serving" successfully rolled out'; fi
"""


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory):
    bin_dir = tmp_path_factory.mktemp("stand-ins")
    for name in ["kubectl", "make"]:
        (bin_dir / name).write_text(STAND_IN)
        (bin_dir / name).chmod(0o755)
    return bin_dir


@pytest.fixture(scope="module")
def serving(trained):
    """The real scoring service on the champion, as the rolled-out pods would serve it."""
    assert trained.run.state == "success", "the training DAG must have registered a champion"
    port = _free_port()
    env = {**os.environ, "MODEL_URI": f"models:/{MODEL}@champion", "MLFLOW_TRACKING_URI": trained.mlflow,
           "HOST": "127.0.0.1", "PORT": str(port), "API_KEYS": "smoke-key", "HP_SERVE_MEMORY": "1g"}
    proc = subprocess.Popen([str(ROOT / "bin" / "health-predict-serve")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 240
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as r:
                ready = json.load(r)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("scoring service did not become ready:\n" + proc.stdout.read()[-4000:])
            time.sleep(1)
    yield port, ready
    proc.terminate()
    proc.wait(timeout=60)


def _deploy(airflow, trained, stand_ins, tmp_path, *, params=None, fail="", serving_port=None):
    log = tmp_path / "calls.jsonl"
    log.touch()
    port = serving_port or _free_port()  # without a service, nothing listens there
    env = {"PATH": f"{stand_ins}:{airflow.env['PATH']}", "STAND_IN_LOG": str(log), "STAND_IN_FAIL": fail,
           "AIRFLOW_CONN_HEALTH_PREDICT_SERVING": json.dumps(
               {"conn_type": "http", "host": "127.0.0.1", "port": port, "schema": "http", "password": "smoke-key"})}
    variables = {"health_predict_mlflow_uri": trained.mlflow, "health_predict_image_registry": REGISTRY,
                 "health_predict_k8s_namespace": "hp-test"}
    run = airflow.dags_test("health_predict_deployment", {"model_name": MODEL, **(params or {})},
                            variables=variables, env=env)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return run, [[c["cmd"], *c["args"]] for c in calls], calls


ROLLOUT_STATUS = ["kubectl", "-n", "hp-test", "rollout", "status", "deployment/health-predict-serving", "--timeout=10m"]
UNDO = ["kubectl", "-n", "hp-test", "rollout", "undo", "deployment/health-predict-serving"]


def test_deploys_the_champion_and_smoke_tests_the_real_service(airflow, trained, stand_ins, serving, tmp_path):
    port, ready = serving
    champion = MlflowClient(tracking_uri=trained.mlflow).get_model_version_by_alias(MODEL, "champion")
    assert ready["version"] == champion.version

    run, commands, calls = _deploy(airflow, trained, stand_ins, tmp_path, params={"image_tag": "t123"},
                                   serving_port=port)
    assert run.state == "success", f"{run}\n{run.output[-6000:]}"
    assert run.states == {"read_champion": "success", "build_push_image": "success", "roll_out": "success",
                          "rollout_status": "success", "smoke_test": "success", "rollback": "skipped",
                          "outcome": "success"}
    assert run.xcoms["read_champion"]["model_uri"] == f"models:/{MODEL}/{champion.version}"
    image = f"{REGISTRY}/health-predict-serving:t123"
    assert run.xcoms["build_push_image"] == image

    assert commands[0] == ["make", "images", "JIB_GOAL=build", f"IMAGE_REGISTRY={REGISTRY}", "IMAGE_TAG=t123"]
    assert calls[0]["cwd"] == str(ROOT)
    assert commands[1][:6] == ["kubectl", "-n", "hp-test", "patch", "deployment/health-predict-serving",
                               "--type=strategic"] and commands[1][6] == "-p"
    patch = json.loads(commands[1][7])
    template = patch["spec"]["template"]
    assert template["spec"]["containers"] == [{
        "name": "serving", "image": image,
        "env": [{"name": "MODEL_URI", "value": f"models:/{MODEL}/{champion.version}"}]}]
    assert template["metadata"]["annotations"] == {"health-predict/model-uri": f"models:/{MODEL}/{champion.version}"}
    assert commands[2:] == [ROLLOUT_STATUS], "no rollback after a healthy deployment"
    smoke = run.xcoms["smoke_test"]
    assert smoke["version"] == champion.version and 0 <= smoke["probability"] <= 1


def test_failed_rollout_is_undone_and_fails_the_run(airflow, trained, stand_ins, tmp_path):
    run, commands, _ = _deploy(airflow, trained, stand_ins, tmp_path, params={"image_tag": "t124"},
                               fail="kubectl -n hp-test rollout status")
    assert run.state == "failed"
    assert run.states == {"read_champion": "success", "build_push_image": "success", "roll_out": "success",
                          "rollout_status": "failed", "smoke_test": "upstream_failed", "rollback": "success",
                          "outcome": "failed"}
    assert [c[:4] for c in commands[:2]] == [["make", "images", "JIB_GOAL=build", f"IMAGE_REGISTRY={REGISTRY}"],
                                            ["kubectl", "-n", "hp-test", "patch"]]
    assert commands[2:] == [ROLLOUT_STATUS, UNDO, ROLLOUT_STATUS]
    assert "the Deployment was rolled back (kubectl rollout undo)" in run.output


def test_failed_smoke_test_is_undone_and_fails_the_run(airflow, trained, stand_ins, tmp_path):
    # Nothing serves on the connection's port: /health/ready never answers.
    run, commands, _ = _deploy(airflow, trained, stand_ins, tmp_path,
                               params={"image_tag": "t125", "smoke_timeout_seconds": 3})
    assert run.state == "failed"
    assert run.states["smoke_test"] == "failed" and run.states["rollback"] == "success"
    assert run.states["outcome"] == "failed"
    assert commands[2:] == [ROLLOUT_STATUS, UNDO, ROLLOUT_STATUS]


def test_failed_image_push_changes_nothing_and_undoes_nothing(airflow, trained, stand_ins, tmp_path):
    run, commands, _ = _deploy(airflow, trained, stand_ins, tmp_path, fail="make images")
    assert run.state == "failed"
    assert run.states["build_push_image"] == "failed" and run.states["roll_out"] == "upstream_failed"
    assert run.states["rollback"] == "skipped", "the Deployment was never touched: nothing to undo"
    assert run.states["outcome"] == "failed"
    sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert commands == [["make", "images", "JIB_GOAL=build", f"IMAGE_REGISTRY={REGISTRY}", f"IMAGE_TAG={sha}"]]
    assert "the deployment failed; the Deployment was not changed" in run.output
