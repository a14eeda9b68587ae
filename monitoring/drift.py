"""Feature drift with Evidently 0.7: run the report, then summarise it by metric name.

The summary is read from the report's dictionary output by each metric's
configuration (``DriftedColumnsCount``, ``ValueDrift`` per column), never by position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset

# Evidently's default: the dataset drifts when at least half of the columns drift.
DATASET_DRIFT_SHARE = 0.5


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    method: str
    statistic: float
    threshold: float

    @property
    def is_p_value(self) -> bool:
        return "p_value" in self.method

    @property
    def drifted(self) -> bool:
        """p-value tests drift below the threshold; distances drift at or above it."""
        return (
            self.statistic < self.threshold if self.is_p_value else self.statistic >= self.threshold
        )


@dataclass(frozen=True)
class DriftSummary:
    drifted_columns_count: int
    drifted_share: float
    drift_share_threshold: float
    columns: tuple[ColumnDrift, ...]

    @property
    def dataset_drift(self) -> bool:
        return self.drifted_share >= self.drift_share_threshold

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]


def summarize(report: Mapping[str, Any]) -> DriftSummary:
    """Read an Evidently 0.7 report dictionary (``Snapshot.dict()``) into a summary."""
    count = share = None
    threshold = DATASET_DRIFT_SHARE
    columns: list[ColumnDrift] = []
    for metric in report["metrics"]:
        config = metric["config"]
        kind = config["type"].rsplit(":", 1)[-1]
        if kind == "DriftedColumnsCount":
            count, share = int(metric["value"]["count"]), float(metric["value"]["share"])
            threshold = float(config.get("drift_share", DATASET_DRIFT_SHARE))
        elif kind == "ValueDrift":
            columns.append(
                ColumnDrift(
                    column=config["column"],
                    method=config["method"],
                    statistic=float(metric["value"]),
                    threshold=float(config["threshold"]),
                )
            )
    if count is None or share is None:
        raise ValueError(
            "report has no DriftedColumnsCount metric: was it built with DataDriftPreset?"
        )
    return DriftSummary(count, share, threshold, tuple(columns))


def drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str],
) -> tuple[Any, DriftSummary]:
    """Run DataDriftPreset over the named columns; return the snapshot and its summary."""
    columns = list(numeric) + list(categorical)
    definition = DataDefinition(
        numerical_columns=list(numeric), categorical_columns=list(categorical)
    )
    snapshot = Report([DataDriftPreset(drift_share=DATASET_DRIFT_SHARE)]).run(
        current_data=Dataset.from_pandas(current[columns], data_definition=definition),
        reference_data=Dataset.from_pandas(reference[columns], data_definition=definition),
    )
    return snapshot, summarize(snapshot.dict())
