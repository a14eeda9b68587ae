"""Contract tables as HL7 v2.5.1 messages: what an interface engine would send.

The simulator's feeds written out as ADT (A01/A02/A03) and ORU^R01 vital-sign
messages, for round-trip tests (simulator -> HL7 v2 -> intake must give the same
tables as the direct path) and for intake benchmarks. Message times carry an
explicit +0000 offset. Patient identifiers go out as PID-3 with issuer ``VIGILSIM``.
ED visits go out as A04 (registration, PV1-2 E) and A03 (departure, PV1-36 the ED
disposition); every ADT message carries the patient's comorbidities as DG1 segments
(see ``ingest.export_coding``) and the patient's payer as the primary insurance (IN1
set id 1: plan, company and an X12 claim filing indicator as the plan type IN1-15).
Lab results go out as one ORU^R01 each. HL7 v2 has no field for the first provider
contact, the triage level or the arrival mode: those stay out.
"""

from __future__ import annotations

import math

import pandas as pd

from ingest.export_coding import charlson_codes, ed_encounters, first_days

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
# HL7 0007 admission type: C elective, E emergency, U urgent.
ADMISSION_TYPES = {"elective": "C", "ed": "E"}
ED_DISPOSITION_CODES = {
    "discharged": "01",
    "transferred": "02",
    "left_without_being_seen": "07",
    "admitted": "09",
    "died": "20",
}
# Contract payer category -> IN1-2 plan, IN1-3 company id, IN1-4 company name, IN1-15
# plan type (X12 claim filing indicator, read back by ingest.hl7v2.PAYER_CODES).
INSURANCE = {
    "medicare": ("MCR^Medicare", "CMS", "Medicare", "MA"),
    "medicaid": ("MCD^Medicaid", "MEDICAID", "Medicaid", "MC"),
    "commercial": ("COMM^Commercial plan", "COMMERCIAL", "Commercial Health Plan", "CI"),
    "self_pay": ("SELF^Self pay", "SELFPAY", "Self pay", "09"),
    "other": ("OTHER^Other payer", "OTHER", "Other payer", "ZZ"),
}
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
    emergency = encounter["encounter_type"] == "emergency"
    fields = [""] * 46
    fields[1] = "1"
    fields[2] = "E" if emergency else "I"
    fields[3] = f"{point_of_care}^^^{hospital}"
    source = encounter.get("admission_source") or ""
    fields[4] = "E" if emergency else ADMISSION_TYPES.get(source, "U")
    fields[14] = ADMIT_CODES.get(source, "")
    fields[19] = encounter["encounter_id"]
    fields[44] = ts(encounter["admitted_at"])
    if discharge:
        fields[36] = (
            ED_DISPOSITION_CODES.get(encounter.get("ed_disposition") or "", "")
            if emergency
            else DISPOSITION_CODES.get(encounter.get("discharge_disposition") or "", "")
        )
        fields[45] = ts(encounter["discharged_at"])
    return "PV1|" + "|".join(fields[1:]).rstrip("|")


def _dg1(codes: list[str]) -> list[str]:
    return [f"DG1|{index}||{code}^^I10" for index, code in enumerate(codes, start=1)]


def _in1(payer: object) -> list[str]:
    if payer not in INSURANCE:
        return []
    plan, company_id, company, plan_type = INSURANCE[payer]
    fields = ["IN1", "1", plan, company_id, company] + [""] * 10 + [plan_type]
    return ["|".join(fields)]


def _adt(code: str, at, encounter: dict, patient: dict, first_day, unit_id: str, control: str):
    segments = [
        _msh(encounter["hospital_id"], at, f"ADT^{code}^ADT_A01", control),
        f"EVN|{code}|{ts(at)}",
        _pid(patient, first_day),
        _pv1(encounter, unit_id, discharge=code == "A03"),
        *_dg1(charlson_codes(patient.get("charlson_index"))),
        *_in1(patient.get("primary_payer")),
    ]
    return "\r".join(segments) + "\r"


def _msh(hospital: str, at, kind: str, control_id: str) -> str:
    return f"MSH|^~\\&|VIGILSIM|{hospital}|VIGIL|VIGIL|{ts(at)}||{kind}|{control_id}|P|2.5.1"


def to_messages(tables: dict[str, pd.DataFrame]) -> list[str]:
    """ADT messages for every ADT event and ED visit, an ORU^R01 per vitals set, in time order."""
    patients = tables["patients"].set_index("patient_id", drop=False).to_dict("index")
    encounters = tables["encounters"].set_index("encounter_id", drop=False).to_dict("index")
    first_day = first_days(tables)
    timed: list[tuple[pd.Timestamp, int, str]] = []
    for event in tables["adt_events"].to_dict("records"):
        patient = patients[event["patient_id"]]
        message = _adt(
            event["event_type"],
            event["event_at"],
            encounters[event["encounter_id"]],
            patient,
            first_day.get(event["patient_id"]),
            event["unit_id"],
            event["adt_event_id"],
        )
        timed.append((event["event_at"], 0, message))
    for visit in ed_encounters(tables).to_dict("records"):
        patient = patients[visit["patient_id"]]
        unit = f"{visit['hospital_id']}-ED"
        day = first_day.get(visit["patient_id"])
        arrival = _adt(
            "A04", visit["admitted_at"], visit, patient, day, unit, "R" + visit["encounter_id"]
        )
        timed.append((visit["admitted_at"], 0, arrival))
        if not pd.isna(visit["discharged_at"]):
            departure = _adt(
                "A03",
                visit["discharged_at"],
                visit,
                patient,
                day,
                unit,
                "D" + visit["encounter_id"],
            )
            timed.append((visit["discharged_at"], 0, departure))
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
    timed.extend(_lab_messages(tables, patients, encounters, first_day))
    timed.sort(key=lambda item: (item[0], item[1]))
    return [message for _, _, message in timed]


def _lab_messages(tables, patients, encounters, first_day) -> list[tuple[pd.Timestamp, int, str]]:
    """One ORU^R01 per lab result: OBR-7 collection, OBX-14 result, MSH-7 delivery time;
    PV1-3 the stay's first unit (intake reads a lab result's time, not its place)."""
    labs = tables.get("lab_results")
    if labs is None or labs.empty:
        return []
    first_unit = (
        tables["adt_events"]
        .sort_values("event_at", kind="stable")
        .groupby("encounter_id")["unit_id"]
        .first()
    )
    timed = []
    for row in labs.to_dict("records"):
        encounter = encounters.get(row["encounter_id"])
        unit = first_unit.get(row["encounter_id"])
        if encounter is None or unit is None:
            continue
        sent = row.get("received_at")
        sent = row["resulted_at"] if sent is None or pd.isna(sent) else sent
        flag = row.get("abnormal_flag") if isinstance(row.get("abnormal_flag"), str) else ""
        value = "" if pd.isna(row.get("value_numeric")) else _number(row["value_numeric"])
        segments = [
            _msh(encounter["hospital_id"], sent, "ORU^R01^ORU_R01", row["lab_result_id"]),
            _pid(patients[row["patient_id"]], first_day.get(row["patient_id"])),
            _pv1(encounter, unit, discharge=False),
            f"OBR|1||{row['lab_result_id']}|{row['loinc_code']}^^LN|||{ts(row['collected_at'])}",
            f"OBX|1|NM|{row['loinc_code']}^^LN||{value}|{row.get('unit_of_measure') or ''}||"
            f"{flag}|||F|||{ts(row['resulted_at'])}",
        ]
        timed.append((sent, 2, "\r".join(segments) + "\r"))
    return timed
