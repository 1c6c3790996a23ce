"""A lost Spark worker: on the session's standalone cluster (spark_cluster_support: a master and two
one-core workers on loopback), a worker and its executor are killed with kill -9, as a lost node would be, while one of the
job's tasks runs in that executor. The job must ride it out: the same split, the same sweep.

The kill is aimed, not timed: after the job's progress line, the test follows the driver's log of task
launches and kills the worker that hosts an executor running a task; the event log must then show that
task ended by ExecutorLostFailure and run again in another executor."""
import hashlib
import json
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from mlflow import MlflowClient

from conftest import ROOT, SAMPLE
from spark_cluster_support import SUBMIT_ENV, Cluster, events_of, java_flags, submit_command


@pytest.fixture(autouse=True)
def workers_back(cluster):
    """The lost node comes back after each test, so the next one starts with two workers again."""
    yield
    for n in (1, 2):
        if not (cluster.state / f"worker-{n}.pid").exists():
            cluster.script("start-worker", str(n))


# The driver logs each task it launches and sees finish: how the test knows which executor runs one now.
TASK_LOG = "logger.tasks.name = org.apache.spark.scheduler.TaskSetManager\nlogger.tasks.level = info\n"
STARTING = re.compile(r"Starting task \S+ in stage \S+ \(TID (\d+)\) \([^,]*,\s*executor (\S+),")
ENDED = re.compile(r"(?:Finished|Lost) task \S+ in stage \S+ \(TID (\d+)\)")


@dataclass
class Killed:
    """Which worker and executor were killed; the job's output and event log folder."""
    worker: int
    executor: str
    report: str  # what kill-worker said it killed
    stdout: str
    events: Path


def _worker_of(cluster: Cluster, events: Path, executor: str) -> int:
    """The worker hosting an executor of the job: it made the executor's folder under its work dir."""
    app = next(events.iterdir()).name.removeprefix("eventlog_v2_").split(".")[0]
    return next(n for n in (1, 2) if (cluster.state / f"work-{n}" / app / executor).is_dir())


def _run_losing_a_worker(cluster: Cluster, work: Path, trigger: str, *job: str) -> Killed:
    """Submits the job; once `trigger` is in its output, kills the worker of an executor running a task."""
    events = work / "events"
    events.mkdir()
    (work / "tasks.properties").write_text(TASK_LOG)
    flags = java_flags().replace("log4j2.properties", f"log4j2.properties,{work / 'tasks.properties'}")
    proc = subprocess.Popen(
        submit_command(cluster.master, events, *job, conf=(f"spark.driver.extraJavaOptions={flags}",)),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=SUBMIT_ENV)
    out, err, running, killed, errors = [], [], {}, [], []
    triggered = threading.Event()
    lock = threading.Lock()

    def kill_a_busy_worker():  # under lock
        if triggered.is_set() and running and not killed:
            executor = next(iter(running.values()))
            worker = _worker_of(cluster, events, executor)
            killed.append((worker, executor, cluster.script("kill-worker", str(worker))))

    def read(stream, lines, on_line):
        for line in stream:  # to the end whatever happens, or a full pipe would stall the job
            lines.append(line)
            with lock:
                try:
                    on_line(line)
                    kill_a_busy_worker()
                except Exception as e:  # noqa: BLE001 (raised in the test's thread below)
                    errors.append(e)

    def on_out(line):
        if trigger in line:
            triggered.set()

    def on_err(line):
        if started := STARTING.search(line):
            running[started.group(1)] = started.group(2)
        elif ended := ENDED.search(line):
            running.pop(ended.group(1), None)

    readers = [threading.Thread(target=read, args=args, daemon=True)
               for args in ((proc.stdout, out, on_out), (proc.stderr, err, on_err))]
    for r in readers:
        r.start()
    try:
        proc.wait(timeout=1200)
    finally:
        if proc.poll() is None:
            proc.kill()
        for r in readers:
            r.join(timeout=30)
    stdout, stderr = "".join(out), "".join(err)
    (work / f"{job[0]}.stdout").write_text(stdout)
    (work / f"{job[0]}.stderr").write_text(stderr)
    if errors:
        raise errors[0]
    assert proc.returncode == 0, f"{job[0]} failed after losing a worker:\n{stdout[-3000:]}\n{stderr[-5000:]}"
    assert killed, f"no task of {job[0]} was seen running after '{trigger}'; nothing was killed:\n{stdout[-3000:]}"
    return Killed(*killed[0], stdout, events)


