"""Forecast errors as actuals arrive: steady demand keeps them, a surge moves them."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from ml.forecast import DATE
from monitoring.forecast_quality import forecast_quality, one_day_ahead

START = date(2025, 1, 1)
PARAMS = {"level_days": 14, "weekday_weeks": 4, "weekday_shrinkage": 0.2}
WEEKDAY = np.array([1.15, 1.05, 1.0, 0.98, 0.97, 0.9, 0.95])


def history(days: int, surge_from: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Long-form daily ED arrivals of two hospitals (Poisson, weekday-seasonal); x1.3 from
    ``surge_from`` on (the simulator's surge scenario)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=days, freq="D")
    frames = []
    for hospital, base in (("H1", 80), ("H2", 60)):
        mean = base * WEEKDAY[dates.weekday]
        if surge_from is not None:
            mean = mean * np.where(np.arange(days) >= surge_from, 1.3, 1.0)
        frames.append(
            pd.DataFrame(
                {
                    "hospital_id": hospital,
                    "target": "ed_arrivals",
                    DATE: dates,
                    "value": rng.poisson(mean),
                }
            )  # fmt: skip
        )
    return pd.concat(frames, ignore_index=True)


def days(first: int, last: int) -> list[date]:
    return [START + timedelta(days=d) for d in range(first, last)]


def test_one_day_ahead_uses_only_the_history_before_the_day() -> None:
    frame = history(60)
    errors = one_day_ahead(frame, PARAMS, days(50, 52))
    changed = frame.copy()
    changed.loc[changed[DATE] >= pd.Timestamp(START + timedelta(days=51)), "value"] += 1000
    again = one_day_ahead(changed, PARAMS, days(50, 51))
    assert again["point"].iloc[0] == pytest.approx(errors["point"].iloc[0])
    assert (errors["error"] == errors["actual"] - errors["point"]).all()


def test_steady_demand_keeps_its_errors() -> None:
    frame = history(90, seed=1)
    reference = one_day_ahead(frame, PARAMS, days(35, 63))
    _, quality = forecast_quality(reference, one_day_ahead(frame, PARAMS, days(83, 90)))
    assert not quality.error_drift.drifted
    assert quality.mape_increase < 0.2


def test_a_surge_moves_the_errors_and_the_mape() -> None:
    frame = history(90, surge_from=80, seed=2)
    reference = one_day_ahead(frame, PARAMS, days(35, 63))
    _, quality = forecast_quality(reference, one_day_ahead(frame, PARAMS, days(80, 87)))
    assert quality.error_drift.drifted
    assert quality.mape_increase > 0.2  # the models' default MAE threshold (Thresholds)
    assert quality.mae > quality.reference_mae
