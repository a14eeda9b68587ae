"""The per-patient early-warning state, without Bytewax."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from clinical.news2 import Band, InvalidObservation
from streams.news2_state import PatientState, alert_id

T0 = datetime(2025, 1, 1, 8, 0)
NORMAL = dict(
    respiration_rate=16.0,
    spo2=97.0,
    on_supplemental_oxygen=False,
    systolic_bp=120.0,
    pulse=70.0,
    consciousness="A",
    temperature=37.0,
)


def record(minutes: float = 0, **changes):
    return {
        "patient_id": "P1",
        "encounter_id": "E1",
        "unit_id": "U1",
        "observed_at": T0 + timedelta(minutes=minutes),
        **NORMAL,
        **changes,
    }


def test_complete_normal_set_scores_zero_without_alert() -> None:
    row, alert = PatientState().observe(record())
    assert row["news2_score"] == 0 and row["news2_band"] == "low"
    assert alert is None


def test_missing_value_is_carried_forward_within_max_age() -> None:
    state = PatientState()
    state.observe(record())
    row, _ = state.observe(record(minutes=60, temperature=float("nan")))
    assert row["news2_score"] == 0
    assert row["missing_parameters"] is None


def test_value_older_than_max_age_is_not_used() -> None:
    state = PatientState()
    state.observe(record())
    row, _ = state.observe(record(minutes=13 * 60, temperature=None), max_age=timedelta(hours=12))
    assert row["news2_score"] is None
    assert row["missing_parameters"] == "temperature"


def test_alert_on_entering_higher_band_then_rearmed() -> None:
    state = PatientState()
    _, first = state.observe(record(0, respiration_rate=25, spo2=92, pulse=111))  # 7: high
    _, repeat = state.observe(record(30, respiration_rate=25, spo2=92, pulse=111))
    _, recovered = state.observe(record(60))
    _, again = state.observe(record(90, consciousness="V"))  # single 3: low-medium
    assert first is not None and first["news2_band"] == "high"
    assert repeat is None
    assert recovered is None
    assert again is not None and again["news2_band"] == "low-medium"


def test_alert_id_is_stable() -> None:
    _, alert = PatientState().observe(record(0, consciousness="U"))
    _, same = PatientState().observe(record(0, consciousness="U"))
    assert alert["alert_id"] == same["alert_id"]
    assert alert["alert_id"] == alert_id("P1", T0, Band.LOW_MEDIUM)
    assert alert["alert_id"] != alert_id("P2", T0, Band.LOW_MEDIUM)


def test_impossible_value_raises_and_leaves_state_unchanged() -> None:
    state = PatientState()
    state.observe(record())
    before = dict(state.latest)
    with pytest.raises(InvalidObservation, match="temperature"):
        state.observe(record(10, temperature=98.6))
    assert state.latest == before
