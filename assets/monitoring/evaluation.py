"""Daily evaluation without anyone asking: when a model's features table is rebuilt,
the days it gained are evaluated (the monitoring asset's partitions for those days).

``<slug>_evaluation_sensor`` watches the features table's materializations (the dbt
model, rebuilt by automation after the raw landing sensor loads new days). On a new one
it requests ``<slug>_monitoring_job`` over the days after the last evaluated one, up to
the newest day in the table (one run over the range: the asset evaluates a range in
one step). The drift sensor then reads the new results, so the loop needs no one.
"""

import dagster as dg
import duckdb

from assets.monitoring.partitions import MONITORING_DAYS
from assets.monitoring.sensors import LOOP_SENSOR_INTERVAL_SECONDS, WAREHOUSE_BUSY, _has_table
from assets.resources import WarehouseResource
from monitoring.config import ForecastMonitor, ModelMonitor
from monitoring.evaluate import pending_days

# At most this many days per evaluation run: a first start over a long history
# evaluates its latest weeks, not years (a backfill from the UI covers the rest).
MAX_DAYS_PER_RUN = 14
LAST_EVALUATED_SQL = """
select max(partition_date) from monitoring.drift_results where model_name = ?
"""


def build_monitoring_job(monitor: ModelMonitor | ForecastMonitor, asset: dg.AssetsDefinition):
    return dg.define_asset_job(
        f"{monitor.slug}_monitoring_job",
        selection=dg.AssetSelection.assets(asset),
        partitions_def=MONITORING_DAYS,
        description=f"Evaluate days of `{monitor.model_name}`: drift, quality, model quality.",
    )


def build_evaluation_sensor(
    monitor: ModelMonitor | ForecastMonitor, features_key: dg.AssetKey, job
) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{monitor.slug}_evaluation_sensor",
        job=job,
        minimum_interval_seconds=LOOP_SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            f"When `{features_key.to_user_string()}` is rebuilt, evaluates the days it gained "
            f"since the last evaluated one (at most {MAX_DAYS_PER_RUN} per run) by requesting "
            f"`{job.name}` over that partition range."
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        records = context.instance.fetch_materializations(features_key, limit=1).records
        if not records:
            return dg.SkipReason(f"{features_key.to_user_string()} never materialized")
        storage_id = records[0].storage_id
        if context.cursor and int(context.cursor) >= storage_id:
            return dg.SkipReason(f"no new {features_key.to_user_string()} since the last tick")
        try:
            with warehouse.connect(read_only=True) as connection:
                latest = connection.execute(
                    f"select max(cast({monitor.time_column} as date)) from {monitor.features_table}"
                ).fetchone()[0]
                last = (
                    connection.execute(LAST_EVALUATED_SQL, [monitor.model_name]).fetchone()[0]
                    if _has_table(connection, "monitoring.drift_results")
                    else None
                )
        except (*WAREHOUSE_BUSY, duckdb.CatalogException) as error:
            return dg.SkipReason(f"features not readable yet, will retry: {error}")
        days = pending_days(last, latest, MAX_DAYS_PER_RUN)
        context.update_cursor(str(storage_id))
        if days is None:
            return dg.SkipReason(f"every day up to {latest} already evaluated")
        first, end = (day.isoformat() for day in days)
        return dg.RunRequest(
            run_key=f"{monitor.slug}-evaluate-{first}..{end}-{storage_id}",
            tags={
                "dagster/asset_partition_range_start": first,
                "dagster/asset_partition_range_end": end,
            },
        )

    return _sensor
