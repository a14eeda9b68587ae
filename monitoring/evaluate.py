"""One model's daily evaluation: drift, prediction drift, data quality, model quality.

Reference: the champion's training window. Current: the partition's window. The
champion scores both (its predicted risk is the prediction whose drift is reported);
the Evidently reports are saved as HTML, and one `monitoring.drift_results`
row summarises them. Pure: the caller passes the features, the champion's predict
function and where to write the reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring.config import ModelMonitor
from monitoring.drift import DriftSummary, drift_report
from monitoring.intake import TIME_COLUMN as ARRIVED_AT
from monitoring.intake import IntakeDrift, intake_drift
from monitoring.performance import ModelQuality, model_quality, regression_quality
from monitoring.quality import QualitySummary, quality_report
from monitoring.results import drift_result_row

PREDICTION = "predicted_risk"
Predict = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class Champion:
    """The registered champion a day is evaluated against."""

    version: str
    train_start: datetime
    train_end: datetime
    holdout_auroc: float | None = None
    holdout_brier: float | None = None
    holdout_mae: float | None = None


@dataclass(frozen=True)
class Evaluation:
    day: date
    current_rows: int
    skipped: str | None = None
    row: dict[str, Any] | None = None
    drift: DriftSummary | None = None
    quality: QualitySummary | None = None
    performance: ModelQuality | None = None
    reports: list[Path] = field(default_factory=list)
    intake: IntakeDrift | None = None


def pending_days(
    last_evaluated: date | None, latest: date | None, limit: int
) -> tuple[date, date] | None:
    """The days still to evaluate, first and last: after ``last_evaluated`` up to ``latest``.

    At most ``limit`` days (the latest ones); None when nothing is new.
    """
    if latest is None or (last_evaluated is not None and last_evaluated >= latest):
        return None
    first = latest - timedelta(days=limit - 1)
    if last_evaluated is not None:
        first = max(first, last_evaluated + timedelta(days=1))
    return first, latest


def reference_window(monitor: ModelMonitor, features: pd.DataFrame, champion: Champion):
    times = features[monitor.time_column]
    return features[times.between(champion.train_start, champion.train_end)]


def monitor_drift(
    monitor: ModelMonitor,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    prediction: str | None = None,
) -> tuple[Any, DriftSummary]:
    """The monitor's drift test (its columns, methods and thresholds): snapshot and summary."""
    return drift_report(
        reference,
        current,
        monitor.numeric,
        monitor.categorical,
        prediction=prediction,
        drift_share=monitor.thresholds.drift_share,
        column_threshold=monitor.thresholds.column_p_value,
        numeric_method=monitor.numeric_method,
        categorical_method=monitor.categorical_method,
    )


def day_intake(
    monitor: ModelMonitor, arrivals: pd.DataFrame, champion: Champion, day: date
) -> tuple[Any, IntakeDrift] | None:
    """The day's ED arrivals against those of the champion's training window.

    One day, whatever the monitor's ``current_window_days``: the point is to see a new
    case mix on its first day. None when the monitor does not check its intake.
    """
    if monitor.intake is None:
        return None
    times = arrivals[ARRIVED_AT]
    start = datetime.combine(day, datetime.min.time())
    current = arrivals[(times >= start) & (times < start + timedelta(days=1))]
    reference = arrivals[times.between(champion.train_start, champion.train_end)]
    return intake_drift(reference, current, monitor.intake)


def _intake_only(
    monitor: ModelMonitor,
    current: pd.DataFrame,
    champion: Champion,
    day: date,
    reports_dir: Path,
    evaluated_at: datetime,
    arrivals: pd.DataFrame | None,
    too_few: str,
) -> Evaluation:
    """A day with too few of the model's own rows: the intake check alone, when it can run.

    The day's admissions reach the model's table as they are recorded (a stay's features
    once the patient is admitted), so the last landed day may hold a handful; its ED
    arrivals are there, and they carry a new case mix on its first day. The row records
    no feature drift or quality (not evaluated), only the intake's verdict.
    """
    intake = day_intake(monitor, arrivals, champion, day) if arrivals is not None else None
    if intake is None or intake[1].current_rows < intake[1].thresholds.min_rows:
        return Evaluation(day, len(current), skipped=too_few)
    folder = reports_dir / monitor.slug / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    intake_path = folder / f"intake-{evaluated_at:%Y%m%dT%H%M%S%f}.html"
    intake[0].save_html(str(intake_path))
    start, end = monitor.current_window(day)
    nothing = DriftSummary(0, 0.0, monitor.thresholds.drift_share, ())
    row = drift_result_row(
        model_name=monitor.model_name,
        model_version=champion.version,
        evaluated_at=evaluated_at,
        reference=(champion.train_start, champion.train_end, 0),
        current=(start, end, len(current)),
        summary=nothing,
        report_path=intake_path,
        partition_date=day,
        intake=intake[1],
    )
    return Evaluation(
        day, len(current), skipped=f"{too_few}: intake only", row=row, reports=[intake_path],
        intake=intake[1],
    )  # fmt: skip


