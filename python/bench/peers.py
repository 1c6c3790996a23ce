"""Peer contenders for the model-quality benchmark: well-known Python models on the project's split.

Each peer takes the split's train and validation frames (with the label) and the test frame, fits
without ever reading a test label, and returns the positive-class probability of every test row in
the test frame's order. The test frame may carry the label columns (they are dropped here first),
so a caller cannot leak them by accident; the tests check that predictions do not change when the
test labels are removed or shuffled.

Features are the split's raw columns less identifiers and label columns, encoded the same way for
every peer: text columns and the three integer code columns (admission type, discharge disposition,
admission source are codes, not quantities) are categories with missing as its own value; the other
integer columns are numbers with missing left as NaN for the model's own imputation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import optuna
import pandas as pd
from pandas.api.types import is_numeric_dtype
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

LABEL = "readmitted_binary"
# `readmitted` is the three-valued source of the label: as a feature it would give the answer away.
LABEL_COLUMNS = (LABEL, "readmitted")
# Identifiers would let a model memorise patients instead of learning from their encounters.
ID_COLUMNS = ("encounter_id", "patient_nbr")
CODE_COLUMNS = ("admission_type_id", "discharge_disposition_id", "admission_source_id")
MISSING = "(missing)"
LOGISTIC_C_GRID = (0.01, 0.1, 1.0)
MAX_BOOST_ROUNDS = 500
EARLY_STOPPING_ROUNDS = 50
# log-loss of a probability of exactly 0 or 1 on a wrong answer is infinite; clip like most libraries do.
_PROBABILITY_EPS = 1e-15


@dataclass(frozen=True)
class Prediction:
    """Test probabilities of a peer, plus what it chose (kept for the report, never used to score)."""

    probabilities: np.ndarray
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FeatureSpec:
    """Which columns are categories and which numbers, decided once from the fitting data.

    Deciding per frame would let a column's pandas dtype (int vs float when it has nulls) change its
    encoding between train and test.
    """

    categorical: tuple[str, ...]
    numeric: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        return [*self.categorical, *self.numeric]


def metrics(y, p) -> dict[str, float]:
    """Test metrics of positive-class probabilities p for 0/1 labels y, the same for every contender."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"labels {y.shape} and probabilities {p.shape} must be two vectors of one length")
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1:
        raise ValueError("probabilities must be finite and within [0, 1]")
    if set(np.unique(y)) != {0, 1}:
        raise ValueError("labels must hold both classes 0 and 1")
    clipped = np.clip(p, _PROBABILITY_EPS, 1 - _PROBABILITY_EPS)
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "log_loss": float(log_loss(y, clipped, labels=[0, 1])),
        "brier": float(brier_score_loss(y, p)),
    }


def feature_spec(frame: pd.DataFrame) -> FeatureSpec:
    """Column kinds of a fitting frame: codes and text are categories, other numbers stay numbers.

    A column with no value at all in the fitting frame (payer_code in some early slices) is left out:
    it carries nothing to learn, and imputers warn about it.
    """
    columns = [c for c in frame.columns
               if c not in ID_COLUMNS and c not in LABEL_COLUMNS and frame[c].notna().any()]
    categorical = tuple(c for c in columns if c in CODE_COLUMNS or not is_numeric_dtype(frame[c]))
    numeric = tuple(c for c in columns if c not in categorical)
    return FeatureSpec(categorical, numeric)


