"""What messages imply but do not state: ED visits, admission sources, the Charlson index.

Every adapter's frames pass through :func:`derive` before validation, so the rules
are the same for HL7 v2, FHIR and Synthea (and documented once, in
docs/input-contract.md):

- **ED visits.** Every emergency encounter (HL7 PV1-2 = E, FHIR class EMER, Synthea
  ``emergency``) is an ED visit: arrival is the encounter's start, departure its end,
  the first provider contact whatever the source carries (FHIR participant period;
  HL7 v2 and Synthea carry none, so door-to-provider is null). The disposition is the
  source's ED disposition when it states one, else grouped from the discharge
  disposition; a visit followed by an admission is ``admitted`` (below).
- **Admitted from the ED.** A bed-stay encounter (inpatient, observation) of the same
  patient and hospital that starts between an ED visit's arrival and one hour after
  its departure (24 hours after arrival while the visit is open) was admitted from
  that visit (of several, the one that ended closest to the stay's start):
  ``ed_visit_id`` is set, a missing ``admission_source`` becomes ``ed`` and the
  visit's disposition ``admitted``. Each visit leads to at most one stay.
- **Admission source.** A bed stay still without one after the source's point of
  origin and admission type were read is ``other`` (point of origin unknown): it
  counts as an unplanned admission, as most unscheduled stays are. Elective stays are
  recognised only when the source says so (HL7 PV1-4 C or R, FHIR priority EL).
- **Charlson index.** When the load carries ICD-10-CM or SNOMED CT diagnoses, a
  patient without a Charlson index gets the one computed from them
  (``ingest.charlson``: Quan 2005 codes, SNOMED CT through its reference table,
  Charlson 1987 weights); a patient without any qualifying code scores 0, as the
  coding algorithm defines. A load without coded diagnoses leaves it null.
"""

from __future__ import annotations

import pandas as pd

from contract.schema import BED_STAY_TYPES
from ingest.charlson import CODED_SYSTEMS, charlson_by_patient

# Contract discharge disposition of an emergency encounter -> ED visit disposition
# (CMS ED measures). UB-04 07 "left against medical advice or discontinued care" is
# how ED registrations that leave before being seen are billed (CMS OP-22).
ED_DISPOSITION = {
    "home": "discharged",
    "home_health": "discharged",
    "snf": "transferred",
    "transfer": "transferred",
    "hospice": "transferred",
    "against_medical_advice": "left_without_being_seen",
    "expired": "died",
}
# Columns an adapter may add to encounters for the ED visit (dropped after use).
ED_DISPOSITION_COLUMN = "ed_disposition"
PROVIDER_SEEN_COLUMN = "provider_seen_at"
ADMISSION_AFTER_DEPARTURE = pd.Timedelta(hours=1)
OPEN_VISIT_WINDOW = pd.Timedelta(hours=24)


def ed_visits_from_encounters(encounters: pd.DataFrame) -> pd.DataFrame:
    """The contract's ``ed_visits`` rows of the emergency encounters."""
    emergency = encounters[encounters["encounter_type"] == "emergency"]
    stated = (
        emergency[ED_DISPOSITION_COLUMN]
        if ED_DISPOSITION_COLUMN in emergency.columns
        else pd.Series(None, index=emergency.index, dtype="object")
    )
    grouped = emergency["discharge_disposition"].map(ED_DISPOSITION)
    ended = emergency["discharged_at"].notna()
    return pd.DataFrame(
        {
            "ed_visit_id": emergency["encounter_id"],
            "patient_id": emergency["patient_id"],
            "hospital_id": emergency["hospital_id"],
            "arrived_at": emergency["admitted_at"],
            "provider_seen_at": emergency.get(PROVIDER_SEEN_COLUMN),
            "departed_at": emergency["discharged_at"],
            "disposition": stated.where(stated.notna(), grouped.where(ended)),
        }
    ).reset_index(drop=True)


