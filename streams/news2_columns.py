"""Columnar micro-batches of vital signs: layout, conversion and validation.

A batch is a dict of numpy columns: ``patient_id`` (any hashable dtype), ``observed_at``
(int64 ns since epoch, UTC), five float64 vitals (NaN = not charted),
``on_supplemental_oxygen`` and ``consciousness`` as float64 codes (NaN = not charted;
consciousness 0-4 = A, C, V, P, U; any other code is invalid), ``spo2_scale`` (int8),
optional ``encounter_id`` and ``unit_id``, and batch-level values whose names start
with ``_`` (or that are scalars, like ``emitted_ns``), which row selections keep as is.
Validation uses the plausible ranges of :mod:`clinical.news2` (a temperature of 98.6
is Fahrenheit: a unit error), one reason per rejected row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from clinical.news2 import CONSCIOUSNESS_LEVELS, PARAMETERS, PLAUSIBLE_RANGES

Batch = dict[str, np.ndarray]
EPOCH = datetime(1970, 1, 1)
BATCH_COLUMNS = ("patient_id", "observed_at", *PARAMETERS, "spo2_scale")


def to_datetime(ns: int) -> datetime:
    """Naive UTC datetime from int64 nanoseconds (microsecond precision, like pandas)."""
    return EPOCH + timedelta(microseconds=int(ns) // 1000)


def batch_from_frame(frame: pd.DataFrame) -> Batch:
    """Columns of a charted-vitals frame (strings, booleans, timestamps) as a batch."""
    codes = {level: float(i) for i, level in enumerate(CONSCIOUSNESS_LEVELS)}
    consciousness = frame["consciousness"].map(lambda c: codes.get(c, np.nan if c is None else -1))
    oxygen = frame["on_supplemental_oxygen"].map(
        lambda o: (
            np.nan
            if o is None or o is pd.NA
            else float(bool(o))
            if isinstance(o, bool | np.bool_)
            else -1.0
        )
    )
    batch: Batch = {
        "patient_id": frame["patient_id"].to_numpy(dtype=object),
        "observed_at": pd.to_datetime(frame["observed_at"])
        .to_numpy("datetime64[ns]")
        .view("int64"),
        "on_supplemental_oxygen": oxygen.to_numpy(dtype=float),
        "consciousness": consciousness.to_numpy(dtype=float),
        "spo2_scale": frame.get("spo2_scale", pd.Series(1, index=frame.index))
        .fillna(1)
        .to_numpy(dtype=np.int8),
    }
    for name in ("respiration_rate", "spo2", "systolic_bp", "pulse", "temperature"):
        batch[name] = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
    for name in ("encounter_id", "unit_id"):
        if name in frame:
            batch[name] = frame[name].to_numpy(dtype=object)
    return batch


def batch_len(batch: Batch) -> int:
    return len(batch["observed_at"])


def take(batch: Batch, index: np.ndarray) -> Batch:
    """Rows ``index`` of every column; batch-level values (``emitted_ns``, ``_``-names) are kept."""
    return {
        name: column if name.startswith("_") or not np.ndim(column) else column[index]
        for name, column in batch.items()
    }


def invalid_reasons(batch: Batch, coverage: dict[str, str] | None = None) -> np.ndarray | None:
    """Per row: 0 if valid, else 1 + the index in :data:`REASONS` of the first problem;
    None when every row is valid (found with a few reductions, no per-row masks).

    ``coverage``, if given, receives for the range-checked parameter columns whether
    each has a value in every row (``complete``: no NaN), in none (``absent``), or some
    gaps, so the caller need not look again (rows removed later keep that property)."""
    n = batch_len(batch)
    if _all_valid(batch, {} if coverage is None else coverage):
        return None
    code = np.zeros(n, dtype=np.int16)
    checks = _checks(batch)
    for i in range(len(checks) - 1, -1, -1):  # reverse, so the first problem wins
        code[checks[i]] = i + 1
    return code


REASONS = (
    "malformed: patient_id or observed_at missing",
    *(
        f"{name} is outside the plausible range {lo}-{hi}"
        for name, (lo, hi) in PLAUSIBLE_RANGES.items()
    ),
    f"consciousness is not one of {', '.join(CONSCIOUSNESS_LEVELS)}",
    "on_supplemental_oxygen is not true or false",
    "spo2_scale must be 1 or 2",
)


def _column_range(values: np.ndarray) -> tuple[float, float, str]:
    """Minimum and maximum ignoring NaN, and the column's coverage, in as few passes as
    possible: ``np.min`` propagates NaN, so a non-NaN minimum means no gap at all; a NaN
    maximum ignoring NaN means no value at all."""
    lowest = values.min()
    if not np.isnan(lowest):
        return lowest, values.max(), "complete"
    highest = np.fmax.reduce(values)
    if np.isnan(highest):
        return highest, highest, "absent"
    return np.fmin.reduce(values), highest, "gaps"


def _all_valid(batch: Batch, coverage: dict[str, str]) -> bool:
    """Whether no row fails a check of :func:`_checks`, from column minima and maxima
    (NaN, not charted, passes every check, as in :func:`_checks`); fills ``coverage``
    (see :func:`invalid_reasons`) for the columns it reaches."""
    patient = batch["patient_id"]
    if len(patient) == 0:
        return True
    if patient.dtype == object and pd.isna(patient).any():
        return False
    if batch["observed_at"].min() == np.iinfo(np.int64).min:
        return False
    ranges = [*PLAUSIBLE_RANGES.items(), ("consciousness", (0, 4))]
    for name, (low, high) in [*ranges, ("on_supplemental_oxygen", (0, 1))]:
        lowest, highest, coverage[name] = _column_range(batch[name])
        if lowest < low or highest > high:
            return False
    # oxygen: 0 or 1 (or NaN: not charted); within 0-1, o * (1 - o) > 0 unless o is 0 or 1
    oxygen = batch["on_supplemental_oxygen"]
    constant = lowest == highest and lowest in (0.0, 1.0)  # all 0 or all 1
    if not (constant or np.isnan(highest)) and np.fmax.reduce(oxygen * (1 - oxygen)) > 0:
        return False
    scale = batch["spo2_scale"]
    return scale.dtype.kind in "iu" and bool(scale.min() >= 1 and scale.max() <= 2)


def _checks(batch: Batch) -> list[np.ndarray]:
    patient = batch["patient_id"]
    missing_id = pd.isna(patient) if patient.dtype == object else np.zeros(len(patient), bool)
    checks = [missing_id | (batch["observed_at"] == np.iinfo(np.int64).min)]
    for name, (low, high) in PLAUSIBLE_RANGES.items():
        values = batch[name]
        checks.append((values < low) | (values > high))
    consciousness = batch["consciousness"]
    checks.append(~np.isnan(consciousness) & ((consciousness < 0) | (consciousness > 4)))
    oxygen = batch["on_supplemental_oxygen"]
    checks.append(~np.isnan(oxygen) & (oxygen != 0) & (oxygen != 1))
    checks.append((batch["spo2_scale"] != 1) & (batch["spo2_scale"] != 2))
    return checks
