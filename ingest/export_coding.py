"""What the exporters add to the simulator's tables so messages carry what real feeds do.

The simulator keeps a patient's comorbidity as a Charlson index and its ED visits as a
table of their own; an interface feed carries neither as such. Diagnoses go out as
ICD-10-CM codes of Charlson conditions whose Charlson 1987 weights add up to the
patient's index (one representative code per condition, hierarchies never mixed), so
intake's Quan 2005 algorithm (``ingest.charlson``) computes the same index back. ED
visits go out as emergency encounters (HL7 PV1-2 E, FHIR class EMER).
"""

from __future__ import annotations

import math

import pandas as pd

# One ICD-10-CM code per condition, none in a hierarchy with another: ten of weight 1
# (MI, CHF, PVD, stroke, dementia, COPD, RA, peptic ulcer, mild liver disease,
# uncomplicated diabetes) and three of weight 2 (hemiplegia, CKD, colon cancer).
WEIGHT_ONE_CODES = (
    "I25.2",
    "I50.9",
    "I73.9",
    "I63.9",
    "F03.90",
    "J44.9",
    "M06.9",
    "K25.9",
    "K74.60",
    "E11.9",
)
WEIGHT_TWO_CODES = ("G81.90", "N18.4", "C18.9")


def charlson_codes(index: object) -> list[str]:
    """ICD-10-CM codes whose Charlson index (Quan 2005 codes, 1987 weights) is ``index``."""
    if index is None or (isinstance(index, float) and math.isnan(index)):
        return []
    index = int(index)
    twos = max(0, math.ceil((index - len(WEIGHT_ONE_CODES)) / 2))
    ones = index - 2 * twos
    if twos > len(WEIGHT_TWO_CODES) or ones < 0:
        raise ValueError(f"no representative coding for a Charlson index of {index}")
    return list(WEIGHT_ONE_CODES[:ones] + WEIGHT_TWO_CODES[:twos])


def ed_encounters(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The ED visits as emergency encounters (the visit id is the encounter id)."""
    visits = tables.get("ed_visits")
    if visits is None or visits.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "encounter_id": visits["ed_visit_id"],
            "patient_id": visits["patient_id"],
            "hospital_id": visits["hospital_id"],
            "encounter_type": "emergency",
            "admitted_at": visits["arrived_at"],
            "discharged_at": visits["departed_at"],
            "provider_seen_at": visits["provider_seen_at"],
            "ed_disposition": visits["disposition"].where(visits["departed_at"].notna()),
        }
    )


def first_days(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Each patient's first encounter or ED arrival day (for birth dates from ages)."""
    starts = [tables["encounters"][["patient_id", "admitted_at"]]]
    visits = ed_encounters(tables)
    if not visits.empty:
        starts.append(visits[["patient_id", "admitted_at"]])
    return pd.concat(starts).groupby("patient_id")["admitted_at"].min().dt.normalize()
