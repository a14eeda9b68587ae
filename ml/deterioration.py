"""Deterioration within 24 h of a charted observation set, against NEWS2 as the baseline.

Pure scikit-learn. One row per observation set of ``ml.deterioration_features`` (as
known when charted); the label is a recorded deterioration event (rapid-response call,
unplanned ICU transfer, cardiac arrest, death) within the next 24 h. NEWS2 (RCP 2017)
and its seven sub-scores are derived here from the set's vitals by
:func:`clinical.news2.score_arrays`, the platform's one definition of the score, and
are both model features and the baseline: the model must beat NEWS2's AUROC and its
sensitivity at the alert rate of the RCP's urgent-response trigger (NEWS2 >= 5).

The classifier is gradient-boosted trees constrained to be monotone in the signs of
sickness (every NEWS2 sub-score, the total and its rise since the last set, lactate, a
recognised sepsis), so a sicker patient never scores lower; raw
vitals, whose risk is U-shaped, are unconstrained. Cross-validation folds are grouped
by encounter (sets of one stay are not independent); the holdout is the latest quarter
of sets in time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from clinical.news2 import PARAMETERS, PLAUSIBLE_RANGES, score_arrays
from ml.evaluation import auroc_or_nan, classifier_metrics, improvement_upper_bound

LABEL = "is_deteriorated_24h"
TIME_COLUMN = "predicted_at"
# Boosted trees run single-threaded: on a shared worker, OpenMP threads spin-waiting for
# busy cores made a 3-fold study 20x slower (228 s vs 10 s measured on 2 loaded cores).
OPENMP_THREADS = 1
NEWS2_ALERT_FROM = 5  # RCP 2017 chart 2: aggregate 5 or more triggers an urgent response
# Vital-sign columns of the feature table, by NEWS2 parameter (consciousness is ACVPU).
VITALS = {
    "respiration_rate": "respiration_rate_per_minute",
    "spo2": "spo2_pct",
    "systolic_bp": "systolic_bp_mmhg",
    "pulse": "pulse_per_minute",
    "temperature": "temperature_celsius",
}
SUBSCORES = tuple(f"news2_{name}_score" for name in PARAMETERS)
MONOTONE_INCREASING = (
    *SUBSCORES,
    "news2_score",
    "news2_change",
    "lactate_mmol_per_l",
    "has_sepsis_recognised",
)
NUMERIC_FEATURES = (
    *MONOTONE_INCREASING,
    *VITALS.values(),
    *(f"{column}_change_per_hour" for column in VITALS.values()),
    "age_years",
    "acuity_level",
    "hours_since_admission",
    "hours_since_previous_set",
    "observation_sets_12h",
    "hours_since_lactate",
    "white_cell_count_10e3_per_ul",
    "creatinine_mg_per_dl",
)
CATEGORICAL_FEATURES = ("unit_type",)
# Direction tests: a sicker patient never scores lower, all else equal.
DIRECTION_METRICS = ("direction_violations_consciousness", "direction_violations_lactate")


def news2(frame: pd.DataFrame, prefix: str = "") -> dict[str, np.ndarray]:
    """NEWS2 sub-scores and total of each row's set (``prefix`` "previous_" for the one before).

    A parameter not charted, or outside the plausible range (an artefact), scores 0: the
    total is then a partial score, as a ward chart with a blank box would give.
    """
    values = {}
    for name, column in VITALS.items():
        low, high = PLAUSIBLE_RANGES[name]
        value = pd.to_numeric(frame[prefix + column], errors="coerce").to_numpy(float)
        values[name] = np.where((value >= low) & (value <= high), value, np.nan)
    scored = score_arrays(
        values["respiration_rate"],
        values["spo2"],
        frame[prefix + "is_on_supplemental_oxygen"].fillna(False).to_numpy(bool),
        values["systolic_bp"],
        values["pulse"],
        frame[prefix + "acvpu_code"].fillna("A").to_numpy() == "A",
        values["temperature"],
        frame["spo2_scale"].to_numpy() == 2,
    )
    for name, value in values.items():
        scored[name] = np.where(np.isnan(value), 0, scored[name])
    scored["total"] = np.sum([scored[name] for name in PARAMETERS], axis=0)
    return scored


def model_input(frame: pd.DataFrame) -> pd.DataFrame:
    """Feature-table rows to model inputs: NEWS2, its sub-scores and change, vital trends."""
    current, previous = news2(frame), news2(frame, "previous_")
    hours = frame["hours_since_previous_set"].to_numpy(float)
    derived = {f"news2_{name}_score": current[name] for name in PARAMETERS}
    derived["news2_score"] = current["total"]
    derived["news2_change"] = np.where(
        np.isnan(hours), np.nan, current["total"] - previous["total"]
    )
    for column in VITALS.values():
        change = frame[column].astype(float) - frame["previous_" + column].astype(float)
        derived[f"{column}_change_per_hour"] = change.to_numpy() / np.maximum(hours, 0.25)
    out = frame.assign(**derived)
    return out[[*NUMERIC_FEATURES, *CATEGORICAL_FEATURES]].astype(
        {name: "float64" for name in NUMERIC_FEATURES}
    )


class FillAbsentColumns(TransformerMixin, BaseEstimator):
    """Numeric features passed through, missing values kept, except a column missing in
    every training row, which becomes the constant 0.

    An optional feed a source does not send at all (a hospital sending ADT and vitals but
    no lab results) leaves lactate, white cell count and creatinine empty everywhere; the
    boosted trees' binning cannot bin a column without one value (scikit-learn raises
    "window shape cannot be larger than input array shape"). A constant column carries no
    split, so the model is the one it would be without the feed, and a later load that
    does send it is scored with the column constant too until the model is retrained.
    """

    def fit(self, frame: pd.DataFrame, y: Any = None) -> FillAbsentColumns:
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        self.absent_ = [name for name in frame.columns if frame[name].isna().all()]
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(**{name: 0.0 for name in self.absent_})

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.feature_names_in_


def build_model(params: Mapping[str, Any], seed: int = 0) -> Pipeline:
    """One-hot unit type + numeric features (missing kept) into monotone boosted trees."""
    preprocess = ColumnTransformer(
        [
            ("numeric", FillAbsentColumns(), list(NUMERIC_FEATURES)),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                list(CATEGORICAL_FEATURES),
            ),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    classifier = HistGradientBoostingClassifier(
        learning_rate=float(params["learning_rate"]),
        max_iter=int(params["max_iter"]),
        max_leaf_nodes=int(params["max_leaf_nodes"]),
        min_samples_leaf=int(params["min_samples_leaf"]),
        l2_regularization=float(params["l2_regularization"]),
        monotonic_cst={name: 1 for name in MONOTONE_INCREASING},
        early_stopping=False,
        random_state=seed,
    )
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    holdout: pd.DataFrame

    @property
    def train_window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.train[TIME_COLUMN].min(), self.train[TIME_COLUMN].max()


# Fewest observation sets with a mature label, and of them followed by a deterioration,
# that training needs (below them the folds' AUROCs are not measurable).
MIN_TRAINING_SETS = 200
MIN_TRAINING_EVENTS = 10
# ... and of distinct stays with such a set: folds are grouped by stay, so with fewer
# event stays than cross-validation folds some fold has no positive, its AUROC is
# undefined and every Optuna trial scores NaN (seen on a Synthea load with 2 deaths).
CV_FOLDS = 3
MIN_EVENT_ENCOUNTERS = CV_FOLDS


def training_shortfall(features: pd.DataFrame) -> str | None:
    """Why ``features`` cannot train the model, or None when they can.

    Deterioration labels come from clinical events (rapid response, unplanned ICU
    transfer, cardiac arrest, death), an optional feed of the input contract: a load
    without it (HL7 v2 ADT, FHIR Encounter) has no positive label at all.
    """
    mature = features[features["is_label_mature"]]
    positive = mature[mature[LABEL].astype(bool)]
    events, stays = len(positive), positive["encounter_id"].nunique()
    if (
        len(mature) >= MIN_TRAINING_SETS
        and events >= MIN_TRAINING_EVENTS
        and stays >= MIN_EVENT_ENCOUNTERS
    ):
        return None
    return (
        f"need at least {MIN_TRAINING_SETS} observation sets with mature labels, "
        f"{MIN_TRAINING_EVENTS} followed by a deterioration, from {MIN_EVENT_ENCOUNTERS} "
        f"different stays, to train; got {len(mature)}, {events} and {stays} (the labels "
        "come from clinical_events, an optional feed the load may not carry)"
    )


def time_split(features: pd.DataFrame, holdout_fraction: float = 0.25) -> Split:
    """Sets with a mature label ordered by time; the latest ``holdout_fraction`` held out."""
    shortfall = training_shortfall(features)
    if shortfall is not None:
        raise ValueError(shortfall)
    mature = features[features["is_label_mature"]].sort_values([TIME_COLUMN, "observation_id"])
    cut = int(len(mature) * (1 - holdout_fraction))
    return Split(
        train=mature.iloc[:cut].reset_index(drop=True),
        holdout=mature.iloc[cut:].reset_index(drop=True),
    )


def fold_scores(
    params: Mapping[str, Any], train: pd.DataFrame, seed: int = 0, folds: int = CV_FOLDS
) -> Iterator[float]:
    """AUROC on each of ``folds`` encounter-grouped stratified folds, one at a time."""
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    inputs, labels = model_input(train), train[LABEL].astype(int)
    for fit_index, score_index in splitter.split(inputs, labels, train["encounter_id"]):
        with threadpool_limits(OPENMP_THREADS, user_api="openmp"):
            model = build_model(params, seed).fit(inputs.iloc[fit_index], labels.iloc[fit_index])
            risk = model.predict_proba(inputs.iloc[score_index])[:, 1]
        yield auroc_or_nan(labels.iloc[score_index].to_numpy(), risk)


def fit(params: Mapping[str, Any], train: pd.DataFrame, seed: int = 0) -> Pipeline:
    """The model with ``params`` fitted on every row of ``train``."""
    with threadpool_limits(OPENMP_THREADS, user_api="openmp"):
        return build_model(params, seed).fit(model_input(train), train[LABEL].astype(int))


def predict_risk(model: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    with threadpool_limits(OPENMP_THREADS, user_api="openmp"):
        return model.predict_proba(model_input(frame))[:, 1]


def direction_violations(model: Pipeline, frame: pd.DataFrame) -> dict[str, float]:
    """Rows whose risk drops when the patient is sicker: new confusion (ACVPU A -> C) or
    lactate 1 mmol/L higher, all else equal."""
    base = predict_risk(model, frame)
    confused = predict_risk(model, frame.assign(acvpu_code="C"))
    lactate = frame["lactate_mmol_per_l"].fillna(1.0) + 1.0
    higher_lactate = predict_risk(model, frame.assign(lactate_mmol_per_l=lactate))
    lactate_base = predict_risk(model, frame.assign(lactate_mmol_per_l=lactate - 1.0))
    return {
        "direction_violations_consciousness": float(np.sum(confused < base - 1e-12)),
        "direction_violations_lactate": float(np.sum(higher_lactate < lactate_base - 1e-12)),
    }


def feature_importance(model: Pipeline, holdout: pd.DataFrame, rows: int = 5000) -> pd.DataFrame:
    """Holdout AUROC drop when each input is shuffled (boosted trees expose no split gains)."""
    inputs = model_input(holdout)
    with threadpool_limits(OPENMP_THREADS, user_api="openmp"):
        result = permutation_importance(
            model,
            inputs,
            holdout[LABEL].astype(int),
            scoring="roc_auc",
            n_repeats=2,
            random_state=0,
            max_samples=min(len(inputs), rows),
        )
    importance = pd.DataFrame({"feature": inputs.columns, "auroc_drop": result.importances_mean})
    return importance.sort_values("auroc_drop", ascending=False)


def alert_threshold(risk: np.ndarray, alert_rate: float) -> float:
    """The risk above which the top ``alert_rate`` share of sets alert."""
    return float(np.quantile(risk, 1.0 - alert_rate)) if alert_rate > 0 else float("inf")


def sensitivity(outcome: np.ndarray, flagged: np.ndarray) -> float:
    """Share of sets followed by deterioration within 24 h that alerted."""
    positive = np.asarray(outcome, bool)
    return float(np.asarray(flagged, float)[positive].mean()) if positive.any() else float("nan")


def evaluate(model: Pipeline, holdout: pd.DataFrame) -> dict[str, float]:
    """Gate metrics on ``holdout``: AUROC, calibration, subgroups, direction, and NEWS2's
    AUROC and sensitivity at its own alert rate (NEWS2 >= 5) next to the model's, with the
    paired-bootstrap upper bounds of both gains."""
    risk = predict_risk(model, holdout)
    labels = holdout[LABEL].to_numpy().astype(int)
    score = news2(holdout)["total"].astype(float)
    news2_alerts = score >= NEWS2_ALERT_FROM
    rate = float(news2_alerts.mean())
    model_alerts = risk >= alert_threshold(risk, rate)
    return {
        **classifier_metrics(holdout.assign(risk=risk), LABEL, "risk"),
        **direction_violations(model, holdout),
        "news2_auroc": float(roc_auc_score(labels, score)),
        "news2_alert_rate": rate,
        "sensitivity_at_news2_alert_rate": sensitivity(labels, model_alerts),
        "news2_sensitivity": sensitivity(labels, news2_alerts),
        "holdout_events": float(min(labels.sum(), len(labels) - labels.sum())),
        "auroc_gain_over_news2_upper95": improvement_upper_bound(labels, risk, score, auroc_or_nan),
        "sensitivity_gain_over_news2_upper95": improvement_upper_bound(
            labels, model_alerts, news2_alerts, sensitivity
        ),
    }


def lead_times(holdout: pd.DataFrame, flagged: np.ndarray) -> pd.DataFrame:
    """Per deterioration event with a set in the 24 h before it: was it alerted, how early.

    ``lead_hours`` is the time from the first alerting set in those 24 h to the event
    (NaN when no set alerted). Events are the encounter's next event after each set.
    """
    rows = holdout.assign(is_flagged=np.asarray(flagged, bool))
    rows = rows[rows[LABEL].astype(bool)].copy()
    rows["event_at"] = rows[TIME_COLUMN] + pd.to_timedelta(rows["hours_to_deterioration"], "h")
    rows["event_at"] = rows["event_at"].dt.round("min")
    alerted = rows[rows["is_flagged"]].groupby(["encounter_id", "event_at"])[TIME_COLUMN].min()
    events = rows.groupby(["encounter_id", "event_at"]).size().rename("sets").to_frame()
    events["first_alert_at"] = alerted
    events["lead_hours"] = (
        events.index.get_level_values("event_at") - events["first_alert_at"]
    ).dt.total_seconds() / 3600
    return events.reset_index()


def lead_time_summary(
    holdout: pd.DataFrame, risk: np.ndarray, alert_rate: float
) -> dict[str, float]:
    """Share of events alerted and median lead time (hours) of the model, alerting at
    ``alert_rate``, and of NEWS2 >= 5."""
    model_alerts = risk >= alert_threshold(risk, alert_rate)
    news2_alerts = news2(holdout)["total"] >= NEWS2_ALERT_FROM
    summary: dict[str, float] = {}
    for name, flagged in (("model", model_alerts), ("news2", news2_alerts)):
        events = lead_times(holdout, flagged)
        summary["deterioration_events"] = float(len(events))
        summary[f"{name}_events_alerted_share"] = float(events["lead_hours"].notna().mean())
        summary[f"{name}_median_lead_hours"] = float(events["lead_hours"].median())
    return summary


def score_sets(
    model: Pipeline,
    features: pd.DataFrame,
    *,
    model_name: str,
    model_version: str,
    scored_at: pd.Timestamp | Any,
) -> pd.DataFrame:
    """One row per observation set: 24 h deterioration risk, NEWS2, model version."""
    risk = predict_risk(model, features) if len(features) else np.array([], dtype=float)
    score = news2(features)["total"] if len(features) else np.array([], dtype=int)
    return pd.DataFrame(
        {
            "observation_id": features["observation_id"].to_numpy(),
            "encounter_id": features["encounter_id"].to_numpy(),
            "patient_id": features["patient_id"].to_numpy(),
            "hospital_id": features["hospital_id"].to_numpy(),
            "unit_id": features["unit_id"].to_numpy(),
            "predicted_at": features[TIME_COLUMN].to_numpy(),
            "deterioration_risk_24h": risk,
            "news2_score": np.asarray(score, dtype=int),
            "is_news2_alert": np.asarray(score) >= NEWS2_ALERT_FROM,
            "model_name": model_name,
            "model_version": model_version,
            "scored_at": scored_at,
        }
    )
