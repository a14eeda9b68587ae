"""The bedside-monitor device stream: shape, order, determinism, drift."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from simulator.devices import PARAMETERS, StreamConfig, device_models, device_stream, reading_count


def test_one_reading_per_parameter_per_interval_in_time_order() -> None:
    config = StreamConfig(beds=7, minutes=30, interval_seconds=10)
    table = device_stream(config)
    assert table.num_rows == reading_count(config) == 7 * 180 * len(PARAMETERS)
    times = table["observed_at"].to_numpy()
    assert np.all(np.diff(times.astype(np.int64)) >= 0)
    frame = table.to_pandas()
    per_key = frame.groupby(["observed_at", "device_id", "parameter"], observed=True).size()
    assert (per_key == 1).all()
    spo2 = frame[frame["parameter"] == "spo2"]["value"]
    assert spo2.between(50, 100).all() and 90 < spo2.median() < 100


def test_same_seed_same_stream_other_seed_differs() -> None:
    config = StreamConfig(beds=3, minutes=20)
    assert device_stream(config).equals(device_stream(config))
    other = StreamConfig(beds=3, minutes=20, seed=8)
    assert not device_stream(config).equals(device_stream(other))


def test_device_drift_raises_spo2_of_vm200_only() -> None:
    start = datetime(2025, 1, 1)
    plain = device_stream(StreamConfig(beds=40, minutes=120, start=start)).to_pandas()
    drifted = device_stream(
        StreamConfig(beds=40, minutes=120, start=start, drift_from=datetime(2025, 1, 1, 1))
    ).to_pandas()
    models = dict(zip([f"MON{b + 1:06d}" for b in range(40)], device_models(40), strict=True))

    def mean_spo2(frame, model: str, late: bool):
        rows = frame[(frame["parameter"] == "spo2") & (frame["device_id"].map(models) == model)]
        rows = rows[(rows["observed_at"] >= datetime(2025, 1, 1, 1)) == late]
        return rows["value"].mean()

    assert mean_spo2(drifted, "VM-200", True) - mean_spo2(plain, "VM-200", True) > 1.2
    assert mean_spo2(drifted, "VM-200", False) == mean_spo2(plain, "VM-200", False)
    assert mean_spo2(drifted, "VM-100", True) == mean_spo2(plain, "VM-100", True)


def test_invalid_stream_config_is_refused() -> None:
    with pytest.raises(ValueError, match="interval_seconds"):
        StreamConfig(interval_seconds=0)


def test_wide_stream_holds_the_same_readings() -> None:
    from simulator.devices import device_stream_wide

    config = StreamConfig(beds=5, minutes=15, interval_seconds=30)
    long = device_stream(config).to_pandas()
    wide = device_stream_wide(config).to_pandas()
    assert len(wide) == len(long) // len(PARAMETERS)
    pivot = long.pivot_table(
        index=["observed_at", "device_id"], columns="parameter", values="value", observed=True
    )
    merged = wide.set_index(["observed_at", "device_id"])[list(PARAMETERS)]
    assert np.allclose(pivot.loc[merged.index, list(PARAMETERS)].to_numpy(), merged.to_numpy())
