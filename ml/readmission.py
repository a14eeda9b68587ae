"""30-day readmission risk at discharge: features, model family and evaluation.

Pure scikit-learn: no MLflow, no Dagster. The training asset splits the discharges
in time (train on the earlier ones, hold out the latest), tunes with Optuna through
:func:`fold_scores`, refits the best candidate and gates it against the champion on
the same holdout. The LACE index (van Walraven 2010, :mod:`clinical.lace`) is the
baseline it must beat; the simulator's true risk gives the best achievable AUROC.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from clinical.lace import HIGH_RISK_THRESHOLD as LACE_HIGH_RISK
from clinical.lace import lace_index
from ml.evaluation import auroc_or_nan, classifier_metrics, improvement_upper_bound

NUMERIC_FEATURES = (
    "age_years",
    "charlson_index",
    "acuity_level",
    "length_of_stay_days",
    "prior_admissions_365d",
    "ed_visits_6_months",
)
# Booleans are one-hot encoded with the categories (and drift-tested as categories).
CATEGORICAL_FEATURES = ("sex", "primary_payer", "is_emergent_admission")
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES
LABEL = "is_readmitted_30d"
TIME_COLUMN = "discharged_at"
# Direction test: one more prior admission, all else equal, must never lower the risk.
DIRECTION_FEATURE = "prior_admissions_365d"
DIRECTION_METRIC = "direction_violations_prior_admissions"


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    holdout: pd.DataFrame

    @property
    def train_window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.train[TIME_COLUMN].min(), self.train[TIME_COLUMN].max()


@dataclass(frozen=True)
class RiskTiers:
    """Discharge-planning tiers on predicted 30-day risk: low, medium (>= medium_from), high."""

    medium_from: float = 0.10
    high_from: float = 0.20

    def assign(self, risk: np.ndarray) -> np.ndarray:
        return np.select(
            [risk >= self.high_from, risk >= self.medium_from], ["high", "medium"], default="low"
        )


def time_split(features: pd.DataFrame, holdout_fraction: float = 0.25) -> Split:
    """Mature-label discharges ordered by time; the latest ``holdout_fraction`` held out."""
    mature = features[features["is_label_mature"]].sort_values([TIME_COLUMN, "encounter_id"])
    if len(mature) < 40 or mature[LABEL].nunique() < 2:
        raise ValueError(
            f"need at least 40 discharges with mature labels and both outcomes to train; "
            f"got {len(mature)} with outcomes {sorted(mature[LABEL].unique().tolist())}"
        )
    cut = int(len(mature) * (1 - holdout_fraction))
    return Split(
        train=mature.iloc[:cut].reset_index(drop=True),
        holdout=mature.iloc[cut:].reset_index(drop=True),
    )


def model_input(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's input columns, numeric ones as float (so missing values stay representable)."""
    return frame[list(FEATURES)].astype({name: "float64" for name in NUMERIC_FEATURES})


class DirectionalLogisticRegression(LogisticRegression):
    """L2 logistic regression whose coefficient on ``DIRECTION_FEATURE`` is never negative.

    One more admission in the past year never lowers a patient's risk (the gate's
    direction test; prior utilisation is a risk factor in LACE and the CMS HWR model). On
    a young history (a new deployment, the simulator's first months) the unconstrained fit
    can give it a small negative weight, and the gate then refuses every candidate. With
    one sign constraint on a convex loss, the constrained optimum is either the
    unconstrained one (weight >= 0) or on the bound, weight exactly 0: the fit with the
    column left out. So: fit; if the weight is negative, refit with the column zeroed.
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DirectionalLogisticRegression:
        super().fit(X, y, sample_weight)
        column = NUMERIC_FEATURES.index(DIRECTION_FEATURE)  # numeric columns come first
        if self.coef_[0, column] >= 0:
            return self
        zeroed = X.tolil(copy=True) if sparse.issparse(X) else np.array(X, dtype=float)
        zeroed[:, column] = 0.0
        super().fit(zeroed, y, sample_weight)
        self.coef_[0, column] = 0.0  # the solver leaves ~1e-17 on an all-zero column
        return self


def build_model(params: Mapping[str, Any]) -> Pipeline:
    """Scaled numeric + one-hot categorical features into an L2 logistic regression,
    non-decreasing in prior admissions (:class:`DirectionalLogisticRegression`)."""
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL_FEATURES)),
        ]
    )
    classifier = DirectionalLogisticRegression(
        C=float(params["C"]), class_weight=params.get("class_weight"), max_iter=1000
    )
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def fold_scores(
    params: Mapping[str, Any], train: pd.DataFrame, seed: int = 0, folds: int = 3
) -> Iterator[float]:
    """AUROC of ``params`` on each of ``folds`` stratified folds of ``train``, one at a time.

    A generator so the tuner can report each fold to Optuna's pruner.
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    inputs, labels = model_input(train), train[LABEL]
    for fit_index, score_index in splitter.split(inputs, labels):
        model = build_model(params).fit(inputs.iloc[fit_index], labels.iloc[fit_index])
        risk = model.predict_proba(inputs.iloc[score_index])[:, 1]
        yield float(roc_auc_score(labels.iloc[score_index], risk))


