"""Length of stay at admission: a DRG-anchored log-linear model against a per-DRG median.

Pure scikit-learn. The model predicts the median stay, which is what MAE rewards. The
baseline is the per-MS-DRG median stay of the training window (overall median for DRGs
not seen in training), the usual first answer to "how long will this patient stay" in
case management (CMS geometric mean LOS by DRG plays the same role). Trained on mature
targets, time-ordered by admission.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ml.evaluation import improvement_upper_bound, mean_absolute_error, regressor_metrics

NUMERIC_FEATURES = (
    "age_years",
    "charlson_index",
    "acuity_level",
    "ms_drg_relative_weight",
    "prior_admissions_365d",
)
CATEGORICAL_FEATURES = ("sex", "primary_payer", "admission_source", "ms_drg_code")
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES
TARGET = "length_of_stay_days"
TIME_COLUMN = "admitted_at"
MIN_DAYS = 0.05  # floor before taking logs: a stay of a few minutes is not zero


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    holdout: pd.DataFrame

    @property
    def train_window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.train[TIME_COLUMN].min(), self.train[TIME_COLUMN].max()


def time_split(features: pd.DataFrame, holdout_fraction: float = 0.25) -> Split:
    """Admissions with a mature target ordered by time; the latest ``holdout_fraction`` held out."""
    mature = features[features["is_target_mature"]].sort_values([TIME_COLUMN, "encounter_id"])
    if len(mature) < 40:
        raise ValueError(f"need at least 40 completed stays to train; got {len(mature)}")
    cut = int(len(mature) * (1 - holdout_fraction))
    return Split(
        train=mature.iloc[:cut].reset_index(drop=True),
        holdout=mature.iloc[cut:].reset_index(drop=True),
    )


def model_input(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(FEATURES)].astype({name: "float64" for name in NUMERIC_FEATURES})


class DrgAdjustedRegressor(BaseEstimator, RegressorMixin):
    """Length of stay as the DRG's typical stay times a patient-level adjustment.

    Stays are close to lognormal around each MS-DRG's geometric mean (CMS GMLOS), so the
    model works on log days: a per-DRG mean of log stay, shrunk towards the overall mean
    with ``drg_prior_stays`` pseudo-stays (rare DRGs borrow strength), plus a ridge
    regression of the remaining log ratio on the patient's other features. The
    prediction ``exp(...)`` is the median stay, the point that minimises absolute error.
    """

    def __init__(self, drg_prior_stays: float = 5.0, ridge_alpha: float = 1.0) -> None:
        self.drg_prior_stays = drg_prior_stays
        self.ridge_alpha = ridge_alpha

    def _adjustment_model(self) -> Pipeline:
        preprocess = ColumnTransformer(
            [
                # Open stays may not have a (working) DRG yet: its weight is imputed.
                (
                    "numeric",
                    make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                    list(NUMERIC_FEATURES),
                ),
                (
                    "categorical",
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                    [name for name in CATEGORICAL_FEATURES if name != "ms_drg_code"],
                ),
            ]
        )
        return Pipeline([("preprocess", preprocess), ("ridge", Ridge(alpha=self.ridge_alpha))])

    def _drg_log_mean(self, frame: pd.DataFrame) -> np.ndarray:
        means = frame["ms_drg_code"].map(self.drg_log_means_)
        return means.fillna(self.overall_log_mean_).to_numpy(float)

    def fit(self, frame: pd.DataFrame, days: pd.Series) -> DrgAdjustedRegressor:
        log_days = np.log(np.maximum(np.asarray(days, float), MIN_DAYS))
        self.overall_log_mean_ = float(log_days.mean())
        grouped = pd.Series(log_days, index=frame.index).groupby(frame["ms_drg_code"])
        sums, counts = grouped.sum(), grouped.size()
        prior = self.drg_prior_stays
        self.drg_log_means_ = ((sums + prior * self.overall_log_mean_) / (counts + prior)).to_dict()
        self.adjustment_ = self._adjustment_model().fit(frame, log_days - self._drg_log_mean(frame))
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return np.exp(self._drg_log_mean(frame) + self.adjustment_.predict(frame))


def build_model(params: Mapping[str, Any]) -> DrgAdjustedRegressor:
    return DrgAdjustedRegressor(
        drg_prior_stays=float(params.get("drg_prior_stays", 5.0)),
        ridge_alpha=float(params.get("ridge_alpha", 1.0)),
    )


def fold_scores(
    params: Mapping[str, Any], train: pd.DataFrame, seed: int = 0, folds: int = 3
) -> Iterator[float]:
    """MAE (days) of ``params`` on each fold of ``train``, one at a time (lower is better)."""
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    inputs, target = model_input(train), train[TARGET]
    for fit_index, score_index in splitter.split(inputs):
        model = build_model(params).fit(inputs.iloc[fit_index], target.iloc[fit_index])
        predicted = model.predict(inputs.iloc[score_index])
        yield mean_absolute_error(target.iloc[score_index].to_numpy(), predicted)


def predict_days(model: DrgAdjustedRegressor, frame: pd.DataFrame) -> np.ndarray:
    return np.maximum(model.predict(model_input(frame)), 0.0)


@dataclass(frozen=True)
class DrgMedianBaseline:
    """Median training stay per MS-DRG; the overall training median for unseen DRGs."""

    medians: Mapping[str, float]
    overall: float

    @classmethod
    def fit(cls, train: pd.DataFrame) -> DrgMedianBaseline:
        medians = train.groupby("ms_drg_code")[TARGET].median()
        return cls(medians=medians.to_dict(), overall=float(train[TARGET].median()))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return frame["ms_drg_code"].map(self.medians).fillna(self.overall).to_numpy(float)


def evaluate(
    model: DrgAdjustedRegressor, holdout: pd.DataFrame, baseline: DrgMedianBaseline
) -> dict:
    """Gate metrics on ``holdout``: MAE, subgroup MAE gaps, and the per-DRG median's MAE."""
    predicted = predict_days(model, holdout)
    scored = holdout.assign(predicted=predicted)
    actual, drg_median = holdout[TARGET].to_numpy(), baseline.predict(holdout)
    return {
        **regressor_metrics(scored, TARGET, "predicted"),
        "drg_median_mae": mean_absolute_error(actual, drg_median),
        "mae_gain_over_drg_median_upper95": improvement_upper_bound(
            actual, predicted, drg_median, mean_absolute_error, higher_is_better=False
        ),
    }


def predict_admissions(
    model: DrgAdjustedRegressor,
    features: pd.DataFrame,
    *,
    model_name: str,
    model_version: str,
    scored_at: Any,
) -> pd.DataFrame:
    """One row per admission: predicted stay and expected discharge, and the scoring model."""
    days = predict_days(model, features) if len(features) else np.array([], dtype=float)
    admitted = pd.to_datetime(features[TIME_COLUMN]).reset_index(drop=True)
    return pd.DataFrame(
        {
            "encounter_id": features["encounter_id"].to_numpy(),
            "hospital_id": features["hospital_id"].to_numpy(),
            "admitted_at": admitted.to_numpy(),
            "predicted_length_of_stay_days": days,
            "expected_discharge_at": (admitted + pd.to_timedelta(days, unit="D")).to_numpy(),
            "model_name": model_name,
            "model_version": model_version,
            "scored_at": scored_at,
        }
    )
