"""Contract tables as FHIR R4 NDJSON: what an EHR's bulk export would hand over.

Patients, encounters (with their unit stays as Encounter.location), ED visits as
Encounters of class EMER (first provider contact as the participant period's start),
the patients' comorbidities as ICD-10-CM Conditions of each encounter (see
``ingest.export_coding``), vital-sign Observations (vital-signs profile, LOINC) and
laboratory Observations (LOINC; effective = collection, issued = result),
for round-trip tests and benchmarks. FHIR R4 has no element for the ESI triage level,
the arrival mode or the decision-to-admit time: those stay out.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from ingest.export_coding import charlson_codes, ed_encounters, first_days
from ingest.export_hl7v2 import VITAL_OBX

CLASS_CODES = {"inpatient": "IMP", "emergency": "EMER", "observation": "OBSENC"}
DISPOSITION_CODES = {
    "home": "home",
    "home_health": "home",
    "snf": "snf",
    "expired": "exp",
    "transfer": "other-hcf",
    "against_medical_advice": "aadvice",
    "hospice": "hosp",
}
ADMIT_CODES = {"ed": "emd", "transfer": "hosp-trans", "direct": "gp"}
# ED disposition -> discharge-disposition code (admission is read from the next stay).
ED_DISPOSITION_CODES = {
    "discharged": "home",
    "transferred": "other-hcf",
    "left_without_being_seen": "aadvice",
    "died": "exp",
}
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
UNITS = {"respiration_rate": "/min", "spo2": "%", "systolic_bp": "mm[Hg]", "pulse": "/min"}


def instant(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat() + "Z"


def _coded(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def to_resources(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Patient, Encounter and Observation resources for the core contract tables."""
    first_day = first_days(tables)
    # Patients without an encounter or ED visit are aged at the batch's first day.
    batch_day = first_day.min()
    resources: list[dict] = []
    for patient in tables["patients"].to_dict("records"):
        resource = {
            "resourceType": "Patient",
            "id": patient["patient_id"],
            "gender": {"F": "female", "M": "male"}.get(patient["sex"], "unknown"),
        }
        first = first_day.get(patient["patient_id"], batch_day)
        if not pd.isna(patient.get("age_years")):
            resource["birthDate"] = (
                first - pd.DateOffset(years=int(patient["age_years"]))
            ).strftime("%Y-%m-%d")
        if isinstance(patient.get("zip3"), str):
            resource["address"] = [{"postalCode": f"{patient['zip3']}00"}]
        resources.append(resource)
    moves = tables["adt_events"].sort_values("event_at", kind="stable").groupby("encounter_id")
    stays = {key: group for key, group in moves}
    charlson = tables["patients"].set_index("patient_id")["charlson_index"]
    visits = ed_encounters(tables)
    encounters = tables["encounters"].to_dict("records") + visits.to_dict("records")
    for encounter in encounters:
        events = stays.get(encounter["encounter_id"])
        locations = []
        if events is not None:
            entered = events[events["event_type"] != "A03"]
            for row in entered.to_dict("records"):
                point_of_care = row["unit_id"].split("-", 1)[1]
                locations.append(
                    {
                        "location": {"display": point_of_care},
                        "period": {"start": instant(row["event_at"])},
                    }
                )
        period = {"start": instant(encounter["admitted_at"])}
        if instant(encounter["discharged_at"]):
            period["end"] = instant(encounter["discharged_at"])
        hospitalization = {}
        if encounter.get("admission_source") in ADMIT_CODES:
            hospitalization["admitSource"] = _coded(
                "http://terminology.hl7.org/CodeSystem/admit-source",
                ADMIT_CODES[encounter["admission_source"]],
            )
        disposition = (
            ED_DISPOSITION_CODES.get(encounter.get("ed_disposition") or "")
            if encounter["encounter_type"] == "emergency"
            else DISPOSITION_CODES.get(encounter.get("discharge_disposition") or "")
        )
        if "end" in period and disposition:
            hospitalization["dischargeDisposition"] = _coded(
                "http://terminology.hl7.org/CodeSystem/discharge-disposition", disposition
            )
        resource = {
            "resourceType": "Encounter",
            "id": encounter["encounter_id"],
            "status": "finished" if "end" in period else "in-progress",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": CLASS_CODES.get(encounter["encounter_type"], "AMB"),
            },
            "subject": {"reference": f"Patient/{encounter['patient_id']}"},
            "serviceProvider": {"reference": f"Organization/{encounter['hospital_id']}"},
            "period": period,
            "location": locations,
        }
        if hospitalization:
            resource["hospitalization"] = hospitalization
        if encounter.get("admission_source") == "elective":
            resource["priority"] = _coded(
                "http://terminology.hl7.org/CodeSystem/v3-ActPriority", "EL"
            )
        seen = instant(encounter.get("provider_seen_at"))
        if seen:
            resource["participant"] = [{"period": {"start": seen}}]
        resources.append(resource)
        codes = charlson_codes(charlson.get(encounter["patient_id"]))
        for code in codes:
            resources.append(
                {
                    "resourceType": "Condition",
                    "id": f"{encounter['encounter_id']}-{code.replace('.', '')}",
                    "code": _coded(ICD10_CM, code),
                    "subject": {"reference": f"Patient/{encounter['patient_id']}"},
                    "encounter": {"reference": f"Encounter/{encounter['encounter_id']}"},
                    "recordedDate": instant(encounter["admitted_at"]),
                }
            )
    category = [_coded("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")]
    for row in tables["vitals"].to_dict("records"):
        base = {
            "resourceType": "Observation",
            "status": "final",
            "category": category,
            "subject": {"reference": f"Patient/{row['patient_id']}"},
            "encounter": {"reference": f"Encounter/{row['encounter_id']}"},
            "effectiveDateTime": instant(row["observed_at"]),
        }
        values = [(column, loinc, row.get(column), unit) for column, loinc, _, unit in VITAL_OBX]
        values.append(("o2", "3151-8", 2.0 if row.get("on_supplemental_oxygen") else 0.0, "L/min"))
        for column, loinc, value, unit in values:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            resources.append(
                {
                    **base,
                    "id": f"{row['observation_id']}-{column.replace('_', '-')}",
                    "code": _coded("http://loinc.org", loinc),
                    "valueQuantity": {"value": float(value), "unit": unit, "code": unit},
                }
            )
        if isinstance(row.get("consciousness"), str):
            resources.append(
                {
                    **base,
                    "id": f"{row['observation_id']}-acvpu",
                    "code": _coded("http://loinc.org", "80288-4"),
                    "valueString": row["consciousness"],
                }
            )
    resources.extend(_lab_observations(tables))
    return resources


def _lab_observations(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Laboratory Observations: effective = collection, issued = result time."""
    labs = tables.get("lab_results")
    if labs is None or labs.empty:
        return []
    category = [_coded("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")]
    out = []
    for row in labs.to_dict("records"):
        resource = {
            "resourceType": "Observation",
            "id": row["lab_result_id"],
            "status": "final",
            "category": category,
            "code": _coded("http://loinc.org", row["loinc_code"]),
            "subject": {"reference": f"Patient/{row['patient_id']}"},
            "encounter": {"reference": f"Encounter/{row['encounter_id']}"},
            "effectiveDateTime": instant(row["collected_at"]),
            "issued": instant(row["resulted_at"]),
        }
        if not pd.isna(row.get("value_numeric")):
            unit = row.get("unit_of_measure") or None
            resource["valueQuantity"] = {"value": float(row["value_numeric"]), "unit": unit}
        out.append(resource)
    return out


def to_ndjson(tables: dict[str, pd.DataFrame]) -> str:
    return "\n".join(json.dumps(resource) for resource in to_resources(tables)) + "\n"
