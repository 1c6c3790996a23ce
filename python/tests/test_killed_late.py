"""The driver killed (SIGKILL) late, where a crash leaves the most half-done work:

* a sweep while it uploads its final model (the Spark stages are up; the pipeline metadata naming them
  and MLmodel are not), then `tune --resume`;
* `register` right after it created the model version (nothing decided yet), then a rerun killed right
  after the champion alias moved to that version (no tags, no audit line, the promotion lease held),
  then a rerun to the end.

Afterwards the sweep's run has exactly one version, the champion alias points at it, its promotion is
in the audit log once, the lease is free, and the champion's model loads and scores the test rows
exactly as the sweep measured them in memory. The job pauses at a named point when HP_TEST_PAUSE_AT
names it (core/testhook/PausePoint) and prints `pausing at <point>`; the test kills it on that line."""
import os
import re
import subprocess

import pyarrow.parquet as pq
from mlflow import MlflowClient
from sklearn.metrics import roc_auc_score

from conftest import JOBS, ROOT, SAMPLE, audit_entries, run_job

SPACE = ROOT / "jobs" / "src" / "test" / "resources" / "tiny-space.yaml"
MODEL = "HealthPredictKilledLate"
PAUSE_ENV = "HP_TEST_PAUSE_AT"
# The killed register holds the promotion lease; its rerun waits for it to expire (default 60 s, shortened
# here; still long enough for a promotion on a loaded machine).
LEASE = {"HP_PROMOTION_LEASE_TTL": "15"}


def _killed_at(args, point, env=None):
    """Runs a job until it pauses at `point`, SIGKILLs it there and returns what it printed."""
    proc = subprocess.Popen([str(JOBS), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, PAUSE_ENV: point, **(env or {})})
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith(f"pausing at {point} "):
            proc.kill()  # SIGKILL: no shutdown hook, no finally block, no run ended
            break
    proc.wait(timeout=60)
    out = "".join(seen)
    assert f"pausing at {point} " in out, (f"never paused at {point}; exit {proc.returncode}:\n" + out[-3000:]
                                           + "\nstderr:\n" + proc.stderr.read()[-3000:])
    proc.stderr.close()
    return out


def _files(client, run_id, path):
    """Every artifact file below `path` of the run, recursively."""
    out = []
    for entry in client.list_artifacts(run_id, path):
        out += _files(client, run_id, entry.path) if entry.is_dir else [entry.path]
    return out


def test_sweep_and_register_killed_late_leave_one_complete_champion(mlflow_server, tmp_path):
    client = MlflowClient(tracking_uri=mlflow_server)
    split = tmp_path / "split"
    assert run_job("split", "--input", str(SAMPLE), "--output", str(split)).returncode == 0
    tune = ["tune", "--data", str(split), "--space", str(SPACE), "--max-trials", "2", "--max-concurrent", "2",
            "--folds", "2", "--no-defaults-first", "--promotion", "immediate", "--tracking-uri", mlflow_server,
            "--experiment", "killed-late"]

    # The sweep, killed with its model's stages uploaded and nothing naming them yet.
    out = _killed_at(tune, "model-upload:stages-uploaded")
    parent = re.search(r"^tune: sweep ([0-9a-f]{32}) started", out, re.M).group(1)
    assert client.get_run(parent).info.status == "RUNNING"
    left = _files(client, parent, "model")
    assert any(f.startswith("model/sparkml/stages/") for f in left), left
    assert "model/MLmodel" not in left and not any(f.startswith("model/sparkml/metadata/") for f in left), left

    resumed = run_job(*tune, "--resume", parent)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert f"tune: OK run={parent} " in resumed.stdout
    sweep = client.get_run(parent)
    assert sweep.info.status == "FINISHED"
    model_files = _files(client, parent, "model")
    assert "model/MLmodel" in model_files
    # One pipeline metadata: the resumed upload replaced the file, it did not add a second one beside it.
    assert [f for f in model_files if f.startswith("model/sparkml/metadata/part-")] == \
        ["model/sparkml/metadata/part-00000-c000.txt"], model_files

    register = ["register", "--run", parent, "--name", MODEL, "--tracking-uri", mlflow_server,
                "--baseline=none", "--no-chance-floors", "--actor", "killed-late-test"]

    # Killed with the version made and nothing decided.
    _killed_at(register, "register:version-created")
    [version] = client.search_model_versions(f"name = '{MODEL}'")
    assert version.run_id == parent and "health_predict.decision" not in version.tags
    assert client.get_registered_model(MODEL).aliases == {}

    # The rerun decides that version (no second one) and is killed once the champion alias moved to it.
    out = _killed_at(register, "promotion:champion-moved", env=LEASE)
    assert f"run {parent} is version {version.version} already" in out, out
    assert [v.version for v in client.search_model_versions(f"name = '{MODEL}'")] == [version.version]
    assert client.get_registered_model(MODEL).aliases == {"champion": version.version}
    assert "health_predict.decision" not in client.get_model_version(MODEL, version.version).tags
    assert audit_entries(client, MODEL) == [], "killed before the audit line"
    assert "health_predict.promotion_lease" in client.get_registered_model(MODEL).tags, "died holding the lease"

    # The next rerun (once the dead one's lease expired) finishes the promotion the alias committed.
    done = run_job(*register)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "the decision is now complete" in done.stdout
    ok = f"register: OK name={MODEL} version={version.version} decision=PROMOTED champion={version.version} "
    assert ok in done.stdout and done.stdout.rstrip().endswith("again=true"), done.stdout[-2000:]

    assert [(v.version, v.run_id) for v in client.search_model_versions(f"name = '{MODEL}'")] == \
        [(version.version, parent)], "one version per source run"
    registered = client.get_registered_model(MODEL)
    assert registered.aliases == {"champion": version.version}
    assert "health_predict.promotion_lease" not in registered.tags
    assert client.get_model_version(MODEL, version.version).tags["health_predict.decision"] == "promoted"
    [entry] = audit_entries(client, MODEL)
    assert (entry["action"], entry["versions"]) == (
        "promoted", {"version": version.version, "champion_before": None, "champion_after": version.version})

    # The champion's artifacts load: scoring the test rows gives the sweep's own test ROC-AUC.
    scores = tmp_path / "scores"
    scored = run_job("score", "--model", f"models:/{MODEL}@champion", "--input", str(split / "initial" / "test"),
                     "--output", str(scores), "--tracking-uri", mlflow_server)
    assert scored.returncode == 0, scored.stdout[-3000:] + scored.stderr[-3000:]
    predictions = pq.read_table(scores).to_pandas().set_index("encounter_id")
    test = pq.read_table(split / "initial" / "test", columns=["encounter_id", "readmitted_binary"]).to_pandas()
    labels = test.set_index("encounter_id")["readmitted_binary"]
    assert len(predictions) == len(labels) and set(predictions["model_version"]) == {version.version}
    auc = roc_auc_score(labels, predictions.loc[labels.index, "readmission_probability"])
    assert abs(auc - sweep.data.metrics["test_roc_auc"]) < 1e-9, (auc, sweep.data.metrics["test_roc_auc"])
