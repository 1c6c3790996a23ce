"""`drift` against Evidently itself: the same inputs through both, compared feature by feature.

For each case, `drift --export-features` writes the monitored features of both sides exactly as its tests
saw them (the 47 raw columns and the 12 engineered ones); Evidently's data-drift table runs on those
frames with the column types `drift` reports and the same per-column test overrides. Per feature the
test chosen, the statistic or p-value (within 1e-6) and the verdict must agree, and so must the data-set
verdict. A feature with no values on one side is one Evidently refuses; `drift` reports it untested.

Inputs come from the bundled sample and from `generate`, never from files written for the test:
- sample, reference of 681 rows (KS, chi-square, z-test): the split's initial/train against its future;
- generated, reference of about 4,200 rows (Wasserstein, Jensen–Shannon): a fitted data set with the
  new-specialty drift, so a category is seen on one side only; diagnoses with hundreds of codes;
- the generated case again with --feature-test overrides (PSI, KS, Wasserstein, Jensen–Shannon).
"""
import json
import math

import pandas as pd
import pytest

from conftest import ROOT, SAMPLE, run_job

from evidently.legacy.metrics import DataDriftTable, DatasetDriftMetric  # noqa: E402
from evidently.legacy.pipeline.column_mapping import ColumnMapping  # noqa: E402
from evidently.legacy.report import Report  # noqa: E402

TOLERANCE = 1e-6
# Evidently's stattest display names, by the names `drift` reports.
EVIDENTLY_TEST = {
    "ks": "K-S p_value",
    "chisquare": "chi-square p_value",
    "z": "Z-test p_value",
    "wasserstein": "Wasserstein distance (normed)",
    "jensenshannon": "Jensen-Shannon distance",
    "psi": "PSI",
}
OVERRIDES = {
    "num_medications": "psi",
    "diag_1": "psi",
    "time_in_hospital": "ks",
    "number_inpatient": "ks",
    "num_lab_procedures": "jensenshannon",
    "num_procedures": "wasserstein",
}


def _drift(tmp_path, name, reference, current, *extra):
    """Runs `drift` without MLflow; returns its report and the exported feature frames."""
    export = tmp_path / (name + "-features")
    result = run_job("drift", "--reference", str(reference), "--current", str(current), "--report",
                     str(tmp_path / (name + "-report")), "--export-features", str(export), "--no-tracking", *extra)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / (name + "-report") / "report.json").read_text())
    return report, pd.read_parquet(export / "reference"), pd.read_parquet(export / "current")


def _evidently(reference, current, features, overrides):
    """Evidently's data-drift table and data-set verdict on the given features, typed as `drift` typed them."""
    mapping = ColumnMapping(
        numerical_features=[f["name"] for f in features if f["type"] == "numerical"],
        categorical_features=[f["name"] for f in features if f["type"] == "categorical"],
        target=None, prediction=None)
    names = [f["name"] for f in features]
    report = Report(metrics=[
        DataDriftTable(columns=names, per_column_stattest=overrides or None),
        DatasetDriftMetric(columns=names, drift_share=0.5, per_column_stattest=overrides or None),
    ])
    report.run(reference_data=reference[names], current_data=current[names], column_mapping=mapping)
    table, dataset = (m["result"] for m in report.as_dict()["metrics"])
    return table["drift_by_columns"], dataset


def _compare(report, reference, current, overrides=None):
    features = report["features"]
    tested = [f for f in features if f["test"] is not None]
    untested = [f for f in features if f["test"] is None]
    by_column, dataset = _evidently(reference, current, tested, overrides)
    mismatches = []
    for f in tested:
        e = by_column[f["name"]]
        ours = f["p_value"] if f["p_value"] is not None else f["statistic"]
        theirs = e["drift_score"]
        same_score = (math.isinf(ours) and math.isinf(theirs)) or abs(ours - theirs) <= TOLERANCE
        if e["stattest_name"] != EVIDENTLY_TEST[f["test"]] or not same_score or e["drift_detected"] != f["drifted"]:
            mismatches.append(f"{f['name']}: ours {f['test']} {ours!r} drifted={f['drifted']}, Evidently "
                              f"{e['stattest_name']} {theirs!r} drifted={e['drift_detected']}")
    assert not mismatches, "\n".join(mismatches)
    assert dataset["number_of_columns"] == report["summary"]["tested_features"]
    assert dataset["number_of_drifted_columns"] == report["summary"]["drifted_features"]
    assert dataset["dataset_drift"] == report["summary"]["dataset_drift"]
    for f in untested:
        # Evidently refuses a column with no values on one side; `drift` keeps it in the report, untested.
        with pytest.raises(ValueError, match="empty column"):
            _evidently(reference, current, [{"name": f["name"], "type": f["type"]}], None)
    return tested, untested


@pytest.fixture(scope="module")
def sample_split(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "split"
    result = run_job("split", "--input", str(SAMPLE), "--output", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def generated_split(tmp_path_factory):
    work = tmp_path_factory.mktemp("generated")
    result = run_job("generate", "--rows", "12000", "--seed", "7", "--out", str(work / "raw"),
                     "--drift", str(ROOT / "conf" / "drift" / "new-specialty.yaml"))
    assert result.returncode == 0, result.stderr[-3000:]
    result = run_job("split", "--input", str(work / "raw"), "--output", str(work / "split"),
                     "--initial-fraction", "0.5")
    assert result.returncode == 0, result.stderr[-3000:]
    return work / "split"


def test_small_reference_hypothesis_tests_match_evidently(sample_split, tmp_path):
    report, reference, current = _drift(tmp_path, "sample", sample_split / "initial" / "train",
                                        sample_split / "future")
    assert report["reference"]["rows"] < 1000
    tested, untested = _compare(report, reference, current)
    tests = {f["test"] for f in tested}
    assert {"ks", "chisquare", "z"} <= tests, tests
    # Numerical features with at most 5 distinct values take the categorical tests, as in Evidently.
    assert any(f["type"] == "numerical" and f["test"] in ("chisquare", "z") for f in tested)
    assert any(f["reference_missing"] > 0 for f in tested), "no feature with missing values"
    assert sorted(f["name"] for f in untested) == ["payer_code", "weight"]  # all missing in the reference


def test_large_reference_distances_match_evidently_with_new_and_many_valued_categories(generated_split, tmp_path):
    report, reference, current = _drift(tmp_path, "generated", generated_split / "initial" / "train",
                                        generated_split / "future")
    assert report["reference"]["rows"] > 1000
    tested, _ = _compare(report, reference, current)
    assert {"wasserstein", "jensenshannon"} <= {f["test"] for f in tested}
    specialty = next(f for f in tested if f["name"] == "medical_specialty")
    assert "Telemedicine" in set(current["medical_specialty"]) and "Telemedicine" not in set(reference["medical_specialty"])
    assert specialty["drifted"], "the new specialty went unnoticed"
    assert next(f for f in tested if f["name"] == "diag_1")["distinct_values"] > 100


def test_feature_test_overrides_match_evidently(generated_split, tmp_path):
    extra = [arg for name, test in OVERRIDES.items() for arg in ("--feature-test", f"{name}={test}")]
    report, reference, current = _drift(tmp_path, "overrides", generated_split / "initial" / "train",
                                        generated_split / "future", *extra)
    tested, _ = _compare(report, reference, current, OVERRIDES)
    chosen = {f["name"]: f["test"] for f in tested}
    assert {name: chosen[name] for name in OVERRIDES} == OVERRIDES
