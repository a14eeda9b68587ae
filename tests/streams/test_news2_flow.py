"""The NEWS2 dataflow end to end through Bytewax: accounting, routing, workers, sink."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest
from bytewax.testing import TestingSource, cluster_main, run_main

from streams.connectors import ParquetSink
from streams.news2_columns import batch_from_frame
from streams.news2_flow import News2FlowConfig, build_flow
from tests.streams.test_news2_batch import random_feed

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


def rec(patient, minutes: int, **changes):
    return {
        "patient_id": patient,
        "encounter_id": f"E-{patient}",
        "unit_id": "U1",
        "observed_at": T0 + timedelta(minutes=minutes),
        **NORMAL,
        **changes,
    }


def batches(records: list[dict], rows: int) -> list:
    frame = pd.DataFrame(records)
    return [batch_from_frame(frame.iloc[i : i + rows]) for i in range(0, len(frame), rows)]


def read(out: Path, kind: str) -> pd.DataFrame:
    files = sorted((out / kind).glob("*.parquet"))
    return ds.dataset(files).to_table().to_pandas() if files else pd.DataFrame()


def run(
    items, out: Path, workers: int = 1, writers: int = 1, config: dict | None = None
) -> dict[str, pd.DataFrame]:
    sink = ParquetSink(out, writers=writers)
    flow = build_flow(TestingSource(items), sink, News2FlowConfig(**(config or {})))
    if workers == 1:
        run_main(flow)
    else:
        cluster_main(flow, [], 0, worker_count_per_proc=workers)
    kinds = ("scores", "alerts", "sepsis_alerts", "escalations", "dead_letters")
    return {kind: read(out, kind) for kind in kinds}


def test_every_record_is_scored_or_dead_lettered(tmp_path: Path) -> None:
    records = [
        rec("P1", 0),
        rec("P1", 60, respiration_rate=25, spo2=92, pulse=111),  # high -> alert
        rec("P2", 5, temperature=98.6),  # Fahrenheit -> dead letter
        rec("P2", 10),
        rec("P1", 30),  # older than P1's latest (earlier batch) -> late
        rec(None, 0),  # no patient id -> malformed
    ]
    out = run(batches(records, 2), tmp_path)
    scores, dead = out["scores"], out["dead_letters"]
    assert len(scores) + len(dead) == len(records)
    assert len(scores) == 3
    assert sorted(d.split(":")[0] for d in dead["reason"]) == [
        "late",
        "malformed",
        "temperature is outside the plausible range 25.0-45.0",
    ]
    assert out["alerts"]["patient_id"].tolist() == ["P1"]
    assert out["alerts"]["news2_band"].tolist() == ["high"]


def test_acknowledged_alert_is_not_escalated_and_an_ignored_one_is(tmp_path: Path) -> None:
    first = batches([rec("P1", 0, consciousness="U", respiration_rate=25, pulse=131)], 10)
    first += batches([rec("P2", 0, consciousness="U", respiration_rate=25, pulse=131)], 10)
    probe = run(first, tmp_path / "probe")
    ids = dict(zip(probe["alerts"]["patient_id"], probe["alerts"]["alert_id"], strict=True))
    ack = {"alert_id": ids["P1"], "patient_id": "P1", "acknowledged_at": T0 + timedelta(minutes=5)}
    later = batches([rec("P1", 45), rec("P2", 45)], 10)
    out = run([*first, ack, *later], tmp_path / "run", config={"partitions": 1})
    assert out["escalations"]["alert_id"].tolist() == [ids["P2"]]
    assert out["escalations"]["reason"].tolist() == ["not acknowledged within 30 min"]


@pytest.mark.parametrize(("workers", "colocated"), [(2, False), (4, False), (2, True)])
def test_results_are_identical_with_more_workers(
    tmp_path: Path, workers: int, colocated: bool
) -> None:
    """Also with state keys and sink writers placed per worker (config.workers)."""
    frame = random_feed(11, 3000)
    items = [batch_from_frame(frame.iloc[i : i + 250]) for i in range(0, len(frame), 250)]
    one = run(items, tmp_path / "one")
    placement = {"workers": workers} if colocated else {}
    many = run(
        items, tmp_path / "many", workers, writers=workers if colocated else 1, config=placement
    )
    for kind in ("scores", "alerts", "sepsis_alerts", "escalations", "dead_letters"):
        columns = [c for c in one[kind].columns if c != "emitted_ns"]
        order = sorted(columns)
        left = one[kind][columns].sort_values(order).reset_index(drop=True)
        right = many[kind][columns].sort_values(order).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right)
    assert len(one["scores"]) + len(one["dead_letters"]) == len(frame)
    assert len(one["alerts"]) > 10
