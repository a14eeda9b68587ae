"""The columnar early-warning state, without Bytewax.

The reference is the per-record :class:`streams.news2_state.PatientState`: the batch
path must score, alert and reject exactly the same rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from clinical.alert_policy import AlertPolicy
from clinical.news2 import Band, InvalidObservation
from streams.news2_batch import PartitionState
from streams.news2_columns import batch_from_frame
from streams.news2_state import PatientState

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
NO_SUPPRESSION = AlertPolicy(suppress_window=timedelta(0))


def rec(patient: str, minutes: float, **changes) -> dict:
    return {
        "patient_id": patient,
        "encounter_id": f"E-{patient}",
        "unit_id": "U1",
        "observed_at": T0 + timedelta(minutes=minutes),
        **NORMAL,
        **changes,
    }


def batch(records: list[dict]):
    return batch_from_frame(pd.DataFrame(records))


def random_feed(seed: int, rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "patient_id": rng.choice([f"P{i}" for i in range(30)], rows),
            "encounter_id": "E",
            "unit_id": "U",
            "observed_at": pd.Timestamp("2025-01-01")
            + pd.to_timedelta(np.sort(rng.integers(0, 3600 * 24 * 20, rows)), unit="s"),
            "respiration_rate": rng.normal(18, 5, rows).round(),
            "spo2": rng.normal(95, 3, rows).round().clip(40, 100),
            "on_supplemental_oxygen": rng.random(rows) < 0.1,
            "systolic_bp": rng.normal(115, 20, rows).round(),
            "pulse": rng.normal(85, 20, rows).round(),
            "consciousness": rng.choice(list("AAAAAAAAAAAAAACVPU"), rows),
            "temperature": rng.normal(37.2, 0.8, rows).round(1),
            "spo2_scale": rng.choice([1, 1, 1, 2], rows),
        }
    )
    for column in ("respiration_rate", "temperature", "pulse"):
        frame.loc[rng.random(rows) < 0.1, column] = np.nan
    frame.loc[rng.random(rows) < 0.01, "temperature"] = 98.6  # Fahrenheit: rejected
    return frame


@pytest.mark.parametrize(("seed", "batch_rows"), [(1, 1), (2, 97), (3, 1000), (4, 5000)])
def test_batch_path_matches_the_per_record_reference(seed: int, batch_rows: int) -> None:
    frame = random_feed(seed, 3000 if batch_rows > 1 else 400)
    states: dict[str, PatientState] = {}
    expected_alerts, expected_scores, expected_rejects = [], {}, 0
    for row in frame.to_dict("records"):
        row["observed_at"] = row["observed_at"].to_pydatetime()
        try:
            scored, alert = states.setdefault(row["patient_id"], PatientState()).observe(row)
        except InvalidObservation:
            expected_rejects += 1
            continue
        expected_scores[(row["patient_id"], row["observed_at"])] = scored["news2_score"]
        if alert:
            expected_alerts.append(alert["alert_id"])

    state = PartitionState(policy=NO_SUPPRESSION)
    alerts, scores, rejects = [], {}, 0
    for start in range(0, len(frame), batch_rows):
        out = state.process(batch_from_frame(frame.iloc[start : start + batch_rows]))
        alerts += [a["alert_id"] for a in out.alerts if a["alert_type"] == "news2"]
        rejects += len(out.dead_letters)
        table = out.scores.to_pydict() if out.scores is not None else {"patient_id": []}
        for i, patient in enumerate(table["patient_id"]):
            scores[(patient, table["observed_at"][i].to_pydatetime())] = table["news2_score"][i]
    assert sorted(alerts) == sorted(expected_alerts)
    assert scores == expected_scores
    assert rejects == expected_rejects
    assert state.counts["records_in"] == state.counts["processed"] + state.counts["dead_letters"]


def test_out_of_order_rows_inside_a_batch_are_reordered_and_counted() -> None:
    state = PartitionState()
    out = state.process(batch([rec("P1", 30, consciousness="U"), rec("P1", 0)]))
    assert out.reordered == 1 and state.counts["reordered"] == 1
    assert [a["raised_at"] for a in out.alerts] == [T0 + timedelta(minutes=30)]
    assert out.dead_letters == []


def test_row_older_than_an_earlier_batch_is_dead_lettered_as_late() -> None:
    state = PartitionState()
    state.process(batch([rec("P1", 60)]))
    out = state.process(batch([rec("P1", 30), rec("P2", 30)]))
    assert [d["reason"].split(":")[0] for d in out.dead_letters] == ["late"]
    assert out.dead_letters[0]["patient_id"] == "P1"
    assert out.scores.num_rows == 1
    assert state.counts == {
        "records_in": 3,
        "processed": 2,
        "dead_letters": 1,
        "late": 1,
        "reordered": 0,
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"temperature": 98.6}, "temperature is outside the plausible range 25.0-45.0"),
        ({"spo2": 140.0}, "spo2 is outside the plausible range 40-100"),
        ({"consciousness": "X"}, "consciousness is not one of A, C, V, P, U"),
        ({"spo2_scale": 3}, "spo2_scale must be 1 or 2"),
        ({"patient_id": None}, "malformed: patient_id or observed_at missing"),
    ],
)
def test_impossible_or_malformed_rows_are_dead_lettered_with_their_reason(change, reason) -> None:
    state = PartitionState()
    out = state.process(batch([rec("P1", 0), rec("P1", 5, **change)]))
    assert [d["reason"] for d in out.dead_letters] == [reason]
    assert out.scores.num_rows == 1


def test_sepsis_screen_raises_its_own_alert_once() -> None:
    state = PartitionState()
    out = state.process(
        batch(
            [
                rec("P1", 0),
                rec("P1", 10, respiration_rate=24.0, systolic_bp=98.0),  # qSOFA 2
                rec("P1", 20, respiration_rate=24.0, systolic_bp=98.0),
            ]
        )
    )
    assert [a["alert_type"] for a in out.alerts].count("sepsis") == 1


def test_escalation_follows_the_watermark_and_acknowledgement_stops_it() -> None:
    state = PartitionState()
    raised = state.process(batch([rec("P1", 0, respiration_rate=25, spo2=92, pulse=111)]))
    high = raised.alerts[0]
    assert high["news2_band"] == "high"
    assert state.process(batch([rec("P2", 20)])).escalations == []
    acknowledged, dead = state.acknowledge(high["alert_id"], T0 + timedelta(minutes=25))
    assert dead is None and acknowledged["acknowledged_at"] == T0 + timedelta(minutes=25)
    assert state.process(batch([rec("P2", 90)])).escalations == []

    other = PartitionState()
    other.process(batch([rec("P1", 0, respiration_rate=25, spo2=92, pulse=111)]))
    escalated = other.process(batch([rec("P2", 31)])).escalations
    assert [e["alert_id"] for e in escalated] == [high["alert_id"]]


def test_unknown_patient_is_dead_lettered_when_patients_are_known() -> None:
    state = PartitionState(known_patients=frozenset({"P1"}))
    out = state.process(batch([rec("P1", 0), rec("P9", 1), rec("P9", 2), rec("P1", 3)]))
    assert [d["reason"] for d in out.dead_letters] == ["unknown patient 'P9'"] * 2
    assert out.scores.num_rows == 2
    assert state.counts["records_in"] == state.counts["processed"] + state.counts["dead_letters"]


@pytest.mark.parametrize("batch_rows", [1, 97, 5000])
def test_vectorized_suppression_matches_the_alert_book(batch_rows: int) -> None:
    """With the 2 h window, the batch path raises exactly the band entries that an
    AlertBook, fed every entry in order, does not suppress, and counts the same."""
    from clinical.alert_policy import AlertBook

    frame = random_feed(7, 5000)
    every = PartitionState(policy=NO_SUPPRESSION)
    entries = []
    for start in range(0, len(frame), 5000):
        entries += every.process(batch_from_frame(frame.iloc[start : start + 5000])).alerts
    book = AlertBook()
    expected = []
    for entry in entries:
        band = Band[entry["news2_band"].upper().replace("-", "_")]
        raised = (
            book.consider(str(entry["patient_id"]), entry["raised_at"], band, Band.LOW)
            if entry["alert_type"] == "news2"
            else book.consider_sepsis(str(entry["patient_id"]), entry["raised_at"], band)
        )
        if raised is not None:
            expected.append(raised)

    state = PartitionState()
    alerts = []
    for start in range(0, len(frame), batch_rows):
        alerts += state.process(batch_from_frame(frame.iloc[start : start + batch_rows])).alerts
    assert sorted(a["alert_id"] for a in alerts) == sorted(expected)
    assert state.book.suppressed == book.suppressed > 20


def monitor_feed(seed: int) -> pd.DataFrame:
    """A charted set per patient, then monitor rows without ACVPU or oxygen (carried from
    the chart) for 20 h, so the carried values go stale at 12 h mid-feed; some patients
    are charted again at 10 h."""
    rng = np.random.default_rng(seed)
    patients = [f"P{i}" for i in range(12)]
    charted = [
        rec(p, minutes, consciousness=rng.choice(list("AAV")), on_supplemental_oxygen=bool(o))
        for p, o in zip(patients, rng.random(len(patients)) < 0.3, strict=True)
        for minutes in ((0, 600) if p in patients[:4] else (0,))
    ]
    monitor = [
        rec(
            p,
            minutes,
            consciousness=None,
            on_supplemental_oxygen=None,
            respiration_rate=float(rng.integers(8, 30)),
            spo2=float(rng.integers(88, 100)),
            pulse=float(rng.integers(45, 135)),
        )
        for minutes in range(1, 20 * 60, 7)
        for p in patients
    ]
    frame = pd.DataFrame(charted + monitor).sort_values("observed_at", kind="stable")
    for column in ("consciousness", "on_supplemental_oxygen"):  # not charted: None
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.reset_index(drop=True)


@pytest.mark.parametrize("batch_rows", [1, 50, 1000, 5000])
def test_values_carried_from_the_chart_go_stale_as_in_the_per_record_reference(
    batch_rows: int,
) -> None:
    frame = monitor_feed(5)
    states: dict[str, PatientState] = {}
    expected = {}
    for row in frame.to_dict("records"):
        row["observed_at"] = row["observed_at"].to_pydatetime()
        row = {k: v for k, v in row.items() if v is not None}
        scored, _ = states.setdefault(row["patient_id"], PatientState()).observe(row)
        expected[(row["patient_id"], row["observed_at"])] = scored["news2_score"]
    state = PartitionState(policy=NO_SUPPRESSION)
    scores = {}
    for start in range(0, len(frame), batch_rows):
        table = state.process(batch_from_frame(frame.iloc[start : start + batch_rows])).scores
        for patient, at, score in zip(
            *table.select(["patient_id", "observed_at", "news2_score"]).to_pydict().values(),
            strict=True,
        ):
            scores[(patient, at.to_pydatetime())] = score
    assert scores == expected
    unscored = sum(score is None for score in expected.values())
    assert 0 < unscored < len(expected)  # stale after 12 h, unless charted again


def test_a_snapshot_copy_is_independent_of_the_state_it_was_taken_from() -> None:
    """Bytewax deep-copies the state at every snapshot; the copy must evolve alone."""
    import copy
    import dataclasses

    frame = random_feed(11, 2000)
    state = PartitionState()
    state.process(batch_from_frame(frame.iloc[:1000]))
    snapshot = copy.deepcopy(state)
    for f in dataclasses.fields(PartitionState):
        value = getattr(state, f.name)
        mutable = isinstance(value, np.ndarray | dict | list) or dataclasses.is_dataclass(value)
        if mutable and not isinstance(value, AlertPolicy):  # the policy is frozen
            assert getattr(snapshot, f.name) is not value, f.name
    later = [batch_from_frame(frame.iloc[start : start + 250]) for start in range(1000, 2000, 250)]
    original_out = [state.process(b) for b in later]
    copied_out = [snapshot.process(b) for b in later]
    assert [o.alerts for o in copied_out] == [o.alerts for o in original_out]
    assert [o.escalations for o in copied_out] == [o.escalations for o in original_out]
    assert snapshot.counts == state.counts and snapshot.book.open == state.book.open
    assert sum(len(o.alerts) for o in original_out) > 0


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"temperature": 98.6},
        {"consciousness": "X"},
        {"on_supplemental_oxygen": 0.5},
        {"spo2_scale": 3},
        {"patient_id": None},
        {"pulse": np.nan},
        {"on_supplemental_oxygen": None, "consciousness": None},
    ],
)
def test_the_all_valid_shortcut_agrees_with_the_row_checks(change) -> None:
    from streams.news2_columns import _checks, invalid_reasons

    half_oxygen = change.get("on_supplemental_oxygen") == 0.5
    frame_batch = batch([rec("P1", 0), rec("P2", 1, **(change if not half_oxygen else {}))])
    if half_oxygen:  # a code no frame produces, but a broker batch might carry
        frame_batch["on_supplemental_oxygen"] = np.array([0.0, 0.5])
    any_invalid = any(check.any() for check in _checks(frame_batch))
    reasons = invalid_reasons(frame_batch)
    assert (reasons is None) == (not any_invalid)
    assert any_invalid == bool(change) or change in (
        {"pulse": np.nan},
        {"on_supplemental_oxygen": None, "consciousness": None},
    )


@pytest.mark.parametrize(
    ("oxygen", "valid"),
    [
        ([0.0, 0.5], False),
        ([0.5, 0.5], False),
        ([1.0, 1.0], True),
        ([np.nan, 1.0], True),
        ([np.nan, np.nan], True),
        ([0.0, 2.0], False),
    ],
)
def test_the_all_valid_shortcut_rejects_oxygen_codes_other_than_0_or_1(oxygen, valid) -> None:
    from streams.news2_columns import _checks, invalid_reasons

    rows = batch([rec("P1", 0), rec("P2", 1)])
    rows["on_supplemental_oxygen"] = np.array(oxygen)  # a broker batch may carry any code
    assert (invalid_reasons(rows) is None) == valid
    assert valid == (not any(check.any() for check in _checks(rows)))
