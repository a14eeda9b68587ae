"""Per-patient early-warning state: the pure core of the NEWS2 dataflow.

Each observation updates the patient's latest value of every vital sign; a value is
carried forward for at most ``max_age`` (charting is staggered in practice), so a
score is computed whenever all seven parameters are known and fresh. An alert is
raised when the patient enters a higher RCP clinical-risk band that calls for a
response (low-medium or above: NEWS2 >= 5, or 3 in any single parameter), and the
band is re-armed when the patient's score falls again.

No Bytewax here. This per-record form is the readable reference: the dataflow runs the
columnar :class:`streams.news2_batch.PartitionState`, and a test checks that both give
the same scores, alerts and rejects row for row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from clinical.alert_policy import alert_id
from clinical.news2 import PARAMETERS, Band, ObservationSet, check_values, is_missing, score

DEFAULT_MAX_AGE = timedelta(hours=12)
ALERT_MIN_BAND = Band.LOW_MEDIUM


@dataclass
class PatientState:
    """Latest value and observation time of each parameter, and the current band."""

    latest: dict[str, tuple[Any, datetime]] = field(default_factory=dict)
    band: Band = Band.LOW

    def observe(
        self, record: dict[str, Any], max_age: timedelta = DEFAULT_MAX_AGE
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Fold one observation in; return its score row and an alert row or None.

        Raises :class:`clinical.news2.InvalidObservation` for an impossible value; the state is then
        left unchanged (the flow sends the record to the dead-letter output).
        """
        at: datetime = record["observed_at"]
        incoming = {p: record.get(p) for p in PARAMETERS if not is_missing(record.get(p))}
        check_values(incoming, int(record.get("spo2_scale") or 1))
        for name, value in incoming.items():
            self.latest[name] = (value, at)
        fresh = {name: value for name, (value, seen) in self.latest.items() if at - seen <= max_age}
        row: dict[str, Any] = {
            "patient_id": record["patient_id"],
            "encounter_id": record.get("encounter_id"),
            "unit_id": record.get("unit_id"),
            "observed_at": at,
            "news2_score": None,
            "news2_band": None,
            "missing_parameters": ",".join(p for p in PARAMETERS if p not in fresh) or None,
            **{f"{p}_score": None for p in PARAMETERS},
        }
        if len(fresh) < len(PARAMETERS):
            return row, None
        result = score(ObservationSet(**fresh, spo2_scale=int(record.get("spo2_scale") or 1)))
        band = result.band
        row.update(
            news2_score=result.total,
            news2_band=band.label,
            **{f"{p}_score": s for p, s in result.subscores.items()},
        )
        alert = None
        if band >= ALERT_MIN_BAND and band > self.band:
            alert = {
                "alert_id": alert_id(record["patient_id"], at, band),
                "alert_type": "news2",
                "patient_id": record["patient_id"],
                "encounter_id": record.get("encounter_id"),
                "unit_id": record.get("unit_id"),
                "raised_at": at,
                "news2_score": result.total,
                "news2_band": band.label,
            }
        self.band = band
        return row, alert
