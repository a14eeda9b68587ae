"""Length-of-stay model: beats the per-DRG median where patients differ within a DRG."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml import length_of_stay as los
from tests.ml.synthetic import stays


@pytest.fixture(scope="module")
def fitted():
    split = los.time_split(stays())
    model = los.build_model({"drg_prior_stays": 5, "ridge_alpha": 1.0}).fit(
        los.model_input(split.train), split.train[los.TARGET]
    )
    return model, split


def test_model_beats_the_drg_median_baseline(fitted) -> None:
    model, split = fitted
    metrics = los.evaluate(model, split.holdout, los.DrgMedianBaseline.fit(split.train))
    # Charlson moves the stay 20% a point: a real gain over the DRG alone.
    assert metrics["mae"] < 0.95 * metrics["drg_median_mae"]
    assert {"subgroup_gap_sex", "subgroup_gap_age_band", "subgroup_gap_primary_payer"} <= set(
        metrics
    )


def test_sicker_patient_is_predicted_to_stay_longer(fitted) -> None:
    model, split = fitted
    base = split.holdout
    sicker = base.assign(charlson_index=base["charlson_index"] + 2)
    assert np.all(los.predict_days(model, sicker) > los.predict_days(model, base))


def test_unknown_drg_and_missing_weight_still_get_a_prediction(fitted) -> None:
    model, split = fitted
    odd = split.holdout.head(5).assign(ms_drg_code="999", ms_drg_relative_weight=np.nan)
    days = los.predict_days(model, odd)
    assert np.isfinite(days).all() and (days > 0).all()


def test_baseline_uses_training_medians_and_falls_back_to_overall() -> None:
    train = pd.DataFrame({"ms_drg_code": ["a", "a", "a", "b"], "length_of_stay_days": [1, 2, 9, 4]})
    baseline = los.DrgMedianBaseline.fit(train)
    predicted = baseline.predict(pd.DataFrame({"ms_drg_code": ["a", "b", "zzz"]}))
    assert predicted.tolist() == [2.0, 4.0, 3.0]


def test_latest_admissions_are_held_out_and_open_stays_never_train() -> None:
    frame = stays(500)
    frame.loc[frame.index[-40:], ["length_of_stay_days", "is_target_mature"]] = [np.nan, False]
    split = los.time_split(frame)
    assert split.train["admitted_at"].max() <= split.holdout["admitted_at"].min()
    assert split.train[los.TARGET].notna().all() and split.holdout[los.TARGET].notna().all()


def test_predictions_carry_expected_discharge(fitted) -> None:
    model, split = fitted
    out = los.predict_admissions(
        model, split.holdout, model_name="m", model_version="1", scored_at=pd.Timestamp(0)
    )
    assert len(out) == len(split.holdout)
    gap = (out["expected_discharge_at"] - out["admitted_at"]).dt.total_seconds() / 86400
    assert np.allclose(gap, out["predicted_length_of_stay_days"], atol=1e-6)


SHIFT = "2025-04-11"  # day 100 of stays()' 150


def test_post_drift_split_holds_out_the_latest_post_drift_stays() -> None:
    frame = stays(3000, seed=5, medicaid_longer_from=SHIFT)
    frame.loc[frame.index[-40:], ["length_of_stay_days", "is_target_mature"]] = [np.nan, False]
    n_after = int((frame["is_target_mature"] & (frame["admitted_at"] >= SHIFT)).sum())
    assert los.post_drift_split(frame, SHIFT, min_post_drift_stays=n_after + 1) is None
    split = los.post_drift_split(frame, SHIFT, min_post_drift_stays=n_after)
    assert split is not None
    assert len(split.holdout) == round(n_after / 2)
    assert (split.holdout["admitted_at"] >= pd.Timestamp(SHIFT)).all()
    assert split.train["admitted_at"].max() <= split.holdout["admitted_at"].min()
    assert len(split.post_drift_train) == n_after - len(split.holdout)
    assert split.train[los.TARGET].notna().all()  # open stays never train
    assert split.train["admitted_at"].min() == frame["admitted_at"].min()  # history kept


def _old_refit_revised(frame: pd.DataFrame):
    old_rows = frame[frame["admitted_at"] < SHIFT]
    old = los.build_model({}).fit(los.model_input(old_rows), old_rows[los.TARGET])
    split = los.post_drift_split(frame, SHIFT, min_post_drift_stays=200)
    refit = los.build_model({}).fit(los.model_input(split.train), split.train[los.TARGET])
    return old, refit, los.revise(refit, split.post_drift_train), split


def _mae(model, rows: pd.DataFrame) -> float:
    return float((rows[los.TARGET] - los.predict_days(model, rows)).abs().mean())


def test_revision_learns_a_concept_drift_the_refit_dilutes() -> None:
    # From SHIFT, Medicaid stays last twice as long with the same features.
    old, refit, revised, split = _old_refit_revised(stays(3000, seed=6, medicaid_longer_from=SHIFT))
    holdout = split.holdout
    assert _mae(revised, holdout) < 0.93 * _mae(old, holdout)
    assert _mae(revised, holdout) < 0.95 * _mae(refit, holdout)
    change = revised.coefficients().set_index("feature")["log_days_coefficient_change"]
    assert change["categorical__primary_payer_medicaid"] > 0.3  # log 2 = 0.69, shrunk
    medicaid = holdout["primary_payer"] == "medicaid"
    ratio = los.predict_days(revised, holdout) / los.predict_days(refit, holdout)
    assert ratio[medicaid].mean() > 1.3 > 1.1 > ratio[~medicaid].mean()


def test_revision_without_a_drift_leaves_the_model_nearly_as_it_was() -> None:
    _, refit, revised, split = _old_refit_revised(stays(3000, seed=7))
    ratio = los.predict_days(revised, split.holdout) / los.predict_days(refit, split.holdout)
    assert np.abs(np.log(ratio)).max() < 0.15
    assert _mae(revised, split.holdout) < 1.03 * _mae(refit, split.holdout)
