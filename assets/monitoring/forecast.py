"""Daily monitoring of the demand forecast: its errors as each day's actuals land."""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from assets.ml.demand_forecast import HISTORY_KEY, demand_forecast_model, load_history
from assets.monitoring.partitions import MONITORING_DAYS
from assets.raw.assets import WAREHOUSE_POOL
from assets.resources import MlflowResource, WarehouseResource
from ml.registry import CHAMPION, alias_version
from monitoring.monitors import DEMAND_FORECAST

# MLflow, pandas and the evaluation modules (SciPy, Evidently) are imported in the asset
# body: every Dagster process imports this module through the code location, and only
# the monitoring runs evaluate.
if TYPE_CHECKING:
    import pandas as pd

    from monitoring.forecast_quality import ForecastEvaluation

MONITOR = DEMAND_FORECAST
TREND_SQL = """
select strftime(partition_date, '%Y-%m-%d') as partition_date, current_rows as errors,
       drifted_share = 1 as is_error_drift, round(mae, 2) as mae,
       round(mae_increase, 3) as mae_increase,
       round(cast(quality_statistics->>'$[0].mape' as double), 4) as mape
from monitoring.drift_results
where model_name = ? and partition_date is not null
qualify row_number() over (partition by partition_date order by evaluated_at desc) = 1
order by partition_date desc
limit 30
"""


class ForecastMonitoringConfig(dg.Config):
    mlflow_ui_url: str = "http://127.0.0.1:5000"


def _metadata(evaluations: "list[ForecastEvaluation]", trend: "pd.DataFrame", run_url: str) -> dict:
    from assets.monitoring.metadata import evaluation_summary

    evaluated = [e for e in evaluations if e.row is not None]
    metadata = evaluation_summary(evaluations, trend, run_url)
    if evaluated:
        latest = evaluated[-1]
        quality = latest.quality
        metadata |= {
            "partition_date": str(latest.day),
            "forecast_errors": latest.current_rows,
            "reference_errors": latest.row["reference_rows"],
            "error_drift": quality.error_drift.drifted,
            "error_drift_p_value": quality.error_drift.statistic,
            "mae": quality.mae,
            "reference_mae": quality.reference_mae,
            "mae_increase": latest.row["mae_increase"],
            "mape": quality.mape,
            "reference_mape": quality.reference_mape,
            "mape_increase": quality.mape_increase,
            "champion_version": latest.row["model_version"],
            "forecast_report": dg.MetadataValue.path(str(latest.report)),
        }
    return metadata


@dg.asset(
    name=f"{MONITOR.slug}_drift",
    key_prefix=["monitoring"],
    deps=[HISTORY_KEY, demand_forecast_model.key],
    partitions_def=MONITORING_DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="monitoring",
    owners=["team:ml-engineering"],
    kinds={"evidently", "duckdb", "html"},
    pool=WAREHOUSE_POOL,
    description=(
        f"Daily monitoring of `{MONITOR.model_name}` as actuals arrive: the champion's "
        "one-day-ahead forecast of each day's ED arrivals and midnight census (its parameters "
        "refit on the history before the day), over the "
        f"{MONITOR.current_window_days} days ending on the partition, against the "
        f"{MONITOR.reference_days} days up to the champion's last training day: MAE, MAPE, "
        "and Evidently drift (Welch t-test) of the percentage errors. HTML report under "
        f"`$VIGIL_HOME/reports/{MONITOR.slug}/<day>/`, also logged to the champion's MLflow "
        "run; the summary is a row of `monitoring.drift_results`, which the "
        f"`{MONITOR.slug}_drift_sensor` reads to trigger `{MONITOR.retrain_job}`."
    ),
)
def demand_forecast_drift(
    context: dg.AssetExecutionContext,
    config: ForecastMonitoringConfig,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
    reports_dir: dg.ResourceParam[str],
) -> dg.MaterializeResult:
    import mlflow

    from monitoring.forecast_quality import (
        champion_train_end,
        evaluate_forecast_day,
        reference_errors,
    )
    from monitoring.results import DRIFT_RESULTS_DDL, insert_sql

    with warehouse.connect() as connection:
        connection.execute(DRIFT_RESULTS_DDL)
    tracking = mlflow_store.tracking()
    mlflow.set_tracking_uri(tracking.tracking_uri)
    mlflow.set_registry_uri(tracking.tracking_uri)
    client = tracking.client()
    version = alias_version(client, MONITOR.model_name, CHAMPION)
    if version is None:
        context.log.warning(f"{MONITOR.model_name} has no @{CHAMPION}: nothing evaluated")
        return dg.MaterializeResult(
            metadata={"partitions_evaluated": 0, "skipped": f"no @{CHAMPION} version yet"}
        )
    run_id = client.get_model_version(MONITOR.model_name, version).run_id
    champion = mlflow.sklearn.load_model(f"models:/{MONITOR.model_name}/{version}")
    train_end = champion_train_end(champion.states)
    history = load_history(warehouse)
    reference = reference_errors(MONITOR, history, champion.params, train_end)
    evaluations = []
    for key in context.partition_keys:
        evaluation = evaluate_forecast_day(
            MONITOR,
            history,
            champion.params,
            str(version),
            train_end,
            reference,
            date.fromisoformat(key),
            Path(reports_dir),
            datetime.now(UTC).replace(tzinfo=None),
        )
        evaluations.append(evaluation)
        if evaluation.row is None:
            context.log.info(f"{MONITOR.slug} {key}: not evaluated, {evaluation.skipped}")
            continue
        client.log_artifact(run_id, str(evaluation.report), f"monitoring/{key}")
        with warehouse.connect() as connection:
            connection.execute(
                insert_sql("monitoring.drift_results", evaluation.row),
                list(evaluation.row.values()),
            )
    with warehouse.connect(read_only=True) as connection:
        trend = connection.execute(TREND_SQL, [MONITOR.model_name]).df()
    experiment = client.get_run(run_id).info.experiment_id
    run_url = f"{config.mlflow_ui_url}/#/experiments/{experiment}/runs/{run_id}"
    return dg.MaterializeResult(metadata=_metadata(evaluations, trend, run_url))
