"""Training and daily scoring of the demand forecast (ED arrivals, midnight census)."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg

from assets.raw.assets import WAREHOUSE_POOL
from assets.resources import MlflowResource, WarehouseResource

# MLflow, pandas, Optuna and ml.forecast (SciPy) are imported in the asset bodies: every
# Dagster process imports this module through the code location, few runs need them.
if TYPE_CHECKING:
    import pandas as pd

DEMAND_FORECAST_MODEL = "vigil-demand-forecast"
EXPERIMENT = "demand_forecast"
HISTORY_KEY = dg.AssetKey(["ml", "demand_history"])


class DemandForecastTrainingConfig(dg.Config):
    n_trials: int = 8
    timeout_seconds: float = 60.0
    seed: int = 42
    backtest_origins: int = 3
    min_mape_gain: float = 0.0


def load_history(warehouse: WarehouseResource) -> "pd.DataFrame":
    from ml import forecast

    with warehouse.connect(read_only=True) as connection:
        return forecast.long_history(connection.execute("select * from ml.demand_history").df())


@dg.asset(
    key=["ml", "demand_forecast_model"],
    deps=[HISTORY_KEY],
    group_name="ml",
    owners=["team:ml-engineering"],
    kinds={"optuna", "mlflow", "python"},
    pool=WAREHOUSE_POOL,
)
def demand_forecast_model(
    context: dg.AssetExecutionContext,
    config: DemandForecastTrainingConfig,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
) -> dg.MaterializeResult:
    """14-day forecast of daily ED arrivals and midnight census per hospital.

    A weekday-seasonal level model with over-dispersed Poisson intervals. Optuna tunes
    its windows on a rolling-origin backtest that ends 14 days before the data; the gate
    evaluates on the latest origins: MAPE must beat seasonal naive and the champion.
    Reports the moving-average baseline, 90% interval coverage and the Poisson floor.
    """
    import mlflow
    import pandas as pd

    from assets.ml.gating import gate_version
    from ml import forecast
    from ml.evaluation import rounded
    from ml.gate import GateConfig
    from ml.registry import log_and_register, nested_trial_logger
    from ml.tuning import TuningConfig, suggest_demand_forecast, tune

    history = load_history(warehouse)
    latest = history[forecast.DATE].max()
    tuning_history = history[history[forecast.DATE] <= latest - pd.Timedelta(days=14)]
    tracking = mlflow_store.tracking()
    tracking.activate(EXPERIMENT)
    client = tracking.client()

    with mlflow.start_run(run_name="demand-forecast-training") as run:
        mlflow.log_params({"n_trials": config.n_trials, "horizon_days": forecast.HORIZON_DAYS})

        study = tune(
            lambda params: [
                forecast.backtest(tuning_history, params, config.backtest_origins)["mape"]
            ],
            suggest_demand_forecast,
            TuningConfig(config.n_trials, config.timeout_seconds, config.seed),
            direction="minimize",
            on_trial=nested_trial_logger("backtest_mape"),
        )
        metrics = forecast.backtest(history, study.best_params, config.backtest_origins)
        model = forecast.DemandForecaster(study.best_params).fit(history)
        mlflow.log_params({f"best_{k}": v for k, v in study.best_params.items()})
        mlflow.log_text(model.forecast().to_csv(index=False), "evaluation/forecast.csv")
        example = model.forecast()[["hospital_id", "target", "horizon_days"]]
        version = log_and_register(
            model, DEMAND_FORECAST_MODEL, example, metrics, predict=model.predict
        )

    gate = GateConfig(
        primary_metric="mape",
        higher_is_better=False,
        min_gain=config.min_mape_gain,
        max_brier=None,
        max_ece=None,
        baseline_metric="seasonal_naive_mape",
        subgroup_attributes=(),
    )
    _, gate_metadata = gate_version(
        context,
        warehouse,
        client,
        model_name=DEMAND_FORECAST_MODEL,
        version=version,
        challenger_metrics=metrics,
        evaluate_champion=lambda champion: forecast.backtest(
            history, champion.params, config.backtest_origins
        ),
        config=gate,
        mlflow_run_id=run.info.run_id,
    )
    return dg.MaterializeResult(
        metadata={
            **gate_metadata,
            **{f"backtest_{name}": float(value) for name, value in metrics.items()},
            "holdout_metrics": dg.MetadataValue.json(rounded(metrics)),
            "best_params": dg.MetadataValue.json(dict(study.best_params)),
        }
    )


@dg.asset(
    key=["marts", "forecast_daily"],
    deps=[HISTORY_KEY, demand_forecast_model],
    group_name="ml",
    owners=["team:ml-engineering"],
    kinds={"python", "mlflow", "duckdb"},
    pool=WAREHOUSE_POOL,
    output_required=False,
)
def forecast_daily(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
) -> Iterator[dg.MaterializeResult]:
    """Daily demand forecast: one row per hospital, target, forecast date and horizon.

    Targets: `ed_arrivals` and `midnight_census`; `point` with a 90% interval
    (`lower`, `upper`) from the `champion` forecaster refit on the latest history.
    Replaced in full on each run;
    skipped (nothing materialized, the reason observed) while the model has no champion.
    """
    import pandas as pd

    from assets.ml.gating import champion_or_skip
    from ml import forecast
    from ml.registry import load_version

    tracking = mlflow_store.tracking()
    tracking.activate(EXPERIMENT)
    version = champion_or_skip(context, tracking.client(), DEMAND_FORECAST_MODEL)
    if version is None:
        return
    champion = load_version(DEMAND_FORECAST_MODEL, version)
    history = load_history(warehouse)
    rows = forecast.DemandForecaster(champion.params).fit(history).forecast()
    rows["model_name"] = DEMAND_FORECAST_MODEL
    rows["model_version"] = version
    rows["forecast_at"] = datetime.now(UTC).replace(tzinfo=None)
    rows["origin_date"] = pd.to_datetime(rows["origin_date"]).dt.date
    rows["forecast_date"] = pd.to_datetime(rows["forecast_date"]).dt.date
    with warehouse.connect() as connection:
        connection.execute("create schema if not exists marts")
        connection.execute("create or replace table marts.forecast_daily as select * from rows")
    yield dg.MaterializeResult(
        metadata={
            "rows": len(rows),
            "model_version": version,
            "origin_date": str(rows["origin_date"].max()),
        }
    )


demand_forecast_retrain_job = dg.define_asset_job(
    "demand_forecast_retrain_job",
    selection=dg.AssetSelection.assets(demand_forecast_model, forecast_daily),
    description="Retune the demand forecaster, gate it, and refresh marts.forecast_daily.",
)
