"""Calibration and subgroup metrics behave as their definitions say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.evaluation import (
    age_band,
    auroc_or_nan,
    calibration_table,
    classifier_metrics,
    ece_noise_floor,
    expected_calibration_error,
    regressor_metrics,
)


def test_perfectly_calibrated_bins_have_zero_error() -> None:
    outcome = np.array([0] * 9 + [1] + [1] * 7 + [0] * 3)
    risk = np.array([0.1] * 10 + [0.7] * 10)
    assert expected_calibration_error(outcome, risk) == pytest.approx(0.0)


def test_overconfident_predictions_have_their_error() -> None:
    outcome = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    risk = np.full(8, 0.9)
    assert expected_calibration_error(outcome, risk) == pytest.approx(0.4)


def test_noise_floor_shrinks_with_the_holdout() -> None:
    rng = np.random.default_rng(2)
    small, large = rng.uniform(0.05, 0.4, 200), rng.uniform(0.05, 0.4, 20000)
    assert ece_noise_floor(small) > 2 * ece_noise_floor(large)
    # A calibrated model's observed ECE sits under the floor most of the time.
    outcome = (rng.random(200) < small).astype(int)
    assert expected_calibration_error(outcome, small) < ece_noise_floor(small) * 1.5


def test_calibration_table_counts_every_prediction() -> None:
    risk = np.linspace(0, 1, 101)
    table = calibration_table((risk > 0.5).astype(int), risk)
    assert table["count"].sum() == 101
    assert table["observed_rate"].iloc[0] == 0 and table["observed_rate"].iloc[-1] == 1


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0-17"),
        (17, "0-17"),
        (18, "18-44"),
        (64, "45-64"),
        (65, "65-79"),
        (80, "80+"),
        (104, "80+"),
    ],
)
def test_age_bands(age: int, band: str) -> None:
    assert age_band(pd.Series([age])).tolist() == [band]


def test_subgroup_gap_measures_the_worse_group() -> None:
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(
        {
            "sex": np.repeat(["F", "M"], n // 2),
            "age_years": rng.integers(20, 90, n),
            "primary_payer": rng.choice(["medicare", "commercial"], n),
            "outcome": rng.integers(0, 2, n),
        }
    )
    # Risk is informative for F, pure noise for M.
    noise = rng.random(n)
    frame["risk"] = np.where(frame["sex"] == "F", 0.3 + 0.4 * frame["outcome"] * noise, noise)
    result = classifier_metrics(frame, "outcome", "risk", min_subgroup_events=20)
    assert result["subgroup_gap_sex"] > 0.25
    assert result["subgroup_gap_primary_payer"] < result["subgroup_gap_sex"]


def test_single_outcome_subgroup_is_not_measured() -> None:
    assert np.isnan(auroc_or_nan(np.array([1, 1]), np.array([0.2, 0.3])))


def test_regressor_metrics_gap_in_days() -> None:
    frame = pd.DataFrame(
        {
            "sex": ["F"] * 40 + ["M"] * 40,
            "age_years": [50] * 80,
            "primary_payer": ["medicare"] * 80,
            "actual": [3.0] * 80,
            "predicted": [3.5] * 40 + [5.0] * 40,
        }
    )
    result = regressor_metrics(frame, "actual", "predicted")
    assert result["mae"] == pytest.approx(1.25)
    assert result["subgroup_gap_sex"] == pytest.approx(1.5)
    assert result["subgroup_count_sex"] == 2
    assert result["subgroup_gap_age_band"] == 0.0
    assert result["subgroup_count_age_band"] == 1


def test_subgroups_with_too_few_events_are_not_compared() -> None:
    rng = np.random.default_rng(1)
    outcome = np.r_[rng.integers(0, 2, 200), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]]
    frame = pd.DataFrame(
        {
            "sex": ["F"] * 100 + ["M"] * 100 + ["X"] * 10,
            "age_years": 50,
            "primary_payer": "medicare",
            "outcome": outcome,
            # Perfect ranking for F and M; the one-event group X is ranked backwards.
            "risk": np.r_[outcome[:200] * 0.5 + 0.2, [0.1] + [0.9] * 9],
        }
    )
    assert classifier_metrics(frame, "outcome", "risk", min_subgroup_events=5)[
        "subgroup_gap_sex"
    ] == pytest.approx(0.0)
    assert classifier_metrics(frame, "outcome", "risk", min_subgroup_events=1)[
        "subgroup_gap_sex"
    ] == pytest.approx(1.0)
