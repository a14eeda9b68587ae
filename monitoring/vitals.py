"""Drift of the charted vitals (a device problem, such as an SpO2 probe reading high).

A day of vitals has thousands of readings, so a p-value test (K-S) flags shifts far too
small to matter: against a fixed reference (the first 30 days), the seasonal and
case-mix movement of the vitals flagged SpO2 on 17 of the 45 days before a simulated
offset began; this detector flagged none of them and the offset on its first day
(docs/benchmarks.md, monitoring). Here a column drifts on an effect
size instead: Evidently's normed Wasserstein distance (the distance between the two
distributions in units of the reference's standard deviation) of at least ``DISTANCE``,
against
a rolling reference (the ``REFERENCE_DAYS`` ending ``GAP_DAYS`` before the day), so
slow seasonal movement is in the reference and a step change is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from monitoring.drift import DriftSummary, drift_report

VITALS = ("respiration_rate_per_minute", "spo2_pct", "systolic_bp_mmhg", "pulse_per_minute")
# A fifth of a standard deviation. Evidently's default for this distance, 0.1, is within
# a day's sampling noise plus a month's seasonal movement (up to ~0.12 on 1,500 readings
# a day, tests/monitoring/test_vitals.py); +2 on 40 % of SpO2 readings gives ~0.35.
DISTANCE = 0.2
METHOD = "wasserstein"
REFERENCE_DAYS = 28
GAP_DAYS = 7


def rolling_reference(frame: pd.DataFrame, day: date, day_column: str = "day") -> pd.DataFrame:
    """The rows of the ``REFERENCE_DAYS`` ending ``GAP_DAYS`` before ``day``."""
    end = day - timedelta(days=GAP_DAYS)
    days = frame[day_column]
    return frame[(days > end - timedelta(days=REFERENCE_DAYS)) & (days <= end)]


def vitals_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Sequence[str] = VITALS,
    distance: float = DISTANCE,
) -> DriftSummary:
    """Which vitals moved by at least ``distance`` reference standard deviations."""
    _, summary = drift_report(
        reference, current, columns, [], numeric_method=METHOD, column_threshold=distance
    )
    return summary
