"""Synthea CSV intake (v3 export) into the contract.

Reads patients, encounters, conditions, procedures, observations, claims, payers and
organizations (``--exporter.csv.export = true``; column names from Synthea's CSV
data dictionary). Synthea's encounter classes map one to one onto the contract's
encounter types; encounters carry no unit, so each stay lands in one unit per
hospital and class (``<hospital>-INPATIENT``, ``<hospital>-EMERGENCY``, ...).
A finished bed stay is discharged ``expired`` when the patient's DEATHDATE falls
within it, else ``other`` (Synthea records no disposition; ``ingest.events`` then
derives the deaths). Medications and providers are not in the contract and are
counted as skipped, as are observations that are neither NEWS2 vitals nor laboratory
results. Synthea has
no adjudication dates, so no remittances are produced.

Accounting is by CSV row: rows in = loaded + rejected + skipped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from contract.schema import BED_STAY_TYPES
from contract.validate import empty_rejects, reject_rows
from ingest.fhir_codes import payer_category
from ingest.intake import IntakeResult, finish, slug
from ingest.landing import write_batch
from ingest.pseudonym import Pseudonymizer, age_years, zip3
from ingest.vitals import VITAL_LOINC, VitalReading, pivot_sets

SOURCE = "synthea"
ENCOUNTER_CLASS = {
    "wellness": "wellness",
    "ambulatory": "ambulatory",
    "outpatient": "outpatient",
    "emergency": "emergency",
    "urgentcare": "urgent_care",
    "inpatient": "inpatient",
    "snf": "snf",
    "hospice": "hospice",
    "home": "home",
    "virtual": "virtual",
}
READ_FILES = (
    "patients",
    "encounters",
    "conditions",
    "procedures",
    "observations",
    "claims",
    "payers",
    "organizations",
)
SKIPPED_FILES = ("medications", "providers")
SYSTEMS = {
    "SNOMED-CT": "SNOMED-CT",
    "http://snomed.info/sct": "SNOMED-CT",
    "ICD-10-CM": "ICD-10-CM",
    "ICD10CM": "ICD-10-CM",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "ICD-10-PCS": "ICD-10-PCS",
    "CPT": "CPT",
    "HCPCS": "HCPCS",
}


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").replace(
        {"": None}
    )


def _utc(series: pd.Series) -> pd.Series:
    """Synthea's ISO 8601 times (``2019-02-17T05:07:38Z``; dates for birth) as naive UTC."""
    parsed = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
    return parsed.dt.tz_localize(None)


