"""Alert performance against ground truth: sensitivity, lead time, PPV, alert rate."""

from __future__ import annotations

import pandas as pd

from streams.evaluation import evaluate

T = pd.Timestamp("2025-01-02 12:00")
H = pd.Timedelta(hours=1)


def test_sensitivity_lead_time_ppv_and_rate() -> None:
    encounters = pd.DataFrame(
        {
            "encounter_id": ["E1", "E2", "E3"],
            "admitted_at": [T - 48 * H] * 3,
            "discharged_at": [T + 24 * H, T + 24 * H, None],  # E3 still in at the end
        }
    )
    events = pd.DataFrame({"encounter_id": ["E1", "E2"], "event_at": [T, T]})
    alerts = pd.DataFrame(
        {
            "encounter_id": ["E1", "E1", "E2", "E3"],
            "raised_at": [T - 6 * H, T - 2 * H, T - 30 * H, T],
            "news2_band": ["medium", "high", "high", "medium"],
        }
    )
    medium, high = evaluate(alerts, events, encounters, end=T + 24 * H)
    # >= 5: E1 detected (earliest alert 6 h before); E2's alert is 30 h before: missed.
    assert (medium.events, medium.detected) == (2, 1)
    assert medium.median_lead_time_hours == 6.0
    assert medium.alerts == 4 and medium.true_alerts == 2
    assert medium.positive_predictive_value == 0.5
    assert medium.alerts_per_100_patient_days == 100 * 4 / 9  # 3 stays x 3 days
    # >= 7: only the high alerts count.
    assert (high.detected, high.median_lead_time_hours, high.alerts) == (1, 2.0, 2)
