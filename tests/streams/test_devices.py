"""The bedside-monitor adapter: long device readings to per-monitor NEWS2 batches."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.devices import StreamConfig, device_stream
from streams.devices import MONITOR_PARAMETERS, batch_from_device_table, charted_baseline
from streams.news2_batch import PartitionState


def test_reshape_keeps_every_value_and_groups_by_monitor() -> None:
    table = device_stream(StreamConfig(beds=7, minutes=3, interval_seconds=10))
    batch = batch_from_device_table(table)
    assert len(batch["observed_at"]) == table.num_rows // 5
    assert (np.diff(batch["patient_id"]) >= 0).all()  # per-monitor runs
    frame = table.to_pandas()
    first = frame[frame["device_id"] == "MON000003"].iloc[:5]
    row = np.flatnonzero(batch["patient_id"] == 2)[0]
    for name in MONITOR_PARAMETERS:
        expected = first.loc[first["parameter"] == name, "value"].iloc[0]
        assert batch[name][row] == pytest.approx(expected)


def test_monitor_sets_score_only_with_charted_consciousness_and_oxygen() -> None:
    table = device_stream(StreamConfig(beds=4, minutes=2, interval_seconds=30))
    batch = batch_from_device_table(table)
    alone = PartitionState().process(batch)
    assert alone.scores["news2_score"].null_count == alone.scores.num_rows
    state = PartitionState()
    state.process(charted_baseline(np.arange(4), int(batch["observed_at"].min()) - 1))
    charted = state.process(batch)
    assert charted.scores["news2_score"].null_count == 0


def test_incomplete_sets_are_refused() -> None:
    table = device_stream(StreamConfig(beds=2, minutes=1, interval_seconds=60))
    with pytest.raises(ValueError, match="complete sets"):
        batch_from_device_table(table.slice(0, table.num_rows - 1))
