"""Audit rows are idempotent; alerts reach a webhook, and a dead webhook is reported, not raised."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from monitoring.audit import RetrainingEvent, RunFailureAlert
from monitoring.webhook import post_json
from tests.conftest import free_port


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


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers["Content-Length"])
        Receiver.received.append(json.loads(self.rfile.read(length)))
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    Receiver.received = []
    Receiver.status = 200
    server = HTTPServer(("127.0.0.1", free_port()), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alerts"
    server.shutdown()
    server.server_close()


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
