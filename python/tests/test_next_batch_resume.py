"""`next-batch` killed with SIGKILL — once between writing a batch and recording it in the cursor, once in
the middle of writing — loses and repeats nothing: the batches, concatenated, are the future data in
encounter order, and the batch cut again after the first kill holds the very rows of the killed run."""
import json
import os
import subprocess

import pyarrow.parquet as pq

from conftest import JOBS, ROOT, SAMPLE, run_job

SIZE = 1300
PAUSE_ENV = "HP_TEST_PAUSE_BEFORE_CURSOR_COMMIT"


def _ids(path):
    return sorted(pq.read_table(path, columns=["encounter_id"]).column("encounter_id").to_pylist())


def _args(split, tmp_path):
    return ["next-batch", "--future", str(split / "future"), "--batch-size", str(SIZE),
            "--state", str(tmp_path / "cursor.json"), "--out", str(tmp_path / "batches")]


def _run_until(args, marker, env=None):
    """Starts next-batch and SIGKILLs it as soon as a line containing `marker` is printed."""
    proc = subprocess.Popen([str(JOBS), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env={**os.environ, **(env or {})})
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            proc.kill()  # SIGKILL: no shutdown hook, no finally block, like a lost node
            break
    proc.wait(timeout=60)
    assert any(marker in line for line in seen), "never reached '" + marker + "':\n" + "".join(seen)[-3000:]


def _cursor(tmp_path):
    return json.loads((tmp_path / "cursor.json").read_text())


def test_killed_next_batch_neither_skips_nor_repeats_a_batch(tmp_path):
    split = tmp_path / "split"
    assert run_job("split", "--input", str(SAMPLE), "--output", str(split)).returncode == 0
    args = _args(split, tmp_path)
    first = run_job(*args)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "next-batch: OK batch=1 " in first.stdout

    # Killed after batch 2 is written, before the cursor records it.
    _run_until(args, "pausing", env={PAUSE_ENV: "120"})
    assert (tmp_path / "batches" / "batch-00002").is_dir()
    assert [b["id"] for b in _cursor(tmp_path)["batches"]] == [1]
    left_by_kill = _ids(tmp_path / "batches" / "batch-00002")

    again = run_job(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "next-batch: OK batch=2 " in again.stdout, "batch 2 was skipped or renamed"
    assert _ids(tmp_path / "batches" / "batch-00002") == left_by_kill

    # Killed while Spark writes batch 3: nothing recorded, the next run cuts batch 3.
    _run_until(args, "cutting batch 3")
    assert [b["id"] for b in _cursor(tmp_path)["batches"]] == [1, 2]

    outputs = []
    for _ in range(10):
        done = run_job(*args)
        assert done.returncode == 0, done.stderr[-3000:]
        outputs.append(done.stdout.strip().splitlines()[-1])
        if outputs[-1] == "NO_MORE_DATA":
            break
    assert outputs[-1] == "NO_MORE_DATA", outputs

    batches = _cursor(tmp_path)["batches"]
    assert [b["id"] for b in batches] == list(range(1, len(batches) + 1))
    cut = [i for b in batches for i in _ids(b["path"])]
    future = _ids(split / "future")
    assert cut == future, "every future encounter exactly once, in encounter order"
    assert len(batches) == -(-len(future) // SIZE)