def _times(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with its ``*_at`` columns as timestamps (unreadable ones null: validation
    rejects those records later, here they simply link nothing)."""
    return frame.assign(
        **{
            column: pd.to_datetime(frame[column], errors="coerce", utc=True).dt.tz_localize(None)
            for column in frame.columns
            if column.endswith("_at")
        }
    )


def link_admissions(
    encounters: pd.DataFrame, ed_visits: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bed stays admitted from an ED visit get its id; the visit becomes ``admitted``."""
    encounters = encounters.copy()
    if "ed_visit_id" not in encounters.columns:
        encounters["ed_visit_id"] = None
    if ed_visits.empty or encounters.empty:
        return encounters, ed_visits
    ed_visits = ed_visits.copy()
    stays = encounters[
        encounters["encounter_type"].isin(BED_STAY_TYPES)
        & encounters["ed_visit_id"].isna()
        & encounters["admitted_at"].notna()
    ]
    visits = ed_visits.dropna(subset=["arrived_at"])
    pairs = _times(stays[["encounter_id", "patient_id", "hospital_id", "admitted_at"]]).merge(
        _times(visits[["ed_visit_id", "patient_id", "hospital_id", "arrived_at", "departed_at"]]),
        on=["patient_id", "hospital_id"],
    )
    until = pairs["departed_at"].add(ADMISSION_AFTER_DEPARTURE)
    until = until.fillna(pairs["arrived_at"] + OPEN_VISIT_WINDOW)
    pairs = pairs[(pairs["admitted_at"] >= pairs["arrived_at"]) & (pairs["admitted_at"] <= until)]
    # The visit that ended closest to each stay's start (open visits last); each visit
    # leads to at most one stay (the first).
    pairs["gap"] = (pairs["admitted_at"] - pairs["departed_at"]).abs()
    pairs = pairs.sort_values(["encounter_id", "gap", "arrived_at"], na_position="last")
    pairs = pairs.drop_duplicates("encounter_id", keep="first")
    pairs = pairs.sort_values(["ed_visit_id", "admitted_at"]).drop_duplicates(
        "ed_visit_id", keep="first"
    )
    already = set(encounters["ed_visit_id"].dropna())
    pairs = pairs[~pairs["ed_visit_id"].isin(already)]
    link = pairs.set_index("encounter_id")["ed_visit_id"]
    encounters["ed_visit_id"] = encounters["ed_visit_id"].fillna(
        encounters["encounter_id"].map(link)
    )
    linked = encounters["encounter_id"].isin(link.index)
    if "admission_source" not in encounters.columns:
        encounters["admission_source"] = None
    encounters.loc[linked & encounters["admission_source"].isna(), "admission_source"] = "ed"
    admitted = ed_visits["ed_visit_id"].isin(set(encounters["ed_visit_id"].dropna()))
    ed_visits.loc[admitted, "disposition"] = "admitted"
    return encounters, ed_visits


def with_admission_source(encounters: pd.DataFrame) -> pd.DataFrame:
    """Bed stays with no known point of origin: ``other`` (see the module docstring)."""
    if encounters.empty:
        return encounters
    encounters = encounters.copy()
    if "admission_source" not in encounters.columns:
        encounters["admission_source"] = None
    unknown = encounters["admission_source"].isna() & encounters["encounter_type"].isin(
        BED_STAY_TYPES
    )
    encounters.loc[unknown, "admission_source"] = "other"
    return encounters


def with_charlson(patients: pd.DataFrame, diagnoses: pd.DataFrame | None) -> pd.DataFrame:
    """Patients with the Charlson index filled from ICD-10-CM / SNOMED CT diagnoses where
    missing."""
    if (
        diagnoses is None
        or diagnoses.empty
        or not diagnoses["code_system"].isin(CODED_SYSTEMS).any()
        or patients.empty
    ):
        return patients
    patients = patients.copy()
    if "charlson_index" not in patients.columns:
        patients["charlson_index"] = None
    computed = patients["patient_id"].map(charlson_by_patient(diagnoses)).fillna(0)
    patients["charlson_index"] = (
        patients["charlson_index"].astype("Int64").fillna(computed.astype("Int64"))
    )
    return patients


def derive(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Apply every derivation of the module docstring to an adapter's frames."""
    tables = dict(tables)
    encounters = tables["encounters"]
    if (encounters.get("encounter_type") == "emergency").any():
        derived = ed_visits_from_encounters(encounters)
        given = tables.get("ed_visits")
        tables["ed_visits"] = (
            derived if given is None else pd.concat([given, derived], ignore_index=True)
        )
    if "ed_visits" in tables:
        encounters, tables["ed_visits"] = link_admissions(encounters, tables["ed_visits"])
    encounters = encounters.drop(
        columns=[ED_DISPOSITION_COLUMN, PROVIDER_SEEN_COLUMN], errors="ignore"
    )
    tables["encounters"] = with_admission_source(encounters)
    tables["patients"] = with_charlson(tables["patients"], tables.get("diagnoses"))
    return tables
