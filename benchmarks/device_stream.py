"""Synthetic bedside-monitor readings for the stream benchmarks, as columnar batches.

The simulator's device stream generator had not landed when these benchmarks were
written, so they generate their own input: each patient's vitals follow a persistent
AR(1) walk around a personal baseline (a few patients deteriorate), one complete reading
per patient per interval, delivered as per-patient runs inside each micro-batch, the way
a monitor gateway forwards them.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

PERSISTENCE = 0.995  # AR(1) coefficient per reading: slow drifts, rare band changes

T0_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z


def device_batches(
    patients: int, readings_per_patient: int, batch_rows: int, seed: int = 7, interval_s: int = 1
) -> list[dict[str, np.ndarray]]:
    """All readings as a list of batches of ``batch_rows`` rows (rounded to whole runs)."""
    rng = np.random.default_rng(seed)
    steps = readings_per_patient
    per_batch = max(1, batch_rows // patients)
    baseline = {
        "respiration_rate": rng.normal(16, 2, patients),
        "spo2": rng.normal(96, 1.5, patients),
        "systolic_bp": rng.normal(122, 12, patients),
        "pulse": rng.normal(78, 10, patients),
        "temperature": rng.normal(36.9, 0.3, patients),
    }
    noise = {
        "respiration_rate": 0.3,
        "spo2": 0.2,
        "systolic_bp": 1.0,
        "pulse": 0.8,
        "temperature": 0.02,
    }
    deviation = {name: np.zeros(patients) for name in baseline}
    oxygen = (rng.random(patients) < 0.05).astype(float)
    scale = np.where(rng.random(patients) < 0.03, 2, 1).astype(np.int8)
    batches = []
    for start in range(0, steps, per_batch):
        count = min(per_batch, steps - start)
        columns: dict[str, np.ndarray] = {}
        for name, base in baseline.items():
            shocks = rng.normal(0, noise[name], (patients, count))
            start_state = (PERSISTENCE * deviation[name])[:, None]
            walk, _ = lfilter([1.0], [1.0, -PERSISTENCE], shocks, axis=1, zi=start_state)
            deviation[name] = walk[:, -1]
            values = base[:, None] + walk
            columns[name] = np.round(values, 1 if name == "temperature" else 0).ravel()
        columns["spo2"] = np.clip(columns["spo2"], 40, 100)
        t = T0_NS + (start + np.arange(count)) * interval_s * 1_000_000_000
        columns["patient_id"] = np.repeat(np.arange(patients, dtype=np.int64), count)
        columns["observed_at"] = np.tile(t.astype(np.int64), patients)
        columns["on_supplemental_oxygen"] = np.repeat(oxygen, count)
        columns["consciousness"] = np.zeros(patients * count)
        columns["spo2_scale"] = np.repeat(scale, count)
        batches.append(columns)
    return batches
