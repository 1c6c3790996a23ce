"""The jobs on a real Spark standalone cluster (spark_cluster_support: a master and two workers on loopback,
the jobs submitted with `spark-submit --master spark://… --deploy-mode client`): split → tune → register.

Nothing may depend on local mode: the event logs prove that tasks ran in two executors on two workers
(closures and the jar's classes travelled to them), and that the sweep's trials ran in their own FAIR
pools at the same time, sharing the executors."""
import json
import re

from mlflow import MlflowClient

from spark_cluster_support import events_of, submit


def test_split_tune_register_run_on_a_standalone_cluster(cluster, cluster_split, cluster_sweep, mlflow_server, tmp_path):
    master = cluster.master
    assert "split: OK read=4999 " in cluster_split.stdout
    assert json.loads((cluster_split.output / "manifest.json").read_text())["counts"]["initial"] > 0
    split = events_of(cluster_split.events, "health-predict-split")
    assert next(e for e in split if e["Event"] == "SparkListenerEnvironmentUpdate")[
        "Spark Properties"]["spark.master"] == master

    # The cluster wiring is under test, not model quality: no baseline, no chance floors.
    out = submit(cluster, tmp_path / "events", "register", "--run", cluster_sweep.run_id,
                 "--name", "HealthPredictCluster", "--baseline", "none", "--no-chance-floors",
                 "--tracking-uri", mlflow_server)
    assert re.search(r"^register: OK name=HealthPredictCluster version=1 decision=PROMOTED champion=1 ", out, re.M), out
    client = MlflowClient(tracking_uri=mlflow_server)
    assert client.get_model_version_by_alias("HealthPredictCluster", "champion").run_id == cluster_sweep.run_id

    # The sweep ran on the cluster's executors, not in the driver.
    tune = events_of(cluster_sweep.events, "health-predict-tune")
    start = next(e for e in tune if e["Event"] == "SparkListenerEnvironmentUpdate")
    assert start["Spark Properties"]["spark.master"] == master
    executors = {e["Executor ID"]: e["Executor Info"] for e in tune if e["Event"] == "SparkListenerExecutorAdded"}
    assert len(executors) >= 2, executors
    workers = {info["Log Urls"]["stdout"].split("/logPage")[0] for info in executors.values()}
    assert len(workers) >= 2, f"executors on {len(workers)} worker(s): {workers}"

    pools = {e["Job ID"]: e["Properties"].get("spark.scheduler.pool") for e in tune
             if e["Event"] == "SparkListenerJobStart"}
    stage_pool = {s["Stage ID"]: pools[e["Job ID"]] for e in tune if e["Event"] == "SparkListenerJobStart"
                  for s in e["Stage Infos"]}
    trial_tasks = [(stage_pool.get(e["Stage ID"]), e["Task Info"]["Executor ID"]) for e in tune
                   if e["Event"] == "SparkListenerTaskEnd" and e["Task End Reason"]["Reason"] == "Success"
                   and str(stage_pool.get(e["Stage ID"])).startswith("trial-")]
    assert len({pool for pool, _ in trial_tasks}) >= 2, "trials ran in their own FAIR pools"
    assert len({executor for _, executor in trial_tasks}) >= 2, "trial tasks ran on both executors"

    # Two trials' jobs were running at the same time (FAIR pools sharing the executors).
    spans = {}
    for e in tune:
        if e["Event"] == "SparkListenerJobStart" and str(pools[e["Job ID"]]).startswith("trial-"):
            spans[e["Job ID"]] = [pools[e["Job ID"]], e["Submission Time"], None]
        elif e["Event"] == "SparkListenerJobEnd" and e["Job ID"] in spans:
            spans[e["Job ID"]][2] = e["Completion Time"]
    overlapping = [(a, b) for a in spans.values() for b in spans.values()
                   if a[0] != b[0] and a[2] and b[2] and a[1] < b[2] and b[1] < a[2]]
    assert overlapping, "no two trials' jobs overlapped in time"