def ingest_synthea(
    path: Path, landing_dir: Path, pseudonymize: Pseudonymizer, reference: Path | None = None
) -> IntakeResult:
    """Load a Synthea CSV export folder into the landing zone."""
    if not (path / "patients.csv").exists() or not (path / "encounters.csv").exists():
        raise FileNotFoundError(
            f"{path} is not a Synthea CSV export (needs patients.csv, encounters.csv)"
        )
    raw = {name: _read(path, name) for name in READ_FILES}
    rows_in = sum(len(frame) for frame in raw.values())
    skipped = sum(len(_read(path, name)) for name in SKIPPED_FILES)
    rows_in += skipped

    def ids(kind: str, values: pd.Series) -> pd.Series:
        return values.map(lambda v: pseudonymize(kind, v, "synthea"))

    payers = raw["payers"]
    payer_names = dict(zip(payers["Id"], payers["NAME"], strict=True)) if not payers.empty else {}
    organizations = raw["organizations"]
    hospital_names = (
        {slug(i): n for i, n in zip(organizations["Id"], organizations["NAME"], strict=True)}
        if not organizations.empty
        else {}
    )

    enc = raw["encounters"]
    pat = raw["patients"]
    encounter_type = enc["ENCOUNTERCLASS"].str.lower().map(ENCOUNTER_CLASS)
    encounters = pd.DataFrame(
        {
            "encounter_id": ids("encounter", enc["Id"]),
            "patient_id": ids("patient", enc["PATIENT"]),
            "hospital_id": enc["ORGANIZATION"].map(lambda v: slug(v) if v else None),
            "encounter_type": encounter_type.fillna(enc["ENCOUNTERCLASS"]),
            "admitted_at": _utc(enc["START"]),
            "discharged_at": _utc(enc["STOP"]),
        }
    )
    encounters["discharge_disposition"] = _dispositions(encounters, enc, pat)
    unit = (
        encounters["hospital_id"].fillna("UNKNOWN")
        + "-"
        + encounters["encounter_type"].fillna("unknown").map(slug)
    )
    # Only bed stays have ADT events; other visits are encounters alone.
    stays = encounters.assign(unit_id=unit)[encounters["encounter_type"].isin(BED_STAY_TYPES)]
    arrivals = stays.assign(event_type="A01", event_at=stays["admitted_at"])
    departures = stays[stays["discharged_at"].notna()].assign(
        event_type="A03", event_at=lambda f: f["discharged_at"]
    )
    adt = pd.concat([arrivals, departures])
    adt["adt_event_id"] = [
        pseudonymize("adt_event", f"{e}|{t}", enc_id)
        for enc_id, e, t in zip(
            adt["encounter_id"], adt["event_type"], adt["event_at"], strict=True
        )
    ]
    adt = adt[
        [
            "adt_event_id",
            "encounter_id",
            "patient_id",
            "hospital_id",
            "unit_id",
            "event_type",
            "event_at",
        ]
    ].sort_values(["event_at", "adt_event_id"], kind="stable")

    first_at = encounters.groupby("patient_id")["admitted_at"].min()
    payer_of = (
        pd.DataFrame(
            {"patient_id": encounters["patient_id"], "payer": enc["PAYER"].map(payer_names)}
        )
        .dropna()
        .groupby("patient_id")["payer"]
        .agg(lambda s: s.mode().iloc[0])
    )
    patient_ids = ids("patient", pat["Id"])
    births = _utc(pat["BIRTHDATE"])
    patients = pd.DataFrame(
        {
            "patient_id": patient_ids,
            "age_years": [
                age_years(b.date(), first_at[p].date())
                if p in first_at.index and not pd.isna(b) and not pd.isna(first_at[p])
                else None
                for p, b in zip(patient_ids, births, strict=True)
            ],
            "sex": pat["GENDER"].map({"F": "F", "M": "M"}).fillna("U"),
            "primary_payer": patient_ids.map(payer_of).map(payer_category),
            "zip3": pat["ZIP"].map(zip3) if "ZIP" in pat else None,
            "spo2_scale": 1,
        }
    )

    obs = raw["observations"]
    is_vital = obs["CODE"].isin(VITAL_LOINC.keys()) if not obs.empty else pd.Series(dtype=bool)
    is_lab = (obs["CATEGORY"] == "laboratory") & ~is_vital if not obs.empty else is_vital
    skipped += int((~is_vital & ~is_lab).sum())
    vital_rows = obs[is_vital]
    readings = [
        VitalReading(p, e, u, t, c, v, m)
        for p, e, u, t, c, v, m in zip(
            ids("patient", vital_rows["PATIENT"]),
            ids("encounter", vital_rows["ENCOUNTER"]),
            vital_rows["ENCOUNTER"].map(dict(zip(enc["Id"], unit, strict=True))),
            _utc(vital_rows["DATE"]),
            vital_rows["CODE"],
            vital_rows["VALUE"].fillna(""),
            vital_rows["UNITS"],
            strict=True,
        )
    ]
    vitals, bad_readings = pivot_sets(
        readings, lambda e, at: pseudonymize("observation", at.isoformat(), e)
    )
    labs = obs[is_lab]
    lab_results = pd.DataFrame(
        {
            "lab_result_id": [
                pseudonymize("lab_result", f"{e}|{d}|{c}", "synthea")
                for e, d, c in zip(labs["ENCOUNTER"], labs["DATE"], labs["CODE"], strict=True)
            ],
            "patient_id": ids("patient", labs["PATIENT"]),
            "encounter_id": ids("encounter", labs["ENCOUNTER"]),
            "loinc_code": labs["CODE"],
            "value_numeric": pd.to_numeric(labs["VALUE"], errors="coerce"),
            "unit_of_measure": labs["UNITS"],
            # Synthea has one time per observation: collected, resulted, received.
            "collected_at": _utc(labs["DATE"]),
            "resulted_at": _utc(labs["DATE"]),
            "received_at": _utc(labs["DATE"]),
        }
    )
    tables = {
        "patients": patients,
        "encounters": encounters,
        "adt_events": adt,
        "vitals": vitals,
        "lab_results": lab_results,
        "diagnoses": _coded(raw["conditions"], "diagnosis", "diagnosed_at", ids, pseudonymize),
        "procedures": _coded(raw["procedures"], "procedure", "performed_at", ids, pseudonymize),
        "claims": _claims(raw["claims"], enc, payer_names, ids),
    }
    tables = {
        name: frame
        for name, frame in tables.items()
        if not frame.empty or name in {"patients", "encounters", "adt_events", "vitals"}
    }
    rejects = [
        reject_rows(
            SOURCE, "vitals", "value", reason, [{"loinc_code": r.loinc_code}], [r.loinc_code]
        )
        for r, reason in bad_readings
    ]
    result = finish(
        SOURCE,
        tables,
        pd.concat(rejects, ignore_index=True) if rejects else empty_rejects(),
        rows_in,
        0,
        landing_dir,
        reference,
        hospital_names,
    )
    # Row-level rejects happen in the contract: count them as rejected rows.
    result.messages_rejected = sum(result.records_rejected.get(t, 0) for t in _ROW_TABLES) + len(
        bad_readings
    )
    result.messages_skipped = skipped
    write_batch(result.record(), landing_dir)
    return result


