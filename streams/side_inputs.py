"""Side inputs of the early-warning flow: lactate results and alert acknowledgements.

Both travel in the replay as single records between the vitals micro-batches, in event
time order (see :class:`streams.connectors.ParquetReplaySource`):

- lactate results (LOINC 2524-7) from the landed ``lab_results`` feed, joined into the
  patient's state for the sepsis screen (:mod:`clinical.sepsis`);
- acknowledgements ``{"alert_id", "patient_id", "acknowledged_at"}``; on simulated data
  they come from :mod:`simulator.nurse_response`, which answers the alerts a bedside
  pass of the same pure state raises (:func:`bedside_alerts`), so alert ids match.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from clinical.sepsis import LACTATE_LOINC
from streams.news2_batch import PartitionState

ALERT_COLUMNS = ("alert_id", "alert_type", "patient_id", "news2_band", "raised_at")


def _naive_utc(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps.dt.floor("us")


def lactate_records(lab_results: pd.DataFrame) -> list[dict[str, Any]]:
    """One record per resulted lactate, in result-time order."""
    labs = lab_results[
        (lab_results["loinc_code"] == LACTATE_LOINC) & lab_results["resulted_at"].notna()
    ]
    labs = labs.assign(resulted_at=_naive_utc(labs["resulted_at"])).sort_values(
        ["resulted_at", "patient_id"], kind="stable"
    )
    return [
        {
            "patient_id": str(patient),
            "resulted_at": at.to_pydatetime(),
            "lactate_mmol_l": float(value),
            "unit": str(unit),
        }
        for patient, at, value, unit in zip(
            labs["patient_id"],
            labs["resulted_at"],
            labs["value_numeric"],
            labs["unit_of_measure"],
            strict=True,
        )
    ]


def acknowledgement_records(acknowledgements: pd.DataFrame) -> list[dict[str, Any]]:
    """Acknowledgement records from a frame of alert_id, patient_id, acknowledged_at."""
    stamps = _naive_utc(acknowledgements["acknowledged_at"])
    return [
        {"alert_id": str(alert), "patient_id": str(patient), "acknowledged_at": at.to_pydatetime()}
        for alert, patient, at in zip(
            acknowledgements["alert_id"], acknowledgements["patient_id"], stamps, strict=True
        )
    ]


def merge_records(*streams: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Side records of several streams in one event-time order (stable on ties)."""
    merged = [record for stream in streams for record in stream]
    return sorted(merged, key=lambda r: r.get("acknowledged_at", r.get("resulted_at")))


def bedside_alerts(items: Iterable[Any], state: PartitionState) -> pd.DataFrame:
    """Every alert ``state`` raises over ``items`` (vitals batches carrying lactate
    records): what the nurse's pager shows. One state for all patients gives the flow's
    alerts, since a patient's alerts depend on that patient's own history only."""
    alerts = [alert for item in items for alert in state.process(item).alerts]
    frame = pd.DataFrame(alerts, columns=[*ALERT_COLUMNS, "encounter_id", "unit_id"])
    return frame[list(ALERT_COLUMNS)].astype({"patient_id": str})
