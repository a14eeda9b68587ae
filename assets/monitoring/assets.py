"""Daily monitoring reports per model: one partitioned asset per entry of MONITORS."""

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb

from assets.ml.assets import FEATURES_KEY, readmission_model
from assets.ml.demand_forecast import HISTORY_KEY
from assets.ml.length_of_stay import FEATURES_KEY as LOS_FEATURES_KEY
from assets.ml.length_of_stay import length_of_stay_model
from assets.monitoring.evaluation import build_evaluation_sensor, build_monitoring_job
from assets.monitoring.forecast import demand_forecast_drift
from assets.monitoring.partitions import MONITORING_DAYS
from assets.raw.assets import WAREHOUSE_POOL
from assets.resources import MlflowResource, WarehouseResource
from ml.registry import CHAMPION, alias_version
from monitoring.config import ModelMonitor
from monitoring.monitors import DEMAND_FORECAST, LENGTH_OF_STAY, READMISSION

# MLflow, pandas and the evaluation modules (Evidently, scikit-learn) are imported in
# the asset body: every Dagster process imports this module through the code location,
# and only the monitoring runs evaluate.
if TYPE_CHECKING:
    import pandas as pd

    from monitoring.evaluate import Champion, Evaluation

TREND_SQL = """
select strftime(partition_date, '%Y-%m-%d') as partition_date, current_rows,
       round(drifted_share, 2) as drifted_share,
       is_dataset_drift, is_prediction_drift,
       round(max_missing_share_increase, 3) as missing_up,
       round(max_out_of_range_share_increase, 3) as out_of_range_up,
       round(auroc, 3) as auroc, round(mae, 3) as mae_days
from monitoring.drift_results
where model_name = ? and partition_date is not null
qualify row_number() over (partition by partition_date order by evaluated_at desc) = 1
order by partition_date desc
limit 30
"""


class MonitoringConfig(dg.Config):
    """Run-time overrides of the model's monitor (``monitoring/monitors.py``)."""

    mlflow_ui_url: str = "http://127.0.0.1:5000"
    current_window_days: int | None = None
    min_current_rows: int | None = None

    def apply(self, monitor: ModelMonitor) -> ModelMonitor:
        if self.current_window_days is not None:
            monitor = replace(monitor, current_window_days=self.current_window_days)
        if self.min_current_rows is not None:
            thresholds = replace(monitor.thresholds, min_current_rows=self.min_current_rows)
            monitor = replace(monitor, thresholds=thresholds)
        return monitor


def load_champion(client, monitor: ModelMonitor) -> "tuple[Champion, str]":
    """The champion version, its training window and holdout metrics; and its MLflow run id."""
    import pandas as pd

    from monitoring.evaluate import Champion

    version = client.get_model_version_by_alias(monitor.model_name, CHAMPION)
    metrics = client.get_run(version.run_id).data.metrics
    champion = Champion(
        version=version.version,
        train_start=pd.Timestamp(version.tags["train_start"]).to_pydatetime(),
        train_end=pd.Timestamp(version.tags["train_end"]).to_pydatetime(),
        holdout_auroc=metrics.get("auroc"),
        holdout_brier=metrics.get("brier"),
        holdout_mae=metrics.get("mae"),
    )
    return champion, version.run_id


