"""The closed loop: drift sensors that retrain, the audit of every retrain, run-failure alerts.

- ``<slug>_drift_sensor`` (one per monitored model, the demand forecast included): reads
  the model's new `monitoring.drift_results` rows, applies the thresholds and the cooldown
  (:mod:`monitoring.policy`), records each trigger in `monitoring.retraining_events`
  and requests the model's retrain job, which retrains and runs the promotion gate.
- ``<slug>_regate_sensor`` (monitors with ``regate_min_post_drift_rows``): a drift is
  the drift-triggered retrains since the model's last re-gate, dated by the first one's
  day; once enough labels of rows from that day on have matured, requests the retrain
  once more (:func:`monitoring.policy.regate`), so the model adapts to, and is judged
  on, post-drift outcomes.
- ``retraining_audit_sensor``: when a retrain run it requested ends, records how it
  ended and the gate's decision (from `monitoring.model_decisions`).

Sensors write their audit rows only when the warehouse is free: on a lock they skip
without moving their cursor, so the next tick handles the same results.
"""

from datetime import UTC, datetime

import dagster as dg
import duckdb

from assets.resources import WarehouseResource
from monitoring.audit import RETRAINING_EVENTS_DDL, RetrainingEvent, upsert_sql
from monitoring.config import ForecastMonitor, ModelMonitor
from monitoring.monitors import RETRAIN_MONITORS
from monitoring.policy import Action, ResultView, decide, regate

WAREHOUSE_BUSY = (duckdb.IOException, FileNotFoundError)
MONITOR_TAG = "vigil/monitor"
RESULT_TAG = "vigil/drift_result_id"
PARTITION_TAG = "vigil/drift_partition"
# A sensor tick waits this long for a reader's lock on the warehouse, then skips.
SENSOR_WRITE_WAIT_SECONDS = 5.0
# The loop's sensors (evaluation -> drift -> audit) tick every 15 s rather than Dagster's
# default 30 s: a drifted day passes three of them on its way to a new champion, and a
# tick is a few millisecond-long reads (writers wait up to 60 s for a reader's lock).
LOOP_SENSOR_INTERVAL_SECONDS = 15

NEW_RESULTS_SQL = """
select drift_result_id, model_name, evaluated_at, partition_date, current_rows,
       drifted_share, drifted_columns, is_prediction_drift, max_missing_share_increase,
       max_out_of_range_share_increase, auroc_drop, mae_increase, is_intake_drift,
       intake_drifted_columns
from monitoring.drift_results
where model_name = ? and evaluated_at > ?
order by evaluated_at, drift_result_id
"""
LAST_RETRAIN_SQL = """
select max(event_at) from monitoring.retraining_events
where model_name = ? and event_type = 'retrain_requested'
"""


# The drift to re-gate: the first drift-triggered retrain since the model's last re-gate
# (a drift flagged on many days is one drift, dated by its first day).
DRIFT_TO_REGATE_SQL = """
select drift_result_id, partition_date from monitoring.retraining_events
where model_name = $model and event_type = 'retrain_requested' and partition_date is not null
  and event_at > coalesce((
      select max(event_at) from monitoring.retraining_events
      where model_name = $model and event_type = 'regate_requested'
  ), timestamp '1970-01-01')
order by partition_date, event_at
limit 1
"""


