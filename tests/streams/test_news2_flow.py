"""The NEWS2 dataflow with Bytewax's testing connectors: accounting and routing."""

from __future__ import annotations

from datetime import datetime, timedelta

from bytewax.testing import TestingSink, TestingSource, run_main

from streams.news2_flow import build_flow

T0 = datetime(2025, 1, 1, 8, 0)
NORMAL = dict(
    respiration_rate=16.0,
    spo2=97.0,
    on_supplemental_oxygen=False,
    systolic_bp=120.0,
    pulse=70.0,
    consciousness="A",
    temperature=37.0,
    spo2_scale=1,
)


def rec(patient: str, minutes: int, **changes):
    return {
        "patient_id": patient,
        "encounter_id": f"E-{patient}",
        "unit_id": "U1",
        "observed_at": T0 + timedelta(minutes=minutes),
        **NORMAL,
        **changes,
    }


def run(records):
    out: list = []
    run_main(build_flow(TestingSource(records), TestingSink(out)))
    by_kind: dict[str, list] = {}
    for kind, row in out:
        by_kind.setdefault(kind, []).append(row)
    return by_kind


def test_every_record_is_scored_or_dead_lettered() -> None:
    records = [
        rec("P1", 0),
        rec("P1", 60, respiration_rate=25, spo2=92, pulse=111),  # high -> alert
        rec("P2", 5, temperature=98.6),  # Fahrenheit -> dead letter
        rec("P2", 10),
        rec("P1", 30),  # older than P1's latest -> late, dead letter
        {"encounter_id": "E9", "observed_at": T0},  # no patient id -> malformed
    ]
    out = run(records)
    scores, dead = out.get("scores", []), out.get("dead_letters", [])
    assert len(scores) + len(dead) == len(records)
    assert len(scores) == 3
    reasons = sorted(d["reason"].split(":")[0] for d in dead)
    assert reasons == [
        "late",
        "malformed",
        "temperature=98.6 is outside the plausible range 25.0-45.0",
    ]
    assert [a["patient_id"] for a in out.get("alerts", [])] == ["P1"]
    assert out["alerts"][0]["news2_band"] == "high"


def test_state_is_per_patient() -> None:
    out = run([rec("P1", 0, consciousness="U"), rec("P2", 1, consciousness="U")])
    assert sorted(a["patient_id"] for a in out["alerts"]) == ["P1", "P2"]