def _metadata(evaluations: "list[Evaluation]", trend: "pd.DataFrame", run_url: str) -> dict:
    from assets.monitoring.metadata import evaluation_summary

    evaluated = [e for e in evaluations if e.row is not None]
    metadata = evaluation_summary(evaluations, trend, run_url)
    if evaluated:
        latest = evaluated[-1]
        row = latest.row
        metadata |= {
            "partition_date": str(latest.day),
            "current_rows": latest.current_rows,
            "champion_version": row["model_version"],
            "intake_drift": row["is_intake_drift"] if latest.intake else "not checked",
            "intake_drifted_columns": row["intake_drifted_columns"] or "none",
        }
        if latest.drift is None:  # too few of the model's rows: the intake check alone
            metadata["drift_report"] = f"not evaluated: {latest.skipped}"
        else:
            metadata |= {
                "dataset_drift": row["is_dataset_drift"],
                "drifted_share": row["drifted_share"],
                "drifted_columns": row["drifted_columns"] or "none",
                "prediction_drift": row["is_prediction_drift"],
                "max_missing_share_increase": row["max_missing_share_increase"],
                "max_out_of_range_share_increase": row["max_out_of_range_share_increase"],
                "auroc_on_matured_labels": row["auroc"] if row["auroc"] is not None else "immature",
                "mae_days_on_ended_stays": row["mae"] if row["mae"] is not None else "none",
                "reference_rows": row["reference_rows"],
                "drift_report": dg.MetadataValue.path(str(latest.reports[0])),
                "quality_report": dg.MetadataValue.path(str(latest.reports[1])),
                "column_statistics": dg.MetadataValue.json(
                    {c.column: round(c.statistic, 4) for c in latest.drift.columns}
                ),
            }
        if latest.intake is not None:
            metadata["intake_report"] = dg.MetadataValue.path(str(latest.reports[-1]))
            metadata["intake_statistics"] = dg.MetadataValue.json(
                {c.column: {"p_value": c.p_value, "effect": round(c.effect, 3)}
                 for c in latest.intake.columns}
            )  # fmt: skip
    return metadata


def build_monitoring_asset(monitor: ModelMonitor, deps: list) -> dg.AssetsDefinition:
    default_monitor = monitor

    @dg.asset(
        name=f"{monitor.slug}_drift",
        key_prefix=["monitoring"],
        deps=deps,
        partitions_def=MONITORING_DAYS,
        # One run evaluates a range of days in turn (a backfill is one run, one model load).
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="monitoring",
        owners=["team:ml-engineering"],
        kinds={"evidently", "duckdb", "html"},
        pool=WAREHOUSE_POOL,
        description=(
            f"Daily monitoring of `{monitor.model_name}`: Evidently feature drift, prediction "
            "drift and data quality (missing, out-of-range) of the day's rows against the "
            "champion's training window, and model quality once labels are known "
            f"({'MAE' if monitor.task == 'regression' else 'AUROC, Brier'}). HTML reports under "
            f"`$VIGIL_HOME/reports/{monitor.slug}/<day>/`, also logged to the champion's "
            "MLflow run; the summary is a row of `monitoring.drift_results`, which the "
            f"`{monitor.slug}_drift_sensor` reads to trigger retraining."
        ),
    )
    def _asset(
        context: dg.AssetExecutionContext,
        config: MonitoringConfig,
        warehouse: WarehouseResource,
        mlflow_store: MlflowResource,
        reports_dir: dg.ResourceParam[str],
    ) -> dg.MaterializeResult:
        import mlflow
        import pandas as pd

        from monitoring.evaluate import PREDICTION, evaluate_day, reference_window
        from monitoring.intake import INTAKE_SQL
        from monitoring.results import DRIFT_RESULTS_DDL, insert_sql

        monitor = config.apply(default_monitor)
        with warehouse.connect() as connection:
            connection.execute(DRIFT_RESULTS_DDL)  # exists even before the first evaluated day
        tracking = mlflow_store.tracking()
        mlflow.set_tracking_uri(tracking.tracking_uri)
        mlflow.set_registry_uri(tracking.tracking_uri)
        client = tracking.client()
        if alias_version(client, monitor.model_name, CHAMPION) is None:
            # Nothing to monitor until the gate has promoted a version: not a failure.
            context.log.warning(f"{monitor.model_name} has no @{CHAMPION}: nothing evaluated")
            return dg.MaterializeResult(
                metadata={"partitions_evaluated": 0, "skipped": f"no @{CHAMPION} version yet"}
            )
        champion, run_id = load_champion(client, monitor)
        model = mlflow.sklearn.load_model(f"models:/{monitor.model_name}/{champion.version}")

        def predict(frame: pd.DataFrame):
            inputs = frame[list(monitor.model_columns)]
            # Numeric as float64: the monitored numeric columns, and numeric columns the
            # model reads but drift leaves out (``model_features``).
            numeric = {
                name: "float64"
                for name in inputs
                if name in monitor.numeric
                or (
                    name not in monitor.features
                    and pd.api.types.is_numeric_dtype(inputs[name])
                    and not pd.api.types.is_bool_dtype(inputs[name])
                )
            }
            inputs = inputs.astype(numeric)
            if monitor.task == "regression":
                return model.predict(inputs)
            return model.predict_proba(inputs)[:, 1]

        arrivals = None
        with warehouse.connect(read_only=True) as connection:
            features = connection.execute(f"select * from {monitor.features_table}").df()
            if monitor.intake is not None:
                try:
                    arrivals = connection.execute(INTAKE_SQL).df()
                except duckdb.CatalogException as error:  # a load without ED visits
                    context.log.warning(f"ED arrivals not readable, intake not checked: {error}")
        reference = reference_window(monitor, features, champion)
        reference = reference.assign(**{PREDICTION: predict(reference)})
        evaluations = []
        for key in context.partition_keys:
            evaluated_at = datetime.now(UTC).replace(tzinfo=None)
            evaluation = evaluate_day(
                monitor,
                features,
                reference,
                predict,
                champion,
                date.fromisoformat(key),
                Path(reports_dir),
                evaluated_at,
                arrivals,
            )
            evaluations.append(evaluation)
            if evaluation.row is None:
                context.log.info(f"{monitor.slug} {key}: not evaluated, {evaluation.skipped}")
                continue
            for path in evaluation.reports:
                client.log_artifact(run_id, str(path), f"monitoring/{key}")
            with warehouse.connect() as connection:
                connection.execute(
                    insert_sql("monitoring.drift_results", evaluation.row),
                    list(evaluation.row.values()),
                )
        with warehouse.connect(read_only=True) as connection:
            trend = connection.execute(TREND_SQL, [monitor.model_name]).df()
        experiment = client.get_run(run_id).info.experiment_id
        run_url = f"{config.mlflow_ui_url}/#/experiments/{experiment}/runs/{run_id}"
        return dg.MaterializeResult(metadata=_metadata(evaluations, trend, run_url))

    return _asset


