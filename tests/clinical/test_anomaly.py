"""The online seasonal robust detector and incidents."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pytest

from clinical.anomaly import IncidentTracker, SeasonalRobustDetector

T0 = datetime(2026, 1, 1)


def daily_series(days: int, seed: int = 0) -> tuple[list[datetime], np.ndarray]:
    rng = np.random.default_rng(seed)
    minutes = np.arange(days * 24 * 12) * 5
    values = 50 + 30 * np.sin(2 * np.pi * (minutes % 1440) / 1440) + rng.normal(0, 2, len(minutes))
    return [T0 + timedelta(minutes=int(m)) for m in minutes], values


def test_scores_are_in_unit_interval_and_spike_scores_high() -> None:
    stamps, values = daily_series(5)
    values[1200] += 40
    detector = SeasonalRobustDetector()
    scores = [detector.score(t, v) for t, v in zip(stamps, values, strict=True)]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[1200] > 0.999
    assert np.mean(np.array(scores[300:]) >= 0.999) < 0.01


def test_seasonal_baseline_catches_a_deviation_a_flat_baseline_misses() -> None:
    """+15 at 06:00 is within the day's range (20-80) but far from that hour's normal."""
    stamps, values = daily_series(4)
    at = 3 * 288 + 72  # day 4, 06:00
    values[at] += 15
    seasonal = SeasonalRobustDetector()
    flat = SeasonalRobustDetector(slots=1, history=288)
    seasonal_scores = [seasonal.score(t, v) for t, v in zip(stamps, values, strict=True)]
    flat_scores = [flat.score(t, v) for t, v in zip(stamps, values, strict=True)]
    assert seasonal_scores[at] > 0.999
    assert flat_scores[at] < 0.99


def test_no_look_ahead_the_score_of_a_point_ignores_later_points() -> None:
    stamps, values = daily_series(2)
    full, cut = SeasonalRobustDetector(), SeasonalRobustDetector()
    scores_full = [full.score(t, v) for t, v in zip(stamps, values, strict=True)]
    scores_cut = [cut.score(t, v) for t, v in zip(stamps[:300], values[:300], strict=True)]
    assert scores_full[:300] == scores_cut


def test_missing_value_scores_zero_and_is_not_learned() -> None:
    detector = SeasonalRobustDetector()
    assert detector.score(T0, math.nan) == 0.0
    assert detector.score(T0, 5.0) == 0.0  # still warming up: nothing learned yet


def test_constant_series_does_not_divide_by_zero() -> None:
    detector = SeasonalRobustDetector(min_history=4)
    scores = [detector.score(T0 + timedelta(seconds=i), 60.0) for i in range(10)]
    assert scores[-1] == 0.0
    assert detector.score(T0 + timedelta(seconds=11), 600.0) == pytest.approx(1.0)


def test_incident_opens_and_closes_with_severity() -> None:
    tracker = IncidentTracker("interface_lag", close_after=2)
    points = [(0.5, 0.5), (0.9995, 4.0), (1.0, 9.0), (0.2, 0.1), (0.3, 0.2), (0.1, 0.1)]
    closed = [
        tracker.update(T0 + timedelta(minutes=i), score, z) for i, (score, z) in enumerate(points)
    ]
    incidents = [c for c in closed if c]
    assert len(incidents) == 1
    assert incidents[0]["started_at"] == T0 + timedelta(minutes=1)
    assert incidents[0]["ended_at"] == T0 + timedelta(minutes=4)
    assert incidents[0]["severity"] == "critical"
