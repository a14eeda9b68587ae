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
champion's parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ml.forecast import DATE, SERIES, DemandForecaster
from monitoring.drift import ColumnDrift, drift_report

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
