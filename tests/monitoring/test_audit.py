"""Audit rows are idempotent; alerts reach a webhook, and a dead webhook is reported, not raised."""

from __future__ import annotations

from datetime import datetime

import pytest

from monitoring.audit import RetrainingEvent, RunFailureAlert
from monitoring.webhook import post_json
from tests.conftest import free_port
from tests.monitoring.conftest import Receiver


def test_same_event_same_id_and_different_events_differ() -> None:
    at = datetime(2025, 3, 1)
    first = RetrainingEvent("m", "retrain_requested", at, drift_result_id="r1")
    again = RetrainingEvent("m", "retrain_requested", datetime(2025, 3, 2), drift_result_id="r1")
    other = RetrainingEvent("m", "suppressed_by_cooldown", at, drift_result_id="r1")
    assert first.retraining_event_id == again.retraining_event_id
    assert first.retraining_event_id != other.retraining_event_id


def test_unknown_event_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        RetrainingEvent("m", "retrained_maybe", datetime(2025, 3, 1))


def alert() -> RunFailureAlert:
    return RunFailureAlert(
        "run-1", "readmission_retrain_job", datetime(2025, 3, 1, 8), "boom", "http://ui/runs/run-1"
    )


def test_alert_is_posted_as_json(webhook: str) -> None:
    assert post_json(webhook, alert().payload()) is None
    assert Receiver.received[0]["job_name"] == "readmission_retrain_job"
    assert "failed" in Receiver.received[0]["text"]


def test_webhook_errors_are_returned_not_raised(webhook: str) -> None:
    Receiver.status = 500
    assert post_json(webhook, alert().payload()) == "HTTP 500"
    closed = f"http://127.0.0.1:{free_port()}/alerts"
    assert "URLError" in post_json(closed, alert().payload(), timeout_seconds=2)
