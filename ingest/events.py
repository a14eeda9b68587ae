"""Clinical events that ADT messages honestly state: in-hospital deaths and unplanned ICU
transfers.

The contract's ``clinical_events`` feed (rapid response, unplanned ICU transfer, cardiac
arrest, death, ...) labels the deterioration model and the deterioration metrics. HL7 v2
ADT and FHIR Encounter carry no such events, but two of them follow from what they do
carry; intake derives those for bed stays (inpatient, observation) when the source
sends no ``clinical_events`` of its own:

- **death**: a bed stay discharged with disposition ``expired`` (HL7 PV1-36 20, 40, 41
  or 42; FHIR ``hospitalization.dischargeDisposition`` ``exp``). The event is at the
  discharge time, in the stay's last unit. Every in-hospital death counts, expected
  ones (comfort care) included: ADT does not tell them apart.
- **unplanned_icu_transfer**: a transfer (HL7 A02, FHIR a later ``Encounter.location``)
  into an ICU unit from a ward (medical-surgical, maternity) or step-down unit, unless
  it was planned: a planned-transfer marker for the stay in the 24 hours before (HL7
  A15 pending transfer not cancelled by A26; FHIR an ``Encounter.location`` with status
  ``planned`` or ``reserved``), or an elective stay (HL7 PV1-4 C/R, FHIR priority EL)
  moving within 24 hours of admission (planned post-operative ICU care). The event is
  at the transfer, in the ICU unit. ICU-to-ICU moves and admissions straight to the
  ICU are not transfers out of a ward.

Rapid-response calls and cardiac arrests have no ADT trace and are never derived;
unit types are the units table's (``--reference``, or guessed from unit names).
"""

from __future__ import annotations

import hashlib

import pandas as pd

from contract.schema import BED_STAY_TYPES

# Adapters hand intake planned-transfer markers as this extra frame (encounter_id,
# planned_at); it is not a contract table and is never landed.
PLANNED_TRANSFERS = "planned_transfers"
PLANNED_WINDOW = pd.Timedelta(hours=24)
ELECTIVE_WINDOW = pd.Timedelta(hours=24)
FROM_UNIT_TYPES = ("medsurg", "maternity", "stepdown")
COLUMNS = [
    "clinical_event_id",
    "encounter_id",
    "patient_id",
    "hospital_id",
    "unit_id",
    "event_type",
    "event_at",
]


def _utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce", utc=True).dt.tz_localize(None)


def _event_id(encounter_id: str, event_type: str, at: pd.Timestamp) -> str:
    """A stable id from already pseudonymous inputs (no source identifier enters it)."""
    digest = hashlib.sha256(f"{encounter_id}|{event_type}|{at.isoformat()}".encode()).hexdigest()
    return "K" + digest[:16]


def deaths(encounters: pd.DataFrame, adt_events: pd.DataFrame) -> pd.DataFrame:
    """One ``death`` per bed stay discharged ``expired``, at discharge, in its last unit."""
    stays = encounters[
        encounters["encounter_type"].isin(BED_STAY_TYPES)
        & (encounters["discharge_disposition"] == "expired")
    ].assign(event_at=lambda f: _utc(f["discharged_at"]))
    stays = stays.dropna(subset=["event_at"])
    ordered = adt_events.assign(event_at=_utc(adt_events["event_at"])).sort_values(
        "event_at", kind="stable"
    )
    last_unit = ordered.groupby("encounter_id")["unit_id"].last()
    return stays.assign(unit_id=stays["encounter_id"].map(last_unit), event_type="death").reindex(
        columns=COLUMNS[1:]
    )


def unplanned_icu_transfers(
    encounters: pd.DataFrame,
    adt_events: pd.DataFrame,
    units: pd.DataFrame,
    planned: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Ward or step-down -> ICU transfers without a planned marker (module docstring)."""
    unit_type = units.set_index("unit_id")["unit_type"]
    events = adt_events[adt_events["event_type"].isin(["A01", "A02"])].assign(
        event_at=lambda f: _utc(f["event_at"])
    )
    events = events.sort_values(["encounter_id", "event_at"], kind="stable")
    events["from_unit"] = events.groupby("encounter_id")["unit_id"].shift(1)
    moves = events[
        (events["event_type"] == "A02")
        & (events["unit_id"].map(unit_type) == "icu")
        & events["from_unit"].map(unit_type).isin(FROM_UNIT_TYPES)
    ]
    if moves.empty:
        return pd.DataFrame(columns=COLUMNS[1:])
    stays = encounters.set_index("encounter_id")
    admitted = _utc(moves["encounter_id"].map(stays["admitted_at"]))
    elective = moves["encounter_id"].map(stays["admission_source"]).eq("elective")
    post_operative = elective & (moves["event_at"] - admitted <= ELECTIVE_WINDOW)
    announced = pd.Series(False, index=moves.index)
    if planned is not None and not planned.empty:
        pairs = (
            moves[["encounter_id", "event_at"]]
            .reset_index()
            .merge(planned.assign(planned_at=_utc(planned["planned_at"])), on="encounter_id")
        )
        before = (pairs["planned_at"] <= pairs["event_at"]) & (
            pairs["event_at"] - pairs["planned_at"] <= PLANNED_WINDOW
        )
        announced = moves.index.to_series().isin(set(pairs.loc[before, "index"]))
    kept = moves[~post_operative & ~announced]
    return kept.assign(event_type="unplanned_icu_transfer").reindex(columns=COLUMNS[1:])


def clinical_events_from_adt(
    encounters: pd.DataFrame,
    adt_events: pd.DataFrame,
    units: pd.DataFrame,
    planned: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The contract's ``clinical_events`` rows ADT states (deaths, unplanned ICU transfers)."""
    if encounters.empty or adt_events.empty:
        return pd.DataFrame(columns=COLUMNS)
    found = pd.concat(
        [
            frame
            for frame in (
                deaths(encounters, adt_events),
                unplanned_icu_transfers(encounters, adt_events, units, planned),
            )
            if not frame.empty
        ]
        or [pd.DataFrame(columns=COLUMNS[1:])],
        ignore_index=True,
    )
    found["clinical_event_id"] = [
        _event_id(e, t, at)
        for e, t, at in zip(
            found["encounter_id"], found["event_type"], found["event_at"], strict=True
        )
    ]
    return found[COLUMNS].sort_values(["event_at", "clinical_event_id"]).reset_index(drop=True)
