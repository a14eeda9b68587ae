"""The operational-anomaly dataflow and incident evaluation."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from bytewax.testing import TestingSink, TestingSource, run_main

from streams.evaluation import evaluate_incidents
from streams.ops_flow import build_flow, metric_points

T0 = datetime(2025, 1, 1)


def telemetry(hours: int, outage: range, failing_device: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(3)
    at = [T0 + timedelta(minutes=15 * i) for i in range(hours * 4)]
    lag = rng.gamma(4, 0.7, len(at))
    depth = rng.poisson(2, len(at)).astype(float)
    lag[outage.start * 4 : outage.stop * 4] = 3000.0
    depth[outage.start * 4 : outage.stop * 4] = 900.0
    interfaces = pd.DataFrame(
        {
            "hospital_id": "H01",
            "interface_name": "vitals",
            "interval_start_at": at,
            "mean_lag_seconds": lag,
            "queue_depth": depth,
            "messages_processed": 100.0,
        }
    )
    rows = []
    for device in ("MON1", failing_device):
        for hour in range(hours):
            broken = device == failing_device and 200 <= hour < 212
            rows.append(
                {
                    "device_id": device,
                    "hour_start_at": T0 + timedelta(hours=hour),
                    "heartbeats_expected": 60,
                    "heartbeats_received": 10 if broken else 60,
                    "error_count": 0,
                }
            )
    return interfaces, pd.DataFrame(rows)


def test_outage_and_device_failure_open_incidents_and_nothing_else() -> None:
    interfaces, heartbeats = telemetry(24 * 12, range(150, 156), "MON2")
    points = metric_points(interfaces, heartbeats)
    points.insert(
        5, {"series": "x/y/queue_depth", "metric": "queue_depth", "at": T0, "value": None}
    )
    out: list = []
    run_main(build_flow(TestingSource(points), TestingSink(out)))
    by_kind: dict[str, pd.DataFrame] = {}
    for kind, table in out:
        by_kind.setdefault(kind, []).append(table.to_pandas())
    incidents = pd.concat(by_kind["incidents"], ignore_index=True)
    scores = pd.concat(by_kind["anomaly_scores"], ignore_index=True)
    dead = pd.concat(by_kind["dead_letters"], ignore_index=True)
    assert len(scores) + len(dead) == sum(1 for p in points if not p.get("is_end"))
    assert dead["reason"].tolist() == ["value is not a number"]
    assert scores["anomaly_score"].between(0, 1).all()

    failures = pd.DataFrame(
        {
            "device_id": ["MON2"],
            "degradation_start_at": [T0 + timedelta(hours=199)],
            "restored_at": [T0 + timedelta(hours=213)],
        }
    )
    outages = pd.DataFrame(
        {"started_at": [T0 + timedelta(hours=150)], "ended_at": [T0 + timedelta(hours=156)]}
    )
    device, interface = evaluate_incidents(incidents, failures, outages)
    assert (device.recall, device.precision) == (1.0, 1.0)
    assert (interface.recall, interface.precision) == (1.0, 1.0)
