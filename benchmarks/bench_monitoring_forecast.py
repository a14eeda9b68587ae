"""Demand-forecast monitor: false alarms on steady demand, detection of a surge.

Synthetic daily demand of two hospitals (Poisson: weekday-seasonal ED arrivals around 80
and 60, midnight census around 200 and 150), the champion fitted on days 0..62 with fixed
parameters. Each week-long window is evaluated as `monitoring/demand_forecast_drift`
evaluates a partition (:func:`monitoring.forecast_quality.reference_errors`, one-day-ahead
errors, :func:`forecast_quality`) and put through the drift sensor's policy
(:func:`monitoring.policy.breaches`) with the monitor's thresholds:

- steady: windows ending on days 69, 76 and 83 (no change), per seed;
- surge: demand x1.3 from day 84 on, windows ending 0, 2 and 6 days into it.

It reports, per kind, the share of windows that would retrain and why (error drift,
MAE rise), and the spread of the relative MAE rise and of the t-test p-value, so the
thresholds in ``monitoring/monitors.py`` can be checked against the noise.

Usage: ``python benchmarks/bench_monitoring_forecast.py [--seeds 40] [--first-seed 0]``
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from ml import forecast
from monitoring.forecast_quality import forecast_quality, one_day_ahead, reference_errors
from monitoring.monitors import DEMAND_FORECAST
from monitoring.policy import ResultView, breaches

START = date(2025, 1, 1)
PARAMS = {"level_days": 14, "weekday_weeks": 4, "weekday_shrinkage": 0.2}
WEEKDAY = np.array([1.15, 1.05, 1.0, 0.98, 0.97, 0.9, 0.95])
TRAINED_THROUGH = 62
SURGE_FROM = 84
WINDOWS = {"steady": (69, 76, 83), "surge": (SURGE_FROM, SURGE_FROM + 2, SURGE_FROM + 6)}


def demand(days: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=days, freq="D")
    surge = np.where(np.arange(days) >= SURGE_FROM, 1.3, 1.0)
    frames = [
        pd.DataFrame(
            {
                "hospital_id": hospital,
                forecast.DATE: dates,
                "ed_arrivals": rng.poisson(arrivals * WEEKDAY[dates.weekday] * surge),
                "midnight_census": rng.poisson(census * surge),
            }
        )
        for hospital, arrivals, census in (("H1", 80, 200), ("H2", 60, 150))
    ]
    return forecast.long_history(pd.concat(frames, ignore_index=True))


def evaluate(seed: int) -> list[dict]:
    history = demand(SURGE_FROM + 7, seed)
    train_end = START + timedelta(TRAINED_THROUGH)
    reference = reference_errors(DEMAND_FORECAST, history, PARAMS, train_end)
    thresholds = DEMAND_FORECAST.thresholds
    rows = []
    for kind, ends in WINDOWS.items():
        for end in ends:
            day = START + timedelta(end)
            window = [day - timedelta(d) for d in range(DEMAND_FORECAST.current_window_days)]
            current = one_day_ahead(history, PARAMS, sorted(window))
            _, quality = forecast_quality(reference, current, thresholds.column_p_value)
            mae_increase = quality.mae / quality.reference_mae - 1
            view = ResultView(
                drift_result_id=f"{seed}-{end}",
                model_name=DEMAND_FORECAST.model_name,
                evaluated_at=datetime(2025, 1, 1),
                partition_date=day,
                current_rows=len(current),
                drifted_share=float(quality.error_drift.drifted),
                drifted_columns="pct_error" if quality.error_drift.drifted else "",
                mae_increase=mae_increase,
            )
            found = breaches(view, thresholds)
            rows.append(
                {
                    "window": kind if kind == "steady" else f"surge day {end - SURGE_FROM}",
                    "retrains": bool(found),
                    "by_error_drift": quality.error_drift.drifted,
                    "by_mae": mae_increase > thresholds.max_mae_increase,
                    "mae_increase": mae_increase,
                    "p_value": quality.error_drift.statistic,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    frame = pd.DataFrame(
        [
            row
            for seed in range(args.first_seed, args.first_seed + args.seeds)
            for row in evaluate(seed)
        ]
    )
    summary = frame.groupby("window").agg(
        windows=("retrains", "size"),
        retrain_share=("retrains", "mean"),
        by_error_drift=("by_error_drift", "mean"),
        by_mae=("by_mae", "mean"),
        mae_increase_min=("mae_increase", "min"),
        mae_increase_median=("mae_increase", "median"),
        mae_increase_max=("mae_increase", "max"),
        p_value_min=("p_value", "min"),
        p_value_median=("p_value", "median"),
        p_value_max=("p_value", "max"),
    )
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    thresholds = DEMAND_FORECAST.thresholds
    print(
        f"thresholds: error drift p < {thresholds.column_p_value}, MAE rise > "
        f"{thresholds.max_mae_increase:.0%}; window {DEMAND_FORECAST.current_window_days} days, "
        f"reference {DEMAND_FORECAST.reference_days} days; "
        f"seeds {args.first_seed}..{args.first_seed + args.seeds - 1}"
    )
    print(summary.to_string(float_format=lambda value: f"{value:.3g}"))
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
