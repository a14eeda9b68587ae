"""Vital-sign observations by LOINC code, pivoted into NEWS2 observation sets.

Every source reports vitals one observation at a time (HL7 OBX, FHIR Observation,
Synthea observations.csv); the contract's ``vitals`` table holds one row per charted
set, the shape NEWS2 (RCP 2017) scores. Observations of one encounter at one instant
form a set. Codes are LOINC (loinc.org); the vital-signs profile's codes
(FHIR R4 ``vitalsigns``) and the variants interface engines send in practice.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# LOINC code -> contract column of the vitals table.
VITAL_LOINC: dict[str, str] = {
    "9279-1": "respiration_rate",  # Respiratory rate
    "59408-5": "spo2",  # SpO2 by pulse oximetry
    "2708-6": "spo2",  # Oxygen saturation in arterial blood
    "20564-1": "spo2",  # Oxygen saturation in blood
    "59417-6": "spo2",  # SpO2 by pulse oximetry, post-ductal
    "8480-6": "systolic_bp",  # Systolic blood pressure
    "8867-4": "pulse",  # Heart rate
    "8889-8": "pulse",  # Heart rate by pulse oximetry
    "8310-5": "temperature",  # Body temperature
    "8331-1": "temperature",  # Oral temperature
    "8328-7": "temperature",  # Axillary temperature
    "8332-9": "temperature",  # Rectal temperature
    "3151-8": "on_supplemental_oxygen",  # Inhaled oxygen flow rate (> 0: on O2)
    "3150-0": "on_supplemental_oxygen",  # Inhaled oxygen concentration (> 21 %: on O2)
    "80288-4": "consciousness",  # Level of consciousness
    "67775-7": "consciousness",  # Level of responsiveness (AVPU)
}
BLOOD_PRESSURE_PANEL = "85354-9"  # its 8480-6 component carries the systolic value
FAHRENHEIT_UNITS = {"[degf]", "degf", "f", "°f"}
ACVPU_WORDS = {
    "A": "A",
    "ALERT": "A",
    "C": "C",
    "CONFUSED": "C",
    "CONFUSION": "C",
    "NEW CONFUSION": "C",
    "V": "V",
    "VOICE": "V",
    "P": "P",
    "PAIN": "P",
    "U": "U",
    "UNRESPONSIVE": "U",
}


@dataclass(frozen=True)
class VitalReading:
    patient_id: str
    encounter_id: str
    unit_id: str | None
    observed_at: pd.Timestamp
    loinc_code: str
    value: str
    unit_of_measure: str | None = None


def reading_value(column: str, reading: VitalReading) -> object:
    """The contract value of one reading, or raises ValueError with the reason."""
    if column == "consciousness":
        code = ACVPU_WORDS.get(reading.value.strip().upper())
        if code is None:
            raise ValueError("consciousness value is not an ACVPU level")
        return code
    number = float(reading.value)
    if column == "on_supplemental_oxygen":
        return number > (21.0 if reading.loinc_code == "3150-0" else 0.0)
    if column == "temperature" and (reading.unit_of_measure or "").lower() in FAHRENHEIT_UNITS:
        return round((number - 32.0) * 5.0 / 9.0, 1)
    return number


def pivot_sets(readings: list[VitalReading], id_of) -> tuple[pd.DataFrame, list[tuple]]:
    """Observation sets from readings; returns (vitals, [(reading, reason)] rejected).

    ``id_of(encounter_id, observed_at)`` gives each set its pseudonymous id.
    """
    sets: dict[tuple[str, pd.Timestamp], dict] = {}
    rejected = []
    for reading in readings:
        column = VITAL_LOINC[reading.loinc_code]
        try:
            value = reading_value(column, reading)
        except ValueError as error:
            rejected.append((reading, str(error) if "ACVPU" in str(error) else "not a number"))
            continue
        key = (reading.encounter_id, reading.observed_at)
        row = sets.setdefault(
            key,
            {
                "observation_id": id_of(reading.encounter_id, reading.observed_at),
                "patient_id": reading.patient_id,
                "encounter_id": reading.encounter_id,
                "unit_id": reading.unit_id,
                "observed_at": reading.observed_at,
                "spo2_scale": 1,
            },
        )
        row[column] = value
        if row["unit_id"] is None:
            row["unit_id"] = reading.unit_id
    columns = [
        "observation_id",
        "patient_id",
        "encounter_id",
        "unit_id",
        "observed_at",
        "respiration_rate",
        "spo2",
        "on_supplemental_oxygen",
        "systolic_bp",
        "pulse",
        "consciousness",
        "temperature",
        "spo2_scale",
    ]
    frame = pd.DataFrame(list(sets.values()), columns=columns)
    if not frame.empty:
        # No inhaled-oxygen reading in a set means the patient breathes room air, as
        # NEWS2 charts record it; other parameters not charted stay null (the NEWS2
        # flow carries the last value forward within its window or reports them missing).
        frame["on_supplemental_oxygen"] = frame["on_supplemental_oxygen"].fillna(False)
    return frame.sort_values(["observed_at", "observation_id"], kind="stable"), rejected


def fill_units(vitals: pd.DataFrame, adt_events: pd.DataFrame) -> pd.DataFrame:
    """Set each set's missing unit to where the ADT events place the patient at that time."""
    if vitals.empty or adt_events.empty or vitals["unit_id"].notna().all():
        return vitals
    moves = adt_events[["encounter_id", "event_at", "unit_id"]].dropna().sort_values("event_at")
    moves = moves.rename(columns={"unit_id": "_unit_then"})
    ordered = vitals.sort_values("observed_at").reset_index(drop=True)
    placed = pd.merge_asof(
        ordered,
        moves,
        left_on="observed_at",
        right_on="event_at",
        by="encounter_id",
        direction="backward",
    ).drop(columns=["event_at"])
    # Charted before the first ADT event (e.g. in the ED before admission): first unit.
    first = moves.groupby("encounter_id")["_unit_then"].first()
    placed["_unit_then"] = placed["_unit_then"].fillna(placed["encounter_id"].map(first))
    placed["unit_id"] = placed["unit_id"].fillna(placed["_unit_then"])
    return placed.drop(columns=["_unit_then"])
