"""Side-by-side model quality: the project's `tune` against its untuned models and Python peers.

For each seed the bundled sample is split by patient with that seed, so every seed tests on other
patients. Every contender fits without the test rows and is scored once on the same test rows with
one metrics function, so differences come from the models and not from how they were measured:

  tune              bin/health-predict tune (ASHA over lr/rf/gbt) with a wall budget, then `score`
  lr, rf, gbt       bin/health-predict train with the family's defaults, then `score`
  sklearn_logistic  scikit-learn logistic regression, C chosen on validation
  lightgbm_default  LightGBM with its defaults
  optuna_lightgbm   Optuna TPE + successive halving over LightGBM, in the same wall budget as tune

The report (Markdown, with a JSON of every number beside it) gives mean ± sd over seeds, each
contender's paired difference to tune, ROC-AUC per seed, and whether tune comes out on top.

  .venv/bin/python python/bench/quality.py --seeds 1,2,3,4,5 --budget 240 --concurrency 2 \\
      --work out/bench-quality --report out/bench/quality-benchmark.md
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

if __package__ in (None, ""):
    # Run as a script: make `bench` importable the same way the tests import it.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import peers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
JOBS = ROOT / "bin" / "health-predict"
DEFAULT_INPUT = ROOT / "data" / "sample" / "diabetic_data_sample.csv"
EXPERIMENT = "bench-quality"
REFERENCE = "tune"
PROJECT_DEFAULTS = ("lr", "rf", "gbt")
PEERS = ("sklearn_logistic", "lightgbm_default", "optuna_lightgbm")
CONTENDERS = (REFERENCE, *PROJECT_DEFAULTS, *PEERS)
METRICS = ("roc_auc", "pr_auc", "log_loss", "brier")
METRIC_TITLES = {"roc_auc": "ROC-AUC", "pr_auc": "PR-AUC", "log_loss": "log-loss", "brier": "Brier"}
PROBABILITY_COLUMN = "readmission_probability"
# A JVM job that runs this long past its budget is stuck, not slow.
JOB_GRACE_SECONDS = 1800


class JobFailed(RuntimeError):
    """A bin/health-predict command that exited non-zero, timed out or printed no OK line."""


@dataclass
class Outcome:
    """One contender on one seed: its test metrics, or why it has none."""

    contender: str
    seed: int
    ok: bool
    fit_seconds: float | None = None
    wall_seconds: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    test_rows: int | None = None
    test_positives: int | None = None
    details: dict = field(default_factory=dict)
    error: str | None = None


# ---------------------------------------------------------------------------------------------------
# command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python/bench/quality.py",
        description="Model-quality benchmark: tune vs the untuned project models (lr, rf, gbt) vs Python peers "
                    "(scikit-learn logistic regression, LightGBM defaults, Optuna-tuned LightGBM), each fitted "
                    "without the test rows and scored once on them, over several patient splits.",
        epilog="Without --tracking-uri an MLflow server is started for the run (SQLite and artifacts under "
               "WORK/mlflow) and stopped at the end. The jobs jar must be built (make build) and the venv "
               "must hold the peers' packages.")
    parser.add_argument("--seeds", type=_seed_list, default=[1, 2, 3, 4, 5],
                        help="comma-separated split seeds, one patient split each (default 1,2,3,4,5)")
    parser.add_argument("--budget", type=int, default=240,
                        help="wall seconds of tune's --time-budget and of the Optuna search (default 240)")
    parser.add_argument("--concurrency", type=int, default=2,
                        help="tune's --max-concurrent and Optuna's n_jobs (default 2)")
    parser.add_argument("--work", type=Path, default=ROOT / "out" / "bench-quality",
                        help="working directory: splits, scores, logs (default out/bench-quality)")
    parser.add_argument("--report", type=Path, default=ROOT / "out" / "bench" / "quality-benchmark.md",
                        help="Markdown report; a .json of the same name is written beside it "
                             "(default out/bench/quality-benchmark.md)")
    parser.add_argument("--tracking-uri", help="MLflow tracking server to use instead of starting one")
    parser.add_argument("--mlflow-port", type=int, default=5077,
                        help="port of the MLflow server started without --tracking-uri (default 5077)")
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT,
                        help="raw CSV to split (default the bundled sample)")
    parser.add_argument("--rows-sample", type=int, metavar="N",
                        help="use only the first N encounters of the input (file order), for a quicker run")
    parser.add_argument("--contenders", type=_contender_list, default=list(CONTENDERS),
                        help="comma-separated subset of " + ",".join(CONTENDERS) + " (default all)")
    args = parser.parse_args(argv)
    if args.budget <= 0 or args.concurrency <= 0:
        parser.error("--budget and --concurrency must be positive")
    if args.rows_sample is not None and args.rows_sample < 100:
        parser.error("--rows-sample must be at least 100 (the split needs patients in every part)")
    return args


def _seed_list(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, found '{text}'") from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError("expected one or more distinct seeds")
    return seeds


def _contender_list(text: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in CONTENDERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown contender(s) {unknown}; choose from {','.join(CONTENDERS)}")
    return [c for c in CONTENDERS if c in names]


def progress(message: str) -> None:
    """One line per finished step on stderr, so a long run shows where it is."""
    print(f"[quality {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------
# MLflow tracking server


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _mlflow_executable() -> Path:
    """The venv's mlflow: the project pins its version, and the jobs talk to that server."""
    beside = Path(sys.executable).with_name("mlflow")
    return beside if beside.exists() else ROOT / ".venv" / "bin" / "mlflow"


