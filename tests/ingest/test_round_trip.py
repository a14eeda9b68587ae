"""Round trips: simulator -> HL7 v2 / FHIR R4 -> intake gives the direct path's tables.

Identifiers come back as keyed pseudonyms and times at the precision the format
carries (seconds), so the expected side maps ids through the same pseudonymiser and
floors times to the second. The columns compared are the ones the marts read.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ingest.export_fhir import to_ndjson
from ingest.export_hl7v2 import ISSUER, to_messages
from ingest.fhir import ingest_fhir
from ingest.hl7v2 import ingest_hl7v2
from ingest.pseudonym import Pseudonymizer
from simulator.config import NetworkConfig
from simulator.network import simulate
from tests.ingest.conftest import TEST_KEY

ENCOUNTER_COLUMNS = [
    "encounter_id",
    "patient_id",
    "hospital_id",
    "encounter_type",
    "admission_source",
    "ed_visit_id",
    "admitted_at",
    "discharged_at",
]
# HL7 v2 and FHIR carry no ESI, arrival mode or decision time; HL7 v2 no provider contact.
ED_COLUMNS = ["ed_visit_id", "patient_id", "hospital_id", "arrived_at", "departed_at"]
ADT_COLUMNS = ["encounter_id", "patient_id", "unit_id", "event_type", "event_at"]
# Lab results travel as ORU^R01 / laboratory Observations (FHIR: received = issued).
LAB_COLUMNS = [
    "encounter_id",
    "patient_id",
    "loinc_code",
    "value_numeric",
    "collected_at",
    "resulted_at",
]
VITAL_COLUMNS = [
    "encounter_id",
    "patient_id",
    "unit_id",
    "observed_at",
    "respiration_rate",
    "spo2",
    "on_supplemental_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
]


@pytest.fixture(scope="module")
def simulated() -> dict[str, pd.DataFrame]:
    return simulate(NetworkConfig(hospitals=1, days=1, start=date(2025, 1, 6), seed=5))


def expected(tables, table: str, columns: list[str], patient, encounter) -> pd.DataFrame:
    frame = tables[table][columns].copy()
    frame["patient_id"] = frame["patient_id"].map(patient)
    # An ED visit travels as an emergency encounter: its id is pseudonymised as one.
    for column in ("encounter_id", "ed_visit_id"):
        if column in frame.columns:
            frame[column] = frame[column].map(encounter, na_action="ignore")
    return normalise(frame)


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if column.endswith("_at"):
            frame[column] = pd.to_datetime(frame[column]).dt.floor("s")
        elif column == "on_supplemental_oxygen":
            frame[column] = frame[column].astype(bool)
        elif frame[column].dtype.kind in "if":
            frame[column] = frame[column].astype(float)
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def assert_same(tables, landing, patient, encounter) -> None:
    for table, columns in (
        ("encounters", ENCOUNTER_COLUMNS),
        ("adt_events", ADT_COLUMNS),
        ("vitals", VITAL_COLUMNS),
        ("ed_visits", ED_COLUMNS),
        ("lab_results", LAB_COLUMNS),
    ):
        got = pd.read_parquet(landing / table)
        if table == "encounters":  # ED visits are emergency encounters too, and ed_visits
            got = got[got["encounter_type"] != "emergency"]
        got = normalise(got[columns])
        want = expected(tables, table, columns, patient, encounter)
        pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=table)
    patients = pd.read_parquet(landing / "patients").set_index("patient_id")
    direct = tables["patients"].assign(patient_id=tables["patients"]["patient_id"].map(patient))
    direct = direct.set_index("patient_id").loc[patients.index]
    assert patients["age_years"].tolist() == direct["age_years"].tolist()
    assert patients["sex"].tolist() == direct["sex"].tolist()
    assert patients["zip3"].tolist() == direct["zip3"].tolist()
    # Charlson travels as ICD-10-CM diagnoses and comes back by Quan 2005 / Charlson 1987.
    assert patients["charlson_index"].tolist() == direct["charlson_index"].tolist()
    # ED dispositions travel with the departure: visits still in the ED carry none.
    visits = pd.read_parquet(landing / "ed_visits").set_index("ed_visit_id")
    departed = tables["ed_visits"].dropna(subset=["departed_at"])
    want = departed.set_index(departed["ed_visit_id"].map(encounter))["disposition"]
    assert visits.loc[want.index, "disposition"].tolist() == want.tolist()


def test_fhir_round_trip(simulated, tmp_path) -> None:
    pseudonymize = Pseudonymizer(TEST_KEY)
    path = tmp_path / "export.ndjson"
    path.write_text(to_ndjson(simulated))
    result = ingest_fhir(path, tmp_path / "landing", pseudonymize)
    assert result.messages_rejected == 0 and result.messages_skipped == 0
    assert_same(
        simulated,
        tmp_path / "landing",
        lambda p: pseudonymize("patient", p, "fhir"),
        lambda e: pseudonymize("encounter", e, "fhir"),
    )


@pytest.mark.integration
def test_hl7v2_round_trip(simulated, tmp_path) -> None:
    pseudonymize = Pseudonymizer(TEST_KEY)
    path = tmp_path / "export.hl7"
    messages = to_messages(simulated)
    path.write_text("\r".join(messages))
    result = ingest_hl7v2(path, tmp_path / "landing", pseudonymize)
    assert (result.messages_in, result.messages_rejected) == (len(messages), 0)
    assert_same(
        simulated,
        tmp_path / "landing",
        lambda p: pseudonymize("patient", p, ISSUER),
        lambda e: pseudonymize("encounter", e, ISSUER),
    )
    # The payer travels as the primary insurance (IN1) and comes back as its category.
    patients = pd.read_parquet(tmp_path / "landing" / "patients").set_index("patient_id")
    direct = simulated["patients"].set_index(
        simulated["patients"]["patient_id"].map(lambda p: pseudonymize("patient", p, ISSUER))
    )
    assert (
        patients["primary_payer"].tolist() == direct.loc[patients.index, "primary_payer"].tolist()
    )
