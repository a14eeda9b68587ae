"""Charlson index from ICD-10(-CM) codes: Quan 2005 codes, Charlson 1987 weights."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.charlson import charlson_by_patient, condition, index_of


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
    # P1: MI once (1) + renal (2); P2 coded but no condition: 0; P3's SNOMED code ignored.
    assert index == {"P1": 3, "P2": 0, "P3": 1}
