"""A tracking-server outage in the middle of a sweep. The MLflow server is stopped (its whole process group)
while trials train, and started again on the same port and data, as an upgrade or a rescheduled pod would:

- down for 60 s, inside the default 5-minute retry budget: the sweep rides it out and ends OK, and what it
  recorded in MLflow (trials, params, tags, every metric's history, artifacts) equals what the same sweep
  records with no outage;
- down for longer than the budget (`--tracking-retry 10s`): the sweep stops with a message that says so and
  how to resume, and `tune --resume` finishes it once the server is back.

One trial at a time, so the two sweeps take the same decisions and can be compared value for value."""
import re
import subprocess
import time

import pytest
from mlflow import MlflowClient

from conftest import JOBS, ROOT, SAMPLE, MlflowProcess, run_job

SPACE = ROOT / "jobs" / "src" / "test" / "resources" / "tiny-space.yaml"
TRIALS = 4
OUTAGE_SECONDS = 60
# Kinds of values that differ between two runs of the same sweep: wall-clock times and the runs' own ids.
VOLATILE_METRICS = {"fit_seconds", "sweep_seconds", "trials_per_hour"}


def _tune(split, uri, *extra):
    return [str(JOBS), "tune", "--data", str(split), "--space", str(SPACE), "--max-trials", str(TRIALS),
            "--max-concurrent", "1", "--no-defaults-first", "--startup-trials", "2", "--folds", "3",
            "--tracking-uri", uri, "--experiment", "outage-test", *extra]


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    out = tmp_path_factory.mktemp("outage") / "split"
    done = run_job("split", "--input", str(SAMPLE), "--output", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture
def server(tmp_path):
    server = MlflowProcess(tmp_path).start()
    yield server
    server.stop()


def _sweep_with_outage(command, server, down_for, log):
    """Runs the sweep; after its first rung result the server goes down for `down_for` seconds (None: for
    good). Returns the finished process, its stdout and the parent run id."""
    with open(log, "w") as stderr:
        driver = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
        seen, parent = [], None
        for line in driver.stdout:
            seen.append(line)
            started = re.search(r"sweep ([0-9a-f]{32}) started", line)
            parent = started.group(1) if started else parent
            if " → " in line:
                break
        assert parent, "the sweep never got going:\n" + "".join(seen)[-3000:] + log.read_text()[-3000:]
        # Trial 1 is being started and trained now; its writes have to wait for the server.
        server.stop()
        stopped = time.monotonic()
        if down_for is not None:
            time.sleep(down_for)
            server.start()
        rest = driver.stdout.read()
        driver.wait(timeout=900)
    return driver, "".join(seen) + rest, parent, time.monotonic() - stopped


def _recorded(client, parent):
    """What a sweep left in MLflow, without ids and wall-clock values: per trial its params, tags and every
    metric's history; for the sweep its params and artifact paths."""
    sweep = client.get_run(parent)
    children = client.search_runs([sweep.info.experiment_id], f"tags.mlflow.parentRunId = '{parent}'")
    trials = {}
    for child in children:
        history = {key: [(m.step, round(m.value, 9)) for m in
                         sorted(client.get_metric_history(child.info.run_id, key), key=lambda m: m.step)]
                   for key in child.data.metrics if key not in VOLATILE_METRICS}
        tags = {k: v for k, v in child.data.tags.items() if k.startswith("health_predict.")}
        trials[int(tags["health_predict.trial_id"])] = (child.info.status, child.data.params, tags, history)
    params = {k: v for k, v in sweep.data.params.items() if k not in {"data"}}
    # Spark names a saved model's part files and stage folders with fresh random ids each time.
    artifacts = sorted(re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|(?<=_)[0-9a-f]{12}\b", "<id>", p)
                       for p in _artifact_paths(client, parent))
    return sweep.info.status, params, trials, artifacts


def _artifact_paths(client, run_id, path=None):
    for f in client.list_artifacts(run_id, path):
        yield from _artifact_paths(client, run_id, f.path) if f.is_dir else [f.path]


def test_a_sweep_rides_out_a_minute_long_tracking_outage(split, server, tmp_path):
    reference = subprocess.run(_tune(split, server.uri, "--run-name", "reference"), cwd=ROOT,
                               capture_output=True, text=True, timeout=900)
    assert reference.returncode == 0, reference.stdout[-3000:] + reference.stderr[-3000:]
    reference_run = re.search(r"tune: OK run=([0-9a-f]{32})", reference.stdout).group(1)

    log = tmp_path / "driver-stderr.log"
    driver, out, parent, _ = _sweep_with_outage(_tune(split, server.uri, "--run-name", "outage"), server,
                                                OUTAGE_SECONDS, log)
    stderr = log.read_text()
    assert driver.returncode == 0, out[-3000:] + stderr[-3000:]
    assert f"tune: OK run={parent} trials={TRIALS} " in out
    # The driver noticed the outage once and its end once, and it lasted about as long as the server was down.
    assert stderr.count("cannot be used right now") == 1, stderr[-3000:]
    back = re.findall(r"answers again after (\d+) s", stderr)
    assert len(back) == 1 and int(back[0]) >= OUTAGE_SECONDS - 10, stderr[-3000:]

    client = MlflowClient(tracking_uri=server.uri)
    status, params, trials, artifacts = _recorded(client, parent)
    ref_status, ref_params, ref_trials, ref_artifacts = _recorded(client, reference_run)
    assert status == ref_status == "FINISHED"
    assert sorted(trials) == list(range(TRIALS))
    assert trials == ref_trials, "every trial's state, params, tags and metric history as without the outage"
    assert params == ref_params
    assert artifacts == ref_artifacts and "sweep/journal.jsonl" in artifacts


def test_an_outage_longer_than_the_budget_stops_the_sweep_resumably(split, server, tmp_path):
    log = tmp_path / "driver-stderr.log"
    driver, out, parent, waited = _sweep_with_outage(
        _tune(split, server.uri, "--run-name", "budget", "--tracking-retry", "10s"), server, None, log)
    stderr = log.read_text()
    assert driver.returncode != 0, out[-3000:]
    assert "retried for 1" in stderr and "--tracking-retry" in stderr, stderr[-3000:]
    assert f"--resume {parent}" in stderr, "the error says how to continue: " + stderr[-3000:]
    assert waited < 90, f"the driver gave up {waited:.0f} s after the server went away, not ~10 s"

    server.start()
    resumed = subprocess.run(_tune(split, server.uri, "--run-name", "budget", "--resume", parent), cwd=ROOT,
                             capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert f"tune: OK run={parent} trials={TRIALS} " in resumed.stdout
    client = MlflowClient(tracking_uri=server.uri)
    status, _, trials, _ = _recorded(client, parent)
    assert status == "FINISHED" and sorted(trials) == list(range(TRIALS))
    assert {t: record[0] for t, record in trials.items()} == {t: "FINISHED" for t in range(TRIALS)}
    # The trial whose run was created just before the server went away keeps that one run.
    children = client.search_runs([client.get_run(parent).info.experiment_id], f"tags.mlflow.parentRunId = '{parent}'")
    assert sorted(c.info.run_name for c in children) == [f"trial-{t}" for t in range(TRIALS)]
