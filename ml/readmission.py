"""30-day readmission risk at discharge: features, model family and evaluation.

Pure scikit-learn: no MLflow, no Dagster. The training asset splits the discharges
in time (train on the earlier ones, hold out the latest), tunes with Optuna through
:func:`objective`, refits the best candidate and gates it against the champion on
the same holdout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC_FEATURES = (
    "age_years",
    "charlson_index",
    "acuity_level",
    "length_of_stay_days",
    "prior_admissions_365d",
)
CATEGORICAL_FEATURES = ("sex", "primary_payer")
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES
LABEL = "is_readmitted_30d"
TIME_COLUMN = "discharged_at"


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    holdout: pd.DataFrame

    @property
    def train_window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.train[TIME_COLUMN].min(), self.train[TIME_COLUMN].max()


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


def build_model(params: Mapping[str, Any]) -> Pipeline:
    """Scaled numeric + one-hot categorical features into an L2 logistic regression."""
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL_FEATURES)),
        ]
    )
    classifier = LogisticRegression(
        C=float(params["C"]), class_weight=params.get("class_weight"), max_iter=1000
    )
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def objective(params: Mapping[str, Any], train: pd.DataFrame, seed: int = 0) -> float:
    """Mean 3-fold cross-validated AUROC of ``params`` on ``train`` (higher is better)."""
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    scores = cross_val_score(
        build_model(params), model_input(train), train[LABEL], cv=folds, scoring="roc_auc"
    )
    return float(np.mean(scores))


def evaluate(model: Pipeline, holdout: pd.DataFrame) -> dict[str, float]:
    """AUROC and Brier score of ``model`` on ``holdout``."""
    risk = model.predict_proba(model_input(holdout))[:, 1]
    return {
        "auroc": float(roc_auc_score(holdout[LABEL], risk)),
        "brier": float(brier_score_loss(holdout[LABEL], risk)),
    }
