"""Alert policy: raise on entering a higher band, suppression, acknowledgement, escalation."""

from __future__ import annotations

from datetime import datetime, timedelta

from clinical.alert_policy import AlertBook, AlertPolicy, alert_id
from clinical.news2 import Band

T0 = datetime(2025, 1, 1, 8, 0)


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


def test_raises_only_when_entering_a_higher_band_at_or_above_the_minimum() -> None:
    book = AlertBook()
    assert book.consider("P1", T0, Band.LOW, Band.LOW) is None
    assert book.consider("P1", T0, Band.MEDIUM, Band.HIGH) is None  # a fall, not a rise
    assert book.consider("P1", T0, Band.MEDIUM, Band.LOW) == alert_id("P1", T0, Band.MEDIUM)


def test_repeat_of_a_band_within_the_window_is_suppressed_and_counted() -> None:
    book = AlertBook(AlertPolicy(suppress_window=timedelta(hours=2)))
    assert book.consider("P1", minutes(0), Band.HIGH, Band.LOW) is not None
    assert book.consider("P1", minutes(60), Band.HIGH, Band.LOW) is None
    assert book.suppressed == 1
    assert book.consider("P2", minutes(60), Band.HIGH, Band.LOW) is not None  # other patient
    assert book.consider("P1", minutes(60), Band.MEDIUM, Band.LOW) is not None  # other band
    assert book.consider("P1", minutes(121), Band.HIGH, Band.LOW) is not None  # window over


def test_unacknowledged_high_alert_escalates_once_after_30_minutes() -> None:
    book = AlertBook()
    raised = book.consider("P1", T0, Band.HIGH, Band.LOW)
    assert book.escalations(minutes(30)) == []
    due = book.escalations(minutes(31))
    assert [e["alert_id"] for e in due] == [raised]
    assert due[0]["escalated_at"] == minutes(30)
    assert due[0]["reason"] == "not acknowledged within 30 min"
    assert book.escalations(minutes(120)) == []


def test_medium_deadline_is_60_minutes_and_low_medium_never_escalates() -> None:
    book = AlertBook()
    book.consider("P1", T0, Band.MEDIUM, Band.LOW)
    book.consider("P2", T0, Band.LOW_MEDIUM, Band.LOW)
    assert book.escalations(minutes(59)) == []
    assert [e["patient_id"] for e in book.escalations(minutes(61))] == ["P1"]
    assert book.escalations(minutes(600)) == []


def test_acknowledgement_in_time_prevents_escalation_but_a_late_one_does_not() -> None:
    book = AlertBook()
    on_time = book.consider("P1", T0, Band.HIGH, Band.LOW)
    late = book.consider("P2", T0, Band.HIGH, Band.LOW)
    acknowledged = book.acknowledge(on_time, minutes(10))
    assert acknowledged == {
        "alert_id": on_time,
        "alert_type": "news2",
        "patient_id": "P1",
        "news2_band": "high",
        "raised_at": T0,
        "acknowledged_at": minutes(10),
    }
    # Late: the alert escalates at its deadline and the acknowledgement is still recorded.
    assert book.acknowledge(late, minutes(45))["acknowledged_at"] == minutes(45)
    assert [e["alert_id"] for e in book.escalations(minutes(60))] == [late]
    assert book.escalations(minutes(90)) == []


def test_acknowledgement_of_an_unknown_or_closed_alert_matches_nothing() -> None:
    book = AlertBook(AlertPolicy(late_ack_window=timedelta(hours=1)))
    raised = book.consider("P1", T0, Band.MEDIUM, Band.LOW)
    low_medium = book.consider("P2", T0, Band.LOW_MEDIUM, Band.LOW)  # no deadline: not held
    assert book.acknowledge("unknown", minutes(5)) is None
    assert book.acknowledge(low_medium, minutes(5)) is None
    assert book.acknowledge(raised, minutes(5)) is not None
    assert book.acknowledge(raised, minutes(6)) is None  # already acknowledged
    expired = book.consider("P3", T0, Band.HIGH, Band.LOW)
    assert len(book.escalations(minutes(31))) == 1
    assert book.acknowledge(expired, minutes(30 + 61)) is None  # past the late window


def test_sepsis_alerts_have_their_own_ids_and_suppression() -> None:
    book = AlertBook()
    news2 = book.consider("P1", T0, Band.HIGH, Band.LOW)
    sepsis = book.consider_sepsis("P1", T0, Band.HIGH)
    assert sepsis is not None and sepsis != news2
    assert book.consider_sepsis("P1", minutes(30), Band.HIGH) is None


def test_vectorized_suppression_raises_what_the_book_raises() -> None:
    """unsuppressed() over many entries at once (several raises per key) agrees with an
    AlertBook fed the same entries one by one in time order."""
    import numpy as np

    from clinical.alert_policy import unsuppressed

    rng = np.random.default_rng(3)
    keys = rng.integers(0, 6, 400)
    at_minutes = rng.integers(0, 24 * 60, 400)
    order = np.lexsort((np.arange(400), at_minutes, keys))
    book = AlertBook(AlertPolicy(suppress_window=timedelta(hours=2)))
    book.last_raised[("K0", "news2:high")] = minutes(-30)  # raised before these entries
    expected = np.zeros(400, dtype=bool)
    for i in order:
        expected[i] = (
            book.consider(f"K{keys[i]}", minutes(int(at_minutes[i])), Band.HIGH, Band.LOW)
            is not None
        )
    never = -(2**62)
    last = np.full(6, never, dtype=np.int64)
    last[0] = -30 * 60 * 10**9
    raised = unsuppressed(keys, at_minutes * 60 * 10**9, last, 2 * 3600 * 10**9)
    assert (raised == expected).all()
    assert raised.sum() > 6 * 5  # several rounds: more than one raise per key
    assert book.suppressed == 400 - raised.sum()
    for key in range(6):
        assert last[key] == max(at_minutes[keys == key][raised[keys == key]]) * 60 * 10**9
