"""The simulated nurse: who acknowledges which alert, and when (simulator.nurse_response)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.nurse_response import NurseResponse, acknowledgements

T0 = pd.Timestamp("2025-01-01 08:00")


def alerts(n: int, alert_type: str = "news2", band: str = "high") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "alert_id": [f"A{i:05d}" for i in range(n)],
            "alert_type": alert_type,
            "patient_id": [f"P{i % 50}" for i in range(n)],
            "news2_band": band,
            "raised_at": T0 + pd.to_timedelta(np.arange(n) * 7, unit="min"),
        }
    )


def delays_minutes(raised: pd.DataFrame, acks: pd.DataFrame) -> pd.Series:
    joined = acks.merge(raised, on=["alert_id", "patient_id"])
    return (joined["acknowledged_at"] - joined["raised_at"]).dt.total_seconds() / 60


def test_same_alerts_and_seed_give_the_same_acknowledgements() -> None:
    raised = alerts(500)
    pd.testing.assert_frame_equal(acknowledgements(raised, 3), acknowledgements(raised, 3))
    assert not acknowledgements(raised, 3).equals(acknowledgements(raised, 4))


def test_high_alerts_mostly_answered_within_30_minutes_some_late_some_never() -> None:
    raised = alerts(20_000, band="high")
    acks = acknowledgements(raised, 7)
    delay = delays_minutes(raised, acks)
    model = NurseResponse()
    assert abs(len(acks) / len(raised) - (1 - model.never_share)) < 0.01
    on_time = (delay <= 30).sum() / len(raised)
    assert abs(on_time - 0.85) < 0.01
    assert (delay > 0).all()
    assert 7 < delay[delay <= 30].mean() < 10  # 30 x E[Beta(2, 5)] = 8.6 min
    assert delay.max() > 30  # late ones exist, so some alerts escalate


def test_medium_and_sepsis_deadline_is_60_minutes_and_low_medium_is_not_answered() -> None:
    medium = acknowledgements(alerts(5000, band="medium"), 1)
    sepsis = acknowledgements(alerts(5000, alert_type="sepsis", band="low"), 1)
    for raised, acks in (
        (alerts(5000, band="medium"), medium),
        (alerts(5000, "sepsis", "low"), sepsis),
    ):
        delay = delays_minutes(raised, acks)
        assert abs((delay <= 60).sum() / len(raised) - 0.80) < 0.02
    assert acknowledgements(alerts(100, band="low-medium"), 1).empty


def test_acknowledgements_are_in_event_time_order() -> None:
    acks = acknowledgements(alerts(2000), 5)
    assert acks["acknowledged_at"].is_monotonic_increasing
    assert list(acks.columns) == ["alert_id", "patient_id", "acknowledged_at"]