@contextlib.contextmanager
def tracking_server(work: Path, port: int, timeout: float = 180):
    """Runs an MLflow server for the benchmark's lifetime and stops it however the benchmark ends."""
    if not _port_free(port):
        raise RuntimeError(f"port {port} is in use: pass --mlflow-port or --tracking-uri")
    store = (work / "mlflow").resolve()
    (store / "artifacts").mkdir(parents=True, exist_ok=True)
    log_path = store / "server.log"
    command = [str(_mlflow_executable()), "server", "--backend-store-uri", f"sqlite:///{store}/mlflow.db",
               "--artifacts-destination", str(store / "artifacts"), "--serve-artifacts",
               "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    with open(log_path, "w") as log:
        # Its own process group, so stopping it also stops the workers it forks.
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                  env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"})
    uri = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(uri, server, log_path, timeout)
        progress(f"MLflow server up at {uri} (log {log_path})")
        yield uri
    finally:
        _stop(server)
        progress("MLflow server stopped")


def _wait_healthy(uri: str, server: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(uri + "/health", timeout=2):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("MLflow server did not start:\n" + log_path.read_text()[-3000:]) from None
            time.sleep(0.5)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group we started, SIGKILL if it has not gone within 30 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# ---------------------------------------------------------------------------------------------------
# project jobs


def run_job(args: list[str], log_path: Path, timeout: float, tracking_uri: str | None = None) -> str:
    """Runs bin/health-predict, keeps its output in log_path, returns stdout; JobFailed unless it exits 0."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **({"MLFLOW_TRACKING_URI": tracking_uri} if tracking_uri else {})}
    try:
        done = subprocess.run([str(JOBS), *args], cwd=ROOT, capture_output=True, text=True, env=env,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        log_path.write_text(_as_text(e.stdout) + "\n--- stderr ---\n" + _as_text(e.stderr))
        raise JobFailed(f"`{args[0]}` timed out after {timeout:.0f} s (log {log_path})") from None
    log_path.write_text(f"$ {shlex.join([str(JOBS), *args])}\n{done.stdout}\n--- stderr ---\n{done.stderr}")
    if done.returncode != 0:
        raise JobFailed(f"`{args[0]}` exited {done.returncode}: {failure_message(args[0], done.stderr, done.stdout)} "
                        f"(log {log_path})")
    return done.stdout


def _as_text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else (value or "")


def failure_message(command: str, stderr: str, stdout: str) -> str:
    """The CLI's own one-line reason (`<command>: failed: ...`, `invalid input`, a usage error), else the tail.

    The CLI prints its reason before a stack trace and Spark's shutdown logging, so the last lines alone
    would often show only noise.
    """
    reasons = re.compile(rf"^({re.escape(command)}: (failed|invalid input)|Unknown option|Missing required"
                         r"|Invalid value)")
    for line in (stderr or "").splitlines() + (stdout or "").splitlines():
        if reasons.match(line.strip()):
            return line.strip()
    return _last_lines(stderr or stdout)


def _last_lines(text: str, count: int = 3) -> str:
    """The last meaningful lines of a failed job: Spark's errors end its output."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:]) if lines else "(no output)"


def ok_run_id(stdout: str, command: str) -> str:
    """The run id from a job's closing `<command>: OK run=<id> ...` line (the last such line)."""
    found = re.findall(rf"^{re.escape(command)}: OK run=(\S+)", stdout, re.M)
    if not found:
        raise JobFailed(f"`{command}` printed no '{command}: OK run=...' line; last lines: {_last_lines(stdout)}")
    return found[-1]


def split(input_csv: Path, output: Path, seed: int, log_dir: Path) -> None:
    """The project's own split, so every contender sees exactly the rows the project's jobs see."""
    run_job(["split", "--input", str(input_csv), "--output", str(output), "--seed", str(seed),
             "--initial-fraction", "1.0"], log_dir / "split.log", timeout=JOB_GRACE_SECONDS)


def score_run(run_id: str, split_dir: Path, output: Path, uri: str, log_dir: Path, name: str) -> pd.DataFrame:
    """Scores a run's model on the test rows with `score`; returns encounter_id and the probability."""
    run_job(["score", "--model", f"runs:/{run_id}/model", "--input", str(split_dir / "initial" / "test"),
             "--output", str(output), "--tracking-uri", uri], log_dir / f"score-{name}.log",
            timeout=JOB_GRACE_SECONDS, tracking_uri=uri)
    scores = pd.read_parquet(output)
    missing = {"encounter_id", PROBABILITY_COLUMN} - set(scores.columns)
    if missing:
        raise JobFailed(f"`score` output lacks {sorted(missing)}; it has {list(scores.columns)}")
    return scores[["encounter_id", PROBABILITY_COLUMN]].rename(columns={PROBABILITY_COLUMN: "probability"})


def fit_tune(seed: int, split_dir: Path, uri: str, budget: int, concurrency: int, log_dir: Path) -> str:
    """tune with a wall budget and otherwise its defaults; returns the parent run, which holds the winner."""
    stdout = run_job(["tune", "--data", str(split_dir), "--time-budget", f"{budget}s",
                      "--max-concurrent", str(concurrency), "--seed", str(seed), "--tracking-uri", uri,
                      "--experiment", EXPERIMENT], log_dir / "tune.log",
                     timeout=budget + JOB_GRACE_SECONDS, tracking_uri=uri)
    return ok_run_id(stdout, "tune")


def fit_default(family: str, seed: int, split_dir: Path, uri: str, log_dir: Path) -> str:
    """train with the family's default parameters (the classifier seeded like the split)."""
    stdout = run_job(["train", "--data", str(split_dir), "--model", family, "--seed", str(seed),
                      "--tracking-uri", uri, "--experiment", EXPERIMENT, "--run-name", f"bench-{family}-seed{seed}"],
                     log_dir / f"train-{family}.log", timeout=JOB_GRACE_SECONDS, tracking_uri=uri)
    return ok_run_id(stdout, "train")


# ---------------------------------------------------------------------------------------------------
# contenders


@dataclass(frozen=True)
class SeedContext:
    """What every contender of one seed shares: the split, its test labels and the run settings."""

    seed: int
    split_dir: Path
    seed_dir: Path
    test_labels: pd.DataFrame
    uri: str
    budget: int
    concurrency: int

    @property
    def log_dir(self) -> Path:
        return self.seed_dir / "logs"


def read_part(split_dir: Path, part: str) -> pd.DataFrame:
    return pd.read_parquet(split_dir / "initial" / part)


def test_labels(split_dir: Path) -> pd.DataFrame:
    """encounter_id and label of the test rows: the one place the benchmark reads test labels."""
    test = read_part(split_dir, "test")
    labels = test[["encounter_id", peers.LABEL]].rename(columns={peers.LABEL: "label"})
    if labels["encounter_id"].duplicated().any():
        raise ValueError("test rows repeat an encounter_id: cannot join predictions to labels")
    return labels


def evaluate(labels: pd.DataFrame, predictions: pd.DataFrame) -> tuple[dict[str, float], int, int]:
    """Metrics on exactly the test rows, joined by encounter_id; any missing or extra row is an error."""
    if predictions["encounter_id"].duplicated().any():
        raise ValueError("predictions repeat an encounter_id")
    joined = labels.merge(predictions, on="encounter_id", how="left", validate="one_to_one")
    unscored = int(joined["probability"].isna().sum())
    extra = len(predictions) - (len(joined) - unscored)
    if unscored or extra:
        raise ValueError(f"{unscored} test row(s) without a prediction, {extra} prediction(s) for unknown rows")
    y = joined["label"].to_numpy()
    return peers.metrics(y, joined["probability"].to_numpy()), len(y), int(y.sum())


def project_contender(name: str, ctx: SeedContext) -> tuple[pd.DataFrame, float, dict]:
    """Fits tune or a default family via the CLI and scores it; returns predictions, fit seconds, details."""
    started = time.monotonic()
    if name == REFERENCE:
        run_id = fit_tune(ctx.seed, ctx.split_dir, ctx.uri, ctx.budget, ctx.concurrency, ctx.log_dir)
    else:
        run_id = fit_default(name, ctx.seed, ctx.split_dir, ctx.uri, ctx.log_dir)
    fit_seconds = time.monotonic() - started
    scores = score_run(run_id, ctx.split_dir, ctx.seed_dir / "scores" / name, ctx.uri, ctx.log_dir, name)
    return scores, fit_seconds, {"run_id": run_id}


def peer_contender(name: str, ctx: SeedContext) -> tuple[pd.DataFrame, float, dict]:
    """Runs a peer in this process on the split's frames; the test frame goes in without its labels."""
    train, validation = read_part(ctx.split_dir, "train"), read_part(ctx.split_dir, "validation")
    test = read_part(ctx.split_dir, "test").drop(columns=list(peers.LABEL_COLUMNS))
    started = time.monotonic()
    if name == "sklearn_logistic":
        prediction = peers.sklearn_logistic(train, validation, test, ctx.seed)
    elif name == "lightgbm_default":
        prediction = peers.lightgbm_default(train, validation, test, ctx.seed, n_jobs=ctx.concurrency)
    else:
        prediction = peers.optuna_lightgbm(train, validation, test, ctx.seed, budget_seconds=ctx.budget,
                                           n_jobs=ctx.concurrency)
    fit_seconds = time.monotonic() - started
    scores = pd.DataFrame({"encounter_id": test["encounter_id"].to_numpy(), "probability": prediction.probabilities})
    return scores, fit_seconds, prediction.details


def run_contender(name: str, ctx: SeedContext) -> Outcome:
    """One contender on one seed; a failure becomes a failed Outcome so the other contenders still run."""
    started = time.monotonic()
    try:
        run = project_contender if name in (REFERENCE, *PROJECT_DEFAULTS) else peer_contender
        predictions, fit_seconds, details = run(name, ctx)
        values, rows, positives = evaluate(ctx.test_labels, predictions)
    except Exception as e:  # noqa: BLE001 - any failure of one contender is reported, not fatal
        wall = time.monotonic() - started
        (ctx.log_dir / f"{name}.error.txt").parent.mkdir(parents=True, exist_ok=True)
        (ctx.log_dir / f"{name}.error.txt").write_text(traceback.format_exc())
        progress(f"seed {ctx.seed} {name}: FAILED after {wall:.1f} s: {e}")
        return Outcome(name, ctx.seed, ok=False, wall_seconds=round(wall, 1), error=f"{type(e).__name__}: {e}")
    wall = time.monotonic() - started
    progress(f"seed {ctx.seed} {name}: ROC-AUC {values['roc_auc']:.4f} PR-AUC {values['pr_auc']:.4f} "
             f"log-loss {values['log_loss']:.4f} Brier {values['brier']:.4f} in {wall:.1f} s")
    return Outcome(name, ctx.seed, ok=True, fit_seconds=round(fit_seconds, 1), wall_seconds=round(wall, 1),
                   metrics=values, test_rows=rows, test_positives=positives, details=details)


def run_seed(seed: int, args: argparse.Namespace, input_csv: Path, uri: str) -> list[Outcome]:
    """Splits with the seed, then runs every chosen contender on that split, one after another."""
    seed_dir = (args.work / f"seed-{seed}").resolve()
    split_dir = seed_dir / "split"
    try:
        started = time.monotonic()
        split(input_csv, split_dir, seed, seed_dir / "logs")
        labels = test_labels(split_dir)
        progress(f"seed {seed}: split in {time.monotonic() - started:.1f} s, {len(labels)} test rows, "
                 f"{int(labels['label'].sum())} positive")
    except Exception as e:  # noqa: BLE001 - a seed without a split fails its contenders, not the run
        progress(f"seed {seed}: split FAILED: {e}")
        return [Outcome(c, seed, ok=False, error=f"split failed: {e}") for c in args.contenders]
    ctx = SeedContext(seed, split_dir, seed_dir, labels, uri, args.budget, args.concurrency)
    return [run_contender(name, ctx) for name in args.contenders]


def sampled_input(input_csv: Path, rows: int | None, work: Path) -> Path:
    """The input itself, or its header and first N encounters in a file under work."""
    if rows is None:
        return input_csv.resolve()
    target = (work / f"input-first-{rows}.csv").resolve()
    with open(input_csv) as source, open(target, "w") as out:
        for index, line in enumerate(source):
            if index > rows:
                break
            out.write(line)
    return target


# ---------------------------------------------------------------------------------------------------
# statistics


def mean_sd(values: list[float]) -> dict[str, float]:
    """Mean and sample standard deviation (NaN sd for fewer than two values: one seed shows no spread)."""
    if not values:
        return {"mean": math.nan, "sd": math.nan}
    return {"mean": statistics.fmean(values), "sd": statistics.stdev(values) if len(values) > 1 else math.nan}


def paired_differences(outcomes: list[Outcome], contender: str, metric: str,
                       reference: str = REFERENCE) -> dict[int, float]:
    """contender − reference per seed, on the seeds where both have a result."""
    by_seed = {(o.contender, o.seed): o for o in outcomes if o.ok}
    seeds = sorted({o.seed for o in outcomes})
    return {s: by_seed[(contender, s)].metrics[metric] - by_seed[(reference, s)].metrics[metric]
            for s in seeds if (contender, s) in by_seed and (reference, s) in by_seed}


def hanley_mcneil_se(auc: float, positives: int, negatives: int) -> float:
    """Standard error of a ROC-AUC on a test set of that many positives and negatives (Hanley & McNeil, 1982)."""
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc)
                + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives)
    return math.sqrt(variance)


