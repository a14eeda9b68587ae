"""ED visits, admissions from the ED, admission-source default and Charlson fill."""

from __future__ import annotations

import pandas as pd

from ingest.derive import derive

T = pd.Timestamp


def encounters(*rows: dict) -> pd.DataFrame:
    base = {
        "hospital_id": "H1",
        "admission_source": None,
        "discharged_at": None,
        "discharge_disposition": None,
        "ed_visit_id": None,
    }
    return pd.DataFrame([{**base, **row} for row in rows])


def test_emergency_encounters_become_ed_visits_and_link_the_next_stay() -> None:
    tables = derive(
        {
            "patients": pd.DataFrame({"patient_id": ["P1", "P2"]}),
            "encounters": encounters(
                {
                    "encounter_id": "E-ED",
                    "patient_id": "P1",
                    "encounter_type": "emergency",
                    "admitted_at": T("2025-01-01 10:00"),
                    "discharged_at": T("2025-01-01 14:00"),
                    "discharge_disposition": "other",
                },
                {
                    "encounter_id": "E-IP",
                    "patient_id": "P1",
                    "encounter_type": "inpatient",
                    "admitted_at": T("2025-01-01 14:20"),
                },
                {  # discharged home from the ED, then admitted two days later: not linked
                    "encounter_id": "E-ED2",
                    "patient_id": "P2",
                    "encounter_type": "emergency",
                    "admitted_at": T("2025-01-01 09:00"),
                    "discharged_at": T("2025-01-01 11:00"),
                    "discharge_disposition": "home",
                },
                {
                    "encounter_id": "E-IP2",
                    "patient_id": "P2",
                    "encounter_type": "inpatient",
                    "admitted_at": T("2025-01-03 08:00"),
                },
            ),
        }
    )
    visits = tables["ed_visits"].set_index("ed_visit_id")
    assert visits.loc["E-ED", "disposition"] == "admitted"
    assert visits.loc["E-ED2", "disposition"] == "discharged"
    assert visits.loc["E-ED", "arrived_at"] == T("2025-01-01 10:00")
    assert visits.loc["E-ED", "departed_at"] == T("2025-01-01 14:00")
    assert pd.isna(visits.loc["E-ED", "provider_seen_at"])  # not carried: null
    stays = tables["encounters"].set_index("encounter_id")
    assert stays.loc["E-IP", "ed_visit_id"] == "E-ED"
    assert stays.loc["E-IP", "admission_source"] == "ed"
    assert pd.isna(stays.loc["E-IP2", "ed_visit_id"])
    # No point of origin and no ED visit: 'other' (unplanned); ED visits themselves keep none.
    assert stays.loc["E-IP2", "admission_source"] == "other"
    assert pd.isna(stays.loc["E-ED", "admission_source"])


def test_stated_sources_are_kept_and_the_ed_disposition_wins() -> None:
    tables = derive(
        {
            "patients": pd.DataFrame({"patient_id": ["P1"]}),
            "encounters": encounters(
                {
                    "encounter_id": "E-ED",
                    "patient_id": "P1",
                    "encounter_type": "emergency",
                    "admitted_at": T("2025-01-01 10:00"),
                    "discharged_at": T("2025-01-01 12:00"),
                    "discharge_disposition": "against_medical_advice",
                    "ed_disposition": "left_without_being_seen",
                    "provider_seen_at": None,
                },
                {
                    "encounter_id": "E-IP",
                    "patient_id": "P1",
                    "encounter_type": "inpatient",
                    "admission_source": "elective",
                    "admitted_at": T("2025-01-05 07:00"),
                },
            ),
        }
    )
    assert tables["ed_visits"]["disposition"].tolist() == ["left_without_being_seen"]
    sources = tables["encounters"]["admission_source"]
    assert sources.isna().tolist() == [True, False] and sources.iloc[1] == "elective"
    assert "ed_disposition" not in tables["encounters"].columns


def test_charlson_is_filled_only_when_the_load_carries_coded_diagnoses() -> None:
    patients = pd.DataFrame({"patient_id": ["P1", "P2", "P3"], "charlson_index": [None, None, 4]})
    stay = encounters(
        {
            "encounter_id": "E1",
            "patient_id": "P1",
            "encounter_type": "inpatient",
            "admitted_at": T("2025-01-01"),
        }
    )
    diagnoses = pd.DataFrame(
        {
            "patient_id": ["P1", "P1"],
            "code_system": ["ICD-10-CM", "ICD-10-CM"],
            "diagnosis_code": ["C78.00", "C18.9"],
        }
    )
    filled = derive({"patients": patients, "encounters": stay, "diagnoses": diagnoses})
    # P1 metastatic (6, the malignancy not counted again); P2 coded nothing: 0; P3 kept.
    assert filled["patients"]["charlson_index"].tolist() == [6, 0, 4]
    # SNOMED CT (Synthea): the same rule through the reference table; MI is 22298006.
    snomed = diagnoses.assign(code_system="SNOMED-CT", diagnosis_code="22298006")
    from_snomed = derive({"patients": patients, "encounters": stay, "diagnoses": snomed})
    assert from_snomed["patients"]["charlson_index"].tolist() == [1, 0, 4]
    # No coded diagnosis at all: unknown, not 0.
    unknown = derive({"patients": patients, "encounters": stay})
    assert unknown["patients"]["charlson_index"].isna().tolist() == [True, True, False]
