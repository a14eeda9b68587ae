"""Early-warning alerts measured against the simulator's ground truth.

Definitions (the ones used in NEWS2 validation studies, e.g. Smith GB et al.,
Resuscitation 2013;84:465-470, which scores NEWS against death, cardiac arrest and
unanticipated ICU admission within 24 h):

- an *event* is a ground-truth deterioration event (``event_at``) of an encounter;
- an event is *detected* at a threshold when the encounter had an alert at or above the
  threshold in the 24 h before the event; its *lead time* is the event time minus the
  earliest such alert;
- *sensitivity* = detected events / events;
- *positive predictive value* = alerts followed by an event of the same encounter within
  24 h / alerts;
- *alerts per 100 patient-days* = alerts / inpatient days (admission to discharge) x 100.

Only evaluation code reads ground truth; nothing here feeds back into the flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

WINDOW = pd.Timedelta(hours=24)
THRESHOLDS = {"news2 >= 5": ("medium", "high"), "news2 >= 7": ("high",)}


@dataclass(frozen=True)
class AlertPerformance:
    threshold: str
    events: int
    detected: int
    median_lead_time_hours: float | None
    alerts: int
    true_alerts: int
    alerts_per_100_patient_days: float

    @property
    def sensitivity(self) -> float:
        return self.detected / self.events if self.events else float("nan")

    @property
    def positive_predictive_value(self) -> float:
        return self.true_alerts / self.alerts if self.alerts else float("nan")


def patient_days(encounters: pd.DataFrame, end: pd.Timestamp) -> float:
    """Inpatient days from admission to discharge (or ``end`` for patients still in)."""
    discharged = encounters["discharged_at"].fillna(end).clip(upper=end)
    return float((discharged - encounters["admitted_at"]).dt.total_seconds().sum() / 86400)


def evaluate(
    alerts: pd.DataFrame, events: pd.DataFrame, encounters: pd.DataFrame, end: pd.Timestamp
) -> list[AlertPerformance]:
    """Performance of NEWS2 alerts (``alerts``: encounter_id, raised_at, news2_band)."""
    days = patient_days(encounters, end)
    events = events[["encounter_id", "event_at"]].reset_index(drop=True)
    results = []
    for name, bands in THRESHOLDS.items():
        chosen = alerts[alerts["news2_band"].isin(bands)][["encounter_id", "raised_at"]]
        pairs = events.reset_index().merge(chosen.reset_index(), on="encounter_id")
        before = pairs[
            (pairs["raised_at"] <= pairs["event_at"])
            & (pairs["event_at"] - pairs["raised_at"] <= WINDOW)
        ]
        earliest = before.groupby("index_x")["raised_at"].min()
        lead = (events.loc[earliest.index, "event_at"] - earliest).dt.total_seconds() / 3600
        results.append(
            AlertPerformance(
                threshold=name,
                events=len(events),
                detected=len(earliest),
                median_lead_time_hours=float(lead.median()) if len(lead) else None,
                alerts=len(chosen),
                true_alerts=before["index_y"].nunique(),
                alerts_per_100_patient_days=100 * len(chosen) / days if days else float("nan"),
            )
        )
    return results


@dataclass(frozen=True)
class DetectionPerformance:
    """Incident detection of known failure windows (precision and recall)."""

    target: str
    windows: int
    detected_windows: int
    incidents: int
    true_incidents: int

    @property
    def recall(self) -> float:
        return self.detected_windows / self.windows if self.windows else float("nan")

    @property
    def precision(self) -> float:
        return self.true_incidents / self.incidents if self.incidents else float("nan")


def _overlaps(incidents: pd.DataFrame, windows: pd.DataFrame, on: str | None) -> pd.DataFrame:
    pairs = (
        incidents.reset_index().merge(windows.reset_index(), on=on)
        if on
        else incidents.reset_index().merge(windows.reset_index(), how="cross")
    )
    return pairs[
        (pairs["started_at"] <= pairs["window_end"]) & (pairs["ended_at"] >= pairs["window_start"])
    ]


def evaluate_incidents(
    incidents: pd.DataFrame, device_failures: pd.DataFrame, outages: pd.DataFrame
) -> list[DetectionPerformance]:
    """Device incidents against device failures (degradation start to restoration, same
    device), interface incidents against interface-outage windows (any interface).

    An incident is *true* when it overlaps a window of its kind; a window is *detected*
    when a true incident overlaps it.
    """
    series = incidents["series"].str.split("/")
    devices = incidents[series.str[0] == "device"].assign(device_id=series.str[1])
    interfaces = incidents[series.str[0] == "interface"]
    failures = device_failures.rename(
        columns={"degradation_start_at": "window_start", "restored_at": "window_end"}
    )[["device_id", "window_start", "window_end"]]
    outage_windows = outages.rename(
        columns={"started_at": "window_start", "ended_at": "window_end"}
    )[["window_start", "window_end"]]
    device_hits = _overlaps(devices, failures, "device_id")
    interface_hits = _overlaps(interfaces, outage_windows, None)
    return [
        DetectionPerformance(
            "device failures",
            len(failures),
            device_hits["index_y"].nunique(),
            len(devices),
            device_hits["index_x"].nunique(),
        ),
        DetectionPerformance(
            "interface outages",
            len(outage_windows),
            interface_hits["index_y"].nunique(),
            len(interfaces),
            interface_hits["index_x"].nunique(),
        ),
    ]
