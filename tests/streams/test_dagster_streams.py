"""The streams asset family: stream outputs as assets, health checks, the landing sensor."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd

from assets.resources import LandingZoneResource, WarehouseResource
from assets.streams.assets import stream_assets
from assets.streams.checks import news2_dead_letter_rate_check, news2_stream_lag_check
from assets.streams.sensors import landed_signature, news2_stream_sensor
from streams.runner import run_news2
from tests.streams.test_news2_batch import random_feed


def landed(tmp_path: Path, rows: int = 1500) -> Path:
    landing = tmp_path / "landing"
    frame = random_feed(31, rows)
    (landing / "vitals" / "day=2025-01-01").mkdir(parents=True)
    frame.to_parquet(landing / "vitals" / "day=2025-01-01" / "part-0.parquet", index=False)
    run_news2(landing / "vitals", landing / "streams")
    return landing


def test_stream_outputs_load_including_an_empty_one(tmp_path: Path) -> None:
    landing = landed(tmp_path)
    warehouse = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        stream_assets,
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "landing": LandingZoneResource(path=str(landing)),
        },
    )
    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        dead = connection.execute("select count(*) from raw.news2_dead_letters").fetchone()[0]
        escalations = connection.execute("select * from raw.news2_escalations").df()
    landed_dead = pd.read_parquet(landing / "streams" / "news2" / "dead_letters")
    assert dead == len(landed_dead) > 0
    assert "escalated_at" in escalations.columns


def test_dead_letter_rate_check_fails_above_one_percent(tmp_path: Path) -> None:
    landing = landed(tmp_path)  # the random feed rejects about 1 % Fahrenheit readings
    dead = pd.read_parquet(landing / "streams" / "news2" / "dead_letters")
    result = news2_dead_letter_rate_check(landing=LandingZoneResource(path=str(landing)))
    rate = result.metadata["dead_letter_rate"].value
    assert rate == len(dead) / 1500
    assert result.passed == (rate <= 0.01)


def test_lag_check_passes_when_scores_are_current(tmp_path: Path) -> None:
    landing = landed(tmp_path)
    result = news2_stream_lag_check(landing=LandingZoneResource(path=str(landing)))
    assert result.passed and result.metadata["lag_minutes"].value == 0


def test_lag_check_fails_without_scores(tmp_path: Path) -> None:
    (tmp_path / "vitals").mkdir()
    result = news2_stream_lag_check(landing=LandingZoneResource(path=str(tmp_path)))
    assert not result.passed


def test_sensor_requests_a_run_once_per_new_landing(tmp_path: Path) -> None:
    landing = LandingZoneResource(path=str(tmp_path / "landing"))
    empty = news2_stream_sensor(dg.build_sensor_context(), landing=landing)
    assert isinstance(empty, dg.SkipReason)
    landed(tmp_path)
    first = news2_stream_sensor(dg.build_sensor_context(), landing=landing)
    assert isinstance(first, dg.RunRequest)
    cursor = json.dumps(landed_signature(tmp_path / "landing"))
    again = news2_stream_sensor(dg.build_sensor_context(cursor=cursor), landing=landing)
    assert isinstance(again, dg.SkipReason)
    stale = json.dumps({"files": 1, "newest_ns": 0})
    later = news2_stream_sensor(dg.build_sensor_context(cursor=stale), landing=landing)
    assert isinstance(later, dg.RunRequest) and later.run_key != "news2-0-1"


def test_ops_outputs_load_as_assets_and_empty_before_the_flow_ran(tmp_path: Path) -> None:
    from streams.runner import run_ops

    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse.duckdb"
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse)),
        "landing": LandingZoneResource(path=str(landing)),
    }
    ops = [a for a in stream_assets if a.key.path[1].startswith("ops_")]
    assert sorted(a.key.path[1] for a in ops) == ["ops_anomaly_scores", "ops_incidents"]
    landing.mkdir()
    assert dg.materialize(ops, resources=resources).success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        empty = connection.execute("select * from raw.ops_incidents").df()
    assert empty.empty and "severity" in empty.columns

    stamps = pd.date_range("2025-01-01", periods=24 * 14, freq="h")
    lag = np.full(len(stamps), 30.0)
    lag[-6:] = 900.0  # the interface falls behind for six hours: one incident
    metrics = pd.DataFrame(
        {
            "interval_start_at": stamps,
            "hospital_id": "H1",
            "interface_name": "ADT",
            "mean_lag_seconds": lag,
            "queue_depth": 10.0,
            "messages_processed": 100.0,
            "error_count": 0.0,
        }
    )
    heartbeats = pd.DataFrame(
        {
            "hour_start_at": pd.Series(dtype="datetime64[us]"),
            "device_id": pd.Series(dtype=str),
            "heartbeats_received": pd.Series(dtype=float),
            "heartbeats_expected": pd.Series(dtype=float),
            "error_count": pd.Series(dtype=float),
        }
    )
    for name, frame in (("interface_metrics", metrics), ("device_heartbeats", heartbeats)):
        (landing / name).mkdir()
        frame.to_parquet(landing / name / "part-0.parquet", index=False)
    result = run_ops(landing, landing / "streams")
    assert dg.materialize(ops, resources=resources).success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        scores = connection.execute("select count(*) from raw.ops_anomaly_scores").fetchone()[0]
        incidents = connection.execute("select * from raw.ops_incidents").df()
    assert scores == result.counts["anomaly_scores"] == result.records_in
    assert len(incidents) == result.counts["incidents"] >= 1
    assert (incidents["series"].str.contains("mean_lag_seconds")).any()
