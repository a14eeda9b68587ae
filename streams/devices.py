"""Bedside-monitor readings (long format) as columnar early-warning batches.

The simulator's device stream (:func:`simulator.devices.device_stream`) has one row per
(time, monitor, parameter): ``observed_at, device_id, parameter, value``, in time order.
Monitors measure five NEWS2 parameters; consciousness (ACVPU) and supplemental oxygen
come from the chart, so a batch leaves them missing and the per-patient state carries
the charted values forward (for at most the flow's ``max_age``).

:func:`batch_from_device_table` reshapes a window of readings into one row per
(monitor, time) with per-monitor runs (the layout the state folds fastest); the monitor
index stands in for the patient id, as a bed-to-patient map from ADT would in a ward.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from streams.news2_columns import Batch

MONITOR_PARAMETERS = ("respiration_rate", "spo2", "pulse", "systolic_bp", "temperature")


def batch_from_device_table(table: pa.Table) -> Batch:
    """Wide, per-monitor batch from complete device readings in (time, monitor, parameter)
    order. Raises ValueError when the table is not a whole number of complete sets."""
    parameters = table.column("parameter").combine_chunks()
    devices = table.column("device_id").combine_chunks()
    n = table.num_rows
    width = len(MONITOR_PARAMETERS)
    if n % width or parameters.dictionary.to_pylist() != list(MONITOR_PARAMETERS):
        raise ValueError("device readings must be complete sets of the five monitor parameters")
    codes = parameters.indices.to_numpy(zero_copy_only=False)
    if not (codes.reshape(-1, width) == np.arange(width)).all():
        raise ValueError("device readings must be ordered by time, monitor, then parameter")
    device = devices.indices.to_numpy(zero_copy_only=False)[::width].astype(np.int64)
    stamps = table.column("observed_at").cast(pa.timestamp("ns")).combine_chunks()
    times = stamps.to_numpy(zero_copy_only=False).view("int64")[::width]
    values = table.column("value").combine_chunks().to_numpy(zero_copy_only=False)
    monitors = int(np.unique(device[: min(len(device), 100_000)]).size)
    steps = len(device) // monitors if monitors else 0
    wide = values.reshape(-1, width).astype(np.float64)
    if (
        monitors * steps == len(device)
        and (device.reshape(steps, monitors) == device[:monitors]).all()
    ):
        # Every step has every monitor: transpose to per-monitor runs without sorting.
        order = np.arange(len(device)).reshape(steps, monitors).T.ravel()
    else:
        order = np.lexsort((times, device))
    batch: Batch = {
        "patient_id": device[order],
        "observed_at": times[order],
        "on_supplemental_oxygen": np.full(len(order), np.nan),
        "consciousness": np.full(len(order), np.nan),
        "spo2_scale": np.ones(len(order), dtype=np.int8),
    }
    for j, name in enumerate(MONITOR_PARAMETERS):
        batch[name] = wide[order, j]
    return batch


def charted_baseline(monitors: np.ndarray, at_ns: int) -> Batch:
    """One charted set per monitor at ``at_ns``: alert (A), on air; vitals not charted."""
    n = len(monitors)
    return {
        "patient_id": np.asarray(monitors, dtype=np.int64),
        "observed_at": np.full(n, at_ns, dtype=np.int64),
        "on_supplemental_oxygen": np.zeros(n),
        "consciousness": np.zeros(n),
        "spo2_scale": np.ones(n, dtype=np.int8),
        **{name: np.full(n, np.nan) for name in MONITOR_PARAMETERS},
    }
