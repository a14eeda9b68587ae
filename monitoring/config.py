"""What to monitor per model, and when a result should trigger retraining.

One :class:`ModelMonitor` per monitored model drives both the daily report asset and
the drift sensor, so adding a model is one entry, not new code. Thresholds live
here, typed, rather than in the sensors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

TASKS = ("classification", "regression")


@dataclass(frozen=True)
class ColumnRange:
    """The plausible range of a numeric feature; values outside it count as out of range."""

    column: str
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class Thresholds:
    """When a daily result asks for retraining.

    - ``drift_share``: share of drifted feature columns (Evidently's dataset-drift rule,
      default 0.5 as in Evidently's DataDriftPreset).
    - ``column_p_value``: a feature column drifts when its test's p-value is below this
      (Evidently's default 0.05). Sized as a family-wise error over the features
      (Bonferroni: alpha / number of features), one drifted column can trigger
      (``drift_share`` = one column's share) without a chance alarm every few days.
    - ``trigger_on_prediction_drift``: whether drift of the predicted risk alone triggers.
    - ``trigger_on_intake_drift``: whether drift of the day's ED arrivals' case mix
      (:mod:`monitoring.intake`, for monitors that check it) triggers.
    - ``max_missing_share_increase`` / ``max_out_of_range_share_increase``: largest
      tolerated rise, in share of rows, of any feature's missing or out-of-range values
      over the reference window.
    - ``max_auroc_drop``: largest tolerated AUROC drop on matured labels (over the
      model's ``performance_window_days``) versus the champion's holdout AUROC. A daily
      window of ~30 discharges gives AUROCs from 0.3 to 0.9 by chance; on ~1,000
      discharges with ~13 % readmitted the standard error is about 0.03 (Hanley and
      McNeil 1982), so 0.08 is about 2.5 standard errors.
    - ``max_mae_increase``: largest tolerated relative rise of a regression model's MAE on
      ended targets (over ``performance_window_days``) versus the champion's holdout MAE:
      0.2 is a fifth more error. Stay lengths are right-skewed (CMS GMLOS is a geometric
      mean), so a 28-day window's MAE moves by several percent by chance.
    - ``min_labelled_rows``: fewer matured labels than this give no model-quality figure.
    - ``min_current_rows``: a window with fewer rows is not evaluated.
    - ``cooldown_hours``: after a retrain request, further triggers for the same model
      are recorded but not acted on for this long (against retraining storms).
    """

    drift_share: float = 0.5
    column_p_value: float = 0.05
    trigger_on_prediction_drift: bool = False
    trigger_on_intake_drift: bool = True
    max_missing_share_increase: float = 0.05
    max_out_of_range_share_increase: float = 0.05
    max_auroc_drop: float = 0.08
    max_mae_increase: float = 0.2
    min_labelled_rows: int = 200
    min_current_rows: int = 20
    cooldown_hours: float = 6.0

    def __post_init__(self) -> None:
        if not 0 < self.drift_share <= 1:
            raise ValueError(f"drift_share must be within (0, 1], got {self.drift_share}")
        if not 0 < self.column_p_value < 1:
            raise ValueError(f"column_p_value must be within (0, 1), got {self.column_p_value}")
        if self.cooldown_hours < 0:
            raise ValueError(f"cooldown_hours must be >= 0, got {self.cooldown_hours}")
        if self.min_current_rows < 2:
            raise ValueError(f"min_current_rows must be at least 2, got {self.min_current_rows}")


@dataclass(frozen=True)
class IntakeThresholds:
    """When a day of arrivals has drifted (see the module docstring).

    Chosen on the benchmark (``benchmarks/bench_monitoring_intake.py``, 2 hospitals x
    120 days): on ``baseline`` no column came near both bounds on any day, while
    ``case_mix_drift`` moved the Charlson index by ~0.4 standard deviations on its first
    day (p ~ 1e-9).
    """

    p_value: float = 1e-4
    min_effect: float = 0.2
    min_columns: int = 1
    min_rows: int = 50

    def __post_init__(self) -> None:
        if not 0 < self.p_value < 1:
            raise ValueError(f"p_value must be within (0, 1), got {self.p_value}")
        if self.min_effect <= 0:
            raise ValueError(f"min_effect must be > 0, got {self.min_effect}")
        if self.min_columns < 1:
            raise ValueError(f"min_columns must be >= 1, got {self.min_columns}")


@dataclass(frozen=True)
class ModelMonitor:
    """A monitored model: its features table, columns, label maturity and retrain job.

    ``slug`` names the asset (``monitoring/<slug>_drift``), the sensor and the report
    folder. ``retrain_job`` is the models' job that retrains and gates the model.
    ``numeric_method`` / ``categorical_method`` name Evidently's per-column tests (each
    must give a p-value). ``numeric`` / ``categorical`` are the columns checked for drift
    and quality; ``model_features`` the columns the model reads, when they differ (a
    feature left out of drift is named with its reason next to the entry). ``task``:
    ``classification`` (predicted risk, AUROC) or ``regression`` (predicted value, MAE).
    ``intake``: when set, each day's ED arrivals are also tested against the arrivals of
    the champion's training window (:mod:`monitoring.intake`): the patients the model
    will see, on the day they arrive rather than when they reach the model's table.
    ``regate_min_post_drift_rows``: when set, once this many labels of rows from a
    drift-triggered retrain's drifted day on have matured, the re-gate sensor requests
    one more retrain of that drift (the model's training adapts to post-drift data and
    the gate judges on it); a drift is seen before its outcomes are known.
    """

    slug: str
    model_name: str
    features_table: str
    time_column: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    retrain_job: str
    label: str | None = None
    label_mature_column: str | None = None
    label_maturity_days: int = 0
    current_window_days: int = 1
    performance_window_days: int = 28
    ranges: tuple[ColumnRange, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    numeric_method: str = "ks"
    categorical_method: str = "chisquare"
    task: str = "classification"
    model_features: tuple[str, ...] = ()
    intake: IntakeThresholds | None = None
    regate_min_post_drift_rows: int | None = None

    def __post_init__(self) -> None:
        if self.regate_min_post_drift_rows is not None and (
            self.regate_min_post_drift_rows < 2 or not self.label_mature_column
        ):
            raise ValueError(
                "regate_min_post_drift_rows needs a label_mature_column and at least 2 rows"
            )
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.current_window_days < 1:
            raise ValueError(f"current_window_days must be >= 1, got {self.current_window_days}")
        unknown = {r.column for r in self.ranges} - set(self.numeric)
        if unknown:
            raise ValueError(f"ranges for columns that are not numeric features: {sorted(unknown)}")

    @property
    def features(self) -> tuple[str, ...]:
        return self.numeric + self.categorical

    @property
    def model_columns(self) -> tuple[str, ...]:
        """The columns the model is called with."""
        return self.model_features or self.features

    def current_window(self, day: date, days: int | None = None) -> tuple[datetime, datetime]:
        """The window of a daily partition: ``[day - (days - 1), day + 1)``, UTC.

        ``days`` defaults to ``current_window_days`` (drift and quality); model quality
        uses ``performance_window_days``.
        """
        end = datetime.combine(day, time()) + timedelta(days=1)
        return end - timedelta(days=days or self.current_window_days), end


@dataclass(frozen=True)
class ForecastMonitor:
    """The demand forecast's monitor: its errors as actuals arrive (no features to drift).

    ``slug``, ``model_name``, ``retrain_job`` and ``thresholds`` play the same part as in
    :class:`ModelMonitor` (asset ``monitoring/<slug>_drift``, the drift sensor, the report
    folder). ``features_table`` / ``time_column``: the daily history whose new days the
    evaluation sensor waits for. A partition's current window is the
    ``current_window_days`` days ending on it that come after the champion's training
    data; the reference window is the ``reference_days`` days ending on the champion's
    last training day. Of the thresholds, ``drift_share`` (the share of the one monitored
    column, the percentage error: 1.0 means "it drifted"), ``column_p_value`` (its
    t-test), ``max_mae_increase`` (relative MAE rise), ``min_current_rows`` (forecast
    errors in the window: hospitals x targets x days) and ``cooldown_hours`` apply.
    """

    slug: str
    model_name: str
    retrain_job: str
    features_table: str
    time_column: str
    current_window_days: int = 7
    reference_days: int = 28
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __post_init__(self) -> None:
        if self.current_window_days < 1 or self.reference_days < 2:
            raise ValueError(
                "current_window_days must be >= 1 and reference_days >= 2, got "
                f"{self.current_window_days} and {self.reference_days}"
            )