def _performance(
    monitor: ModelMonitor,
    features: pd.DataFrame,
    reference: pd.DataFrame,
    predict: Predict,
    champion: Champion,
    day: date,
) -> ModelQuality:
    """Model quality over ``performance_window_days`` ending on ``day``.

    A day's matured labels are too few for AUROC (or a stable MAE): the window is longer.
    """
    first, last = monitor.current_window(day, monitor.performance_window_days)
    times = features[monitor.time_column]
    labelled = features[(times >= first) & (times < last)]
    labelled = labelled.assign(**{PREDICTION: predict(labelled)})
    minimum = monitor.thresholds.min_labelled_rows
    if monitor.task == "regression":
        return regression_quality(
            reference,
            labelled,
            monitor.label,
            PREDICTION,
            monitor.label_mature_column,
            champion.holdout_mae,
            minimum,
        )
    known = (
        (champion.holdout_auroc, champion.holdout_brier)
        if champion.holdout_auroc is not None and champion.holdout_brier is not None
        else None
    )
    return model_quality(
        reference, labelled, monitor.label, PREDICTION, monitor.label_mature_column, known, minimum
    )


def evaluate_day(
    monitor: ModelMonitor,
    features: pd.DataFrame,
    reference: pd.DataFrame,
    predict: Predict,
    champion: Champion,
    day: date,
    reports_dir: Path,
    evaluated_at: datetime,
    arrivals: pd.DataFrame | None = None,
) -> Evaluation:
    """Evaluate ``day``'s window against ``reference`` (already scored, with PREDICTION).

    ``arrivals`` (the rows of :data:`monitoring.intake.INTAKE_SQL`) is needed by monitors
    that check their intake; without it the intake is not checked.
    """
    start, end = monitor.current_window(day)
    times = features[monitor.time_column]
    current = features[(times >= start) & (times < end)]
    if end <= champion.train_end:
        return Evaluation(day, len(current), skipped="inside the champion's training window")
    if len(current) < monitor.thresholds.min_current_rows:
        too_few = f"{len(current)} rows < {monitor.thresholds.min_current_rows} to evaluate"
        return _intake_only(
            monitor, current, champion, day, reports_dir, evaluated_at, arrivals, too_few
        )
    current = current.assign(**{PREDICTION: predict(current)})
    drift_snapshot, drift = monitor_drift(monitor, reference, current, PREDICTION)
    quality_snapshot, quality = quality_report(
        reference, current, monitor.numeric, monitor.categorical, monitor.ranges
    )
    performance = None
    if monitor.label:
        performance = _performance(monitor, features, reference, predict, champion, day)
    folder = reports_dir / monitor.slug / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{evaluated_at:%Y%m%dT%H%M%S%f}"
    drift_path, quality_path = folder / f"drift-{stamp}.html", folder / f"quality-{stamp}.html"
    drift_snapshot.save_html(str(drift_path))
    quality_snapshot.save_html(str(quality_path))
    reports = [drift_path, quality_path]
    intake = day_intake(monitor, arrivals, champion, day) if arrivals is not None else None
    if intake is not None:
        intake_path = folder / f"intake-{stamp}.html"
        intake[0].save_html(str(intake_path))
        reports.append(intake_path)
    row = drift_result_row(
        model_name=monitor.model_name,
        model_version=champion.version,
        evaluated_at=evaluated_at,
        reference=(champion.train_start, champion.train_end, len(reference)),
        current=(start, end, len(current)),
        summary=drift,
        report_path=drift_path,
        partition_date=day,
        quality=quality,
        performance=performance,
        quality_report_path=quality_path,
        intake=intake[1] if intake is not None else None,
    )
    return Evaluation(
        day,
        len(current),
        row=row,
        drift=drift,
        quality=quality,
        performance=performance,
        reports=reports,
        intake=intake[1] if intake is not None else None,
    )
