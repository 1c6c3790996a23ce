"""The quality benchmark's peers on a tiny real split, and its metric and summary math on known numbers.

The benchmark is only as fair as two things checked here: every contender is measured by one metrics
function that means what it says, and no peer can see a test label or learn from the test rows.
"""
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import peers, quality  # noqa: E402
from conftest import SAMPLE, run_job  # noqa: E402

SEED = 3
# Small, fixed searches: a time budget alone would finish a machine-dependent number of trials.
OPTUNA = {"budget_seconds": 60, "n_jobs": 1, "n_trials": 4}


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    """The project's own split of the bundled sample's oldest 40%: about 2,000 encounters."""
    out = tmp_path_factory.mktemp("quality") / "split"
    done = run_job("split", "--input", str(SAMPLE), "--output", str(out), "--seed", str(SEED),
                   "--initial-fraction", "0.4")
    assert done.returncode == 0, done.stdout + done.stderr
    return {part: pd.read_parquet(out / "initial" / part) for part in ("train", "validation", "test")}


def run_peer(name, split, test):
    if name == "sklearn_logistic":
        return peers.sklearn_logistic(split["train"], split["validation"], test, SEED)
    if name == "lightgbm_default":
        return peers.lightgbm_default(split["train"], split["validation"], test, SEED, n_jobs=1)
    return peers.optuna_lightgbm(split["train"], split["validation"], test, SEED, **OPTUNA)


def without_labels(test):
    return test.drop(columns=list(peers.LABEL_COLUMNS))


@pytest.fixture(scope="module")
def predictions(split):
    """Each peer's test probabilities from a test frame without labels, computed once for the tests below."""
    return {name: run_peer(name, split, without_labels(split["test"])).probabilities for name in quality.PEERS}


def test_split_has_the_label_and_columns_the_peers_expect(split):
    for part in split.values():
        assert part[peers.LABEL].isin([0, 1]).all()
        assert {*peers.ID_COLUMNS, *peers.CODE_COLUMNS, "readmitted"} <= set(part.columns)
    assert 0 < split["test"][peers.LABEL].sum() < len(split["test"])
    assert not set(split["test"]["patient_nbr"]) & set(split["train"]["patient_nbr"])


@pytest.mark.parametrize("name", quality.PEERS)
def test_peer_gives_a_probability_per_test_row_and_sane_metrics(name, split, predictions):
    test, p = split["test"], predictions[name]
    assert p.shape == (len(test),)
    assert np.all((p >= 0) & (p <= 1)) and p.std() > 0
    m = peers.metrics(test[peers.LABEL], p)
    base_rate = test[peers.LABEL].mean()
    assert 0.5 < m["roc_auc"] <= 1, m
    assert base_rate * 0.8 < m["pr_auc"] <= 1, m  # a random ranking scores about the base rate
    assert 0 < m["brier"] < 0.25 and 0 < m["log_loss"] < math.log(2), m


@pytest.mark.parametrize("name", quality.PEERS)
def test_peer_never_reads_test_labels(name, split, predictions):
    """Test labels shuffled and `readmitted` rewritten to give the true answer: predictions do not move."""
    test = split["test"]
    shuffled = np.random.default_rng(0).permutation(test[peers.LABEL].to_numpy())
    leaky = test.assign(**{peers.LABEL: shuffled, "readmitted": np.where(test[peers.LABEL] == 1, "<30", "NO")})
    np.testing.assert_array_equal(run_peer(name, split, leaky).probabilities, predictions[name])


