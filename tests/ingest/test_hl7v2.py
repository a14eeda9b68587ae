"""HL7 v2 intake on the hand-written fixtures (one file per concern)."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.hl7v2 import ingest_hl7v2, payer_class
from ingest.pseudonym import Pseudonymizer
from tests.ingest.conftest import FIXTURES, TEST_KEY


def landed(landing, table: str) -> pd.DataFrame:
    frame = pd.read_parquet(landing / table)
    return frame.drop(columns=["day"], errors="ignore")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    pseudonymize = Pseudonymizer(TEST_KEY)
    landing = tmp_path_factory.mktemp(__name__.rsplit(".", 1)[-1]) / "landing"
    result = ingest_hl7v2(FIXTURES / "hl7v2", landing, pseudonymize)
    return result, landing


def test_every_message_is_loaded_or_rejected(loaded) -> None:
    result, landing = loaded
    assert result.messages_in == 28
    assert result.messages_rejected == 5
    assert result.messages_loaded == 23
    rejects = pd.read_parquet(result.rejects_path)
    parse = rejects[rejects["rule"] == "parse"]
    assert len(parse) == result.messages_rejected
    assert sorted(parse["reason"]) == sorted(
        [
            "message type SIU^S12 is not read by Vigil",
            "PID segment missing",
            "HL7 version 2.9 is outside 2.3-2.8",
            "timestamp is not an HL7 DTM",
            "PV1-19 visit number missing",
        ]
    )
    for table, rows in result.records_in.items():
        assert rows == result.tables_written[table] + result.records_rejected[table]


def test_admission_transfer_discharge_with_time_zones(loaded, pseudonymize) -> None:
    _, landing = loaded
    encounter = pseudonymize("encounter", "VN900001", "STMARY")
    events = landed(landing, "adt_events").query("encounter_id == @encounter")
    assert events["event_type"].tolist() == ["A01", "A02", "A03"]
    # 08:15 +05:30, 10:10 -05:00, 15:15 +00:00 (EVN-6 wins over EVN-2)
    assert events["event_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2025-03-01 02:45",
        "2025-03-02 15:10",
        "2025-03-05 15:15",
    ]
    assert events["unit_id"].tolist() == ["STMARY-MICU", "STMARY-4WEST", "STMARY-4WEST"]
    stay = landed(landing, "encounters").set_index("encounter_id").loc[encounter]
    assert stay["encounter_type"] == "inpatient"
    assert stay["admission_source"] == "ed"
    assert stay["discharge_disposition"] == "home"
    assert stay["acuity_level"] == 2  # admitted to an ICU


def test_insurance_gives_the_payer(loaded, pseudonymize) -> None:
    """IN1 with set id 1 is the primary insurance (IN1-15 plan type MA: Medicare); the
    secondary IN1 does not change it. Without IN1, PV1-20 financial class SP: self-pay."""
    _, landing = loaded
    patients = landed(landing, "patients").set_index("patient_id")["primary_payer"]
    assert patients[pseudonymize("patient", "MRN778812", "STMARY")] == "medicare"
    assert patients[pseudonymize("patient", "MRN441200", "STMARY")] == "self_pay"
    # No payers rows: the contract's payers need a base rate, which ADT does not carry.
    assert not (landing / "payers").exists() or landed(landing, "payers").empty


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("MA", "", "Acme Health"), "medicare"),  # plan type first
        (("", "MCD", ""), "medicaid"),  # then financial class
        (("", "", "Medicaid of Ohio"), "medicaid"),  # then the company name
        (("12", "", ""), "commercial"),  # X12 PPO
        (("09", "", ""), "self_pay"),
        (("WC", "", ""), "other"),
        (("", "", "Aetna"), "commercial"),
        (("", "", ""), None),
    ],
)
def test_payer_class_of_plan_type_financial_class_or_name(texts, expected) -> None:
    assert payer_class(*texts) == expected


def test_cancellations_and_merge(loaded, pseudonymize) -> None:
    _, landing = loaded
    encounters = landed(landing, "encounters").set_index("encounter_id")
    cancelled = pseudonymize("encounter", "VN900003", "STMARY")
    assert cancelled not in encounters.index  # A11 cancels the admission
    undone = encounters.loc[pseudonymize("encounter", "VN900004", "STMARY")]
    assert pd.isna(undone["discharged_at"])  # A13 cancels the discharge
    survivor = pseudonymize("patient", "MRN550031", "STMARY")
    assert undone["patient_id"] == survivor  # A40 merged MRN550032 into MRN550031
    patients = landed(landing, "patients")["patient_id"]
    assert pseudonymize("patient", "MRN550032", "STMARY") not in set(patients)
    events = landed(landing, "adt_events")
    assert set(events.query("encounter_id == @undone.name")["event_type"]) == {"A01"}


def test_emergency_registration_and_mllp_batch_file(loaded, pseudonymize) -> None:
    _, landing = loaded
    encounters = landed(landing, "encounters").set_index("encounter_id")
    ed = encounters.loc[pseudonymize("encounter", "VN900002", "STMARY")]
    assert ed["encounter_type"] == "emergency"
    assert ed["admitted_at"] == pd.Timestamp("2025-03-03 16:15")  # 22:00 +05:45
    framed = encounters.loc[pseudonymize("encounter", "VN900005", "STMARY")]
    assert framed["admitted_at"] == pd.Timestamp("2025-03-02 23:30")  # 14:00 -09:30
    assert (
        landed(landing, "units").set_index("unit_id").loc["STMARY-SDU", "unit_type"] == "stepdown"
    )


def test_oru_vitals_become_news2_sets(loaded, pseudonymize) -> None:
    _, landing = loaded
    vitals = landed(landing, "vitals").sort_values("observed_at")
    first, second = vitals.to_dict("records")
    assert first["observed_at"] == pd.Timestamp("2025-03-01 06:30")
    assert (first["respiration_rate"], first["spo2"], first["systolic_bp"], first["pulse"]) == (
        24,
        93,
        98,
        118,
    )
    assert first["on_supplemental_oxygen"] is True or first["on_supplemental_oxygen"] == 1
    assert first["consciousness"] == "A"
    assert first["temperature"] == pytest.approx(38.5)  # 101.3 degF
    assert second["pulse"] == 88  # the OBX with status W (wrong) is ignored
    assert not second["on_supplemental_oxygen"]
    assert first["unit_id"] == "STMARY-MICU"


def test_lab_results_need_loinc_codes(loaded) -> None:
    result, landing = loaded
    labs = landed(landing, "lab_results")
    assert sorted(labs["loinc_code"]) == ["2160-0", "2524-7", "6690-2"]
    assert result.records_rejected["lab_results"] == 1


def test_a_live_oru_message_becomes_vitals_rows(pseudonymize) -> None:
    from ingest import hl7v2_message as hl7
    from ingest.hl7v2 import vitals_from_message

    text = (FIXTURES / "hl7v2" / "oru_vitals_and_labs.hl7").read_text()
    first, _, labs = hl7.split_messages(text)
    rows, reason = vitals_from_message(first, pseudonymize)
    assert reason is None and len(rows) == 1
    assert rows[0]["pulse"] == 118 and rows[0]["unit_id"] == "STMARY-MICU"
    assert rows[0]["patient_id"] == pseudonymize("patient", "MRN778812", "STMARY")
    assert vitals_from_message(labs, pseudonymize) == ([], "no vital-sign OBX in the message")
    assert (
        vitals_from_message("garbage", pseudonymize)[1]
        == "message does not start with an MSH segment"
    )
