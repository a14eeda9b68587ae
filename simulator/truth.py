"""Evaluation-only access to the simulator's ground truth.

Ground truth (true readmission risks, deterioration and sepsis onsets, device
failures, scenario windows) lives under ``$VIGIL_HOME/ground_truth/<table>/``, apart
from the landing zone that raw assets, dbt models and features read. Only code that
scores alerts, forecasts and models against the truth may import this module;
``tests/simulator/test_ground_truth_isolation.py`` guards that nothing else does.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TABLES = (
    "readmission",
    "deterioration",
    "sepsis",
    "device_failures",
    "scenarios",
)


def load_ground_truth(truth_dir: Path, table: str) -> pd.DataFrame:
    """One ground-truth table, e.g. ``load_ground_truth(home / "ground_truth", "sepsis")``."""
    if table not in TABLES:
        raise ValueError(f"unknown ground-truth table {table!r}; known: {', '.join(TABLES)}")
    path = Path(truth_dir) / table
    files = sorted(path.rglob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no ground truth under {path}: run `vigil simulate` first")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