# Tables whose records are one CSV row each (vitals sets pivot several rows).
_ROW_TABLES = ("patients", "encounters", "lab_results", "diagnoses", "procedures", "claims")


def _dispositions(encounters: pd.DataFrame, enc: pd.DataFrame, pat: pd.DataFrame) -> pd.Series:
    """Synthea has no discharge disposition: a finished bed stay is ``expired`` when the
    patient's DEATHDATE falls within it (by date), else ``other`` (alive, destination
    unknown); visits and open stays stay null."""
    deaths = dict(zip(pat["Id"], _utc(pat["DEATHDATE"]), strict=True)) if "DEATHDATE" in pat else {}
    died = _utc(enc["PATIENT"].map(deaths))
    start, stop = encounters["admitted_at"], encounters["discharged_at"]
    in_stay = died.notna() & (died.dt.date >= start.dt.date) & (died.dt.date <= stop.dt.date)
    finished = encounters["encounter_type"].isin(BED_STAY_TYPES) & stop.notna()
    disposition = pd.Series(None, index=encounters.index, dtype="object")
    disposition[finished] = "other"
    disposition[finished & in_stay.to_numpy()] = "expired"
    return disposition


def _coded(frame: pd.DataFrame, kind: str, time_column: str, ids, pseudonymize) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame()
    system = frame["SYSTEM"].map(lambda s: SYSTEMS.get(s, s)) if "SYSTEM" in frame else "SNOMED-CT"
    return pd.DataFrame(
        {
            f"{kind}_id": [
                pseudonymize(kind, f"{e}|{s}|{c}", "synthea")
                for e, s, c in zip(frame["ENCOUNTER"], frame["START"], frame["CODE"], strict=True)
            ],
            "patient_id": ids("patient", frame["PATIENT"]),
            "encounter_id": ids("encounter", frame["ENCOUNTER"]),
            "code_system": system,
            f"{kind}_code": frame["CODE"],
            time_column: _utc(frame["START"]),
        }
    )


def _claims(frame: pd.DataFrame, enc: pd.DataFrame, payer_names: dict, ids) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame()
    billed = dict(
        zip(enc["Id"], pd.to_numeric(enc["TOTAL_CLAIM_COST"], errors="coerce"), strict=True)
    )
    submitted = frame["LASTBILLEDDATE1"].fillna(frame["SERVICEDATE"])
    return pd.DataFrame(
        {
            "claim_id": ids("claim", frame["Id"]),
            "patient_id": ids("patient", frame["PATIENTID"]),
            "encounter_id": ids("encounter", frame["APPOINTMENTID"]),
            "payer_category": frame["PRIMARYPATIENTINSURANCEID"]
            .map(payer_names)
            .map(payer_category),
            "billed_amount_usd": frame["APPOINTMENTID"].map(billed),
            "submitted_at": _utc(submitted),
        }
    )