def objective(params: Mapping[str, Any], train: pd.DataFrame, seed: int = 0) -> float:
    """Mean 3-fold cross-validated AUROC of ``params`` on ``train`` (higher is better)."""
    return float(np.mean(list(fold_scores(params, train, seed))))


def predict_risk(model: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    return model.predict_proba(model_input(frame))[:, 1]


def direction_violations(model: Pipeline, frame: pd.DataFrame, step: int = 1) -> int:
    """Rows whose risk drops when ``DIRECTION_FEATURE`` rises by ``step``, all else equal."""
    more = frame.assign(**{DIRECTION_FEATURE: frame[DIRECTION_FEATURE] + step})
    return int(np.sum(predict_risk(model, more) < predict_risk(model, frame) - 1e-12))


def lace_scores(frame: pd.DataFrame) -> np.ndarray:
    """LACE index of each discharge (van Walraven 2010)."""
    return lace_index(
        frame["length_of_stay_days"],
        frame["is_emergent_admission"],
        frame["charlson_index"],
        frame["ed_visits_6_months"],
    )


def evaluate(model: Pipeline, holdout: pd.DataFrame) -> dict[str, float]:
    """Gate metrics of ``model`` on ``holdout``: AUROC, Brier, ECE, subgroup gaps, direction,
    LACE's AUROC and the bootstrap upper bound of the model's AUROC gain over LACE."""
    risk = predict_risk(model, holdout)
    scored = holdout.assign(risk=risk)
    labels = holdout[LABEL].to_numpy().astype(int)
    lace = lace_scores(holdout)
    return {
        **classifier_metrics(scored, LABEL, "risk"),
        DIRECTION_METRIC: float(direction_violations(model, holdout)),
        "lace_auroc": float(roc_auc_score(labels, lace)),
        "holdout_events": float(min(labels.sum(), len(labels) - labels.sum())),
        "auroc_gain_over_lace_upper95": improvement_upper_bound(labels, risk, lace, auroc_or_nan),
    }


def reference_aurocs(holdout: pd.DataFrame, true_risk: pd.Series | None) -> dict[str, float]:
    """Baseline and ceiling on the holdout: LACE's AUROC, and the true risk's AUROC.

    ``true_risk`` (indexed like ``holdout``) is the simulator's ground truth, used here
    for evaluation only; the AUROC it reaches on the realised labels is the best any
    model can expect. Rows without a true risk are left out of the ceiling.
    """
    labels = holdout[LABEL].astype(int)
    result = {"lace_auroc": float(roc_auc_score(labels, lace_scores(holdout)))}
    if true_risk is not None:
        known = true_risk.notna()
        if known.sum() and labels[known].nunique() == 2:
            result["ceiling_auroc"] = float(roc_auc_score(labels[known], true_risk[known]))
    return result


def score_discharges(
    model: Pipeline,
    features: pd.DataFrame,
    tiers: RiskTiers,
    *,
    model_name: str,
    model_version: str,
    scored_at: pd.Timestamp | Any,
) -> pd.DataFrame:
    """One row per discharge: risk, tier, LACE, and which model version scored it."""
    risk = predict_risk(model, features) if len(features) else np.array([], dtype=float)
    lace = lace_scores(features) if len(features) else np.array([], dtype=int)
    return pd.DataFrame(
        {
            "encounter_id": features["encounter_id"].to_numpy(),
            "patient_id": features["patient_id"].to_numpy(),
            "hospital_id": features["hospital_id"].to_numpy(),
            "discharged_at": features[TIME_COLUMN].to_numpy(),
            "readmission_risk_30d": risk,
            "risk_tier": tiers.assign(risk),
            "lace_score": lace,
            "is_lace_high_risk": lace >= LACE_HIGH_RISK,
            "model_name": model_name,
            "model_version": model_version,
            "scored_at": scored_at,
        }
    )