def encode(frame: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """Model inputs of a frame by the spec: category text (missing as its own value) and float numbers.

    Label and id columns are never selected, so passing a frame that still has them is harmless.
    """
    out = {}
    for column in spec.categorical:
        out[column] = _category_text(frame[column], integer_code=column in CODE_COLUMNS)
    for column in spec.numeric:
        out[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return pd.DataFrame(out, index=frame.index, columns=spec.columns)


def _category_text(values: pd.Series, integer_code: bool) -> pd.Series:
    """Plain object strings; codes go through Int64 first so 6 and 6.0 (a column with nulls) match."""
    if integer_code:
        values = pd.to_numeric(values, errors="coerce").astype("Int64")
    text = values.astype(object).where(values.notna(), MISSING)
    return text.map(str).astype(object)


def _labels(frame: pd.DataFrame) -> np.ndarray:
    return frame[LABEL].to_numpy(dtype=int)


def _fit_frame(train: pd.DataFrame, validation: pd.DataFrame) -> pd.DataFrame:
    """Train and validation together, for the final fit once choices are made on validation alone."""
    return pd.concat([train, validation], ignore_index=True)


# ---------------------------------------------------------------------------------------------------
# scikit-learn logistic regression


def _logistic_pipeline(spec: FeatureSpec, c: float, seed: int):
    """One-hot categories (unseen ones ignored), median-imputed standardised numbers, lbfgs LR."""
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    columns = ColumnTransformer([
        ("categories", OneHotEncoder(handle_unknown="ignore"), list(spec.categorical)),
        ("numbers", numbers, list(spec.numeric)),
    ])
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=1000, random_state=seed)
    return make_pipeline(columns, model)


def sklearn_logistic(train: pd.DataFrame, validation: pd.DataFrame, test: pd.DataFrame, seed: int) -> Prediction:
    """Logistic regression with C chosen on validation ROC-AUC, then refitted on train + validation."""
    spec = feature_spec(train)
    x_train, y_train = encode(train, spec), _labels(train)
    x_val, y_val = encode(validation, spec), _labels(validation)
    scores = {}
    for c in LOGISTIC_C_GRID:
        model = _logistic_pipeline(spec, c, seed).fit(x_train, y_train)
        scores[c] = roc_auc_score(y_val, _positive(model, x_val))
    best_c = max(scores, key=lambda c: (scores[c], -c))
    full = _fit_frame(train, validation)
    model = _logistic_pipeline(spec, best_c, seed).fit(encode(full, spec), _labels(full))
    return Prediction(_positive(model, encode(test, spec)),
                      {"C": best_c, "val_roc_auc_by_C": {str(c): round(s, 4) for c, s in scores.items()}})


def _positive(model, x: pd.DataFrame) -> np.ndarray:
    """Probability of class 1, looked up by label rather than assumed to be column 1."""
    column = list(model.classes_).index(1)
    return model.predict_proba(x)[:, column]


# ---------------------------------------------------------------------------------------------------
# LightGBM


def _category_dtypes(x: pd.DataFrame, spec: FeatureSpec) -> dict[str, pd.CategoricalDtype]:
    """Categories as seen in the fitting data; a value first seen later becomes missing."""
    return {c: pd.CategoricalDtype(sorted(x[c].unique())) for c in spec.categorical}


def _lightgbm_frame(x: pd.DataFrame, dtypes: dict[str, pd.CategoricalDtype]) -> pd.DataFrame:
    """pandas category columns with fixed categories, so codes mean the same in every frame.

    Values outside the categories are made missing first: pandas deprecates doing it implicitly.
    """
    out = x.copy()
    for column, dtype in dtypes.items():
        known = out[column].isin(dtype.categories)
        out[column] = pd.Categorical(out[column].where(known), dtype=dtype)
    return out


def lightgbm_default(train: pd.DataFrame, validation: pd.DataFrame, test: pd.DataFrame, seed: int,
                     n_jobs: int = 2) -> Prediction:
    """LightGBM with its default parameters on train + validation (nothing is chosen on validation)."""
    spec = feature_spec(train)
    full = _fit_frame(train, validation)
    x_full = encode(full, spec)
    dtypes = _category_dtypes(x_full, spec)
    model = lgb.LGBMClassifier(random_state=seed, n_jobs=n_jobs, verbose=-1)
    model.fit(_lightgbm_frame(x_full, dtypes), _labels(full))
    return Prediction(_positive(model, _lightgbm_frame(encode(test, spec), dtypes)), {})


def _search_params(trial: optuna.Trial, seed: int) -> dict:
    """The searched LightGBM parameters; one thread per trial because trials run side by side."""
    return {
        "objective": "binary",
        "metric": "auc",
        "verbosity": -1,
        "seed": seed,
        "num_threads": 1,
        "feature_pre_filter": False,
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 4, 256, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 200, log=True),
        "feature_fraction": trial.suggest_float("feature_fraction", 0.3, 1.0),
        "bagging_fraction": trial.suggest_float("bagging_fraction", 0.4, 1.0),
        "bagging_freq": trial.suggest_int("bagging_freq", 0, 7),
        "lambda_l1": trial.suggest_float("lambda_l1", 1e-8, 10.0, log=True),
        "lambda_l2": trial.suggest_float("lambda_l2", 1e-8, 10.0, log=True),
    }


