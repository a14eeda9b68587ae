"""The operational-anomaly dataflow and incident evaluation."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
from bytewax.testing import TestingSink, TestingSource, run_main

from streams.evaluation import evaluate_incidents
from streams.ops_batch import metric_batches, metric_frame
from streams.ops_flow import build_flow, build_point_flow, metric_points

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


def with_bad_points(frame: pd.DataFrame) -> pd.DataFrame:
    """A value that is not a number, and a late point (older than its series' latest)."""
    nan = {"series": "x/y/queue_depth", "metric": "queue_depth", "at": T0, "value": np.nan}
    late = frame.iloc[400].to_dict() | {"at": frame["at"].iloc[300]}
    rows = [frame.iloc[:5], pd.DataFrame([nan]), frame.iloc[5:401], pd.DataFrame([late])]
    rows.append(frame.iloc[401:])
    return pd.concat(rows, ignore_index=True)


def outputs(flow) -> dict[str, pd.DataFrame]:
    out: list = []
    run_main(flow(TestingSink(out)))
    by_kind: dict[str, list] = {}
    for kind, table in out:
        by_kind.setdefault(kind, []).append(table)
    return {kind: pa.concat_tables(tables).to_pandas() for kind, tables in by_kind.items()}


def test_outage_and_device_failure_open_incidents_and_nothing_else() -> None:
    interfaces, heartbeats = telemetry(24 * 12, range(150, 156), "MON2")
    frame = with_bad_points(metric_frame(interfaces, heartbeats))
    batches = metric_batches(frame, batch_rows=1000)
    found = outputs(lambda sink: build_flow(TestingSource(batches), sink))
    incidents, scores, dead = found["incidents"], found["anomaly_scores"], found["dead_letters"]
    assert len(scores) + len(dead) == len(frame)
    assert sorted(r.split(":")[0] for r in dead["reason"]) == ["late", "value is not a number"]
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


def test_batches_give_exactly_the_per_point_flows_outputs() -> None:
    """Scores, incidents (also those open at the end) and dead letters, bit for bit,
    whatever the batch size."""
    interfaces, heartbeats = telemetry(24 * 12, range(200, 209), "MON2")
    frame = with_bad_points(metric_frame(interfaces, heartbeats))
    frame = frame.iloc[: len(frame) - 20]  # an incident open at the end? the outage is not
    records = metric_points(interfaces.iloc[:0], heartbeats.iloc[:0])  # empty: the ends only
    points = frame.to_dict("records")
    for point in points:
        point["at"] = point["at"].to_pydatetime()
        point["value"] = None if pd.isna(point["value"]) else point["value"]
    ends = frame[["series", "metric"]].drop_duplicates().itertuples(index=False)
    points += records + [{"series": s, "metric": m, "is_end": True} for s, m in ends]
    expected = outputs(lambda sink: build_point_flow(TestingSource(points), sink))
    assert len(expected["incidents"]) >= 2 and len(expected["dead_letters"]) == 2

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        keys = [c for c in ("series", "at", "started_at", "reason") if c in frame]
        return frame.sort_values(keys, kind="stable").reset_index(drop=True)

    for rows in (25, 1000, len(frame)):  # a few points per series; hundreds; one batch
        got = outputs(
            lambda sink, rows=rows: build_flow(TestingSource(metric_batches(frame, rows)), sink)
        )
        assert got.keys() == expected.keys()
        for kind in expected:
            pd.testing.assert_frame_equal(ordered(got[kind]), ordered(expected[kind]))
