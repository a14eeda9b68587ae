"""Readmission model behaviour: direction and invariance, baseline and ceiling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

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
    # An unconstrained model fitted to inverted labels learns the wrong direction, and is
    # caught.
    inverted = unconstrained().fit(
        readmission.model_input(split.train), ~split.train[readmission.LABEL]
    )
    assert readmission.direction_violations(inverted, split.holdout) == len(split.holdout)


def unconstrained():
    return readmission.build_model({"C": 1.0}).set_params(
        classifier=LogisticRegression(C=1.0, max_iter=1000)
    )


def test_the_model_never_learns_a_negative_weight_on_prior_admissions(trained) -> None:
    model, split = trained
    inputs, labels = readmission.model_input(split.train), split.train[readmission.LABEL]
    column = readmission.NUMERIC_FEATURES.index(readmission.DIRECTION_FEATURE)
    # Where the data give a positive weight, the model is plain logistic regression.
    plain = unconstrained().fit(inputs, labels)
    assert plain.named_steps["classifier"].coef_[0, column] > 0
    np.testing.assert_allclose(
        model.named_steps["classifier"].coef_, plain.named_steps["classifier"].coef_
    )
    # Where they give a negative one (prior admissions made protective), the weight is
    # held at 0: the fit without the column, and no direction violation for the gate.
    protective = labels.where(split.train["prior_admissions_365d"] == 0, False)
    assert unconstrained().fit(inputs, protective).named_steps["classifier"].coef_[0, column] < 0
    constrained = readmission.build_model({"C": 1.0}).fit(inputs, protective)
    assert constrained.named_steps["classifier"].coef_[0, column] == 0.0
    assert readmission.direction_violations(constrained, split.holdout) == 0
    without = unconstrained().fit(inputs.assign(prior_admissions_365d=0.0), protective)
    np.testing.assert_allclose(
        readmission.predict_risk(constrained, split.holdout),
        readmission.predict_risk(without, split.holdout.assign(prior_admissions_365d=0)),
        rtol=1e-4,
    )


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