def summarise(outcomes: list[Outcome], contenders: list[str]) -> dict:
    """Per contender: mean ± sd of every metric and of the times, and the paired difference to tune."""
    summary = {}
    for name in contenders:
        mine = [o for o in outcomes if o.contender == name]
        ok = [o for o in mine if o.ok]
        entry = {"seeds_ok": len(ok), "seeds_failed": len(mine) - len(ok)}
        for metric in METRICS:
            entry[metric] = mean_sd([o.metrics[metric] for o in ok])
        entry["fit_seconds"] = mean_sd([o.fit_seconds for o in ok])
        entry["wall_seconds"] = mean_sd([o.wall_seconds for o in ok])
        if name != REFERENCE:
            entry["minus_tune"] = {}
            for metric in METRICS:
                diffs = paired_differences(outcomes, name, metric)
                entry["minus_tune"][metric] = {**mean_sd(list(diffs.values())), "seeds": len(diffs)}
        summary[name] = entry
    return summary


def checks(outcomes: list[Outcome], summary: dict) -> dict:
    """Whether tune leads on mean ROC-AUC and PR-AUC, and per seed whether a default beats it by > 1 SE."""
    result = {"tune_mean_leads": {}, "per_seed": []}
    tune = summary.get(REFERENCE)
    for metric in ("roc_auc", "pr_auc"):
        if not tune or not tune["seeds_ok"]:
            result["tune_mean_leads"][metric] = {"holds": None, "ahead_of_tune": []}
            continue
        ahead = [n for n, e in summary.items()
                 if n != REFERENCE and e["seeds_ok"] and e[metric]["mean"] > tune[metric]["mean"]]
        result["tune_mean_leads"][metric] = {"holds": not ahead, "ahead_of_tune": ahead}
    for seed in sorted({o.seed for o in outcomes}):
        result["per_seed"].append(_seed_check(outcomes, seed))
    return result