# The intake check reads the ED arrivals and their patients (monitoring.intake.INTAKE_SQL).
INTAKE_KEYS = [
    dg.AssetKey(["staging", "stg_ehr__ed_visits"]),
    dg.AssetKey(["staging", "stg_ehr__patients"]),
]
readmission_drift = build_monitoring_asset(
    READMISSION, [FEATURES_KEY, readmission_model.key, *INTAKE_KEYS]
)
length_of_stay_drift = build_monitoring_asset(
    LENGTH_OF_STAY, [LOS_FEATURES_KEY, length_of_stay_model.key, *INTAKE_KEYS]
)
# The demand forecast's monitor is its own asset (assets/monitoring/forecast.py): errors
# as actuals arrive rather than features.
monitoring_assets = [readmission_drift, length_of_stay_drift, demand_forecast_drift]
# Jobs and sensors that evaluate each model's new days unattended (assets/monitoring/evaluation.py).
readmission_monitoring_job = build_monitoring_job(READMISSION, readmission_drift)
length_of_stay_monitoring_job = build_monitoring_job(LENGTH_OF_STAY, length_of_stay_drift)
demand_forecast_monitoring_job = build_monitoring_job(DEMAND_FORECAST, demand_forecast_drift)
monitoring_jobs = [
    readmission_monitoring_job,
    length_of_stay_monitoring_job,
    demand_forecast_monitoring_job,
]
evaluation_sensors = [
    build_evaluation_sensor(READMISSION, FEATURES_KEY, readmission_monitoring_job),
    build_evaluation_sensor(LENGTH_OF_STAY, LOS_FEATURES_KEY, length_of_stay_monitoring_job),
    build_evaluation_sensor(DEMAND_FORECAST, HISTORY_KEY, demand_forecast_monitoring_job),
]
