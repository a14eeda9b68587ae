"""The live census dataflow: accounting and outputs through Bytewax."""

from __future__ import annotations

from datetime import datetime, timedelta

from bytewax.testing import TestingSink, TestingSource, run_main

from streams.census_flow import CensusFlowConfig, build_flow

T0 = datetime(2025, 1, 1, 8)


def event(kind, minutes, hospital="H1", **fields):
    return {
        "event_type": kind,
        "hospital_id": hospital,
        "event_at": T0 + timedelta(minutes=minutes),
        **fields,
    }


def test_every_event_is_applied_or_dead_lettered() -> None:
    records = [
        event("A01", 0, encounter_id="E1", unit_id="H1-ICU"),
        event("A01", 1, encounter_id="E2", unit_id="H1-ICU"),  # full: capacity alert
        event("A01", 2, encounter_id="E3", unit_id="H1-NOWHERE"),  # unknown unit
        event("A03", 3, encounter_id="E1"),
        event("A01", 1, encounter_id="E4", unit_id="H1-ICU"),  # late
        event("A01", 4, hospital=None, encounter_id="E5", unit_id="H1-ICU"),  # malformed
    ]
    out: list = []
    config = CensusFlowConfig(staffed_beds={"H1-ICU": 2})
    run_main(build_flow(TestingSource(records), TestingSink(out), config))
    kinds = [kind for kind, _ in out]
    dead = [table.to_pylist()[0]["reason"] for kind, table in out if kind == "dead_letters"]
    assert sorted(r.split(" ")[0].rstrip(":") for r in dead) == ["late", "malformed", "unknown"]
    applied = len(records) - len(dead)
    assert applied == 3 and kinds.count("occupancy") == 3
    assert kinds.count("capacity_alerts") == 1