def _seed_check(outcomes: list[Outcome], seed: int) -> dict:
    """tune against the best untuned project model of one seed, with the SE of that model's ROC-AUC."""
    ok = {o.contender: o for o in outcomes if o.seed == seed and o.ok}
    defaults = [ok[f] for f in PROJECT_DEFAULTS if f in ok]
    if REFERENCE not in ok or not defaults:
        return {"seed": seed, "below_by_more_than_se": None,
                "reason": "tune failed" if REFERENCE not in ok else "no project default succeeded"}
    best = max(defaults, key=lambda o: o.metrics["roc_auc"])
    tune = ok[REFERENCE]
    se = hanley_mcneil_se(best.metrics["roc_auc"], best.test_positives, best.test_rows - best.test_positives)
    gap = best.metrics["roc_auc"] - tune.metrics["roc_auc"]
    return {"seed": seed, "tune_roc_auc": tune.metrics["roc_auc"], "best_default": best.contender,
            "best_default_roc_auc": best.metrics["roc_auc"], "se": se, "gap": gap,
            "below_by_more_than_se": gap > se}


# ---------------------------------------------------------------------------------------------------
# report


def machine() -> dict:
    """What the numbers were measured on; times mean little without it."""
    model = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": _commit(), "python": platform.python_version(), "packages": _versions()}


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _commit() -> str:
    """HEAD's commit, read-only (no `git status`: it may rewrite the index another process is using)."""
    try:
        return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def _versions() -> dict:
    import lightgbm
    import optuna
    import sklearn
    return {"scikit-learn": sklearn.__version__, "lightgbm": lightgbm.__version__, "optuna": optuna.__version__,
            "pandas": pd.__version__}


