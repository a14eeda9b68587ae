"""Contract tables as a Synthea CSV v3 export: the files `vigil ingest synthea` reads.

Patients, encounters (bed stays as ``inpatient``, ED visits as ``emergency``), the
patients' comorbidities as conditions, vital-sign and laboratory observations, with payers and
organizations, for build tests and benchmarks of the Synthea path. Synthea codes
conditions in SNOMED CT, so each comorbidity goes out as the SNOMED CT concept the
reference table ``ingest/reference/charlson__snomed_ct.csv`` gives for its Charlson
condition (the first listed), and as ICD-10-CM only when the table has no concept for
it (peripheral vascular disease, peptic ulcer, hemiplegia): intake's Charlson index
then reads both systems, as with a real Synthea export carrying either. Synthea has
no units, no discharge disposition and no ED times beyond start and stop: those stay
out (an in-hospital death goes out as the patient's DEATHDATE), and intake lands each
stay in one unit per hospital (``<hospital>-INPATIENT``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ingest.charlson import SNOMED_TABLE, condition
from ingest.export_coding import charlson_codes, ed_encounters, first_days
from ingest.export_hl7v2 import VITAL_OBX

# Contract payer category -> a Synthea payer (Synthea names its self-pay "NO_INSURANCE").
PAYERS = {
    "medicare": ("b3221cfc-24fb-339e-823d-bc4136cbc4ed", "Medicare"),
    "medicaid": ("7caa7254-5050-3b5e-9eae-bd5ea30e809c", "Medicaid"),
    "commercial": ("d47b3510-2895-3b70-9897-342d681c769d", "Blue Cross Blue Shield"),
    "self_pay": ("b1c428d6-4f07-31e0-90f0-68ffa6ff8c76", "NO_INSURANCE"),
}
CLASSES = {"inpatient": "inpatient", "observation": "inpatient", "emergency": "emergency"}


def _snomed_of_condition() -> dict[str, tuple[str, str]]:
    """Charlson condition -> the first SNOMED CT concept (code, term) listed for it."""
    table = pd.read_csv(SNOMED_TABLE, dtype=str)
    first = table.drop_duplicates("charlson_condition")
    return {
        row.charlson_condition: (row.snomed_code, row.snomed_term)
        for row in first.itertuples(index=False)
    }


def _time(value) -> str:
    return (
        ""
        if value is None or pd.isna(value)
        else pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def to_synthea(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The Synthea CSV files (name -> frame) of the core contract tables."""
    first_day = first_days(tables)
    # Every patient of a Synthea export has encounters (intake ages patients at their
    # first one): simulated patients without any in the window stay out.
    patients = tables["patients"][tables["patients"]["patient_id"].isin(first_day.index)]
    payer_of = patients.set_index("patient_id")["primary_payer"].map(
        lambda category: PAYERS.get(category, PAYERS["commercial"])[0]
    )
    births = [
        (first_day[p] - pd.DateOffset(years=int(age))).strftime("%Y-%m-%d")
        if not pd.isna(age)
        else ""
        for p, age in zip(patients["patient_id"], patients["age_years"], strict=True)
    ]
    out_patients = pd.DataFrame(
        {
            "Id": patients["patient_id"],
            "BIRTHDATE": births,
            "DEATHDATE": patients["patient_id"].map(_death_dates(tables)).fillna(""),
            "GENDER": patients["sex"].where(patients["sex"].isin(["F", "M"]), ""),
            "ZIP": patients["zip3"].map(lambda z: f"{z}00" if isinstance(z, str) else ""),
        }
    )
    stays = tables["encounters"]
    visits = ed_encounters(tables)
    encounters = pd.concat(
        [
            stays[
                [
                    "encounter_id",
                    "patient_id",
                    "hospital_id",
                    "encounter_type",
                    "admitted_at",
                    "discharged_at",
                ]
            ],
            visits.reindex(
                columns=[
                    "encounter_id",
                    "patient_id",
                    "hospital_id",
                    "encounter_type",
                    "admitted_at",
                    "discharged_at",
                ]
            ),
        ],
        ignore_index=True,
    )
    out_encounters = pd.DataFrame(
        {
            "Id": encounters["encounter_id"],
            "START": encounters["admitted_at"].map(_time),
            "STOP": encounters["discharged_at"].map(_time),
            "PATIENT": encounters["patient_id"],
            "ORGANIZATION": encounters["hospital_id"],
            "PAYER": encounters["patient_id"].map(payer_of),
            "ENCOUNTERCLASS": encounters["encounter_type"].map(CLASSES).fillna("ambulatory"),
        }
    )
    out_conditions = _conditions(encounters, patients)
    out_observations = pd.concat(
        [_observations(tables["vitals"]), _lab_observations(tables.get("lab_results"))],
        ignore_index=True,
    )
    payers = pd.DataFrame([{"Id": payer_id, "NAME": name} for payer_id, name in PAYERS.values()])
    hospitals = sorted(set(encounters["hospital_id"]))
    names = {}
    if "hospitals" in tables:
        names = tables["hospitals"].set_index("hospital_id")["hospital_name"].to_dict()
    organizations = pd.DataFrame({"Id": hospitals, "NAME": [names.get(h, h) for h in hospitals]})
    return {
        "patients": out_patients,
        "encounters": out_encounters,
        "conditions": out_conditions,
        "observations": out_observations,
        "payers": payers,
        "organizations": organizations,
    }