@pytest.mark.parametrize("name", ["sklearn_logistic", "lightgbm_default"])
def test_peer_does_not_learn_from_the_test_rows(name, split, predictions):
    """A row's prediction is the same whether the other test rows are there or not."""
    half = without_labels(split["test"]).iloc[: len(split["test"]) // 2]
    np.testing.assert_allclose(run_peer(name, split, half).probabilities, predictions[name][: len(half)],
                               rtol=0, atol=1e-12)


def test_separable_column_gives_roc_auc_one(split):
    y = split["test"][peers.LABEL].to_numpy()
    separable = np.where(y == 1, 0.75, 0.25)
    assert peers.metrics(y, separable)["roc_auc"] == 1.0
    assert peers.metrics(y, separable)["pr_auc"] == 1.0
    assert peers.metrics(y, 1 - separable)["roc_auc"] == 0.0


def test_metrics_on_numbers_worked_by_hand():
    m = peers.metrics([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert m["roc_auc"] == 1.0 and m["pr_auc"] == 1.0
    assert m["brier"] == pytest.approx((0.01 + 0.04 + 0.04 + 0.01) / 4)
    assert m["log_loss"] == pytest.approx(-(2 * math.log(0.9) + 2 * math.log(0.8)) / 4)
    # One positive ranked below one negative out of four pairs.
    assert peers.metrics([0, 0, 1, 1], [0.1, 0.6, 0.5, 0.9])["roc_auc"] == pytest.approx(0.75)
    assert math.isfinite(peers.metrics([0, 1], [1.0, 0.0])["log_loss"])


def test_metrics_refuse_what_they_cannot_measure():
    with pytest.raises(ValueError):
        peers.metrics([1, 1, 1], [0.2, 0.4, 0.6])
    with pytest.raises(ValueError):
        peers.metrics([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError):
        peers.metrics([0, 1, 1], [0.5, 0.5])


def test_integer_codes_match_whether_or_not_the_column_has_nulls():
    """6 and 6.0 (pandas turns an int column with nulls into floats) must be one category."""
    with_nulls = pd.DataFrame({"admission_type_id": [6.0, None, 1.0], "race": ["A", None, "B"]})
    without = pd.DataFrame({"admission_type_id": [6, 1, 1], "race": ["A", "B", "B"]})
    spec = peers.feature_spec(without)
    assert spec.categorical == ("admission_type_id", "race")
    assert list(peers.encode(with_nulls, spec)["admission_type_id"]) == ["6", peers.MISSING, "1"]
    assert list(peers.encode(without, spec)["admission_type_id"]) == ["6", "1", "1"]


def outcome(contender, seed, roc_auc, pr_auc=0.2, rows=300, positives=30):
    metrics = {"roc_auc": roc_auc, "pr_auc": pr_auc, "log_loss": 0.3, "brier": 0.09}
    return quality.Outcome(contender, seed, ok=True, fit_seconds=1.0, wall_seconds=2.0, metrics=metrics,
                           test_rows=rows, test_positives=positives)


def test_paired_differences_and_summary_on_known_numbers():
    outcomes = [outcome("tune", 1, 0.60), outcome("tune", 2, 0.62), outcome("tune", 3, 0.64),
                outcome("lr", 1, 0.61), outcome("lr", 2, 0.64), outcome("lr", 3, 0.67),
                outcome("rf", 1, 0.50), quality.Outcome("rf", 2, ok=False, error="boom"), outcome("rf", 3, 0.52)]
    diffs = quality.paired_differences(outcomes, "lr", "roc_auc")
    assert diffs == pytest.approx({1: 0.01, 2: 0.02, 3: 0.03})
    assert quality.paired_differences(outcomes, "rf", "roc_auc") == pytest.approx({1: -0.10, 3: -0.12})
    summary = quality.summarise(outcomes, ["tune", "lr", "rf"])
    assert summary["tune"]["roc_auc"]["mean"] == pytest.approx(0.62)
    assert summary["tune"]["roc_auc"]["sd"] == pytest.approx(0.02)
    assert summary["lr"]["minus_tune"]["roc_auc"] == pytest.approx({"mean": 0.02, "sd": 0.01, "seeds": 3})
    assert summary["rf"]["minus_tune"]["roc_auc"]["mean"] == pytest.approx(-0.11)
    assert (summary["rf"]["seeds_ok"], summary["rf"]["seeds_failed"]) == (2, 1)
    assert math.isnan(quality.mean_sd([0.7])["sd"]) and quality.mean_sd([0.7])["mean"] == 0.7


def test_checks_on_known_numbers():
    outcomes = [outcome("tune", 1, 0.60, pr_auc=0.30), outcome("gbt", 1, 0.62, pr_auc=0.20),
                outcome("tune", 2, 0.60, rows=4000, positives=400), outcome("gbt", 2, 0.65, rows=4000, positives=400),
                outcome("lr", 2, 0.55)]
    summary = quality.summarise(outcomes, ["tune", "lr", "gbt"])
    result = quality.checks(outcomes, summary)
    assert result["tune_mean_leads"]["roc_auc"] == {"holds": False, "ahead_of_tune": ["gbt"]}
    assert result["tune_mean_leads"]["pr_auc"]["holds"] is True
    seed1, seed2 = result["per_seed"]
    # 300 rows: SE of 0.62 is about 0.056, so a 0.02 gap is within it; 4,000 rows: SE about 0.015 < 0.05.
    assert seed1["best_default"] == "gbt" and seed1["below_by_more_than_se"] is False
    assert seed1["se"] == pytest.approx(quality.hanley_mcneil_se(0.62, 30, 270))
    assert seed2["below_by_more_than_se"] is True and seed2["gap"] == pytest.approx(0.05)
    text = quality.render_markdown({"machine": quality.machine(), "summary": summary, "checks": result,
                                    "outcomes": [quality.asdict(o) for o in outcomes],
                                    "run": {"command": "x", "input": "x", "seeds": [1, 2], "budget": 1,
                                            "concurrency": 1}})
    assert "no, behind gbt" in text and "BELOW by more than one SE" in text


def test_hanley_mcneil_on_numbers_worked_by_hand():
    # A = 0.5: Q1 = Q2 = 1/3, so SE² = (0.25 + 9·(1/12) + 9·(1/12)) / 100 = 0.0175.
    assert quality.hanley_mcneil_se(0.5, 10, 10) == pytest.approx(math.sqrt(0.0175))
    # Four times the rows of each class: about half the error.
    assert quality.hanley_mcneil_se(0.7, 400, 400) == pytest.approx(quality.hanley_mcneil_se(0.7, 100, 100) / 2,
                                                                    rel=0.02)


def test_a_failing_contender_is_recorded_not_raised(tmp_path):
    labels = pd.DataFrame({"encounter_id": [1, 2], "label": [0, 1]})
    ctx = quality.SeedContext(1, tmp_path / "no-split", tmp_path, labels, "http://127.0.0.1:9", 1, 1)
    failed = quality.run_contender("lightgbm_default", ctx)
    assert not failed.ok and failed.error and failed.metrics == {}
    assert (tmp_path / "logs" / "lightgbm_default.error.txt").exists()


def test_cli_output_parsing():
    assert quality.ok_run_id("tune: trial 1\ntune: OK run=abc123 trials=3 ui=x\n", "tune") == "abc123"
    with pytest.raises(quality.JobFailed):
        quality.ok_run_id("tune: trial 1\n", "tune")
    stderr = "03:10:00 WARN Foo: noise\ntune: failed: java.lang.IllegalStateException: bad\n\tat x.y(Z.java:1)\n"
    assert quality.failure_message("tune", stderr, "") == "tune: failed: java.lang.IllegalStateException: bad"


def test_evaluate_joins_by_encounter_and_refuses_missing_rows():
    labels = pd.DataFrame({"encounter_id": [10, 20, 30, 40], "label": [0, 1, 0, 1]})
    shuffled = pd.DataFrame({"encounter_id": [40, 30, 20, 10], "probability": [0.9, 0.1, 0.8, 0.2]})
    metrics, rows, positives = quality.evaluate(labels, shuffled)
    assert metrics["roc_auc"] == 1.0 and (rows, positives) == (4, 2)
    with pytest.raises(ValueError):
        quality.evaluate(labels, shuffled.iloc[:3])