def _pm(value: dict, digits: int = 4) -> str:
    mean, sd = value["mean"], value["sd"]
    if math.isnan(mean):
        return "–"
    return f"{mean:.{digits}f}" if math.isnan(sd) else f"{mean:.{digits}f} ± {sd:.{digits}f}"


def _signed_pm(value: dict, digits: int = 4) -> str:
    mean, sd = value["mean"], value["sd"]
    if math.isnan(mean):
        return "–"
    return f"{mean:+.{digits}f}" if math.isnan(sd) else f"{mean:+.{digits}f} ± {sd:.{digits}f}"


def render_markdown(data: dict) -> str:
    """The human report; every number in it is also in the JSON."""
    m, run = data["machine"], data["run"]
    lines = ["# Model quality: tune vs untuned project models vs Python peers", "",
             f"- Machine: {m['nproc']} cores, {m['cpu']}; {m['date']}; commit {m['commit']}; Python {m['python']}, "
             + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
             f"- Command: `{run['command']}`",
             f"- Data: {run['input']}, split seeds {', '.join(map(str, run['seeds']))} (--initial-fraction 1.0; "
             f"each seed puts other patients in test)",
             f"- Budget: tune --time-budget {run['budget']}s --max-concurrent {run['concurrency']}; "
             f"optuna_lightgbm timeout {run['budget']} s, n_jobs {run['concurrency']}",
             "- Fitting data: `train` fits lr/rf/gbt on train (validation only for its own metrics); tune runs "
             "with its defaults (its log, WORK/seed-S/logs/tune.log, says what it fitted the winner on); the "
             "peers choose on validation and refit on train + validation. No contender sees the test rows "
             "before it is scored on them, once.",
             "- fit s: the train/tune command (JVM and Spark start-up included) or the peer's fit and predict; "
             "wall s: until the test probabilities exist (project models: plus `score`).",
             "- PR-AUC is average precision (scikit-learn's step-wise sum), for every contender; Spark's "
             "areaUnderPR, which the jobs print, interpolates and differs a little on the same predictions.", ""]
    lines += _metrics_table(data)
    lines += _difference_table(data)
    lines += _per_seed_table(data)
    lines += _check_lines(data)
    lines += _failure_lines(data)
    lines += _detail_lines(data)
    return "\n".join(lines) + "\n"


