"""Feature and prediction drift with Evidently 0.7: run the report, summarise it by name.

The summary is read from the report's dictionary output by each metric's
configuration (``DriftedColumnsCount``, ``ValueDrift`` per column), never by position.
Dataset drift is Evidently's rule over the feature columns only; the model's
prediction gets its own ``ValueDrift`` (prediction drift) so it never counts as a feature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

# Evidently is imported where a report runs, not here: it is the largest import of the
# code location (~20 % of it), and every Dagster run worker and sensor tick process
# imports the code location, while only the monitoring runs build reports.

# Evidently's default: the dataset drifts when at least half of the columns drift.
DATASET_DRIFT_SHARE = 0.5
# Tests with p-values (K-S for numbers, chi-square for categories), not Evidently's
# automatic choice: with a large reference (> 1,000 rows) it switches to distances
# (Wasserstein, Jensen-Shannon at 0.1) that do not account for the current window's
# size, and a day of a few dozen discharges crosses 0.1 by sampling noise alone.
NUMERIC_METHOD = "ks"
CATEGORICAL_METHOD = "chisquare"
# Evidently's tests whose statistic is a p-value (drift below the threshold).
P_VALUE_TESTS = frozenset(
    {"ks", "chisquare", "z", "t_test", "mannw", "fisher_exact", "g_test", "anderson",
     "cramer_von_mises", "epps_singleton"}
)  # fmt: skip


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    method: str
    statistic: float
    threshold: float

    @property
    def is_p_value(self) -> bool:
        """Auto-chosen tests name themselves "... p_value"; explicit ones by their short name."""
        return "p_value" in self.method or self.method in P_VALUE_TESTS

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
    prediction: ColumnDrift | None = None

    @property
    def dataset_drift(self) -> bool:
        return self.drifted_share >= self.drift_share_threshold

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    @property
    def prediction_drift(self) -> bool:
        return self.prediction is not None and self.prediction.drifted


def summarize(report: Mapping[str, Any], prediction_column: str | None = None) -> DriftSummary:
    """Read an Evidently 0.7 report dictionary (``Snapshot.dict()``) into a summary.

    The ``ValueDrift`` of ``prediction_column`` (when given) is the prediction drift;
    every other ``ValueDrift`` is a feature column.
    """
    count = share = None
    threshold = DATASET_DRIFT_SHARE
    columns: list[ColumnDrift] = []
    prediction: ColumnDrift | None = None
    for metric in report["metrics"]:
        config = metric["config"]
        kind = config["type"].rsplit(":", 1)[-1]
        if kind == "DriftedColumnsCount":
            count, share = int(metric["value"]["count"]), float(metric["value"]["share"])
            threshold = float(config.get("drift_share", DATASET_DRIFT_SHARE))
        elif kind == "ValueDrift":
            drift = ColumnDrift(
                column=config["column"],
                method=config["method"],
                statistic=float(metric["value"]),
                threshold=float(config["threshold"]),
            )
            if drift.column == prediction_column:
                prediction = drift
            else:
                columns.append(drift)
    if count is None or share is None:
        raise ValueError(
            "report has no DriftedColumnsCount metric: was it built with DataDriftPreset?"
        )
    if prediction_column is not None and prediction is None:
        raise ValueError(f"report has no ValueDrift for the prediction {prediction_column!r}")
    return DriftSummary(count, share, threshold, tuple(columns), prediction)


def has_values(reference: pd.DataFrame, current: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` has at least one value in each window (drift is measurable)."""
    return bool(reference[column].notna().any() and current[column].notna().any())


def drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str],
    prediction: str | None = None,
    drift_share: float = DATASET_DRIFT_SHARE,
    column_threshold: float = 0.05,
    numeric_method: str = NUMERIC_METHOD,
    categorical_method: str = CATEGORICAL_METHOD,
) -> tuple[Any, DriftSummary]:
    """Run DataDriftPreset over the features (plus prediction drift); snapshot and summary.

    ``prediction`` names a numeric column of predicted risk present in both frames.
    ``column_threshold``: a feature drifts when its test's p-value is below it (Evidently's
    default 0.05; a Bonferroni-sized value keeps a window of many features from
    drifting by chance), or, for a distance (``wasserstein``), when the distance reaches
    it; the dataset drifts when at least ``drift_share`` of the features do. A feature
    with no value in either window (an optional feed the load does not carry, e.g. the
    payer of HL7 v2 patients) is not measurable and left out of the report.
    """
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import ValueDrift
    from evidently.presets import DataDriftPreset

    numeric = [c for c in numeric if has_values(reference, current, c)]
    categorical = [c for c in categorical if has_values(reference, current, c)]
    features = list(numeric) + list(categorical)
    columns = features + ([prediction] if prediction else [])
    definition = DataDefinition(
        numerical_columns=list(numeric) + ([prediction] if prediction else []),
        categorical_columns=list(categorical),
    )
    metrics: list[Any] = [
        DataDriftPreset(
            columns=features,
            drift_share=drift_share,
            num_method=numeric_method,
            cat_method=categorical_method,
            threshold=column_threshold,
        )
    ]
    if prediction:
        metrics.append(ValueDrift(column=prediction, method=numeric_method))
    snapshot = Report(metrics).run(
        current_data=Dataset.from_pandas(current[columns], data_definition=definition),
        reference_data=Dataset.from_pandas(reference[columns], data_definition=definition),
    )
    return snapshot, summarize(snapshot.dict(), prediction)
