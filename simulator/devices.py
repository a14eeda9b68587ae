"""The bedside-monitor device stream, for throughput tests and the stream layer.

One reading per parameter per interval (60 s by default, down to 1 s for load tests)
for any number of monitored beds over any window, generated fully vectorized: each
bed has a baseline per parameter, readings add a slow drift (a random walk at a
coarse step, interpolated) and measurement noise, and a small share are artefacts
(a slipped SpO2 probe, motion on the pulse). The ``device_drift`` scenario makes
VM-200 monitors read SpO2 two points high from its start. Output is columnar
(Arrow), in time order, one row per reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa

PARAMETERS = ("respiration_rate", "spo2", "pulse", "systolic_bp", "temperature")
BASELINE = np.array([16.0, 96.5, 80.0, 125.0, 36.9], dtype=np.float32)
BED_SPREAD = np.array([2.5, 1.5, 10.0, 14.0, 0.3], dtype=np.float32)
NOISE = np.array([1.2, 0.8, 3.0, 5.0, 0.08], dtype=np.float32)
LOW = np.array([4, 50, 20, 40, 32], dtype=np.float32)
HIGH = np.array([60, 100, 250, 260, 43], dtype=np.float32)
SPO2 = PARAMETERS.index("spo2")
DRIFT_MODEL = "VM-200"


@dataclass(frozen=True)
class StreamConfig:
    beds: int = 100
    start: datetime = datetime(2025, 1, 1)
    minutes: int = 60
    interval_seconds: int = 60
    seed: int = 7
    drift_from: datetime | None = None  # device_drift scenario: VM-200 SpO2 +2 from then

    def __post_init__(self) -> None:
        if self.beds < 1 or self.minutes < 1:
            raise ValueError(f"beds and minutes must be positive, got {self.beds}, {self.minutes}")
        if not 1 <= self.interval_seconds <= 3600:
            raise ValueError(f"interval_seconds must be 1-3600, got {self.interval_seconds}")


def device_ids(beds: int) -> list[str]:
    return [f"MON{b + 1:06d}" for b in range(beds)]


def device_models(beds: int) -> np.ndarray:
    """Model of each bed's monitor: every other bed has a VM-200."""
    return np.where(np.arange(beds) % 2 == 1, DRIFT_MODEL, "VM-100")


CHUNK_READINGS = 1 << 20  # readings generated per chunk: the working set stays in cache


def _chunks(config: StreamConfig) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(epoch seconds per step, values (steps, beds, parameters), SpO2 artefact (steps, beds))
    for consecutive chunks of whole 15-minute blocks. A Python loop per chunk, never per
    reading: each chunk is a million readings of vectorized work."""
    rng = np.random.default_rng(config.seed)
    steps = config.minutes * 60 // config.interval_seconds
    beds, n_par = config.beds, len(PARAMETERS)
    # Per-bed baselines and a slow drift: a random walk stepping every 15 minutes.
    level = BASELINE + BED_SPREAD * rng.standard_normal((beds, n_par), dtype=np.float32)
    block = max(900 // config.interval_seconds, 1)
    blocks_per_chunk = max(CHUNK_READINGS // (block * beds * n_par), 1)
    drifted = device_models(beds) == DRIFT_MODEL
    drift_step = steps
    if config.drift_from is not None:
        offset_s = (
            np.datetime64(config.drift_from, "s") - np.datetime64(config.start, "s")
        ).astype(np.int64)
        drift_step = max(int(np.ceil(offset_s / config.interval_seconds)), 0)
    start_s = np.datetime64(config.start, "s").astype(np.int64)
    first = 0
    while first < steps:
        blocks = min(blocks_per_chunk, -(-(steps - first) // block))
        walk = rng.standard_normal((blocks, 1, beds, n_par), dtype=np.float32)
        walk *= NOISE * 0.5
        np.cumsum(walk, axis=0, out=walk)
        walk += level
        level = walk[-1, 0]
        values = rng.standard_normal((blocks, block, beds, n_par), dtype=np.float32)
        values *= NOISE
        values += walk
        count = min(blocks * block, steps - first)
        values = values.reshape(blocks * block, beds, n_par)[:count]
        artefact = rng.random((count, beds), dtype=np.float32) < 0.001
        spo2 = values[..., SPO2]
        spo2[artefact] -= 25
        if drift_step < first + count:
            spo2[max(drift_step - first, 0) :, drifted] += 2.0
        np.clip(values, LOW, HIGH, out=values)
        np.round(spo2, out=spo2)
        seconds = start_s + (first + np.arange(count, dtype=np.int64)) * config.interval_seconds
        yield seconds, values, artefact
        first += count


def device_stream_batches(config: StreamConfig) -> Iterator[pa.RecordBatch]:
    """The device stream as Arrow record batches of about a million readings each, so a
    replay of hundreds of millions of readings never has to sit in memory at once."""
    beds, n_par = config.beds, len(PARAMETERS)
    names, params = pa.array(device_ids(beds)), pa.array(list(PARAMETERS))
    bed_index = par_index = None
    for seconds, values, artefact in _chunks(config):
        count = len(seconds)
        n = count * beds * n_par
        if bed_index is None or len(bed_index) < n:
            bed_index = np.tile(np.repeat(np.arange(beds, dtype=np.int32), n_par), count)
            par_index = np.tile(np.arange(n_par, dtype=np.int8), count * beds)
        is_artefact = np.zeros((count, beds, n_par), dtype=bool)
        is_artefact[..., SPO2] = artefact
        yield pa.record_batch(
            {
                "observed_at": pa.array(np.repeat(seconds, beds * n_par), type=pa.timestamp("s")),
                "device_id": pa.DictionaryArray.from_arrays(bed_index[:n], names),
                "parameter": pa.DictionaryArray.from_arrays(par_index[:n], params),
                "value": pa.array(values.reshape(-1)),
                "is_artefact": pa.array(is_artefact.reshape(-1)),
            }
        )


def device_stream(config: StreamConfig) -> pa.Table:
    """Readings as an Arrow table: observed_at, device_id, parameter, value, is_artefact.

    One row per reading, ordered by time, then bed, then parameter; ``device_id`` and
    ``parameter`` are dictionary-encoded.
    """
    return pa.Table.from_batches(list(device_stream_batches(config)))


def device_stream_wide(config: StreamConfig) -> pa.Table:
    """The same readings, one row per bed per interval with a column per parameter
    (the shape a monitor gateway forwards and NEWS2 scores)."""
    beds = config.beds
    names = pa.array(device_ids(beds))
    batches = []
    for seconds, values, artefact in _chunks(config):
        count = len(seconds)
        columns = {
            "observed_at": pa.array(np.repeat(seconds, beds), type=pa.timestamp("s")),
            "device_id": pa.DictionaryArray.from_arrays(
                np.tile(np.arange(beds, dtype=np.int32), count), names
            ),
        }
        for p, name in enumerate(PARAMETERS):
            columns[name] = pa.array(np.ascontiguousarray(values[..., p]).reshape(-1))
        columns["is_spo2_artefact"] = pa.array(artefact.reshape(-1))
        batches.append(pa.record_batch(columns))
    return pa.Table.from_batches(batches)


def reading_count(config: StreamConfig) -> int:
    return (config.minutes * 60 // config.interval_seconds) * config.beds * len(PARAMETERS)
