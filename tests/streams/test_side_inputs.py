"""Lactate results and acknowledgements riding on the vitals batches (without Bytewax)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from streams.news2_batch import PartitionState
from streams.news2_columns import batch_from_frame
from streams.side_inputs import bedside_alerts, lactate_records, merge_records
from tests.streams.test_news2_batch import T0, batch, random_feed, rec


def lab(patient: str, minutes: float, value: float, unit: str = "mmol/L") -> dict:
    return {
        "patient_id": patient,
        "resulted_at": T0 + timedelta(minutes=minutes),
        "lactate_mmol_l": value,
        "unit": unit,
    }


def ack(alert_id: str, patient: str, minutes: float) -> dict:
    return {
        "alert_id": alert_id,
        "patient_id": patient,
        "acknowledged_at": T0 + timedelta(minutes=minutes),
    }


def with_records(rows: list[dict], records: list[dict]) -> dict:
    return {**batch(rows), "_records": records}


QSOFA_ONE = dict(respiration_rate=23.0)  # qSOFA 1: tachypnoea only (NEWS2 2: low)


def sepsis_alerts(out) -> list[dict]:
    return [a for a in out.alerts if a["alert_type"] == "sepsis"]


def test_lactate_at_or_above_2_with_qsofa_1_raises_a_sepsis_alert() -> None:
    state = PartitionState()
    out = state.process(
        with_records([rec("P1", 0, **QSOFA_ONE), rec("P1", 30, **QSOFA_ONE)], [lab("P1", 10, 2.4)])
    )
    # The reading before the result is not screened with it; the one after is.
    assert [a["raised_at"] for a in sepsis_alerts(out)] == [T0 + timedelta(minutes=30)]
    assert out.lactate_results == [
        {"patient_id": "P1", "resulted_at": T0 + timedelta(minutes=10), "lactate_mmol_l": 2.4}
    ]


@pytest.mark.parametrize(
    ("value", "minutes_after"),
    [(1.9, 20), (2.4, 6 * 60 + 1)],  # below the threshold; older than the 6 h window
    ids=["low lactate", "stale lactate"],
)
def test_low_or_stale_lactate_does_not_raise(value: float, minutes_after: int) -> None:
    state = PartitionState()
    state.process(with_records([rec("P1", 0)], [lab("P1", 0, value)]))
    out = state.process(batch([rec("P1", minutes_after, **QSOFA_ONE)]))
    assert sepsis_alerts(out) == []


def test_bad_lactates_are_dead_lettered_with_their_reason() -> None:
    state = PartitionState(known_patients=frozenset({"P1"}))
    out = state.process(
        with_records(
            [rec("P1", 0)],
            [lab("P1", 0, 18.0, "mg/dL"), lab("P1", 0, 45.0), lab("P9", 0, 3.0)],
        )
    )
    assert [d["reason"] for d in out.dead_letters] == [
        "lactate unit 'mg/dL' is not mmol/L",
        "lactate is outside the plausible range 0-30",
        "unknown patient 'P9'",
    ]
    assert state.counts["records_in"] == state.counts["processed"] + state.counts["dead_letters"]


def test_acknowledgement_in_the_same_batch_as_its_alert_closes_it_in_time() -> None:
    high = dict(respiration_rate=25.0, spo2=92.0, pulse=111.0)
    probe = PartitionState().process(batch([rec("P1", 0, **high)]))
    alert_id = probe.alerts[0]["alert_id"]
    # One batch spans the alert, the acknowledgement (10 min) and a reading 2 h later.
    state = PartitionState()
    out = state.process(
        with_records(
            [rec("P1", 0, **high), rec("P2", 120)],
            [ack(alert_id, "P1", 10), ack("no-such-alert", "P2", 11)],
        )
    )
    assert out.escalations == []
    assert [a["alert_id"] for a in out.acknowledgements] == [alert_id]
    assert [d["reason"] for d in out.dead_letters] == [
        "acknowledgement of unknown or closed alert 'no-such-alert'"
    ]
    assert state.counts["records_in"] == 4 == state.counts["processed"] + 1


def test_late_acknowledgement_lands_after_the_escalation() -> None:
    high = dict(respiration_rate=25.0, spo2=92.0, pulse=111.0)
    state = PartitionState()
    alert_id = state.process(batch([rec("P1", 0, **high)])).alerts[0]["alert_id"]
    out = state.process(with_records([rec("P2", 50)], [ack(alert_id, "P1", 45)]))
    assert [e["alert_id"] for e in out.escalations] == [alert_id]
    assert out.acknowledgements[0]["acknowledged_at"] == T0 + timedelta(minutes=45)


@pytest.mark.parametrize("batch_rows", [1, 50, 3000])
def test_side_records_give_the_same_results_whatever_the_batch_size(batch_rows: int) -> None:
    frame = random_feed(5, 3000)
    rng = np.random.default_rng(5)
    times = np.sort(rng.integers(0, 3600 * 24 * 20, 200))
    labs = [
        {
            "patient_id": f"P{rng.integers(30)}",
            "resulted_at": (
                pd.Timestamp("2025-01-01") + pd.Timedelta(seconds=int(s))
            ).to_pydatetime(),
            "lactate_mmol_l": float(rng.choice([1.0, 2.5, 4.0])),
            "unit": "mmol/L",
        }
        for s in times
    ]
    reference = bedside_alerts(_replay(frame, labs, 3000), PartitionState())
    acks = [
        {"alert_id": a, "patient_id": p, "acknowledged_at": (r + pd.Timedelta(minutes=20))}
        for a, p, r in zip(
            reference["alert_id"], reference["patient_id"], reference["raised_at"], strict=True
        )
    ]
    records = merge_records(
        labs, [{**a, "acknowledged_at": a["acknowledged_at"].to_pydatetime()} for a in acks]
    )
    state = PartitionState()
    outs = [state.process(item) for item in _replay(frame, records, batch_rows)]
    acknowledged = [a["alert_id"] for out in outs for a in out.acknowledgements]
    escalated = [e["alert_id"] for out in outs for e in out.escalations]
    sepsis = [a["alert_id"] for out in outs for a in out.alerts if a["alert_type"] == "sepsis"]
    assert sorted(sepsis) == sorted(reference[reference["alert_type"] == "sepsis"]["alert_id"])
    assert len(sepsis) > 0
    # Every alert with a deadline (medium, high, sepsis) is acknowledged in time, none escalates.
    assert escalated == []
    assert len(acknowledged) > 20
    assert state.counts["records_in"] == state.counts["processed"] + state.counts["dead_letters"]


def _replay(frame: pd.DataFrame, records: list[dict], batch_rows: int):
    """Batches of ``batch_rows`` carrying the records due by their latest reading."""
    at = [r.get("acknowledged_at", r.get("resulted_at")) for r in records]
    used = 0
    for start in range(0, len(frame), batch_rows):
        item = batch_from_frame(frame.iloc[start : start + batch_rows])
        until = frame["observed_at"].iloc[min(start + batch_rows, len(frame)) - 1]
        due = used
        while due < len(records) and pd.Timestamp(at[due]) <= until:
            due += 1
        yield {**item, "_records": records[used:due]}
        used = due


def test_lactate_records_keep_only_resulted_lactates() -> None:
    labs = pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P2"],
            "loinc_code": ["2524-7", "2160-0", "2524-7"],
            "value_numeric": [2.5, 90.0, 1.1],
            "unit_of_measure": ["mmol/L", "umol/L", "mmol/L"],
            "resulted_at": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 09:00", None]),
        }
    )
    assert lactate_records(labs) == [
        {
            "patient_id": "P1",
            "resulted_at": pd.Timestamp("2025-01-01 10:00").to_pydatetime(),
            "lactate_mmol_l": 2.5,
            "unit": "mmol/L",
        }
    ]
