"""Clinical events from ADT: in-hospital deaths and unplanned ICU transfers (ingest.events).

Unit tests of each rule and its limits, the hand-written HL7 v2 fixture, and the
simulator's ground truth: its own death and unplanned ICU transfer events must come
back exactly from its ADT (rapid responses and arrests cannot).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ingest.events import clinical_events_from_adt
from ingest.hl7v2 import ingest_hl7v2
from simulator.config import NetworkConfig
from simulator.network import simulate
from tests.ingest.conftest import FIXTURES

T = pd.Timestamp
UNITS = pd.DataFrame(
    {
        "unit_id": ["H-4W", "H-SDU", "H-MICU", "H-SICU", "H-LD"],
        "unit_type": ["medsurg", "stepdown", "icu", "icu", "maternity"],
    }
)


def stay(encounter_id: str, source: str | None = None, disposition=None, end=None) -> dict:
    return {
        "encounter_id": encounter_id,
        "patient_id": "P" + encounter_id,
        "hospital_id": "H",
        "encounter_type": "inpatient",
        "admission_source": source,
        "admitted_at": T("2025-01-01 08:00"),
        "discharged_at": end,
        "discharge_disposition": disposition,
    }


def adt(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "encounter_id": e,
                "patient_id": "P" + e,
                "hospital_id": "H",
                "unit_id": u,
                "event_type": t,
                "event_at": T(at),
            }
            for e, t, u, at in rows
        ]
    )


def test_ward_or_stepdown_to_icu_is_unplanned_other_moves_are_not() -> None:
    encounters = pd.DataFrame([stay(e) for e in ("E1", "E2", "E3", "E4", "E5")])
    events = adt(
        [
            ("E1", "A01", "H-4W", "2025-01-01 08:00"),
            ("E1", "A02", "H-MICU", "2025-01-03 02:00"),  # ward -> ICU: unplanned
            ("E2", "A01", "H-SDU", "2025-01-01 08:00"),
            ("E2", "A02", "H-SICU", "2025-01-02 09:00"),  # step-down -> ICU: unplanned
            ("E3", "A01", "H-MICU", "2025-01-01 08:00"),  # straight to the ICU: no transfer
            ("E3", "A02", "H-SICU", "2025-01-02 09:00"),  # ICU -> ICU: not from a ward
            ("E4", "A01", "H-MICU", "2025-01-01 08:00"),
            ("E4", "A02", "H-4W", "2025-01-03 09:00"),  # step down: not an ICU transfer
            ("E5", "A01", "H-LD", "2025-01-01 08:00"),
            ("E5", "A02", "H-MICU", "2025-01-01 20:00"),  # maternity -> ICU: unplanned
        ]
    )
    found = clinical_events_from_adt(encounters, events, UNITS)
    assert found[["encounter_id", "event_type", "unit_id"]].values.tolist() == [
        ["E5", "unplanned_icu_transfer", "H-MICU"],
        ["E2", "unplanned_icu_transfer", "H-SICU"],
        ["E1", "unplanned_icu_transfer", "H-MICU"],
    ]
    assert found["clinical_event_id"].str.fullmatch(r"K[0-9a-f]{16}").all()


def test_planned_transfers_and_early_elective_moves_are_not_unplanned() -> None:
    encounters = pd.DataFrame([stay("E1"), stay("E2", "elective"), stay("E3", "elective")])
    events = adt(
        [
            ("E1", "A01", "H-4W", "2025-01-01 08:00"),
            ("E1", "A02", "H-MICU", "2025-01-03 02:00"),  # announced 10 h before (A15)
            ("E2", "A01", "H-4W", "2025-01-01 08:00"),
            ("E2", "A02", "H-SICU", "2025-01-01 15:00"),  # elective, 7 h in: post-op
            ("E3", "A01", "H-4W", "2025-01-01 08:00"),
            ("E3", "A02", "H-SICU", "2025-01-04 15:00"),  # elective, day 3: unplanned
        ]
    )
    planned = pd.DataFrame(
        {
            "encounter_id": ["E1", "E3"],
            # E3's marker is 2 days old: it announced an earlier move, not this one.
            "planned_at": [T("2025-01-02 16:00"), T("2025-01-02 14:00")],
        }
    )
    found = clinical_events_from_adt(encounters, events, UNITS, planned)
    assert found[["encounter_id", "event_type"]].values.tolist() == [
        ["E3", "unplanned_icu_transfer"]
    ]


def test_death_is_an_expired_discharge_in_the_last_unit() -> None:
    end = T("2025-01-05 03:00")
    encounters = pd.DataFrame(
        [stay("E1", disposition="expired", end=end), stay("E2", disposition="home", end=end)]
    )
    events = adt(
        [
            ("E1", "A01", "H-MICU", "2025-01-01 08:00"),
            ("E1", "A02", "H-4W", "2025-01-03 08:00"),
            ("E1", "A03", "H-4W", "2025-01-05 03:00"),
            ("E2", "A01", "H-4W", "2025-01-01 08:00"),
            ("E2", "A03", "H-4W", "2025-01-05 03:00"),
        ]
    )
    found = clinical_events_from_adt(encounters, events, UNITS)
    assert found[["encounter_id", "event_type", "unit_id", "event_at"]].values.tolist() == [
        ["E1", "death", "H-4W", end]
    ]


def test_hl7v2_fixture_transfer_pending_transfer_and_death(tmp_path, pseudonymize) -> None:
    path = FIXTURES / "hl7v2" / "adt_transfers_and_deaths.hl7"
    result = ingest_hl7v2(path, tmp_path / "landing", pseudonymize)
    assert (result.messages_in, result.messages_rejected) == (7, 0)
    events = pd.read_parquet(tmp_path / "landing" / "clinical_events")
    by_visit = {
        pseudonymize("encounter", visit, "STMARY"): visit
        for visit in ("VN910001", "VN910002", "VN910003")
    }
    got = sorted(
        (by_visit[e], t, str(at))
        for e, t, at in events[["encounter_id", "event_type", "event_at"]].values
    )
    # VN910002's ICU move followed a pending transfer (A15): planned, no event.
    assert got == [
        ("VN910001", "unplanned_icu_transfer", "2025-03-11 03:15:00"),
        ("VN910003", "death", "2025-03-16 22:10:00"),
    ]


def derivable(tables, encounter=lambda e: e) -> list[tuple]:
    """The simulator's recorded events ADT can state, as intake should derive them."""
    events = tables["clinical_events"]
    events = events[events["event_type"].isin(["death", "unplanned_icu_transfer"])]
    return sorted(
        (encounter(e), t, u, pd.Timestamp(at).floor("s"))
        for e, t, u, at in events[["encounter_id", "event_type", "unit_id", "event_at"]].values
    )


def test_the_rules_find_exactly_the_simulators_deaths_and_icu_transfers() -> None:
    """On the simulator's own tables (its ground truth), the ADT rules give back every
    recorded death and unplanned ICU transfer and nothing else. The message path (HL7 v2
    A02 / PV1-36, FHIR locations / dischargeDisposition) is checked on the build test's
    load (tests/ingest/test_build.py), where the export is already paid for."""
    tables = simulate(
        NetworkConfig(hospitals=1, days=30, beds_per_hospital=60, start=date(2025, 1, 6), seed=7)
    )
    want = derivable(tables)
    assert len(want) >= 10  # deaths and transfers enough to compare
    found = clinical_events_from_adt(tables["encounters"], tables["adt_events"], tables["units"])
    got = sorted(
        (e, t, u, pd.Timestamp(at).floor("s"))
        for e, t, u, at in found[["encounter_id", "event_type", "unit_id", "event_at"]].values
    )
    assert got == want
