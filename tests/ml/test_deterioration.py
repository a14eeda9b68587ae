"""Deterioration model: NEWS2 derived as the clinical module scores it, model behaviour
(direction and invariance), the NEWS2 comparisons and lead times."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clinical.news2 import ObservationSet, score
from ml import deterioration
from tests.ml.synthetic import observation_sets

PARAMS = {
    "learning_rate": 0.1,
    "max_iter": 80,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
}


@pytest.fixture(scope="module")
def fitted() -> tuple[object, pd.DataFrame]:
    split = deterioration.time_split(observation_sets(4000, seed=3))
    return deterioration.fit(PARAMS, split.train), split.holdout


def test_news2_matches_the_clinical_scorer_row_by_row() -> None:
    frame = observation_sets(300, seed=1)
    derived = deterioration.news2(frame)
    for i, row in frame.iterrows():
        expected = score(
            ObservationSet(
                respiration_rate=row["respiration_rate_per_minute"],
                spo2=row["spo2_pct"],
                on_supplemental_oxygen=bool(row["is_on_supplemental_oxygen"]),
                systolic_bp=row["systolic_bp_mmhg"],
                pulse=row["pulse_per_minute"],
                consciousness=row["acvpu_code"],
                temperature=row["temperature_celsius"],
            )
        )
        assert derived["total"][i] == expected.total


def test_uncharted_or_implausible_vitals_score_zero_not_three() -> None:
    frame = observation_sets(2, seed=1).assign(
        pulse_per_minute=[np.nan, 900.0], temperature_celsius=[36.8, 36.8]
    )
    assert list(deterioration.news2(frame)["pulse"]) == [0, 0]


def test_sicker_patients_never_score_lower(fitted) -> None:
    model, holdout = fitted
    violations = deterioration.direction_violations(model, holdout)
    assert violations == {name: 0.0 for name in deterioration.DIRECTION_METRICS}


def test_direction_test_detects_an_unconstrained_model() -> None:
    """A model fitted to the opposite relation (lower risk with lactate) is caught."""
    frame = observation_sets(3000, seed=5)
    frame["is_deteriorated_24h"] = frame["lactate_mmol_per_l"].fillna(1.0) < 1.3
    model = deterioration.build_model(PARAMS)
    model.set_params(classifier__monotonic_cst=None)
    model.fit(deterioration.model_input(frame), frame["is_deteriorated_24h"].astype(int))
    assert deterioration.direction_violations(model, frame)["direction_violations_lactate"] > 0


def test_identifiers_do_not_change_a_score(fitted) -> None:
    model, holdout = fitted
    renamed = holdout.assign(
        observation_id="X",
        patient_id=holdout["patient_id"].sample(frac=1, random_state=0).to_numpy(),
        encounter_id="E-other",
        hospital_id="H9",
    )
    np.testing.assert_array_equal(
        deterioration.predict_risk(model, holdout), deterioration.predict_risk(model, renamed)
    )


def test_model_beats_news2_when_lactate_carries_signal(fitted) -> None:
    model, holdout = fitted
    metrics = deterioration.evaluate(model, holdout)
    assert metrics["auroc"] > metrics["news2_auroc"]
    # Sensitivity is compared at NEWS2's own alert rate, so the comparison is fair.
    risk = deterioration.predict_risk(model, holdout)
    flagged = risk >= deterioration.alert_threshold(risk, metrics["news2_alert_rate"])
    assert abs(flagged.mean() - metrics["news2_alert_rate"]) < 0.01
    assert metrics["sensitivity_at_news2_alert_rate"] > metrics["news2_sensitivity"]


def test_a_load_without_lab_results_trains_and_scores() -> None:
    # ADT and vitals only: every lab column is empty, which the boosted trees' binning
    # cannot take (scikit-learn raises). The model trains as if the columns were absent:
    # its scores are probabilities, and a lab value it never saw cannot move them.
    labs = ("lactate_mmol_per_l", "white_cell_count_10e3_per_ul", "creatinine_mg_per_dl")
    frame = observation_sets(1500, seed=4).assign(**{name: np.nan for name in labs})
    split = deterioration.time_split(frame)
    model = deterioration.fit(PARAMS, split.train)
    risk = deterioration.predict_risk(model, split.holdout)
    assert np.isfinite(risk).all() and ((risk >= 0) & (risk <= 1)).all()
    with_labs = split.holdout.assign(lactate_mmol_per_l=8.0)
    assert np.array_equal(deterioration.predict_risk(model, with_labs), risk)


def test_lead_time_is_from_the_first_alert_in_the_24_hours_before_the_event() -> None:
    at = pd.Timestamp("2025-01-01 00:00")
    holdout = pd.DataFrame(
        {
            "encounter_id": ["E1", "E1", "E1", "E2", "E3"],
            "predicted_at": [at, at + pd.Timedelta(hours=4), at + pd.Timedelta(hours=8), at, at],
            "hours_to_deterioration": [10.0, 6.0, 2.0, 5.0, np.nan],
            "is_deteriorated_24h": [True, True, True, True, False],
        }
    )
    events = deterioration.lead_times(holdout, np.array([False, True, True, False, True]))
    events = events.set_index("encounter_id")
    assert list(events.index) == ["E1", "E2"]
    assert events.loc["E1", "lead_hours"] == pytest.approx(6.0)
    assert np.isnan(events.loc["E2", "lead_hours"])


def test_time_split_refuses_too_few_deteriorations() -> None:
    frame = observation_sets(400, seed=2).assign(is_deteriorated_24h=False)
    with pytest.raises(ValueError, match="deterioration"):
        deterioration.time_split(frame)


def test_time_split_refuses_events_from_too_few_stays() -> None:
    # Many positive sets but from two stays (a load with two deaths): grouped folds would
    # leave a fold without a positive and every trial's AUROC undefined.
    frame = observation_sets(1500, seed=2)
    positive = frame["is_deteriorated_24h"].astype(bool)
    stays = frame.loc[positive, "encounter_id"].unique()
    assert len(stays) >= deterioration.MIN_EVENT_ENCOUNTERS  # trains as generated
    deterioration.time_split(frame)
    assert positive.sum() >= deterioration.MIN_TRAINING_EVENTS
    frame.loc[positive, "encounter_id"] = np.where(np.arange(positive.sum()) % 2, "EA", "EB")
    with pytest.raises(ValueError, match=r"different stays, to train; got \d+, \d+ and 2 "):
        deterioration.time_split(frame)


def test_scored_sets_carry_news2_and_the_model_version(fitted) -> None:
    model, holdout = fitted
    scores = deterioration.score_sets(
        model, holdout, model_name="m", model_version="3", scored_at=pd.Timestamp("2025-03-01")
    )
    assert len(scores) == len(holdout)
    assert scores["deterioration_risk_24h"].between(0, 1).all()
    assert (scores["is_news2_alert"] == (scores["news2_score"] >= 5)).all()
    assert set(scores["model_version"]) == {"3"}
