"""The monitored models: one :class:`ModelMonitor` entry per model.

The asset factory and the drift sensor are built from this list; a new model is
monitored by adding an entry whose ``retrain_job`` is the models' retrain job.
"""

from __future__ import annotations

from ml import length_of_stay, readmission
from monitoring.config import (
    ColumnRange,
    ForecastMonitor,
    IntakeThresholds,
    ModelMonitor,
    Thresholds,
)

# Plausible ranges of the models' features; a value outside is a data error.
RANGES = (
    ColumnRange("age_years", 0, 120, "human lifespan; CMS HWR cohort is adults 18+"),
    ColumnRange("charlson_index", 0, 37, "Charlson 1987: the weighted conditions sum to 37"),
    ColumnRange("acuity_level", 0, 2, "level of care: 0 ward, 1 step-down, 2 ICU (staging)"),
    ColumnRange("length_of_stay_days", 0, 365, "one year: longer inpatient stays are errors"),
    ColumnRange("prior_admissions_365d", 0, 365, "at most one admission a day in 365 days"),
    ColumnRange("prior_admissions_180d", 0, 180, "at most one admission a day in 180 days"),
)


def ranges_of(numeric) -> tuple[ColumnRange, ...]:
    """The ranges of the monitored numeric columns (the models engineer owns the lists)."""
    return tuple(r for r in RANGES if r.column in numeric)


READMISSION_RANGES = ranges_of(readmission.NUMERIC_FEATURES)

READMISSION = ModelMonitor(
    slug="readmission",
    model_name="vigil-readmission",
    features_table="ml.readmission_features",
    time_column=readmission.TIME_COLUMN,
    numeric=tuple(readmission.NUMERIC_FEATURES),
    categorical=tuple(readmission.CATEGORICAL_FEATURES),
    retrain_job="readmission_retrain_job",
    label=readmission.LABEL,
    label_mature_column="is_label_mature",
    # CMS Hospital-Wide Readmission: unplanned readmission within 30 days of discharge.
    label_maturity_days=30,
    # Seven days ending on the partition's day: on ~35 discharges a day the simulator's
    # case_mix_drift was never detected with one-day windows in 40 days; with seven it
    # was, and the baseline gave no false alarm either way (benchmarks/bench_monitoring.py).
    current_window_days=7,
    ranges=READMISSION_RANGES,
    thresholds=Thresholds(),
    # The discharges reach this table days after the patients arrive: their ED arrivals
    # show a new case mix on its first day (monitoring/intake.py).
    intake=IntakeThresholds(),
)

# Length of stay at admission. Admission-time features carry a case-mix change on the
# day it starts (discharge-time features lag by the stay), so one-day windows. Left out
# of drift, still passed to the model:
# - prior_admissions_365d: the simulator (and a new deployment) starts with no history,
#   so the count rises for a year on an unchanged population: any one-day test flags it.
# - ms_drg_code, ms_drg_relative_weight: the MS-DRG is coded after discharge, so a
#   day's admissions have it ('unknown', null) only once they have left: a recent day
#   would show up as 100 % missing and trigger a retrain on a steady population. (The
#   code also has hundreds of levels; a day's ~30 admissions leave most expected counts
#   below 5, where chi-square is invalid, Cochran 1954.)
LOS_DRIFT_EXCLUDED = ("prior_admissions_365d", "ms_drg_code", "ms_drg_relative_weight")
LOS_NUMERIC = tuple(c for c in length_of_stay.NUMERIC_FEATURES if c not in LOS_DRIFT_EXCLUDED)
LENGTH_OF_STAY = ModelMonitor(
    slug="length_of_stay",
    model_name="vigil-length-of-stay",
    features_table="ml.length_of_stay_features",
    time_column=length_of_stay.TIME_COLUMN,
    numeric=LOS_NUMERIC,
    categorical=tuple(
        c for c in length_of_stay.CATEGORICAL_FEATURES if c not in LOS_DRIFT_EXCLUDED
    ),
    model_features=tuple(length_of_stay.FEATURES),
    retrain_job="length_of_stay_retrain_job",
    task="regression",
    label=length_of_stay.TARGET,
    # A stay counts (ml.length_of_stay_features.is_target_mature) once the patient has
    # left and 30 days have passed since admission, so long stays are not left out.
    label_mature_column="is_target_mature",
    label_maturity_days=30,
    current_window_days=1,
    ranges=ranges_of(LOS_NUMERIC),
    # Welch t-test for the numeric columns: a day's ~30 admissions shift means (age,
    # Charlson) before K-S on these discrete scores sees it. A column drifts at p < 0.01,
    # and two of the six must drift together (share 0.33): on 52 baseline days (2
    # hospitals) p < 0.05 gave 3 triggers, one column at p < 0.01 gave 5, this rule 0
    # (benchmarks/bench_monitoring_los.py, docs/monitoring.md "Length of stay").
    numeric_method="t_test",
    thresholds=Thresholds(drift_share=0.33, column_p_value=0.01),
    # A day's ~30 admissions carry a case-mix change at about two standard errors; the
    # day's ~150 ED arrivals, where most admissions come from, at five or more.
    intake=IntakeThresholds(),
    # The intake check sees a drift on its first day, 30 days before any of its stays is
    # a mature target: the retrain then can only refit on the old case mix's outcomes.
    # Once this many post-drift stays have matured, the drift is retrained once more and
    # the model revised on them (ml.length_of_stay, the same number).
    regate_min_post_drift_rows=length_of_stay.MIN_POST_DRIFT_STAYS,
)

MONITORS: tuple[ModelMonitor, ...] = (READMISSION, LENGTH_OF_STAY)

# The demand forecast (ED arrivals, midnight census per hospital): its horizon-1 errors
# as each day's actuals land (monitoring/forecast_quality.py). A week of errors (2
# hospitals x 2 targets: 28) against the four weeks up to the champion's last training
# day. Sized on benchmarks/bench_monitoring_forecast.py (seeds 0..39, steady Poisson
# demand vs x1.3 from a day on): a week's MAE moved by -36 % to +56 % on steady demand,
# so the default 20 % rise would retrain on 28 of 120 steady windows; here a rise above
# 75 % triggers. The percentage errors' Welch t-test flagged 2 of 120 steady windows at
# p < 0.01 and 1 at p < 0.001 (smallest p 5e-4), so p < 1e-4. One series' week (7
# errors) is the least evaluated.
DEMAND_FORECAST = ForecastMonitor(
    slug="demand_forecast",
    model_name="vigil-demand-forecast",
    retrain_job="demand_forecast_retrain_job",
    features_table="ml.demand_history",
    time_column="demand_date",
    current_window_days=7,
    reference_days=28,
    thresholds=Thresholds(
        drift_share=1.0, column_p_value=1e-4, max_mae_increase=0.75, min_current_rows=7
    ),
)

# Every monitor whose results the drift sensors read and whose retrains are audited.
RETRAIN_MONITORS: tuple[ModelMonitor | ForecastMonitor, ...] = (*MONITORS, DEMAND_FORECAST)
