"""A local HTTP server on 127.0.0.1 standing in for the alert webhook; a simulated home."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from simulator.config import NetworkConfig, parse_scenarios
from tests.conftest import free_port
from vigil.instance import prepare_dagster_home
from vigil.pipeline import simulate
from vigil.settings import Settings


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


def case_mix_drift_home(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    hospitals: int,
    days: int,
    seed: int,
    drift_start: date,
    start: date,
    landing_dir: Path | None = None,
) -> Settings:
    """A fresh VIGIL_HOME (environment set for this test only, Dagster instance ready) and
    a network with ``case_mix_drift`` from ``drift_start`` simulated into ``landing_dir``
    (default: the home's landing zone)."""
    settings = Settings(home=tmp_path / "vigil")
    for key, value in settings.process_env().items():
        monkeypatch.setenv(key, value)  # restored after the test
    settings.ensure_dirs()
    prepare_dagster_home(settings)
    config = NetworkConfig(
        hospitals=hospitals,
        days=days,
        start=start,
        seed=seed,
        scenarios=parse_scenarios(f"case_mix_drift@{drift_start}", start, days),
    )
    simulate(config, landing_dir or settings.landing_dir, settings.home / "ground_truth")
    return settings
