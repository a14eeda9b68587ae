"""Synthea CSV intake on hand-written rows in the v3 export's columns."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.pseudonym import Pseudonymizer
from ingest.synthea import ENCOUNTER_CLASS, ingest_synthea
from tests.ingest.conftest import FIXTURES, TEST_KEY


def landed(landing, table: str) -> pd.DataFrame:
    return pd.read_parquet(landing / table).drop(columns=["day"], errors="ignore")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    pseudonymize = Pseudonymizer(TEST_KEY)
    landing = tmp_path_factory.mktemp(__name__.rsplit(".", 1)[-1]) / "landing"
    return ingest_synthea(FIXTURES / "synthea", landing, pseudonymize), landing


def test_rows_are_loaded_rejected_or_skipped(loaded) -> None:
    result, _ = loaded
    assert result.messages_in == 30
    assert result.messages_skipped == 4  # a medication, a provider, height, a survey answer
    assert result.messages_rejected == 2  # the 'teleport' encounter, a heart rate of 'ninety'
    assert result.messages_loaded == 24


def test_encounter_classes_map_onto_contract_types(loaded) -> None:
    _, landing = loaded
    types = sorted(landed(landing, "encounters")["encounter_type"])
    assert types == ["emergency", "inpatient", "urgent_care", "wellness"]
    assert set(ENCOUNTER_CLASS.values()) <= {
        "wellness",
        "ambulatory",
        "outpatient",
        "emergency",
        "urgent_care",
        "inpatient",
        "snf",
        "hospice",
        "home",
        "virtual",
    }


def test_patients_are_minimised(loaded) -> None:
    _, landing = loaded
    patients = landed(landing, "patients").sort_values("age_years")
    assert patients["age_years"].tolist() == [34, 75, 90]  # 90: Safe Harbor cap
    assert sorted(patients["zip3"]) == ["011", "016", "021"]
    assert set(patients.columns) >= {"primary_payer"}
    assert "medicare" in set(patients["primary_payer"])


def test_charlson_index_from_snomed_conditions_for_every_patient(loaded) -> None:
    """Synthea codes conditions in SNOMED CT: CHF (1) + type 2 diabetes with neuropathy
    (2, the uncomplicated diabetes not counted again); patients with no Charlson
    condition score 0, never null."""
    _, landing = loaded
    patients = landed(landing, "patients").sort_values("age_years")
    assert patients["charlson_index"].tolist() == [0, 3, 0]


def test_vitals_labs_diagnoses_and_claims(loaded) -> None:
    _, landing = loaded
    vitals = landed(landing, "vitals").sort_values("observed_at")
    assert vitals.iloc[0][["respiration_rate", "spo2", "systolic_bp", "pulse"]].tolist() == [
        24,
        93,
        98,
        118,
    ]
    assert vitals.iloc[1]["respiration_rate"] == 16 and pd.isna(vitals.iloc[1]["pulse"])
    assert landed(landing, "lab_results")["loinc_code"].tolist() == ["2160-0"]
    assert set(landed(landing, "diagnoses")["code_system"]) == {"SNOMED-CT", "ICD-10-CM"}
    claim = landed(landing, "claims").iloc[0]
    assert claim["billed_amount_usd"] == 18450.0 and claim["payer_category"] == "medicare"
    hospital = landed(landing, "hospitals").iloc[0]
    assert hospital["hospital_name"] == "BAYSTATE MEDICAL CENTER"


def test_not_a_synthea_folder_is_a_clear_error(tmp_path, pseudonymize) -> None:
    with pytest.raises(FileNotFoundError, match="Synthea"):
        ingest_synthea(tmp_path, tmp_path / "landing", pseudonymize)
