"""Vitals drift flags a device offset by its size, not every tiny seasonal movement."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from monitoring.drift import drift_report
from monitoring.vitals import VITALS, rolling_reference, vitals_drift

START = date(2025, 1, 1)


def vitals(days: int, per_day: int, offset_from: int | None, seed: int = 0) -> pd.DataFrame:
    """Readings with a slow seasonal rise of every vital (0.003 SD a day); from
    ``offset_from`` on, 40 % of the SpO2 readings (one monitor model) read 2 % high."""
    rng = np.random.default_rng(seed)
    frames = []
    for day in range(days):
        season = 0.003 * day
        spo2 = rng.normal(96 + 2.5 * season, 2.5, per_day)
        if offset_from is not None and day >= offset_from:
            spo2 += 2.0 * (rng.random(per_day) < 0.4)
        frames.append(
            pd.DataFrame(
                {
                    "day": START + timedelta(days=day),
                    "respiration_rate_per_minute": rng.normal(17 + 3 * season, 3, per_day),
                    "spo2_pct": spo2,
                    "systolic_bp_mmhg": rng.normal(125 + 15 * season, 15, per_day),
                    "pulse_per_minute": rng.normal(80 + 12 * season, 12, per_day),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_rolling_reference_is_the_four_weeks_ending_a_week_before() -> None:
    frame = vitals(60, 5, None)
    reference = rolling_reference(frame, START + timedelta(days=50))
    assert reference["day"].min() == START + timedelta(days=16)
    assert reference["day"].max() == START + timedelta(days=43)


def test_the_offset_is_flagged_on_its_first_day_and_the_season_never() -> None:
    frame = vitals(64, 1500, offset_from=60)
    # The earlier detector (K-S against the first 30 days) flags the season itself.
    _, fixed = drift_report(
        frame[frame["day"] < START + timedelta(days=30)],
        frame[frame["day"] == START + timedelta(days=59)],
        VITALS,
        [],
    )
    assert len(fixed.drifted_columns) >= 2
    flagged = []
    for offset in range(55, 64):
        day = START + timedelta(days=offset)
        summary = vitals_drift(rolling_reference(frame, day), frame[frame["day"] == day])
        assert {c.column for c in summary.columns} == set(VITALS)
        if "spo2_pct" in summary.drifted_columns:
            flagged.append(offset)
        assert set(summary.drifted_columns) <= {"spo2_pct"}
    assert flagged[0] == 60
    assert all(offset >= 60 for offset in flagged)
