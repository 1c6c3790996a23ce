"""A sweep whose driver is killed (SIGKILL, mid-way) resumes with `tune --resume`: every trial ends
exactly once, and no rung of any trial is recorded twice. Under both promotion rules; under the paper's
the driver dies after a promotion, with trials waiting at their rung, so the new driver has to promote
or stop trials whose runs the dead one left open."""
import re
import subprocess

import pytest
from mlflow import MlflowClient

from conftest import JOBS, ROOT, SAMPLE, run_job

SPACE = ROOT / "jobs" / "src" / "test" / "resources" / "tiny-space.yaml"
TRIALS = 6


def _tune(split, uri, promotion, *extra):
    return [str(JOBS), "tune", "--data", str(split), "--space", str(SPACE), "--max-trials", str(TRIALS),
            "--max-concurrent", "2", "--promotion", promotion, "--tracking-uri", uri,
            # Sampled trials only (no defaults at the top rung), so every trial climbs from rung 0; TPE
            # takes over after two results, so the resumed driver must redraw its trials from the journal.
            "--no-defaults-first", "--startup-trials", "2", "--folds", "3",
            "--experiment", "resume-test", *extra]


@pytest.mark.parametrize("promotion", ["paper", "immediate"])
def test_killed_sweep_resumes_without_losing_or_repeating_a_trial(mlflow_server, tmp_path, promotion):
    split = tmp_path / "split"
    assert run_job("split", "--input", str(SAMPLE), "--output", str(split)).returncode == 0

    driver_log = tmp_path / "driver-stderr.log"
    with open(driver_log, "w") as stderr:
        driver = subprocess.Popen(_tune(split, mlflow_server, promotion), cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=stderr, text=True)
    parent, results, promoted, seen = None, 0, False, []
    for line in driver.stdout:
        seen.append(line)
        started = re.search(r"sweep ([0-9a-f]{32}) started", line)
        parent = started.group(1) if started else parent
        results += " → " in line
        promoted |= " promoted from rung " in line
        if results >= 3 and (promoted or promotion == "immediate"):
            driver.kill()  # SIGKILL: no shutdown hook, no run ended, exactly like a lost driver
            break
    driver.wait(timeout=60)
    assert parent and results >= 3, ("the sweep never got going; its output:\n" + "".join(seen)[-3000:]
                                     + "\nstderr:\n" + driver_log.read_text()[-3000:])

    client = MlflowClient(tracking_uri=mlflow_server)
    assert client.get_run(parent).info.status == "RUNNING"
    killed_children = client.search_runs([client.get_run(parent).info.experiment_id],
                                         f"tags.mlflow.parentRunId = '{parent}'")
    assert 0 < len(killed_children) < TRIALS + 1

    resumed = subprocess.run(_tune(split, mlflow_server, promotion, "--resume", parent), cwd=ROOT,
                             capture_output=True, text=True, timeout=1200)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert f"resuming sweep {parent}" in resumed.stdout
    assert f"tune: OK run={parent} trials={TRIALS} " in resumed.stdout

    assert client.get_run(parent).info.status == "FINISHED"
    assert client.get_run(parent).data.params["promotion"] == promotion
    children = client.search_runs([client.get_run(parent).info.experiment_id],
                                  f"tags.mlflow.parentRunId = '{parent}'")
    trial_ids = sorted(int(c.data.tags["health_predict.trial_id"]) for c in children)
    assert trial_ids == list(range(TRIALS)), "every trial exactly once"
    for child in children:
        assert child.info.status == "FINISHED"
        state = child.data.tags["health_predict.trial_state"]
        assert state in {"COMPLETED", "STOPPED", "DEGENERATE"}
        steps = [m.step for m in client.get_metric_history(child.info.run_id, "val_pr_auc")]
        assert len(steps) == len(set(steps)), f"trial {child.data.tags['health_predict.trial_id']} repeated a rung: {steps}"
        assert sorted(steps) == [2, 6, 18][:len(steps)], f"rungs climbed in order, none skipped: {steps}"
        if state == "COMPLETED":
            assert max(steps) == 18
        else:
            assert state == "DEGENERATE" or max(steps) < 18
            assert child.data.tags["health_predict.stopped_at_rung"] == str(len(steps) - 1)
