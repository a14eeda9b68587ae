"""Who comes through the door: drift of the ED arrivals' case mix, on the day it starts.

The models' own features see a change in who is admitted slowly: readmission's only
when the new patients are discharged, length of stay's on a day's ~30 admissions, where
a shift of half a standard deviation in the Charlson index is about two standard errors
(docs/monitoring.md). The same patients arrive first at the emergency department, ~150
a day on the benchmark's two hospitals, and most admissions come through it: a day of
ED arrivals carries five times the rows, enough to see the case mix move on its first
day.

A column drifts when both hold:

- Evidently's test says the day differs from the reference (Welch t-test for numbers,
  chi-square for categories), at ``p_value``: small, because ~50 days a year are tested
  against one reference and visits of frequent ED users are not independent;
- the difference matters (an effect size, so that a large reference does not turn a
  trivial difference into an alarm): the standardized mean difference (Cohen's d,
  against the reference's standard deviation) for numbers, the total variation distance
  between the category shares for categories, at least ``min_effect``.

The day drifts when at least ``min_columns`` columns do. Pure: the caller reads the
arrivals (``INTAKE_SQL``) and decides what to do with the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from monitoring.config import IntakeThresholds
from monitoring.drift import ColumnDrift, drift_report

# One row per ED arrival with the patient's attributes, from the staging models.
INTAKE_SQL = """
select visits.arrived_at, patients.age_years, patients.charlson_index, visits.esi_level,
       patients.sex, patients.primary_payer, visits.arrival_mode
from staging.stg_ehr__ed_visits as visits
inner join staging.stg_ehr__patients as patients using (patient_id)
"""
TIME_COLUMN = "arrived_at"
NUMERIC = ("age_years", "charlson_index", "esi_level")
CATEGORICAL = ("sex", "primary_payer", "arrival_mode")


@dataclass(frozen=True)
class IntakeColumn:
    column: str
    method: str
    p_value: float
    effect: float

    def drifted(self, thresholds: IntakeThresholds) -> bool:
        return self.p_value < thresholds.p_value and abs(self.effect) >= thresholds.min_effect


@dataclass(frozen=True)
class IntakeDrift:
    current_rows: int
    reference_rows: int
    columns: tuple[IntakeColumn, ...]
    thresholds: IntakeThresholds

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted(self.thresholds)]

    @property
    def is_drift(self) -> bool:
        return (
            self.current_rows >= self.thresholds.min_rows
            and len(self.drifted_columns) >= self.thresholds.min_columns
        )

    def as_records(self) -> list[dict[str, Any]]:
        return [
            {
                "column": c.column,
                "method": c.method,
                "p_value": c.p_value,
                "effect": c.effect,
                "drifted": c.drifted(self.thresholds),
            }
            for c in self.columns
        ]


def standardized_mean_difference(reference: pd.Series, current: pd.Series) -> float:
    """(current mean - reference mean) / reference standard deviation (Cohen's d)."""
    spread = float(reference.std())
    if not spread > 0:
        return 0.0 if float(current.mean()) == float(reference.mean()) else float("inf")
    return (float(current.mean()) - float(reference.mean())) / spread


def total_variation(reference: pd.Series, current: pd.Series) -> float:
    """Half the sum of absolute differences between the category shares (0 to 1)."""
    shares = pd.concat(
        [reference.value_counts(normalize=True), current.value_counts(normalize=True)], axis=1
    ).fillna(0.0)
    return float((shares.iloc[:, 0] - shares.iloc[:, 1]).abs().sum() / 2)


def effect_size(reference: pd.Series, current: pd.Series, numeric: bool) -> float:
    reference, current = reference.dropna(), current.dropna()
    if numeric:
        return standardized_mean_difference(reference.astype(float), current.astype(float))
    return total_variation(reference, current)


def intake_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    thresholds: IntakeThresholds | None = None,
    numeric: Sequence[str] = NUMERIC,
    categorical: Sequence[str] = CATEGORICAL,
) -> tuple[Any, IntakeDrift]:
    """Evidently's per-column tests of ``current`` against ``reference``, with effect sizes.

    Returns the Evidently snapshot (for the HTML report) and the verdict.
    """
    thresholds = thresholds or IntakeThresholds()
    snapshot, summary = drift_report(
        reference,
        current,
        numeric,
        categorical,
        column_threshold=thresholds.p_value,
        numeric_method="t_test",
        categorical_method="chisquare",
    )
    numeric_columns = set(numeric)
    columns = tuple(
        _column(drift, reference, current, drift.column in numeric_columns)
        for drift in summary.columns
    )
    return snapshot, IntakeDrift(len(current), len(reference), columns, thresholds)


def _column(
    drift: ColumnDrift, reference: pd.DataFrame, current: pd.DataFrame, numeric: bool
) -> IntakeColumn:
    return IntakeColumn(
        column=drift.column,
        method=drift.method,
        p_value=drift.statistic,
        effect=effect_size(reference[drift.column], current[drift.column], numeric),
    )
