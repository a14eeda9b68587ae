"""Drift sensor: when the latest drift evaluation says drift, retrain the model."""

import dagster as dg
import duckdb

from assets.ml.assets import READMISSION_MODEL, readmission_retrain_job
from assets.resources import WarehouseResource

LATEST_RESULT_SQL = """
select drift_result_id, is_dataset_drift, drifted_share, drifted_columns
from monitoring.drift_results
where model_name = ?
order by evaluated_at desc
limit 1
"""


@dg.sensor(
    job=readmission_retrain_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests readmission retraining when the latest drift result shows dataset drift.",
)
def readmission_drift_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    try:
        with warehouse.connect(read_only=True) as connection:
            latest = connection.execute(LATEST_RESULT_SQL, [READMISSION_MODEL]).fetchone()
    except (duckdb.IOException, duckdb.CatalogException, FileNotFoundError) as error:
        # Locked by a writer, or no drift evaluated yet: look again next tick.
        return dg.SkipReason(f"drift results not readable yet: {error}")
    if latest is None:
        return dg.SkipReason("no drift results yet")
    result_id, is_drift, share, columns = latest
    if result_id == context.cursor:
        return dg.SkipReason(f"latest drift result {result_id} already handled")
    context.update_cursor(result_id)
    if not is_drift:
        return dg.SkipReason(f"no dataset drift in {result_id} (share {share:.2f})")
    return dg.RunRequest(
        run_key=f"drift-{result_id}",
        tags={
            "vigil/trigger": "drift",
            "vigil/drift_result_id": result_id,
            "vigil/drifted_columns": columns,
        },
    )
