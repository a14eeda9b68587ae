"""Demand-forecast quality as actuals arrive: the forecast errors, and their drift.

The demand forecast has no features to drift: what can go wrong is its error. For each
day, the champion's parameters forecast it from the history up to the day before
(horizon 1: the forecast published that morning, refit on the latest history as
`marts.forecast_daily` is); when the day's actual ED arrivals and midnight census land,
the error is known. A window of days is then compared with a reference window (the
days before the champion was trained):

- MAE and MAPE (mean absolute percentage error, as the gate measures the forecaster)
  of the window, and the relative MAPE rise over the reference's;
- drift of the signed percentage errors (Evidently ``ValueDrift``, Welch t-test): a
  forecast that starts to run low or high, as after a surge or a change in case mix,
  moves the errors' mean before the MAPE of a noisy week passes a threshold.

Pure: the caller passes the long history (:func:`ml.forecast.long_history`) and the
champion's parameters. :func:`evaluate_forecast_day` makes a daily partition's
`monitoring.drift_results` row (the same columns as the other monitors: the error drift
as the one drifted column, MAE as model quality, MAPE in ``quality_statistics``) and
saves Evidently's report as HTML.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ml.forecast import DATE, SERIES, DemandForecaster
from monitoring.config import ForecastMonitor
from monitoring.drift import ColumnDrift, DriftSummary, drift_report
from monitoring.performance import ModelQuality
from monitoring.results import drift_result_row

ERROR = "pct_error"


def one_day_ahead(
    history: pd.DataFrame, params: Mapping[str, Any], days: Iterable[date]
) -> pd.DataFrame:
    """The horizon-1 forecast of each of ``days`` from the history before it, and its error.

    One row per hospital, target and day with an actual: ``actual``, ``point``,
    ``error`` (actual - point) and ``pct_error`` (error / actual; null when actual is 0).
    """
    rows = []
    for day in days:
        stamp = pd.Timestamp(day)
        before = history[history[DATE] < stamp]
        actual = history[history[DATE] == stamp]
        if before.empty or actual.empty:
            continue
        fitted = DemandForecaster(params).fit(before, backtest_origins=0)
        known = actual[[tuple(key) in fitted.states for key in actual[list(SERIES)].to_numpy()]]
        if known.empty:
            continue
        point = fitted.predict(known.assign(horizon_days=1))
        rows.append(known[[*SERIES, DATE]].assign(actual=known["value"].to_numpy(), point=point))
    if not rows:
        return pd.DataFrame(columns=[*SERIES, DATE, "actual", "point", "error", ERROR])
    frame = pd.concat(rows, ignore_index=True)
    frame["error"] = frame["actual"] - frame["point"]
    frame[ERROR] = frame["error"] / frame["actual"].where(frame["actual"] > 0)
    return frame


@dataclass(frozen=True)
class ForecastQuality:
    rows: int
    mae: float
    mape: float
    reference_mae: float
    reference_mape: float
    error_drift: ColumnDrift

    @property
    def mape_increase(self) -> float:
        """(MAPE - reference MAPE) / reference MAPE."""
        return (self.mape - self.reference_mape) / self.reference_mape


def _mape(errors: pd.DataFrame) -> float:
    return float(np.nanmean(np.abs(errors[ERROR].to_numpy(float))))


def forecast_quality(
    reference: pd.DataFrame, current: pd.DataFrame, p_value: float = 0.01
) -> tuple[Any, ForecastQuality]:
    """MAE, MAPE and drift of the percentage errors of ``current`` against ``reference``.

    Both are frames of :func:`one_day_ahead`. Returns Evidently's snapshot and the summary.
    """
    if current.empty or reference.empty:
        raise ValueError("forecast quality needs errors in both windows")
    snapshot, summary = drift_report(
        reference.dropna(subset=[ERROR]),
        current.dropna(subset=[ERROR]),
        [ERROR],
        [],
        drift_share=1.0,
        column_threshold=p_value,
        numeric_method="t_test",
    )
    quality = ForecastQuality(
        rows=len(current),
        mae=float(current["error"].abs().mean()),
        mape=_mape(current),
        reference_mae=float(reference["error"].abs().mean()),
        reference_mape=_mape(reference),
        error_drift=summary.columns[0],
    )
    return snapshot, quality


def champion_train_end(states: Mapping[Any, Any]) -> date:
    """The last day of the champion's training history (its series' latest ``last_date``)."""
    return max(state.last_date for state in states.values()).date()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=d) for d in range((last - first).days + 1)]


def reference_errors(
    monitor: ForecastMonitor, history: pd.DataFrame, params: Mapping[str, Any], train_end: date
) -> pd.DataFrame:
    """The horizon-1 errors of the ``reference_days`` days ending on ``train_end``."""
    first = train_end - timedelta(days=monitor.reference_days - 1)
    return one_day_ahead(history, params, _days(first, train_end))


@dataclass(frozen=True)
class ForecastEvaluation:
    day: date
    current_rows: int
    skipped: str | None = None
    row: dict[str, Any] | None = None
    quality: ForecastQuality | None = None
    report: Path | None = None


def evaluate_forecast_day(
    monitor: ForecastMonitor,
    history: pd.DataFrame,
    params: Mapping[str, Any],
    champion_version: str,
    train_end: date,
    reference: pd.DataFrame,
    day: date,
    reports_dir: Path,
    evaluated_at: datetime,
) -> ForecastEvaluation:
    """``day``'s window of forecast errors against ``reference`` (:func:`reference_errors`).

    The window is the ``current_window_days`` days ending on ``day`` after ``train_end``
    (days the champion was fitted on are not forecasts). The report is saved under
    ``reports_dir/<slug>/<day>/forecast-<time>.html``.
    """
    if day <= train_end:
        return ForecastEvaluation(day, 0, skipped="inside the champion's training window")
    first = max(day - timedelta(days=monitor.current_window_days - 1), train_end + timedelta(1))
    current = one_day_ahead(history, params, _days(first, day))
    minimum = monitor.thresholds.min_current_rows
    if len(current) < minimum:
        return ForecastEvaluation(
            day, len(current), skipped=f"{len(current)} forecast errors < {minimum} to evaluate"
        )
    snapshot, quality = forecast_quality(reference, current, monitor.thresholds.column_p_value)
    folder = reports_dir / monitor.slug / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"forecast-{evaluated_at:%Y%m%dT%H%M%S%f}.html"
    snapshot.save_html(str(path))
    drift = quality.error_drift
    summary = DriftSummary(
        drifted_columns_count=int(drift.drifted),
        drifted_share=float(drift.drifted),
        drift_share_threshold=monitor.thresholds.drift_share,
        columns=(drift,),
    )
    performance = ModelQuality(
        labelled_rows=quality.rows,
        auroc=None,
        brier=None,
        reference_auroc=None,
        reference_brier=None,
        mae=quality.mae,
        reference_mae=quality.reference_mae,
    )
    midnight = datetime.combine(first, time())
    row = drift_result_row(
        model_name=monitor.model_name,
        model_version=champion_version,
        evaluated_at=evaluated_at,
        reference=(
            datetime.combine(train_end - timedelta(days=monitor.reference_days - 1), time()),
            datetime.combine(train_end + timedelta(days=1), time()),
            len(reference),
        ),
        current=(midnight, datetime.combine(day + timedelta(days=1), time()), len(current)),
        summary=summary,
        report_path=path,
        partition_date=day,
        performance=performance,
    )
    row["quality_statistics"] = json.dumps(
        [
            {
                "column": ERROR,
                "mape": quality.mape,
                "reference_mape": quality.reference_mape,
                "mape_increase": quality.mape_increase,
                "mean_pct_error": float(current[ERROR].mean()),
                "reference_mean_pct_error": float(reference[ERROR].mean()),
            }
        ]
    )
    return ForecastEvaluation(day, len(current), row=row, quality=quality, report=path)