def _death_dates(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Patient -> date of an in-hospital death (a stay discharged ``expired``)."""
    stays = tables["encounters"]
    died = stays[stays["discharge_disposition"] == "expired"]
    return died.groupby("patient_id")["discharged_at"].max().dt.strftime("%Y-%m-%d")


def _conditions(encounters: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Each patient's comorbidities, recorded at the start of each of their encounters."""
    snomed = _snomed_of_condition()
    charlson = patients.set_index("patient_id")["charlson_index"]
    rows = []
    for encounter in encounters.itertuples(index=False):
        for icd10 in charlson_codes(charlson.get(encounter.patient_id)):
            concept = snomed.get(condition(icd10))
            system, code, term = ("SNOMED-CT", *concept) if concept else ("ICD-10-CM", icd10, icd10)
            rows.append(
                {
                    "START": _time(encounter.admitted_at),
                    "STOP": "",
                    "PATIENT": encounter.patient_id,
                    "ENCOUNTER": encounter.encounter_id,
                    "SYSTEM": system,
                    "CODE": code,
                    "DESCRIPTION": term,
                }
            )
    columns = ["START", "STOP", "PATIENT", "ENCOUNTER", "SYSTEM", "CODE", "DESCRIPTION"]
    return pd.DataFrame(rows, columns=columns)


def _vital_signs(
    charted: pd.DataFrame, code: str, values: pd.Series, units: str, kind: str
) -> pd.DataFrame:
    """Synthea observation rows of one vital-sign code, one per charted set."""
    return pd.DataFrame(
        {
            "DATE": charted["observed_at"].map(_time),
            "PATIENT": charted["patient_id"],
            "ENCOUNTER": charted["encounter_id"],
            "CATEGORY": "vital-signs",
            "CODE": code,
            "VALUE": values,
            "UNITS": units,
            "TYPE": kind,
        }
    )


def _observations(vitals: pd.DataFrame) -> pd.DataFrame:
    """One ``vital-signs`` row per charted value (Synthea's long format)."""
    frames = []
    for column, loinc, _, unit in VITAL_OBX:
        charted = vitals.dropna(subset=[column])
        values = charted[column].map(lambda v: f"{float(v):g}")
        frames.append(_vital_signs(charted, loinc, values, unit, "numeric"))
    oxygen = vitals.dropna(subset=["on_supplemental_oxygen"])
    flow = oxygen["on_supplemental_oxygen"].map(lambda on: "2" if on else "0")
    frames.append(_vital_signs(oxygen, "3151-8", flow, "L/min", "numeric"))
    aware = vitals.dropna(subset=["consciousness"])
    frames.append(_vital_signs(aware, "80288-4", aware["consciousness"], "", "text"))
    return pd.concat(frames, ignore_index=True)


def _lab_observations(labs: pd.DataFrame | None) -> pd.DataFrame:
    """Lab results as ``laboratory`` observations (Synthea has one time: the result's)."""
    if labs is None or labs.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "DATE": labs["resulted_at"].map(_time),
            "PATIENT": labs["patient_id"],
            "ENCOUNTER": labs["encounter_id"],
            "CATEGORY": "laboratory",
            "CODE": labs["loinc_code"],
            "VALUE": labs["value_numeric"].map(lambda v: "" if pd.isna(v) else f"{float(v):g}"),
            "UNITS": labs["unit_of_measure"].fillna(""),
            "TYPE": "numeric",
        }
    )


def write_synthea(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    """Write :func:`to_synthea`'s files as ``<folder>/<name>.csv``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in to_synthea(tables).items():
        frame.to_csv(folder / f"{name}.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    return folder
