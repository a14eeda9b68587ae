"""HL7 v2 ED visits (A04/A03, A06), admission type, DG1 diagnoses and the Charlson index."""

from __future__ import annotations

import pandas as pd

from ingest.hl7v2 import ingest_hl7v2

MSH = "MSH|^~\\&|ADT|GENERAL|VIGIL|VIGIL|{at}||ADT^{trigger}|{control}|P|2.5.1"


def message(trigger: str, at: str, pid: str, pv1: list[str], *extra: str) -> str:
    fields = [""] * 46
    for item in pv1:
        index, value = item.split("=", 1)
        fields[int(index)] = value
    segments = [
        MSH.format(at=at, trigger=trigger, control=f"{trigger}{at}{pid}"),
        f"EVN|{trigger}|{at}",
        f"PID|1||{pid}^^^GENERAL^MR||||19500101|F",
        "PV1|" + "|".join(fields[1:]).rstrip("|"),
        *extra,
    ]
    return "\r".join(segments) + "\r"


MESSAGES = [
    # P1: ED visit (A04, PV1-2 E), left with disposition 09 (admitted), then admitted
    # under another visit number without PV1-14: linked to the ED visit.
    message("A04", "20250301100000+0000", "M1", ["2=E", "3=ED^^^GENERAL", "19=V1"]),
    message("A03", "20250301140000+0000", "M1", ["2=E", "3=ED^^^GENERAL", "19=V1", "36=09"]),
    message(
        "A01",
        "20250301141500+0000",
        "M1",
        ["2=I", "3=4W^^^GENERAL", "19=V2"],
        "DG1|1||I50.9^Heart failure^I10|||A|||||||||1",
        "DG1|2||C78.00^^I10",
        "DG1|3||C18.9^^I10",
    ),
    # P2: elective admission (PV1-4 C), comorbidity coded on the discharge.
    message("A01", "20250302080000+0000", "M2", ["2=I", "3=4W^^^GENERAL", "4=C", "19=V3"]),
    message(
        "A03",
        "20250304120000+0000",
        "M2",
        ["2=I", "3=4W^^^GENERAL", "4=C", "19=V3", "36=01"],
        "DG1|1||J44.9^^I10",
    ),
    # P3: ED visit turned into a stay under the same visit number (A06), no PV1-14.
    message("A04", "20250303090000+0000", "M3", ["2=E", "3=ED^^^GENERAL", "19=V4"]),
    message("A06", "20250303130000+0000", "M3", ["2=I", "3=ICU^^^GENERAL", "19=V4"]),
    # P4: ED visit that left before being seen (07).
    message("A04", "20250303100000+0000", "M4", ["2=E", "3=ED^^^GENERAL", "19=V5"]),
    message("A03", "20250303103000+0000", "M4", ["2=E", "3=ED^^^GENERAL", "19=V5", "36=07"]),
    # P5: an admission with nothing about its origin: 'other'.
    message("A01", "20250303110000+0000", "M5", ["2=I", "3=4W^^^GENERAL", "19=V6"]),
]


def test_ed_visits_admission_sources_and_charlson(tmp_path, pseudonymize) -> None:
    path = tmp_path / "adt.hl7"
    path.write_text("".join(MESSAGES))
    landing = tmp_path / "landing"
    result = ingest_hl7v2(path, landing, pseudonymize)
    assert (result.messages_in, result.messages_rejected) == (len(MESSAGES), 0)
    assert sum(result.records_rejected.values()) == 0

    def encounter(visit: str) -> str:
        return pseudonymize("encounter", visit, "GENERAL")

    stays = pd.read_parquet(landing / "encounters").set_index("encounter_id")
    visits = pd.read_parquet(landing / "ed_visits").set_index("ed_visit_id")
    assert stays.loc[encounter("V2"), "ed_visit_id"] == encounter("V1")
    assert stays.loc[encounter("V2"), "admission_source"] == "ed"
    assert visits.loc[encounter("V1"), "disposition"] == "admitted"
    assert visits.loc[encounter("V1"), "departed_at"] == pd.Timestamp("2025-03-01 14:00")
    assert visits.loc[encounter("V5"), "disposition"] == "left_without_being_seen"
    assert stays.loc[encounter("V3"), "admission_source"] == "elective"
    assert stays.loc[encounter("V6"), "admission_source"] == "other"
    # A06: the ED part is its own visit, the stay starts at the A06 and links to it.
    converted = stays.loc[encounter("V4")]
    assert converted["encounter_type"] == "inpatient"
    assert converted["admitted_at"] == pd.Timestamp("2025-03-03 13:00")
    assert converted["admission_source"] == "ed"
    ed_part = visits.loc[converted["ed_visit_id"]]
    assert ed_part["arrived_at"] == pd.Timestamp("2025-03-03 09:00")
    assert ed_part["departed_at"] == pd.Timestamp("2025-03-03 13:00")
    assert ed_part["disposition"] == "admitted"
    adt = pd.read_parquet(landing / "adt_events")
    assert adt.loc[adt["encounter_id"] == encounter("V4"), "event_type"].tolist() == ["A01"]

    diagnoses = pd.read_parquet(landing / "diagnoses")
    assert sorted(diagnoses["diagnosis_code"]) == ["C18.9", "C78.00", "I50.9", "J44.9"]
    assert set(diagnoses["code_system"]) == {"ICD-10-CM"}
    principal = diagnoses.set_index("diagnosis_code").loc["I50.9", "diagnosis_rank"]
    assert principal == 1
    patients = pd.read_parquet(landing / "patients").set_index("patient_id")
    charlson = {
        mrn: patients.loc[pseudonymize("patient", mrn, "GENERAL"), "charlson_index"]
        for mrn in ("M1", "M2", "M3")
    }
    # M1: CHF 1 + metastatic 6 (colon cancer not counted again); M2: COPD 1; M3: none coded.
    assert charlson == {"M1": 7, "M2": 1, "M3": 0}