def _assert_lost_mid_job(killed: Killed, app_name: str) -> list[dict]:
    """The event log shows a task of the job cut short by the executor's loss, and run again elsewhere."""
    assert re.search(r"and its executors \(pids \d+", killed.report), killed.report
    log = events_of(killed.events, app_name)
    lost = [e for e in log if e["Event"] == "SparkListenerTaskEnd"
            and e["Task End Reason"]["Reason"] == "ExecutorLostFailure"
            and e["Task Info"]["Executor ID"] == killed.executor]
    assert lost, f"no task ended by ExecutorLostFailure on executor {killed.executor}"
    retried = {(e["Stage ID"], e["Task Info"]["Index"]) for e in log if e["Event"] == "SparkListenerTaskEnd"
               and e["Task End Reason"]["Reason"] == "Success" and e["Task Info"]["Executor ID"] != killed.executor}
    assert any((e["Stage ID"], e["Task Info"]["Index"]) in retried for e in lost), "the lost task never ran again"
    removed = [e["Timestamp"] for e in log if e["Event"] == "SparkListenerExecutorRemoved"
               and e["Executor ID"] == killed.executor]
    assert removed, f"executor {killed.executor} was not removed"
    end = next(e["Timestamp"] for e in log if e["Event"] == "SparkListenerApplicationEnd")
    assert removed[0] < end
    return log


def _sweep(client: MlflowClient, run_id: str) -> dict[int, tuple]:
    """Each trial of a sweep: its family, parameters, final state and last cross-validated ROC AUC."""
    run = client.get_run(run_id)
    children = client.search_runs([run.info.experiment_id], f"tags.mlflow.parentRunId = '{run_id}'")
    return {int(c.data.tags["health_predict.trial_id"]): (
        c.data.tags["health_predict.model_family"], c.data.params, c.data.tags["health_predict.trial_state"],
        c.info.status, round(c.data.metrics.get("val_roc_auc", float("nan")), 6)) for c in children}


def _part_digests(split: Path) -> dict[str, tuple[int, str]]:
    """Each part's rows and a SHA-256 of its rows sorted by encounter, independent of the files' layout."""
    manifest = json.loads((split / "manifest.json").read_text())
    digests = {}
    for name, part in manifest["parts"].items():
        table = pq.read_table(split / part["path"]).sort_by("encounter_id")
        digests[name] = (table.num_rows, hashlib.sha256(table.to_pandas().to_csv(index=False).encode()).hexdigest())
    return digests


def test_split_survives_a_lost_worker(cluster, cluster_split, tmp_path):
    split = tmp_path / "split"
    # After its first pass: the parsed rows are cached in the executors, and the parts are still to write.
    killed = _run_losing_a_worker(cluster, tmp_path, "split: validated rows",
                                  "split", "--input", str(SAMPLE), "--output", str(split))
    _assert_lost_mid_job(killed, "health-predict-split")
    assert "split: OK read=4999 " in killed.stdout
    want = json.loads((cluster_split.output / "manifest.json").read_text())
    got = json.loads((split / "manifest.json").read_text())
    assert got["counts"] == want["counts"]
    assert got["parts"] == want["parts"]
    assert _part_digests(split) == _part_digests(cluster_split.output)


def test_sweep_survives_a_lost_worker(cluster, cluster_sweep, mlflow_server, tmp_path):
    # The features are cached in the executors and the trials' first jobs are starting.
    killed = _run_losing_a_worker(cluster, tmp_path, "tune: features fitted once and cached", *cluster_sweep.args,
                                  "--run-name", "lost-worker")
    log = _assert_lost_mid_job(killed, "health-predict-tune")
    disturbed = re.search(r"^tune: OK run=([0-9a-f]{32}) trials=3 ", killed.stdout, re.M)
    assert disturbed, killed.stdout[-3000:]
    assert " FAILED " not in killed.stdout, killed.stdout[-3000:]

    # The lost task was a trial's: it ran in a trial's FAIR pool.
    pools = {s["Stage ID"]: e["Properties"].get("spark.scheduler.pool") for e in log
             if e["Event"] == "SparkListenerJobStart" for s in e["Stage Infos"]}
    lost_pools = {pools.get(e["Stage ID"]) for e in log if e["Event"] == "SparkListenerTaskEnd"
                  and e["Task End Reason"]["Reason"] == "ExecutorLostFailure"}
    assert any(str(p).startswith("trial-") for p in lost_pools), lost_pools

    client = MlflowClient(tracking_uri=mlflow_server)
    want, got = _sweep(client, cluster_sweep.run_id), _sweep(client, disturbed.group(1))
    assert got == want
    assert len(got) == 3, got
    assert all(state != "FAILED" and status == "FINISHED" for _, _, state, status, _ in got.values()), got
