"""Readmission model behaviour: direction and invariance, baseline and ceiling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml import readmission
from ml.readmission import RiskTiers
from tests.ml.synthetic import features_and_truth


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return features_and_truth(n=3000, seed=3)


@pytest.fixture(scope="module")
def trained(data):
    features, _truth = data
    split = readmission.time_split(features)
    model = readmission.build_model({"C": 1.0}).fit(
        readmission.model_input(split.train), split.train[readmission.LABEL]
    )
    return model, split


@pytest.mark.parametrize(
    "feature", ["prior_admissions_365d", "charlson_index", "acuity_level", "ed_visits_6_months"]
)
def test_more_of_a_risk_factor_never_lowers_the_risk(trained, feature: str) -> None:
    model, split = trained
    base = split.holdout
    worse = base.assign(**{feature: base[feature] + 1})
    assert np.all(readmission.predict_risk(model, worse) >= readmission.predict_risk(model, base))


def test_direction_violations_are_counted(trained) -> None:
    model, split = trained
    assert readmission.direction_violations(model, split.holdout) == 0
    # A model fitted to inverted labels learns the wrong direction, and is caught.
    inverted = readmission.build_model({"C": 1.0}).fit(
        readmission.model_input(split.train), ~split.train[readmission.LABEL]
    )
    assert readmission.direction_violations(inverted, split.holdout) == len(split.holdout)


def test_identifiers_and_row_order_do_not_change_a_score(trained) -> None:
    model, split = trained
    frame = split.holdout
    renamed = frame.assign(
        patient_id="someone-else", encounter_id=[f"X{i}" for i in range(len(frame))]
    )
    shuffled = frame.sample(frac=1.0, random_state=0)
    original = pd.Series(readmission.predict_risk(model, frame), index=frame.index)
    assert np.array_equal(readmission.predict_risk(model, renamed), original.to_numpy())
    assert np.allclose(readmission.predict_risk(model, shuffled), original[shuffled.index])


def test_model_beats_lace_and_approaches_the_ceiling(data, trained) -> None:
    features, truth = data
    model, split = trained
    metrics = readmission.evaluate(model, split.holdout)
    true_risk = split.holdout["encounter_id"].map(truth.set_index("encounter_id").iloc[:, 0])
    references = readmission.reference_aurocs(split.holdout, true_risk)
    assert metrics["auroc"] > references["lace_auroc"]
    assert references["ceiling_auroc"] - metrics["auroc"] < 0.03
    assert metrics["ece"] < 0.05


def test_time_split_holds_out_the_latest_mature_discharges(data) -> None:
    features, _ = data
    split = readmission.time_split(features, holdout_fraction=0.25)
    assert split.train["discharged_at"].max() <= split.holdout["discharged_at"].min()
    assert split.holdout["is_label_mature"].all()
    assert len(split.holdout) == pytest.approx(0.25 * features["is_label_mature"].sum(), abs=1)


def test_too_few_mature_labels_is_a_clear_error(data) -> None:
    features, _ = data
    with pytest.raises(ValueError, match="at least 40 discharges"):
        readmission.time_split(features.head(30))


def test_scores_carry_tier_lace_and_version(trained) -> None:
    model, split = trained
    scores = readmission.score_discharges(
        model,
        split.holdout,
        RiskTiers(0.1, 0.2),
        model_name="m",
        model_version="7",
        scored_at=pd.Timestamp("2026-01-01"),
    )
    assert len(scores) == len(split.holdout)
    assert scores["encounter_id"].is_unique
    high = scores["readmission_risk_30d"] >= 0.2
    assert (scores.loc[high, "risk_tier"] == "high").all()
    assert (scores.loc[scores["readmission_risk_30d"] < 0.1, "risk_tier"] == "low").all()
    assert scores["lace_score"].between(0, 19).all()
    assert (scores["is_lace_high_risk"] == (scores["lace_score"] >= 10)).all()
    assert set(scores["model_version"]) == {"7"}