def _metrics_table(data: dict) -> list[str]:
    lines = ["## Test metrics, mean ± sd over seeds", "",
             "| contender | seeds ok | ROC-AUC | PR-AUC | log-loss | Brier | fit s | wall s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, e in data["summary"].items():
        seeds = f"{e['seeds_ok']}/{e['seeds_ok'] + e['seeds_failed']}"
        cells = [_pm(e[k]) for k in METRICS] + [_pm(e["fit_seconds"], 1), _pm(e["wall_seconds"], 1)]
        lines.append(f"| {name} | {seeds} | " + " | ".join(cells) + " |")
    return lines + [""]


def _difference_table(data: dict) -> list[str]:
    lines = ["## Paired difference to tune (contender − tune per seed, mean ± sd)", "",
             "Higher is better for ROC-AUC and PR-AUC, lower for log-loss and Brier.", "",
             "| contender | seeds | ΔROC-AUC | ΔPR-AUC | Δlog-loss | ΔBrier |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, e in data["summary"].items():
        if name == REFERENCE:
            continue
        d = e["minus_tune"]
        lines.append(f"| {name} | {d['roc_auc']['seeds']} | " + " | ".join(_signed_pm(d[k]) for k in METRICS) + " |")
    return lines + [""]


def _per_seed_table(data: dict) -> list[str]:
    names = list(data["summary"])
    lines = ["## Test ROC-AUC per seed", "",
             "| seed | test rows | positives | " + " | ".join(names) + " |",
             "| --- | --- | --- | " + " | ".join("---" for _ in names) + " |"]
    for seed in data["run"]["seeds"]:
        row = {o["contender"]: o for o in data["outcomes"] if o["seed"] == seed}
        sized = next((o for o in row.values() if o["ok"]), None)
        rows = sized["test_rows"] if sized else "–"
        positives = sized["test_positives"] if sized else "–"
        cells = [f"{row[n]['metrics']['roc_auc']:.4f}" if n in row and row[n]["ok"] else "failed" for n in names]
        lines.append(f"| {seed} | {rows} | {positives} | " + " | ".join(cells) + " |")
    return lines + [""]


def _check_lines(data: dict) -> list[str]:
    c = data["checks"]
    lines = ["## Check", ""]
    for metric in ("roc_auc", "pr_auc"):
        lead = c["tune_mean_leads"][metric]
        verdict = ("not known (tune has no result)" if lead["holds"] is None else "yes" if lead["holds"]
                   else "no, behind " + ", ".join(lead["ahead_of_tune"]))
        lines.append(f"- tune's mean {METRIC_TITLES[metric]} ≥ every other contender's: {verdict}")
    for s in c["per_seed"]:
        if s["below_by_more_than_se"] is None:
            lines.append(f"- seed {s['seed']}: not known ({s['reason']})")
            continue
        verdict = "BELOW by more than one SE" if s["below_by_more_than_se"] else "not below by more than one SE"
        lines.append(f"- seed {s['seed']}: tune {s['tune_roc_auc']:.4f} vs best untuned default {s['best_default']} "
                     f"{s['best_default_roc_auc']:.4f} (SE {s['se']:.4f}, Hanley–McNeil at the default's AUC): "
                     f"{verdict}")
    return lines + [""]


def _failure_lines(data: dict) -> list[str]:
    failed = [o for o in data["outcomes"] if not o["ok"]]
    if not failed:
        return []
    return ["## Failed contenders", ""] + [f"- seed {o['seed']} {o['contender']}: {o['error']}" for o in failed] + [""]


def _detail_lines(data: dict) -> list[str]:
    """What each contender chose or ran, per seed: MLflow runs of the project models, the peers' choices."""
    shown = [o for o in data["outcomes"] if o["ok"] and o["details"]]
    if not shown:
        return []
    return ["## Details", ""] + [f"- seed {o['seed']} {o['contender']}: " + json.dumps(o["details"])
                                 for o in shown] + [""]


def build_report_data(outcomes: list[Outcome], args: argparse.Namespace, input_csv: Path, command: str) -> dict:
    summary = summarise(outcomes, args.contenders)
    return {"machine": machine(),
            "run": {"command": command, "input": str(input_csv), "seeds": args.seeds, "budget": args.budget,
                    "concurrency": args.concurrency, "contenders": args.contenders},
            "summary": summary, "checks": checks(outcomes, summary), "outcomes": [asdict(o) for o in outcomes]}


def write_report(data: dict, report: Path) -> Path:
    """Writes the Markdown and, beside it, the JSON (NaN as null, so any JSON reader takes it)."""
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(render_markdown(data))
    json_path = report.with_suffix(".json")
    json_path.write_text(json.dumps(_nan_to_none(data), indent=2) + "\n")
    return json_path


def _nan_to_none(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------------
# main


def _relative(path: str) -> str:
    """A path as typed from the repository root, when it is inside it."""
    try:
        return str(Path(path).absolute().relative_to(ROOT))
    except ValueError:
        return path


def _terminate_on_sigterm() -> None:
    """A SIGTERM unwinds like Ctrl-C, so the MLflow server we started is stopped too."""
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join([_relative(sys.executable), _relative(__file__), *(sys.argv[1:] if argv is None else argv)])
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    if not JOBS.exists():
        raise SystemExit(f"{JOBS} not found")
    _terminate_on_sigterm()
    input_csv = sampled_input(args.input, args.rows_sample, args.work)
    outcomes: list[Outcome] = []
    server = (contextlib.nullcontext(args.tracking_uri) if args.tracking_uri
              else tracking_server(args.work, args.mlflow_port))
    try:
        with server as uri:
            for seed in args.seeds:
                outcomes += run_seed(seed, args, input_csv, uri)
    finally:
        if outcomes:
            json_path = write_report(build_report_data(outcomes, args, input_csv, command), args.report)
            progress(f"report {args.report} and {json_path}")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
