"""The batched anomaly detector and incident tracker against the per-point path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from clinical.anomaly import IncidentTracker, SeasonalRobustDetector


def series(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Irregular timestamps (some equal), a daily cycle, NaNs, spikes and a flat run."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([0, 60, 600, 900, 3600, 7200], size=n, p=[0.05, 0.1, 0.2, 0.4, 0.2, 0.05])
    seconds = 1_735_689_600 + np.cumsum(steps)
    stamps = (seconds * 1_000_000).astype("datetime64[us]")
    hours = (seconds % 86400) / 3600
    values = 20 + 10 * np.sin(hours / 24 * 2 * np.pi) + rng.normal(0, 2, n)
    values[rng.random(n) < 0.02] = np.nan
    values[rng.random(n) < 0.01] += 80
    values[n // 2 : n // 2 + 40] = 5.0  # flat: the relative floor decides the scale
    return stamps, values


def per_point(stamps, values, detector, tracker):
    scores, zs, closed = [], [], []
    for stamp, value in zip(stamps.astype(object), values.tolist(), strict=True):
        scores.append(detector.score(stamp, value))
        zs.append(detector.last_z)
        incident = tracker.update(stamp, scores[-1], zs[-1])
        if incident:
            closed.append(incident)
    return scores, zs, closed


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("chunk", [1, 7, 100, 5000])
def test_batches_score_exactly_like_point_after_point(seed: int, chunk: int) -> None:
    stamps, values = series(seed, 3000)
    options = {"min_history": 8, "history": 24, "recent": 32, "scale_floor": 0.5}
    expected = per_point(
        stamps, values, SeasonalRobustDetector(**options), IncidentTracker("s", close_after=2)
    )
    detector, tracker = SeasonalRobustDetector(**options), IncidentTracker("s", close_after=2)
    scores, zs, closed = [], [], []
    for start in range(0, len(values), chunk):
        part = slice(start, start + chunk)
        s, z = detector.score_batch(stamps[part], values[part])
        assert detector.last_z == (z[-1] if len(z) else detector.last_z)
        scores += s.tolist()
        zs += z.tolist()
        closed += tracker.update_batch(stamps[part].astype(object), s, z)
    assert scores == expected[0]  # bit for bit
    assert zs == expected[1]
    assert closed == expected[2] and len(closed) > 3


def test_defaults_and_state_carry_across_calls() -> None:
    stamps, values = series(4, 6000)
    point, batch = SeasonalRobustDetector(), SeasonalRobustDetector()
    expected = [
        point.score(s, v) for s, v in zip(stamps.astype(object), values.tolist(), strict=True)
    ]
    got = np.concatenate(
        [
            batch.score_batch(stamps[i : i + 997], values[i : i + 997])[0]
            for i in range(0, 6000, 997)
        ]
    )
    assert got.tolist() == expected
    assert {k: list(v) for k, v in batch._by_slot.items()} == {
        k: list(v) for k, v in point._by_slot.items()
    }
    assert list(batch._recent) == list(point._recent)


def test_naive_timestamps_are_utc() -> None:
    detector = SeasonalRobustDetector()
    naive = datetime(2025, 1, 1, 5, 30)
    assert detector.slot_of(naive) == 5 == detector.slot_of(naive.replace(tzinfo=UTC))
    assert detector.slot_of(naive.replace(tzinfo=timezone(timedelta(hours=2)))) == 3
