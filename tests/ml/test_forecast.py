"""Demand forecast: baselines, intervals, and the shape of marts.forecast_daily."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml import forecast as fc

WEEKDAY_MEANS = np.array([110, 100, 95, 95, 100, 80, 70], dtype=float)  # Monday first
PARAMS = {"level_days": 14, "weekday_weeks": 6, "weekday_shrinkage": 0.0}


def history(days: int = 120, seed: int = 0) -> pd.DataFrame:
    """Two hospitals of Poisson arrivals with a weekly pattern; census a smoothed copy."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-06", periods=days, freq="D")  # a Monday
    frames = []
    for hospital_id, scale in (("H1", 1.0), ("H2", 0.5)):
        mean = WEEKDAY_MEANS[dates.weekday] * scale
        frames.append(
            pd.DataFrame(
                {
                    "hospital_id": hospital_id,
                    "demand_date": dates.date,
                    "ed_arrivals": rng.poisson(mean),
                    "midnight_census": rng.poisson(np.full(days, 80 * scale)),
                }
            )
        )
    return fc.long_history(pd.concat(frames, ignore_index=True))


def test_seasonal_naive_repeats_the_latest_week() -> None:
    values = np.arange(1, 15, dtype=float)  # two weeks: 1..14
    assert fc.seasonal_naive(values, np.arange(1, 15)).tolist() == [*range(8, 15), *range(8, 15)]


def test_moving_average_is_flat() -> None:
    values = np.array([1, 2, 3, 4, 5, 6, 7, 100], dtype=float)
    assert fc.moving_average(values, np.arange(1, 4)).tolist() == [pytest.approx(127 / 7)] * 3


def test_poisson_floor_shrinks_as_counts_grow() -> None:
    small, large = fc.poisson_mape_floor(np.array([10.0])), fc.poisson_mape_floor(np.array([400.0]))
    assert small > 2 * large
    assert large == pytest.approx(np.sqrt(2 / np.pi) / np.sqrt(400), rel=0.1)


def test_forecaster_learns_the_weekday_pattern() -> None:
    model = fc.DemandForecaster(PARAMS).fit(history())
    out = model.forecast()
    h1 = out[(out["hospital_id"] == "H1") & (out["target"] == "ed_arrivals")]
    weekdays = pd.to_datetime(h1["forecast_date"]).dt.weekday.to_numpy()
    assert np.corrcoef(h1["point"], WEEKDAY_MEANS[weekdays])[0, 1] > 0.9


def test_one_row_per_hospital_target_date_and_horizon() -> None:
    data = history()
    out = fc.DemandForecaster(PARAMS).fit(data).forecast()
    assert len(out) == 2 * 2 * fc.HORIZON_DAYS
    assert not out.duplicated(["hospital_id", "target", "forecast_date"]).any()
    assert out["horizon_days"].between(1, 14).all()
    assert (out["lower"] <= out["point"]).all() and (out["point"] <= out["upper"]).all()
    assert (pd.to_datetime(out["forecast_date"]) > data["demand_date"].max()).all()


def test_backtest_beats_seasonal_naive_and_covers_about_ninety_percent() -> None:
    metrics = fc.backtest(history(days=150, seed=2), PARAMS, origins=6)
    assert metrics["mape"] < metrics["seasonal_naive_mape"]
    assert metrics["mape"] >= metrics["poisson_floor_mape"] * 0.9
    assert 0.8 <= metrics["interval_coverage"] <= 0.98


def test_too_short_history_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="history too short"):
        fc.backtest(history(days=30), PARAMS)


def test_mape_ignores_days_without_demand() -> None:
    assert fc.mape(np.array([0, 10, 20]), np.array([5, 11, 18])) == pytest.approx(0.1)
