"""Data quality of a model's inputs with Evidently 0.7: missing and out-of-range values.

One report per window runs ``MissingValueCount`` on every feature and
``OutRangeValueCount`` on every feature with a plausible range; the same metrics on
the reference window give the baseline, and the summary is the rise in share of rows
(current minus reference), read from the report dictionary by metric type and column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from monitoring.config import ColumnRange


@dataclass(frozen=True)
class ColumnQuality:
    column: str
    missing_share: float
    reference_missing_share: float
    out_of_range_share: float | None = None
    reference_out_of_range_share: float | None = None

    @property
    def missing_increase(self) -> float:
        return self.missing_share - self.reference_missing_share

    @property
    def out_of_range_increase(self) -> float:
        if self.out_of_range_share is None or self.reference_out_of_range_share is None:
            return 0.0
        return self.out_of_range_share - self.reference_out_of_range_share


@dataclass(frozen=True)
class QualitySummary:
    columns: tuple[ColumnQuality, ...]

    @property
    def max_missing_increase(self) -> float:
        return max((c.missing_increase for c in self.columns), default=0.0)

    @property
    def max_out_of_range_increase(self) -> float:
        return max((c.out_of_range_increase for c in self.columns), default=0.0)

    def as_records(self) -> list[dict[str, Any]]:
        return [
            {
                "column": c.column,
                "missing_share": c.missing_share,
                "reference_missing_share": c.reference_missing_share,
                "out_of_range_share": c.out_of_range_share,
                "reference_out_of_range_share": c.reference_out_of_range_share,
            }
            for c in self.columns
        ]


def _metrics(columns: Sequence[str], ranges: Sequence[ColumnRange]) -> list[Any]:
    from evidently.metrics import MissingValueCount, OutRangeValueCount  # see monitoring/drift.py

    metrics: list[Any] = [MissingValueCount(column=column) for column in columns]
    metrics += [OutRangeValueCount(column=r.column, left=r.low, right=r.high) for r in ranges]
    return metrics


def read_shares(report: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """(missing share, out-of-range share) per column from a report dictionary, by type."""
    missing: dict[str, float] = {}
    out_of_range: dict[str, float] = {}
    for metric in report["metrics"]:
        config = metric["config"]
        kind = config["type"].rsplit(":", 1)[-1]
        if kind == "MissingValueCount":
            missing[config["column"]] = float(metric["value"]["share"])
        elif kind == "OutRangeValueCount":
            out_of_range[config["column"]] = float(metric["value"]["share"])
    return missing, out_of_range


def summarize_quality(
    current: Mapping[str, Any], reference: Mapping[str, Any], columns: Sequence[str]
) -> QualitySummary:
    """Pair the current and reference report dictionaries column by column."""
    current_missing, current_range = read_shares(current)
    reference_missing, reference_range = read_shares(reference)
    absent = [c for c in columns if c not in current_missing or c not in reference_missing]
    if absent:
        raise ValueError(f"quality reports have no MissingValueCount for {absent}")
    return QualitySummary(
        tuple(
            ColumnQuality(
                column=column,
                missing_share=current_missing[column],
                reference_missing_share=reference_missing[column],
                out_of_range_share=current_range.get(column),
                reference_out_of_range_share=reference_range.get(column),
            )
            for column in columns
        )
    )


def quality_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str],
    ranges: Sequence[ColumnRange] = (),
) -> tuple[Any, QualitySummary]:
    """Missing and out-of-range values, current against reference; snapshot and summary.

    The returned snapshot (current, with the reference alongside) is the HTML report;
    the reference's own shares come from the same metrics run on the reference alone.
    """
    from evidently import DataDefinition, Dataset, Report  # imported here: see monitoring/drift.py

    columns = list(numeric) + list(categorical)
    definition = DataDefinition(
        numerical_columns=list(numeric), categorical_columns=list(categorical)
    )

    def dataset(frame: pd.DataFrame) -> Any:
        return Dataset.from_pandas(frame[columns], data_definition=definition)

    snapshot = Report(_metrics(columns, ranges)).run(
        current_data=dataset(current), reference_data=dataset(reference)
    )
    baseline = Report(_metrics(columns, ranges)).run(current_data=dataset(reference))
    return snapshot, summarize_quality(snapshot.dict(), baseline.dict(), columns)
