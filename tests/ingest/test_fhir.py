"""FHIR R4 intake on the hand-written Bundle and NDJSON fixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.fhir import ingest_fhir
from ingest.pseudonym import Pseudonymizer
from tests.ingest.conftest import FIXTURES, TEST_KEY


def landed(landing, table: str) -> pd.DataFrame:
    return pd.read_parquet(landing / table).drop(columns=["day"], errors="ignore")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    pseudonymize = Pseudonymizer(TEST_KEY)
    landing = tmp_path_factory.mktemp(__name__.rsplit(".", 1)[-1]) / "landing"
    return ingest_fhir(FIXTURES / "fhir", landing, pseudonymize), landing


def test_every_resource_is_loaded_rejected_or_skipped(loaded) -> None:
    result, _ = loaded
    assert result.messages_in == 28
    assert result.messages_skipped == 2  # Practitioner, MedicationRequest
    assert result.messages_rejected == 3  # bad birthDate, not JSON, Observation without subject
    assert result.messages_loaded == 23
    rejects = pd.read_parquet(result.rejects_path)
    reasons = set(rejects["reason"])
    assert "Patient fails FHIR R4 validation at birthDate (value_error)" in reasons
    assert "not valid JSON" in reasons
    assert "Observation has no encounter or effective time" in reasons
    for table, rows in result.records_in.items():
        assert rows == result.tables_written[table] + result.records_rejected[table]


def test_encounter_locations_become_adt_events(loaded, pseudonymize) -> None:
    _, landing = loaded
    stay = pseudonymize("encounter", "enc-900001", "fhir")
    events = landed(landing, "adt_events").query("encounter_id == @stay").sort_values("event_at")
    assert events["event_type"].tolist() == ["A01", "A02", "A03"]
    assert events["unit_id"].tolist() == ["STMARY-MICU", "STMARY-4WEST", "STMARY-4WEST"]
    encounter = landed(landing, "encounters").set_index("encounter_id").loc[stay]
    assert encounter["admitted_at"] == pd.Timestamp("2025-03-01 02:45")
    assert (encounter["admission_source"], encounter["discharge_disposition"]) == ("ed", "home")
    hospitals = landed(landing, "hospitals").set_index("hospital_id")
    assert hospitals.loc["STMARY", "hospital_name"] == "St Mary Community Hospital"


def test_patient_pseudonym_comes_from_the_mrn(loaded, pseudonymize) -> None:
    _, landing = loaded
    patients = set(landed(landing, "patients")["patient_id"])
    assert pseudonymize("patient", "MRN778812", "urn:oid:1.2.3.4.STMARY") in patients


def test_vital_signs_profile_including_bp_panel_components(loaded) -> None:
    _, landing = loaded
    vitals = landed(landing, "vitals").sort_values("observed_at")
    first = vitals.iloc[0]
    assert first["systolic_bp"] == 98  # component 8480-6 of panel 85354-9
    assert first["temperature"] == pytest.approx(38.5)
    assert bool(first["on_supplemental_oxygen"]) is True
    assert first["consciousness"] == "A"
    assert first["unit_id"] == "STMARY-MICU"  # where the patient was at 06:30 UTC


def test_conditions_procedures_claims_and_remittances(loaded, pseudonymize) -> None:
    result, landing = loaded
    assert landed(landing, "diagnoses")["diagnosis_code"].tolist() == ["J18.9"]
    assert result.records_rejected["diagnoses"] == 1  # "not-icd"
    assert landed(landing, "procedures")["procedure_code"].tolist() == ["5A09357"]
    claim = landed(landing, "claims").iloc[0]
    assert (claim["ms_drg_code"], claim["payer_category"]) == ("194", "medicare")
    assert claim["billed_amount_usd"] == 18450.0
    remittance = landed(landing, "remittances").iloc[0]
    assert remittance["claim_id"] == claim["claim_id"]
    assert remittance["paid_amount_usd"] == pytest.approx(9120.55)
    assert not remittance["is_denied"]


def test_discharge_before_admission_is_rejected_with_its_events(loaded) -> None:
    result, _ = loaded
    rejects = pd.read_parquet(result.rejects_path)
    assert "time_order" in set(rejects.query("table_name == 'encounters'")["rule"])
    assert set(rejects.query("table_name == 'adt_events'")["rule"]) == {"referential_integrity"}
