"""Simulated nurse acknowledgements of early-warning alerts (the response half of NEWS2).

Without acknowledgements every medium or high alert escalates, which is neither what a
ward does nor a test of the alert policy. This module plays the nurse who carries the
pager: for each alert the early-warning system raised, it draws whether and when the
alert is acknowledged.

Response model, by alert (seeded, so the same alerts and seed give the same feed):

- target response time, RCP 2017 (NEWS2 chart 4, clinical response): a high score
  (7+) calls for an emergency assessment, immediately; a medium score (5-6) for an
  urgent review, within 1 h. Vigil's policy deadlines (:class:`clinical.alert_policy.
  AlertPolicy`: 30 min high, 60 min medium and sepsis) are the clock;
- ``on_time`` share: acknowledged within the deadline, after ``deadline x Beta(2, 5)``
  (mean 29 % of the deadline, mode 20 %: a high alert is answered in ~9 min on average,
  a medium one in ~17 min);
- ``never`` share: never acknowledged (the page is missed);
- the rest are late: acknowledged after ``deadline x (1 + Exponential(0.5))``, so they
  escalate first and are answered afterwards.

Calibration: the target times are RCP 2017's; the shares (85 % on time for high, 80 %
for medium and sepsis, 5 % never) are Vigil's assumptions, chosen so that most alerts are
answered within the RCP response times and a documented minority escalate, as audits of
track-and-trigger systems report incomplete escalation compliance; they are not fitted
to a published audit. Alerts without a deadline (low-medium) are not acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ACKNOWLEDGEMENT_COLUMNS = ("alert_id", "patient_id", "acknowledged_at")


@dataclass(frozen=True)
class NurseResponse:
    """Response-model parameters (see the module docstring)."""

    deadline_minutes: tuple[tuple[str, float], ...] = (
        ("news2:high", 30.0),
        ("news2:medium", 60.0),
        ("sepsis", 60.0),
    )
    on_time_share: tuple[tuple[str, float], ...] = (
        ("news2:high", 0.85),
        ("news2:medium", 0.80),
        ("sepsis", 0.80),
    )
    never_share: float = 0.05
    on_time_beta: tuple[float, float] = (2.0, 5.0)
    late_mean_over_deadline: float = 0.5

    def deadline(self, kind: str) -> float | None:
        return dict(self.deadline_minutes).get(kind)


def alert_kind(alert_type: pd.Series, news2_band: pd.Series) -> pd.Series:
    """``sepsis`` or ``news2:<band>``, the key of the response parameters."""
    return alert_type.where(alert_type != "news2", "news2:" + news2_band.astype(str))


def acknowledgements(
    alerts: pd.DataFrame, seed: int, model: NurseResponse | None = None
) -> pd.DataFrame:
    """Acknowledgement records for ``alerts`` (alert_id, alert_type, patient_id,
    news2_band, raised_at), in acknowledgement-time order.

    Returns ``alert_id, patient_id, acknowledged_at`` (naive UTC), whole seconds.
    """
    model = model or NurseResponse()
    alerts = alerts.sort_values(["raised_at", "alert_id"], kind="stable").reset_index(drop=True)
    kind = alert_kind(alerts["alert_type"], alerts["news2_band"])
    deadline = kind.map(dict(model.deadline_minutes)).to_numpy(dtype=float)
    on_time_share = kind.map(dict(model.on_time_share)).to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    n = len(alerts)
    draw = rng.random(n)
    on_time_delay = deadline * rng.beta(*model.on_time_beta, n)
    late_delay = deadline * (1.0 + rng.exponential(model.late_mean_over_deadline, n))
    on_time = draw < on_time_share
    never = draw >= 1.0 - model.never_share
    delay = np.where(on_time, on_time_delay, late_delay)
    answered = ~np.isnan(deadline) & ~never
    raised = pd.to_datetime(alerts["raised_at"])
    acknowledged_at = (raised + pd.to_timedelta(delay, unit="min")).dt.ceil("s")
    out = pd.DataFrame(
        {
            "alert_id": alerts["alert_id"].astype(str),
            "patient_id": alerts["patient_id"].astype(str),
            "acknowledged_at": acknowledged_at,
        }
    )[answered]
    return out.sort_values(["acknowledged_at", "alert_id"], kind="stable").reset_index(drop=True)
