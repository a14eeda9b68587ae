"""Charlson index from ICD-10(-CM) codes: Quan 2005 codes, Charlson 1987 weights."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.charlson import (
    SNOMED_TABLE,
    WEIGHTS,
    charlson_by_patient,
    coded_condition,
    condition,
    index_of,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("I21.4", "myocardial_infarction"),  # NSTEMI: I21.x
        ("I252", "myocardial_infarction"),  # old MI, no dot
        ("I25.10", None),  # coronary disease without MI is not a Charlson condition
        ("I42.7", "congestive_heart_failure"),  # inside the I42.5-I42.9 range
        ("I42.1", None),  # outside it
        ("I50.23", "congestive_heart_failure"),
        ("I69.354", "cerebrovascular_disease"),  # I60-I69 range, ICD-10-CM depth
        ("F03.90", "dementia"),
        ("J44.1", "chronic_pulmonary_disease"),
        ("M32.14", "rheumatic_disease"),
        ("K27.9", "peptic_ulcer_disease"),
        ("K70.30", "mild_liver_disease"),
        ("K70.40", "moderate_or_severe_liver_disease"),
        ("E11.9", "diabetes_without_complication"),
        ("E11.65", "diabetes_without_complication"),  # E11.6 is uncomplicated in Quan
        ("E11.22", "diabetes_with_complication"),
        ("G81.94", "hemiplegia_or_paraplegia"),
        ("N18.6", "renal_disease"),
        ("C34.90", "any_malignancy"),
        ("C44.91", None),  # skin (non-melanoma) cancer is excluded
        ("C78.7", "metastatic_solid_tumour"),
        ("B20", "aids_hiv"),
        ("Z99.2", "renal_disease"),
        ("S72.001A", None),
    ],
)
def test_codes_map_to_quan_conditions(code: str, expected: str | None) -> None:
    assert condition(code) == expected


@pytest.mark.parametrize(
    ("conditions", "index"),
    [
        (set(), 0),
        ({"myocardial_infarction", "congestive_heart_failure"}, 2),
        ({"any_malignancy"}, 2),
        ({"any_malignancy", "metastatic_solid_tumour"}, 6),  # hierarchy: metastatic only
        ({"mild_liver_disease", "moderate_or_severe_liver_disease"}, 3),
        ({"diabetes_without_complication", "diabetes_with_complication"}, 2),
        ({"aids_hiv", "metastatic_solid_tumour", "renal_disease"}, 14),
    ],
)
def test_weights_and_hierarchies(conditions: set[str], index: int) -> None:
    assert index_of(conditions) == index


def test_index_per_patient_counts_each_condition_once() -> None:
    diagnoses = pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P1", "P2", "P3", "P3"],
            "code_system": ["ICD-10-CM"] * 4 + ["SNOMED-CT", "ICD-10-CM"],
            "diagnosis_code": ["I21.4", "I21.9", "N18.4", "S72.001A", "22298006", "J44.9"],
        }
    )
    index = charlson_by_patient(diagnoses).to_dict()
    # P1: MI once (1) + renal (2); P2 coded but no condition: 0; P3: SNOMED CT MI + COPD.
    assert index == {"P1": 3, "P2": 0, "P3": 2}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("22298006", "myocardial_infarction"),
        ("399211009", "myocardial_infarction"),  # history of MI: Quan I25.2
        ("88805009", "congestive_heart_failure"),
        ("230690007", "cerebrovascular_disease"),
        ("26929004", "dementia"),
        ("185086009", "chronic_pulmonary_disease"),
        ("195967001", "chronic_pulmonary_disease"),  # asthma: Quan J45
        ("44054006", "diabetes_without_complication"),
        ("368581000119106", "diabetes_with_complication"),
        ("127013003", "diabetes_with_complication"),
        ("431857002", "renal_disease"),
        ("46177005", "renal_disease"),
        ("254837009", "any_malignancy"),
        ("423121009", "metastatic_solid_tumour"),  # NSCLC stage 4
        ("94260004", "metastatic_solid_tumour"),
        ("86406008", "aids_hiv"),
        ("128302006", "mild_liver_disease"),
        ("92691004", None),  # carcinoma in situ of prostate: in situ, not counted
        ("714628002", None),  # prediabetes
        ("233604007", None),  # pneumonia
        ("59621000", None),  # essential hypertension
    ],
)
def test_snomed_concepts_synthea_emits_map_to_charlson_conditions(code, expected) -> None:
    assert coded_condition("SNOMED-CT", code) == expected


def test_snomed_table_uses_only_known_conditions_once_per_concept() -> None:
    table = pd.read_csv(SNOMED_TABLE, dtype=str)
    assert table["snomed_code"].is_unique
    assert table["snomed_code"].str.fullmatch(r"[1-9][0-9]{5,17}").all()
    assert set(table["charlson_condition"]) <= set(WEIGHTS)
    assert table["snomed_term"].notna().all() and table["quan_icd10"].notna().all()
    # Every Quan ICD-10 equivalent given for a concept codes for the same condition
    # (a staged cancer's "C34 + C78" is checked on its metastatic part).
    for icd10, name in zip(table["quan_icd10"], table["charlson_condition"], strict=True):
        assert condition(icd10.split(" + ")[-1]) == name, icd10


def test_snomed_and_icd10_diagnoses_give_the_same_index() -> None:
    """One patient coded in ICD-10-CM, the same conditions in SNOMED CT (as Synthea would)."""
    diagnoses = pd.DataFrame(
        {
            "patient_id": ["P1"] * 3 + ["P2"] * 3,
            "code_system": ["ICD-10-CM"] * 3 + ["SNOMED-CT"] * 3,
            "diagnosis_code": [
                "I50.9",
                "E11.40",
                "C34.90",
                "88805009",
                "368581000119106",
                "254637007",
            ],
        }
    )
    assert charlson_by_patient(diagnoses).to_dict() == {"P1": 5, "P2": 5}
