"""Live census: occupancy from ADT, capacity alerts, ED boarding alerts, bad events."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from clinical.census import HospitalCensus, InvalidEvent

T0 = datetime(2025, 1, 1, 8)


def adt(kind: str, encounter: str, unit: str | None, minutes: float) -> dict:
    return {
        "event_type": kind,
        "encounter_id": encounter,
        "unit_id": unit,
        "event_at": T0 + timedelta(minutes=minutes),
    }


def ed(kind: str, visit: str, minutes: float) -> dict:
    return {"event_type": kind, "ed_visit_id": visit, "event_at": T0 + timedelta(minutes=minutes)}


def test_admit_transfer_discharge_move_the_census() -> None:
    census = HospitalCensus({"ICU": 2, "MED": 10})
    census.apply(adt("A01", "E1", "ICU", 0))
    out = census.apply(adt("A02", "E1", "MED", 10))
    assert [(row["unit_id"], row["census"]) for _, row in out if _ == "occupancy"] == [
        ("ICU", 0),
        ("MED", 1),
    ]
    census.apply(adt("A03", "E1", None, 20))
    assert census.census == {"ICU": 0, "MED": 0}


def test_capacity_alert_once_when_crossing_and_rearmed_below() -> None:
    census = HospitalCensus({"ICU": 2}, occupancy_threshold=0.95)
    assert census.apply(adt("A01", "E1", "ICU", 0))[-1][0] == "occupancy"
    alerts = [k for k, _ in census.apply(adt("A01", "E2", "ICU", 1))]
    assert alerts.count("capacity_alerts") == 1
    census.apply(adt("A03", "E2", None, 2))
    again = [k for k, _ in census.apply(adt("A01", "E3", "ICU", 3))]
    assert again.count("capacity_alerts") == 1


def test_boarding_alert_after_four_hours_unless_departed() -> None:
    census = HospitalCensus({"MED": 10})
    census.apply(ed("ED_ADMIT_DECISION", "V1", 0))
    census.apply(ed("ED_ADMIT_DECISION", "V2", 0))
    census.apply(ed("ED_DEPARTURE", "V2", 200))
    assert census.apply(adt("A01", "E1", "MED", 240)) == [
        ("occupancy", census._occupancy("MED", T0 + timedelta(minutes=240)))
    ]
    out = census.apply(adt("A01", "E2", "MED", 241))
    boarders = [row for kind, row in out if kind == "boarding_alerts"]
    assert [b["ed_visit_id"] for b in boarders] == ["V1"]
    assert boarders[0]["alerted_at"] == T0 + timedelta(hours=4)
    assert not [k for k, _ in census.apply(adt("A01", "E3", "MED", 500)) if k == "boarding_alerts"]


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (adt("A01", "E1", "NOWHERE", 0), "unknown unit"),
        (adt("A03", "E9", None, 0), "not in the hospital"),
        ({"event_type": "ZZZ", "event_at": T0}, "malformed"),
    ],
)
def test_bad_events_raise_and_leave_the_state_unchanged(event, reason) -> None:
    census = HospitalCensus({"MED": 10})
    census.apply(adt("A01", "E1", "MED", 0))
    with pytest.raises(InvalidEvent, match=reason):
        census.apply(event)
    assert census.census == {"MED": 1} and census.location == {"E1": "MED"}


def test_late_event_is_rejected() -> None:
    census = HospitalCensus({"MED": 10})
    census.apply(adt("A01", "E1", "MED", 10))
    with pytest.raises(InvalidEvent, match="late"):
        census.apply(adt("A01", "E2", "MED", 5))