def _pruning_callback(trial: optuna.Trial, data_name: str = "validation", metric: str = "auc"):
    """Reports the validation AUC of each boosting round to Optuna and stops a trial it prunes.

    Written here rather than taken from optuna-integration: it is a few lines, and one package less.
    """

    def callback(env: lgb.callback.CallbackEnv) -> None:
        for entry in env.evaluation_result_list:
            if entry[0] == data_name and entry[1] == metric:
                trial.report(entry[2], step=env.iteration)
                if trial.should_prune():
                    raise optuna.TrialPruned(f"pruned after round {env.iteration + 1}")
                return

    callback.order = 40  # after early stopping's bookkeeping (order 30)
    return callback


def _objective(x_train, y_train, x_val, y_val, seed: int):
    """Validation ROC-AUC at the early-stopped best round; the round count is kept for the refit."""

    def objective(trial: optuna.Trial) -> float:
        params = _search_params(trial, seed)
        train_set = lgb.Dataset(x_train, y_train, params={"verbosity": -1})
        val_set = lgb.Dataset(x_val, y_val, reference=train_set)
        booster = lgb.train(params, train_set, num_boost_round=MAX_BOOST_ROUNDS, valid_sets=[val_set],
                            valid_names=["validation"],
                            callbacks=[lgb.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False),
                                       _pruning_callback(trial)])
        best_iteration = booster.best_iteration or booster.current_iteration()
        trial.set_user_attr("best_iteration", int(best_iteration))
        return float(booster.best_score["validation"]["auc"])

    return objective


def optuna_lightgbm(train: pd.DataFrame, validation: pd.DataFrame, test: pd.DataFrame, seed: int,
                    budget_seconds: float, n_jobs: int = 2, n_trials: int | None = None) -> Prediction:
    """Optuna TPE search of LightGBM on validation ROC-AUC, pruned by successive halving, in a wall budget.

    The budget stops new trials (running ones finish), like the project's `tune --time-budget`. The best
    parameters are refitted on train + validation for the best trial's round count. n_trials bounds the
    search as well, so a test can make it reproducible (a time budget alone finishes a machine-dependent
    number of trials).
    """
    spec = feature_spec(train)
    x_train, x_val = encode(train, spec), encode(validation, spec)
    dtypes = _category_dtypes(pd.concat([x_train, x_val]), spec)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # Judged after 10 boosting rounds at the earliest: with the pruner's default (1 round) nearly every
    # trial is cut after its first round and the search ends up choosing on noise.
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed),
                                pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=10))
    study.optimize(_objective(_lightgbm_frame(x_train, dtypes), _labels(train),
                              _lightgbm_frame(x_val, dtypes), _labels(validation), seed),
                   timeout=budget_seconds, n_trials=n_trials, n_jobs=n_jobs)
    best = study.best_trial
    rounds = best.user_attrs["best_iteration"]
    full = _fit_frame(train, validation)
    params = {**_search_params(optuna.trial.FixedTrial(best.params), seed), "num_threads": n_jobs}
    booster = lgb.train(params, lgb.Dataset(_lightgbm_frame(encode(full, spec), dtypes), _labels(full)),
                        num_boost_round=rounds)
    states = [t.state for t in study.trials]
    details = {
        "trials": len(states),
        "completed": states.count(optuna.trial.TrialState.COMPLETE),
        "pruned": states.count(optuna.trial.TrialState.PRUNED),
        "best_val_roc_auc": round(best.value, 4),
        "best_rounds": rounds,
        "best_params": {k: _rounded(v) for k, v in best.params.items()},
    }
    return Prediction(booster.predict(_lightgbm_frame(encode(test, spec), dtypes)), details)


def _rounded(value):
    """Parameters for a human-read report: four significant digits are plenty."""
    if isinstance(value, float) and value != 0 and math.isfinite(value):
        return float(f"{value:.4g}")
    return value
