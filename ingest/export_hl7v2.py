"""Contract tables as HL7 v2.5.1 messages: what an interface engine would send.

The simulator's feeds written out as ADT (A01/A02/A03) and ORU^R01 vital-sign
messages, for round-trip tests (simulator -> HL7 v2 -> intake must give the same
tables as the direct path) and for intake benchmarks. Message times carry an
explicit +0000 offset. Patient identifiers go out as PID-3 with issuer ``VIGILSIM``.
"""

from __future__ import annotations

import math

import pandas as pd

ISSUER = "VIGILSIM"
DISPOSITION_CODES = {
    "home": "01",
    "snf": "03",
    "home_health": "06",
    "expired": "20",
    "against_medical_advice": "07",
    "transfer": "02",
    "hospice": "50",
}
ADMIT_CODES = {"ed": "7", "direct": "1", "transfer": "4"}
VITAL_OBX = (  # contract column, LOINC, value type, unit
    ("respiration_rate", "9279-1", "NM", "/min"),
    ("spo2", "59408-5", "NM", "%"),
    ("systolic_bp", "8480-6", "NM", "mm[Hg]"),
    ("pulse", "8867-4", "NM", "/min"),
    ("temperature", "8310-5", "NM", "Cel"),
)


def ts(value) -> str:
    return (
        "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y%m%d%H%M%S+0000")
    )


def _number(value) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _pid(patient: dict, first_day: pd.Timestamp | None) -> str:
    birth = ""
    if first_day is not None and not pd.isna(patient.get("age_years")):
        birth = (first_day - pd.DateOffset(years=int(patient["age_years"]))).strftime("%Y%m%d")
    zip_code = f"{patient['zip3']}00" if isinstance(patient.get("zip3"), str) else ""
    return (
        f"PID|1||{patient['patient_id']}^^^{ISSUER}^MR||||{birth}|{patient.get('sex') or 'U'}"
        f"|||^^^^{zip_code}"
    )


def _pv1(encounter: dict, unit_id: str, discharge: bool) -> str:
    hospital, point_of_care = unit_id.split("-", 1)
    fields = [""] * 46
    fields[1] = "1"
    fields[2] = "I" if encounter["encounter_type"] == "inpatient" else "E"
    fields[3] = f"{point_of_care}^^^{hospital}"
    fields[14] = ADMIT_CODES.get(encounter.get("admission_source") or "", "")
    fields[19] = encounter["encounter_id"]
    fields[44] = ts(encounter["admitted_at"])
    if discharge:
        fields[36] = DISPOSITION_CODES.get(encounter.get("discharge_disposition") or "", "")
        fields[45] = ts(encounter["discharged_at"])
    return "PV1|" + "|".join(fields[1:]).rstrip("|")


def _msh(hospital: str, at, kind: str, control_id: str) -> str:
    return f"MSH|^~\\&|VIGILSIM|{hospital}|VIGIL|VIGIL|{ts(at)}||{kind}|{control_id}|P|2.5.1"


def to_messages(tables: dict[str, pd.DataFrame]) -> list[str]:
    """ADT messages for every ADT event and an ORU^R01 for every vitals set, in time order."""
    patients = tables["patients"].set_index("patient_id", drop=False).to_dict("index")
    encounters = tables["encounters"].set_index("encounter_id", drop=False).to_dict("index")
    first_day = tables["encounters"].groupby("patient_id")["admitted_at"].min().dt.normalize()
    timed: list[tuple[pd.Timestamp, int, str]] = []
    for event in tables["adt_events"].to_dict("records"):
        encounter = encounters[event["encounter_id"]]
        patient = patients[event["patient_id"]]
        code = event["event_type"]
        segments = [
            _msh(
                event["hospital_id"],
                event["event_at"],
                f"ADT^{code}^ADT_A01",
                event["adt_event_id"],
            ),
            f"EVN|{code}|{ts(event['event_at'])}",
            _pid(patient, first_day.get(event["patient_id"])),
            _pv1(encounter, event["unit_id"], discharge=code == "A03"),
        ]
        timed.append((event["event_at"], 0, "\r".join(segments) + "\r"))
    for row in tables["vitals"].to_dict("records"):
        encounter = encounters[row["encounter_id"]]
        patient = patients[row["patient_id"]]
        at = ts(row["observed_at"])
        segments = [
            _msh(
                encounter["hospital_id"],
                row["observed_at"],
                "ORU^R01^ORU_R01",
                row["observation_id"],
            ),
            _pid(patient, first_day.get(row["patient_id"])),
            _pv1(encounter, row["unit_id"], discharge=False),
            f"OBR|1||{row['observation_id']}|85353-1^Vital signs panel^LN|||{at}",
        ]
        index = 0
        for column, loinc, value_type, unit in VITAL_OBX:
            value = row.get(column)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            index += 1
            segments.append(
                f"OBX|{index}|{value_type}|{loinc}^^LN||{_number(value)}|{unit}|||||F|||{at}"
            )
        oxygen = "2" if row.get("on_supplemental_oxygen") else "0"
        segments.append(f"OBX|{index + 1}|NM|3151-8^^LN||{oxygen}|L/min|||||F|||{at}")
        if isinstance(row.get("consciousness"), str):
            segments.append(f"OBX|{index + 2}|ST|80288-4^^LN||{row['consciousness']}||||||F|||{at}")
        timed.append((row["observed_at"], 1, "\r".join(segments) + "\r"))
    timed.sort(key=lambda item: (item[0], item[1]))
    return [message for _, _, message in timed]
