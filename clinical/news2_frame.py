"""NEWS2 over a table of observation sets, for `vigil news2` and batch validation.

Uses the vectorised kernel the dataflow uses (:func:`clinical.news2.score_arrays`, RCP
2017). Every input row comes out, in input order, with its extra columns untouched:
a row with a missing or impossible value gets no score and an ``error`` saying why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clinical.news2 import (
    BAND_LABELS,
    CONSCIOUSNESS_LEVELS,
    PARAMETERS,
    PLAUSIBLE_RANGES,
    Band,
    score_arrays,
)

NUMERIC = ("respiration_rate", "spo2", "systolic_bp", "pulse", "temperature")
TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0"}


def _boolean(value: object) -> float:
    """1.0 / 0.0 for a true/false value, NaN when missing, -1.0 when not a boolean."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return np.nan
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | np.integer) and value in (0, 1):
        return float(value)
    word = str(value).strip().lower()
    return 1.0 if word in TRUE_WORDS else 0.0 if word in FALSE_WORDS else -1.0


def score_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``news2_score``, ``news2_band``, ``<parameter>_score`` and ``error`` columns."""
    absent = [name for name in PARAMETERS if name not in frame.columns]
    if absent:
        raise ValueError(f"missing input column(s): {', '.join(absent)}")
    n = len(frame)
    errors = np.full(n, None, dtype=object)

    def flag(mask: np.ndarray, message) -> None:
        for i in np.flatnonzero(mask & pd.isna(errors)):
            errors[i] = message(i) if callable(message) else message

    numeric = {}
    for name in NUMERIC:
        raw = frame[name]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        flag(raw.isna().to_numpy(), f"{name} is missing")
        flag(
            np.isnan(values) & raw.notna().to_numpy(),
            lambda i, r=raw, c=name: f"{c}={r.iloc[i]!r} is not a number",
        )
        low, high = PLAUSIBLE_RANGES[name]
        flag(
            (values < low) | (values > high),
            lambda i, v=values, c=name, lo=low, hi=high: (
                f"{c}={v[i]:g} is outside the plausible range {lo}-{hi}"
            ),
        )
        numeric[name] = values
    oxygen = frame["on_supplemental_oxygen"].map(_boolean).to_numpy(dtype=float)
    flag(np.isnan(oxygen), "on_supplemental_oxygen is missing")
    flag(
        oxygen < 0,
        lambda i: (
            f"on_supplemental_oxygen={frame['on_supplemental_oxygen'].iloc[i]!r} "
            "is not true or false"
        ),
    )
    consciousness = frame["consciousness"].astype("string").str.strip().str.upper()
    flag(consciousness.isna().to_numpy(), "consciousness is missing")
    known = consciousness.isin(CONSCIOUSNESS_LEVELS).fillna(False).to_numpy(dtype=bool)
    flag(
        ~known,
        lambda i: (
            f"consciousness={frame['consciousness'].iloc[i]!r} "
            f"is not one of {', '.join(CONSCIOUSNESS_LEVELS)}"
        ),
    )
    if "spo2_scale" in frame.columns:
        scale = pd.to_numeric(frame["spo2_scale"], errors="coerce").fillna(1).to_numpy()
    else:
        scale = np.ones(n)
    flag(
        (scale != 1) & (scale != 2),
        lambda i: f"spo2_scale must be 1 or 2, got {frame['spo2_scale'].iloc[i]!r}",
    )

    valid = pd.isna(errors)
    scored = score_arrays(
        numeric["respiration_rate"],
        numeric["spo2"],
        oxygen == 1,
        numeric["systolic_bp"],
        numeric["pulse"],
        (consciousness == "A").fillna(False).to_numpy(dtype=bool),
        numeric["temperature"],
        scale == 2,
    )
    out = frame.copy()
    out["news2_score"] = pd.array(np.where(valid, scored["total"], 0), dtype="Int64")
    out.loc[~valid, "news2_score"] = pd.NA
    labels = np.array([BAND_LABELS[b] for b in Band], dtype=object)
    out["news2_band"] = np.where(valid, labels[scored["band"]], None)
    for name in PARAMETERS:
        column = pd.array(scored[name].astype(int), dtype="Int64")
        column[~valid] = pd.NA
        out[f"{name}_score"] = column
    out["error"] = errors
    return out
