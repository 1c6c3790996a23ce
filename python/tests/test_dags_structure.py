"""The three DAGs load in Airflow's DagBag without import errors, without importing anything heavy, and
have the tasks, edges, branches, trigger rules and trigger targets they are documented with; the
graphs in docs/dags/ are what docs/dags/generate.py draws from them and render in headless Chromium."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from dag_support import ROOT
from deploy_support import load_module

GENERATE = ROOT / "docs" / "dags" / "generate.py"
DAG_IDS = ["health_predict_training", "health_predict_monitoring_retraining", "health_predict_deployment"]


@pytest.fixture(scope="module")
def bag(airflow, tmp_path_factory):
    """The DagBag as plain data, loaded in a fresh interpreter so nothing else is imported already."""
    out = tmp_path_factory.mktemp("dagbag") / "structure.json"
    done = subprocess.run([sys.executable, str(GENERATE), "--json", str(out)], cwd=ROOT, capture_output=True,
                          text=True, env=airflow.env, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text())


def edges(dag):
    return {(a, b) for a, task in dag["tasks"].items() for b in task["downstream"]}


def test_dagbag_loads_the_three_dags_without_import_errors(bag):
    assert bag["import_errors"] == {}
    assert sorted(bag["dags"]) == sorted(DAG_IDS)
    for dag_id in DAG_IDS:
        assert bag["dags"][dag_id]["fileloc"] == f"dags/{dag_id}.py"


def test_parsing_imports_nothing_heavy(bag):
    assert bag["heavy_modules_loaded"] == [], "DAG files must not import these at parse time"


def test_training_dag_is_split_tune_register_with_branches(bag):
    dag = bag["dags"]["health_predict_training"]
    tasks = dag["tasks"]
    assert edges(dag) == {
        ("plan", "choose_split"), ("choose_split", "split"), ("choose_split", "reuse_split"),
        ("split", "tune"), ("reuse_split", "tune"), ("tune", "register"), ("register", "check_promotion"),
        ("check_promotion", "trigger_deployment"), ("check_promotion", "skip_deployment")}
    for task_id, job in [("split", "split"), ("tune", "tune"), ("register", "register")]:
        assert tasks[task_id]["operator"] == "JobSubmitOperator" and tasks[task_id]["job"] == job
        assert tasks[task_id]["conn_id"] == "spark_default"
    assert tasks["choose_split"]["kind"] == tasks["check_promotion"]["kind"] == "branch"
    assert tasks["tune"]["trigger_rule"] == "none_failed_min_one_success", "tune runs after either branch"
    assert tasks["trigger_deployment"]["trigger_dag_id"] == "health_predict_deployment"
    assert {"raw_input", "split_uri", "extra_data", "space", "max_trials", "time_budget", "eta", "model_name",
            "deploy", "run_split"} <= set(dag["params"])
    assert dag["schedule"] is None


def test_monitoring_dag_branches_on_no_more_data_and_on_drift(bag):
    dag = bag["dags"]["health_predict_monitoring_retraining"]
    tasks = dag["tasks"]
    assert edges(dag) == {
        ("plan", "next_batch"), ("next_batch", "check_more_data"), ("check_more_data", "no_more_data"),
        ("check_more_data", "drift_check"), ("drift_check", "check_drift"), ("check_drift", "no_drift"),
        ("check_drift", "training_data"), ("training_data", "trigger_retraining")}
    assert tasks["next_batch"]["job"] == "next-batch" and tasks["drift_check"]["job"] == "drift"
    assert tasks["check_more_data"]["kind"] == tasks["check_drift"]["kind"] == "branch"
    assert tasks["trigger_retraining"]["operator"] == "TriggerDagRunOperator"
    assert tasks["trigger_retraining"]["trigger_dag_id"] == "health_predict_training"
    assert dag["schedule"] == "@daily" and dag["max_active_runs"] == 1


def test_deployment_dag_always_ends_with_rollback_and_outcome(bag):
    dag = bag["dags"]["health_predict_deployment"]
    tasks = dag["tasks"]
    chain = ["read_champion", "build_push_image", "roll_out", "rollout_status", "smoke_test", "rollback", "outcome"]
    assert {(a, b) for a, b in zip(chain, chain[1:])} <= edges(dag)
    assert edges(dag) - {(a, b) for a, b in zip(chain, chain[1:])} == {("read_champion", "smoke_test")}
    assert tasks["rollback"]["trigger_rule"] == tasks["outcome"]["trigger_rule"] == "all_done"
    assert {tasks[t]["operator"] for t in ["build_push_image", "roll_out", "rollout_status", "rollback"]} == {
        "BashOperator"}


def test_committed_graphs_are_what_generate_draws(bag, tmp_path):
    generate = load_module(GENERATE, "dags_generate")
    for dag_id in DAG_IDS:
        committed = (GENERATE.parent / f"{dag_id}.svg").read_text()
        assert committed == generate.svg(dag_id, bag["dags"][dag_id]), (
            f"docs/dags/{dag_id}.svg is stale: run `.venv/bin/python docs/dags/generate.py`")


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_graph_renders_in_headless_chromium(dag_id, tmp_path):
    svg = GENERATE.parent / f"{dag_id}.svg"
    root = ET.parse(svg).getroot()
    width, height = int(root.get("width")), int(root.get("height"))
    png = tmp_path / f"{dag_id}.png"
    done = subprocess.run([os.environ.get("CHROMIUM", "chromium"), "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
                           f"--window-size={width},{height}", f"--screenshot={png}", svg.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert png.exists(), done.stderr[-2000:]
    image = Image.open(png).convert("RGB")
    assert image.size == (width, height)
    assert len(image.getcolors(maxcolors=1 << 20)) > 100, "rendered graph is (nearly) blank"
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert dag_id in texts
