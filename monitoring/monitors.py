"""The monitored models: one :class:`ModelMonitor` entry per model.

The asset factory and the drift sensor are built from this list; a new model is
monitored by adding an entry whose ``retrain_job`` is the models' retrain job.
"""

from __future__ import annotations

from ml import readmission
from monitoring.config import ColumnRange, ModelMonitor, Thresholds

# Plausible ranges of the readmission features; a value outside is a data error.
READMISSION_RANGES = tuple(
    column_range
    for column_range in (
        ColumnRange("age_years", 0, 120, "human lifespan; CMS HWR cohort is adults 18+"),
        ColumnRange("charlson_index", 0, 37, "Charlson 1987: the weighted conditions sum to 37"),
        ColumnRange("acuity_level", 0, 2, "level of care: 0 ward, 1 step-down, 2 ICU (staging)"),
        ColumnRange("length_of_stay_days", 0, 365, "one year: longer inpatient stays are errors"),
        ColumnRange("prior_admissions_365d", 0, 365, "at most one admission a day in 365 days"),
        ColumnRange("prior_admissions_180d", 0, 180, "at most one admission a day in 180 days"),
    )
    # The models engineer owns the feature list: only range-check features it has.
    if column_range.column in readmission.NUMERIC_FEATURES
)

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
)

MONITORS: tuple[ModelMonitor, ...] = (READMISSION,)
