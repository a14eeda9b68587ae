"""Univariate `timestamp,value` series for the anomaly detector (`vigil detect`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clinical.anomaly import SeasonalRobustDetector


def read_series(path: Path) -> pd.DataFrame:
    """Read a CSV with ``timestamp`` and ``value`` columns, in file order.

    Raises ValueError naming the first row whose timestamp cannot be parsed; a value that
    is not a number becomes NaN (scored 0 and not learned).
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    missing = {"timestamp", "value"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    stamps = pd.to_datetime(frame["timestamp"], errors="coerce", utc=True, format="mixed")
    if stamps.isna().any():
        row = int(stamps.isna().to_numpy().argmax())
        raise ValueError(f"{path}: row {row + 2}: timestamp {frame['timestamp'][row]!r} unreadable")
    return pd.DataFrame(
        {
            "timestamp": frame["timestamp"],
            "parsed": stamps,
            "value": pd.to_numeric(frame["value"], errors="coerce"),
        }
    )


def score_series(series: pd.DataFrame, detector: SeasonalRobustDetector) -> pd.DataFrame:
    """``timestamp,value,anomaly_score``, each row scored before the detector learns it."""
    scores = [
        round(detector.score(stamp.to_pydatetime(), float(value)), 6)
        for stamp, value in zip(series["parsed"], series["value"], strict=True)
    ]
    return pd.DataFrame(
        {"timestamp": series["timestamp"], "value": series["value"], "anomaly_score": scores}
    )
