"""The retraining audit sensor: how each requested retrain run ended, and the gate's verdict."""

from datetime import UTC, datetime

import dagster as dg

from assets.monitoring.sensors import (
    LOOP_SENSOR_INTERVAL_SECONDS,
    MONITOR_TAG,
    PARTITION_TAG,
    RESULT_TAG,
    WAREHOUSE_BUSY,
    _has_table,
    record_events,
)
from assets.resources import WarehouseResource
from monitoring.audit import RetrainingEvent
from monitoring.monitors import RETRAIN_MONITORS

FINISHED = {
    dg.DagsterRunStatus.SUCCESS: "run_succeeded",
    dg.DagsterRunStatus.FAILURE: "run_failed",
    dg.DagsterRunStatus.CANCELED: "run_canceled",
}
DECISIONS_SQL = """
select *
from monitoring.model_decisions
where dagster_run_id = ?
order by decided_at
"""


def _records(cursor) -> list[dict]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def run_events(run: dg.DagsterRun, finished_at: datetime, decisions: list) -> list:
    """The audit rows of one finished retrain run: its outcome, then each gate decision."""
    model_name = next(m.model_name for m in RETRAIN_MONITORS if m.slug == run.tags[MONITOR_TAG])
    partition = run.tags.get(PARTITION_TAG)
    common = {
        "model_name": model_name,
        "drift_result_id": run.tags.get(RESULT_TAG),
        "partition_date": datetime.fromisoformat(partition).date() if partition else None,
        "run_id": run.run_id,
    }
    events = [RetrainingEvent(event_type=FINISHED[run.status], event_at=finished_at, **common)]
    for decision in decisions:
        # By name: tables written before the post-drift columns existed lack them.
        events.append(
            RetrainingEvent(
                event_type="gate_decision",
                event_at=decision["decided_at"],
                model_version=decision["model_version"],
                champion_version=decision["champion_version"],
                is_promoted=decision["is_promoted"],
                reasons=decision["reasons"],
                primary_metric=decision.get("primary_metric"),
                new_version_score=decision.get("challenger_value"),
                old_champion_score=decision.get("champion_value"),
                post_drift_rows=decision.get("post_drift_rows"),
                post_drift_new_version_score=decision.get("post_drift_challenger_value"),
                post_drift_old_champion_score=decision.get("post_drift_champion_value"),
                **common,
            )
        )
    return events


@dg.sensor(
    minimum_interval_seconds=LOOP_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Records in `monitoring.retraining_events` how each retrain run requested by a drift "
        "sensor ended, and the promotion gate's decision on the new version."
    ),
)
def retraining_audit_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    since = float(context.cursor) if context.cursor else 0.0
    records = context.instance.get_run_records(
        filters=dg.RunsFilter(
            statuses=list(FINISHED),
            updated_after=datetime.fromtimestamp(since, UTC),
        ),
        ascending=True,
    )
    records = [r for r in records if MONITOR_TAG in r.dagster_run.tags]
    if not records:
        return dg.SkipReason("no finished retrain runs since the last tick")
    events: list[RetrainingEvent] = []
    try:
        with warehouse.connect(read_only=True) as connection:
            has_decisions = _has_table(connection, "monitoring.model_decisions")
            for record in records:
                run = record.dagster_run
                decisions = (
                    _records(connection.execute(DECISIONS_SQL, [run.run_id]))
                    if has_decisions
                    else []
                )
                finished_at = record.update_timestamp.astimezone(UTC).replace(tzinfo=None)
                events += run_events(run, finished_at, decisions)
        record_events(warehouse, events)
    except WAREHOUSE_BUSY as error:
        return dg.SkipReason(f"warehouse busy, will record the runs next tick: {error}")
    context.update_cursor(str(max(r.update_timestamp.timestamp() for r in records)))
    return dg.SkipReason(f"recorded {len(events)} events of {len(records)} retrain runs")
