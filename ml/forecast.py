"""Daily demand forecast per hospital: ED arrivals and midnight census, 14 days ahead.

Pure numpy/pandas/scikit-learn. The forecaster is a weekday-seasonal level model:
the point forecast for a day is the series' recent level (mean of the last
``level_days`` days) times that weekday's factor (its mean over the last
``weekday_weeks`` weeks relative to the weekly mean, shrunk towards 1 by
``weekday_shrinkage``). Prediction intervals treat the count as over-dispersed
Poisson: variance = dispersion(h) x point, with the dispersion per horizon h
estimated from the forecaster's own errors on the training history (so census,
which drifts more than arrivals, gets wider intervals), and a normal approximation.

Baselines (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.):
seasonal naive (same weekday in the latest observed week) and the 7-day moving
average. The Poisson noise floor is the MAPE a forecaster would still make if it knew
each day's true mean exactly and counts were Poisson around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

TARGETS = ("ed_arrivals", "midnight_census")
HORIZON_DAYS = 14
DATE = "demand_date"
SERIES = ("hospital_id", "target")


def long_history(history: pd.DataFrame) -> pd.DataFrame:
    """``ml.demand_history`` (one column per target) to one row per hospital, target, day."""
    frame = history.melt(id_vars=["hospital_id", DATE], value_vars=list(TARGETS), var_name="target")
    frame[DATE] = pd.to_datetime(frame[DATE])
    return frame.sort_values([*SERIES, DATE]).reset_index(drop=True)


@dataclass
class SeriesState:
    level: float
    weekday_factors: np.ndarray  # index 0 = Monday
    last_date: pd.Timestamp


def _state(values: np.ndarray, dates: pd.DatetimeIndex, params: Mapping[str, Any]) -> SeriesState:
    level_days = int(params["level_days"])
    weeks = int(params["weekday_weeks"])
    shrink = float(params["weekday_shrinkage"])
    level = float(np.mean(values[-level_days:]))
    recent = pd.Series(values[-7 * weeks :], index=dates[-7 * weeks :])
    by_weekday = recent.groupby(recent.index.weekday).mean().reindex(range(7))
    overall = recent.mean()
    raw = (by_weekday / overall).fillna(1.0).to_numpy() if overall > 0 else np.ones(7)
    factors = 1.0 + (raw - 1.0) * (1.0 - shrink)
    return SeriesState(level=level, weekday_factors=factors, last_date=dates[-1])


def _point(state: SeriesState, horizon: np.ndarray) -> tuple[pd.DatetimeIndex, np.ndarray]:
    dates = state.last_date + pd.to_timedelta(horizon, unit="D")
    return pd.DatetimeIndex(dates), state.level * state.weekday_factors[dates.weekday]


@dataclass
class DemandForecaster:
    """Weekday-seasonal level forecaster with over-dispersed Poisson intervals."""

    params: Mapping[str, Any]
    horizon_days: int = HORIZON_DAYS
    coverage: float = 0.9
    states: dict[tuple[str, str], SeriesState] = field(default_factory=dict)
    dispersion: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def fit(self, history: pd.DataFrame, backtest_origins: int = 4) -> DemandForecaster:
        """Fit each series on ``history`` (long form); dispersion from rolling-origin errors."""
        for key, series in history.groupby(list(SERIES)):
            values = series["value"].to_numpy(float)
            dates = pd.DatetimeIndex(series[DATE])
            self.states[key] = _state(values, dates, self.params)
            ratios = []
            for origin in _origins(len(values), self.horizon_days, backtest_origins):
                state = _state(values[:origin], dates[:origin], self.params)
                _, point = _point(state, np.arange(1, self.horizon_days + 1))
                actual = values[origin : origin + self.horizon_days]
                ratios.append((actual - point) ** 2 / np.maximum(point, 1.0))
            self.dispersion[key] = (
                np.maximum(np.mean(ratios, axis=0), 1.0) if ratios else np.ones(self.horizon_days)
            )
        return self

    def forecast(self) -> pd.DataFrame:
        """One row per hospital, target and forecast day: point, lower, upper."""
        z = stats.norm.ppf(0.5 + self.coverage / 2)
        rows = []
        horizon = np.arange(1, self.horizon_days + 1)
        for (hospital_id, target), state in self.states.items():
            dates, point = _point(state, horizon)
            spread = z * np.sqrt(self.dispersion[(hospital_id, target)] * np.maximum(point, 0))
            rows.append(
                pd.DataFrame(
                    {
                        "hospital_id": hospital_id,
                        "target": target,
                        "origin_date": state.last_date,
                        "forecast_date": dates,
                        "horizon_days": horizon,
                        "point": point,
                        "lower": np.maximum(point - spread, 0.0),
                        "upper": point + spread,
                    }
                )
            )
        return pd.concat(rows, ignore_index=True)

    def predict(self, requests: pd.DataFrame) -> np.ndarray:
        """Point forecasts for rows of (hospital_id, target, horizon_days)."""
        out = []
        for row in requests.itertuples(index=False):
            state = self.states[(row.hospital_id, row.target)]
            out.append(_point(state, np.array([int(row.horizon_days)]))[1][0])
        return np.asarray(out, dtype=float)


MIN_HISTORY_DAYS = 28


def _origins(length: int, horizon: int, count: int) -> list[int]:
    """Backtest origins: the last ``count`` weekly cut-offs with a full horizon after and
    at least 4 weeks before; the same for every parameter set, so trials compare fairly."""
    last = length - horizon
    return [o for o in range(last, last - 7 * count, -7) if o >= MIN_HISTORY_DAYS][::-1]


def seasonal_naive(values: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """Same weekday in the latest observed week."""
    return values[len(values) - 7 + (horizon - 1) % 7]


def moving_average(values: np.ndarray, horizon: np.ndarray, window: int = 7) -> np.ndarray:
    return np.full(len(horizon), values[-window:].mean())


def poisson_mape_floor(mean: np.ndarray) -> float:
    """MAPE of forecasting Poisson counts with their true mean (days with 0 left out)."""
    errors = []
    for lam in np.asarray(mean, float):
        counts = np.arange(1, int(lam + 10 * np.sqrt(lam) + 10))
        pmf = stats.poisson.pmf(counts, lam)
        errors.append(np.sum(pmf * np.abs(counts - lam) / counts) / max(pmf.sum(), 1e-12))
    return float(np.mean(errors))


def mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute percentage error over days with non-zero actuals."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    keep = actual > 0
    return float(np.mean(np.abs(actual[keep] - predicted[keep]) / actual[keep]))


def backtest(history: pd.DataFrame, params: Mapping[str, Any], origins: int = 4) -> dict:
    """Rolling-origin evaluation over the last ``origins`` weekly cut-offs of ``history``.

    Returns MAPE of the forecaster and both baselines, the forecaster's interval
    coverage, and the Poisson noise floor, pooled over series and origins.
    """
    actuals, model, naive, average, inside, means = [], [], [], [], [], []
    horizon = np.arange(1, HORIZON_DAYS + 1)
    for key, series in history.groupby(list(SERIES)):
        values = series["value"].to_numpy(float)
        cut_offs = _origins(len(values), HORIZON_DAYS, origins)
        for origin in cut_offs:
            train = series.iloc[:origin]
            fitted = DemandForecaster(params).fit(train)
            frame = fitted.forecast()
            frame = frame[(frame["hospital_id"] == key[0]) & (frame["target"] == key[1])]
            actual = values[origin : origin + HORIZON_DAYS]
            actuals.append(actual)
            model.append(frame["point"].to_numpy())
            inside.append((actual >= frame["lower"].to_numpy()) & (actual <= frame["upper"]))
            naive.append(seasonal_naive(values[:origin], horizon))
            average.append(moving_average(values[:origin], horizon))
            means.append(frame["point"].to_numpy())
    if not actuals:
        raise ValueError("history too short for a backtest: need the level window plus 14 days")
    actual = np.concatenate(actuals)
    return {
        "mape": mape(actual, np.concatenate(model)),
        "seasonal_naive_mape": mape(actual, np.concatenate(naive)),
        "moving_average_mape": mape(actual, np.concatenate(average)),
        "interval_coverage": float(np.mean(np.concatenate(inside))),
        "poisson_floor_mape": poisson_mape_floor(np.concatenate(means)),
        "backtest_days": float(len(actual)),
    }
