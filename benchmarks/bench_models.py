"""Vigil's models against their baselines and the ground-truth ceiling.

Simulates networks (seeded), builds the feature tables with the project's own dbt SQL
(rendered as in tests/ml), trains each model as its asset does (Optuna, same budgets),
and prints, per seed and as medians:

- readmission: holdout AUROC of the model, of LACE, and of the simulator's true risk
  (the ceiling), with the model's gap to the ceiling;
- length of stay: holdout MAE (days) of the model and of the per-DRG median;
- demand forecast: rolling-origin MAPE of the forecaster, seasonal naive and 7-day
  moving average, 90% interval coverage, and the Poisson noise floor;
- deterioration within 24 h: holdout AUROC of the model and of NEWS2, sensitivity at
  NEWS2's alert rate (score >= 5) of both, and per deterioration event the share alerted
  in the 24 h before it and the median lead time (hours from first alert to the event).

Usage: .venv/bin/python benchmarks/bench_models.py [--hospitals 2] [--days 180] [--seeds 7 8]
       [--models readmission length_of_stay forecast deterioration]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ml import deterioration, forecast, length_of_stay, readmission  # noqa: E402
from ml.tuning import (  # noqa: E402
    TuningConfig,
    suggest_demand_forecast,
    suggest_deterioration,
    suggest_length_of_stay,
    suggest_readmission,
    tune,
)
from simulator.config import NetworkConfig  # noqa: E402
from simulator.network import simulate  # noqa: E402
from tests.ml.feature_sql import DETERIORATION_CHAIN, build_features  # noqa: E402

CHAIN = {
    "staging": sorted({"stg_ehr__ed_visits", *DETERIORATION_CHAIN["staging"]}),
    "ml": [
        "readmission_features",
        "length_of_stay_features",
        "demand_history",
        *DETERIORATION_CHAIN["ml"],
    ],
}
RAW = ("encounters", "patients", "ed_visits", "units", "vitals", "lab_results", "clinical_events")
MODELS = ("readmission", "length_of_stay", "forecast", "deterioration")
# The deterioration asset's default study timeout (its fits are slower than the others').
DETERIORATION_TIMEOUT_SECONDS = 300.0


def run_seed(
    hospitals: int, days: int, seed: int, trials: int, models: tuple[str, ...] = MODELS
) -> dict[str, float]:
    tables = simulate(NetworkConfig(hospitals=hospitals, days=days, seed=seed))
    with duckdb.connect() as connection:
        build_features(connection, {k: tables[k] for k in RAW}, CHAIN)
        features = {
            name: connection.execute(f"select * from ml.{name}").df() for name in CHAIN["ml"]
        }
    config = TuningConfig(n_trials=trials)
    out: dict[str, float] = {}
    if "readmission" in models:
        out.update(run_readmission(features, tables, config))
    if "length_of_stay" in models:
        out.update(run_length_of_stay(features, config))
    if "forecast" in models:
        out.update(run_forecast(features, config))
    if "deterioration" in models:
        out.update(run_deterioration(features, trials))
    return out


def run_readmission(features: dict, tables: dict, config: TuningConfig) -> dict[str, float]:
    out: dict[str, float] = {}
    split = readmission.time_split(features["readmission_features"])
    study = tune(lambda p: readmission.fold_scores(p, split.train), suggest_readmission, config)
    model = readmission.build_model(study.best_params).fit(
        readmission.model_input(split.train), split.train[readmission.LABEL]
    )
    truth = tables["ground_truth_readmission"].set_index("encounter_id")
    true_risk = split.holdout["encounter_id"].map(truth["true_readmission_risk_30d"])
    out["readmission_auroc"] = readmission.evaluate(model, split.holdout)["auroc"]
    out.update(readmission.reference_aurocs(split.holdout, true_risk))
    out["ceiling_minus_model"] = out["ceiling_auroc"] - out["readmission_auroc"]
    out["readmission_holdout_rows"] = len(split.holdout)
    return out


def run_length_of_stay(features: dict, config: TuningConfig) -> dict[str, float]:
    out: dict[str, float] = {}
    los_split = length_of_stay.time_split(features["length_of_stay_features"])
    study = tune(
        lambda p: length_of_stay.fold_scores(p, los_split.train),
        suggest_length_of_stay,
        config,
        direction="minimize",
    )
    los_model = length_of_stay.build_model(study.best_params).fit(
        length_of_stay.model_input(los_split.train), los_split.train[length_of_stay.TARGET]
    )
    baseline = length_of_stay.DrgMedianBaseline.fit(los_split.train)
    los_metrics = length_of_stay.evaluate(los_model, los_split.holdout, baseline)
    out["los_mae_days"] = los_metrics["mae"]
    out["los_drg_median_mae_days"] = los_metrics["drg_median_mae"]
    return out


def run_forecast(features: dict, config: TuningConfig) -> dict[str, float]:
    out: dict[str, float] = {}
    history = forecast.long_history(features["demand_history"])
    tuning_history = history[
        history[forecast.DATE] <= history[forecast.DATE].max() - pd.Timedelta(days=14)
    ]
    study = tune(
        lambda p: [forecast.backtest(tuning_history, p, 3)["mape"]],
        suggest_demand_forecast,
        config,
        direction="minimize",
    )
    for target in forecast.TARGETS:
        metrics = forecast.backtest(history[history["target"] == target], study.best_params, 3)
        for name in (
            "mape",
            "seasonal_naive_mape",
            "moving_average_mape",
            "interval_coverage",
            "poisson_floor_mape",
        ):
            out[f"{target}_{name}"] = metrics[name]
    return out


def run_deterioration(features: dict, trials: int) -> dict[str, float]:
    split = deterioration.time_split(features["deterioration_features"])
    study = tune(
        lambda p: deterioration.fold_scores(p, split.train),
        suggest_deterioration,
        TuningConfig(n_trials=trials, timeout_seconds=DETERIORATION_TIMEOUT_SECONDS),
    )
    model = deterioration.fit(study.best_params, split.train)
    metrics = deterioration.evaluate(model, split.holdout)
    risk = deterioration.predict_risk(model, split.holdout)
    lead = deterioration.lead_time_summary(split.holdout, risk, metrics["news2_alert_rate"])
    names = (
        "auroc",
        "news2_auroc",
        "news2_alert_rate",
        "sensitivity_at_news2_alert_rate",
        "news2_sensitivity",
        "ece",
    )
    return {
        **{f"deterioration_{name}": metrics[name] for name in names},
        **{f"deterioration_{name}": value for name, value in lead.items()},
        "deterioration_holdout_sets": float(len(split.holdout)),
        "deterioration_holdout_positive_sets": float(split.holdout[deterioration.LABEL].sum()),
        "deterioration_trials_complete": float(
            sum(t.state.name == "COMPLETE" for t in study.trials)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=2)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    args = parser.parse_args()
    results = []
    for seed in args.seeds:
        started = time.perf_counter()
        results.append(run_seed(args.hospitals, args.days, seed, args.trials, tuple(args.models)))
        print(f"seed {seed}: {time.perf_counter() - started:.1f} s")
        for name, value in results[-1].items():
            print(f"    {name:42s} {value:8.4f}")
    print(f"\nmedians over seeds {args.seeds} ({args.hospitals} hospitals x {args.days} days):")
    for name in results[0]:
        print(f"    {name:42s} {statistics.median(r[name] for r in results):8.4f}")


if __name__ == "__main__":
    main()