def _has_table(connection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def record_events(warehouse: WarehouseResource, events: list[RetrainingEvent]) -> None:
    if not events:
        return
    with warehouse.connect(wait_seconds=SENSOR_WRITE_WAIT_SECONDS) as connection:
        connection.execute(RETRAINING_EVENTS_DDL)
        for event in events:
            row = event.row()
            connection.execute(
                upsert_sql("monitoring.retraining_events", "retraining_event_id", row),
                list(row.values()),
            )


def build_drift_sensor(monitor: ModelMonitor | ForecastMonitor) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{monitor.slug}_drift_sensor",
        job_name=monitor.retrain_job,
        minimum_interval_seconds=LOOP_SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            f"Reads new `monitoring.drift_results` rows of {monitor.model_name}; on drift or a "
            f"quality drop past the thresholds, requests `{monitor.retrain_job}` (retrain + "
            f"promotion gate), at most once per {monitor.thresholds.cooldown_hours:g} h; every "
            "trigger lands in `monitoring.retraining_events`."
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        since = context.cursor or "1970-01-01T00:00:00"
        try:
            with warehouse.connect(read_only=True) as connection:
                if not _has_table(connection, "monitoring.drift_results"):
                    return dg.SkipReason("no drift results yet")
                rows = connection.execute(NEW_RESULTS_SQL, [monitor.model_name, since]).fetchall()
                last_retrain_at = (
                    connection.execute(LAST_RETRAIN_SQL, [monitor.model_name]).fetchone()[0]
                    if _has_table(connection, "monitoring.retraining_events")
                    else None
                )
        except (*WAREHOUSE_BUSY, duckdb.CatalogException) as error:
            return dg.SkipReason(f"drift results not readable yet: {error}")
        if not rows:
            return dg.SkipReason(f"no new drift results since {since}")
        now = datetime.now(UTC).replace(tzinfo=None)
        events, requests = [], []
        for values in rows:
            result = ResultView(*values)
            decision = decide(result, monitor.thresholds, last_retrain_at, now)
            context.log.info(f"{result.drift_result_id} ({result.partition_date}): {decision}")
            if decision.action is Action.NONE:
                continue
            events.append(
                RetrainingEvent(
                    model_name=monitor.model_name,
                    event_type=decision.action.value,
                    event_at=now,
                    drift_result_id=result.drift_result_id,
                    partition_date=result.partition_date,
                    reasons=decision.text,
                )
            )
            if decision.action is Action.RETRAIN:
                last_retrain_at = now
                requests.append(
                    dg.RunRequest(
                        run_key=f"{monitor.slug}-retrain-{result.drift_result_id}",
                        tags={
                            MONITOR_TAG: monitor.slug,
                            RESULT_TAG: result.drift_result_id,
                            PARTITION_TAG: str(result.partition_date),
                            "vigil/trigger": decision.text[:200],
                        },
                    )
                )
        try:
            record_events(warehouse, events)
        except WAREHOUSE_BUSY as error:
            return dg.SkipReason(f"warehouse busy, will record the triggers next tick: {error}")
        cursor = max(values[2] for values in rows).isoformat()
        if not requests:
            return dg.SensorResult(
                skip_reason=f"{len(rows)} new results, {len(events)} in cooldown, none retrains",
                cursor=cursor,
            )
        return dg.SensorResult(run_requests=requests, cursor=cursor)

    return _sensor


drift_sensors = [build_drift_sensor(monitor) for monitor in RETRAIN_MONITORS]


def build_regate_sensor(monitor: ModelMonitor) -> dg.SensorDefinition:
    min_rows = monitor.regate_min_post_drift_rows
    matured_sql = (
        f"select count(*) from {monitor.features_table} "
        f"where {monitor.label_mature_column} and {monitor.time_column} >= ?"
    )

    @dg.sensor(
        name=f"{monitor.slug}_regate_sensor",
        job_name=monitor.retrain_job,
        minimum_interval_seconds=LOOP_SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            f"Once {min_rows} rows of {monitor.features_table} from a drift's first day on "
            f"have matured labels, requests `{monitor.retrain_job}` for that drift once more "
            "(once per drift): the model adapts to post-drift outcomes and the gate judges "
            "it on them. Recorded in `monitoring.retraining_events`."
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        try:
            with warehouse.connect(read_only=True) as connection:
                if not _has_table(connection, "monitoring.retraining_events"):
                    return dg.SkipReason("no retraining events yet")
                drift = connection.execute(
                    DRIFT_TO_REGATE_SQL, {"model": monitor.model_name}
                ).fetchone()
                if drift is None:
                    return dg.SkipReason("no drift-triggered retrain since the last re-gate")
                result_id, partition = drift
                matured = connection.execute(matured_sql, [partition]).fetchone()[0]
        except (*WAREHOUSE_BUSY, duckdb.CatalogException) as error:
            return dg.SkipReason(f"retraining events not readable yet: {error}")
        decision = regate(partition, int(matured), min_rows)
        if decision.action is not Action.REGATE:
            return dg.SkipReason(decision.text)
        event = RetrainingEvent(
            model_name=monitor.model_name,
            event_type=decision.action.value,
            event_at=datetime.now(UTC).replace(tzinfo=None),
            drift_result_id=result_id,
            partition_date=partition,
            reasons=decision.text,
        )
        try:
            record_events(warehouse, [event])
        except WAREHOUSE_BUSY as error:
            return dg.SkipReason(f"warehouse busy, will request the re-gate next tick: {error}")
        context.log.info(f"{monitor.model_name}: {decision.text}")
        return dg.RunRequest(
            run_key=f"{monitor.slug}-regate-{result_id}",
            tags={
                MONITOR_TAG: monitor.slug,
                RESULT_TAG: result_id,
                PARTITION_TAG: str(partition),
                "vigil/trigger": decision.text[:200],
            },
        )

    return _sensor


regate_sensors = [
    build_regate_sensor(monitor)
    for monitor in RETRAIN_MONITORS
    if isinstance(monitor, ModelMonitor) and monitor.regate_min_post_drift_rows
]
