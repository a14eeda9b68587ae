"""The drift sensor retrains once per breach and respects the cooldown; every trigger,
run and gate decision lands in `monitoring.retraining_events`; failures raise alerts."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.monitoring.alerts import AlertsResource, vigil_run_failure_sensor
from assets.monitoring.retraining import retraining_audit_sensor
from assets.monitoring.sensors import (
    MONITOR_TAG,
    PARTITION_TAG,
    RESULT_TAG,
    drift_sensors,
    regate_sensors,
)
from assets.resources import WarehouseResource
from monitoring.monitors import LENGTH_OF_STAY, READMISSION
from monitoring.results import DRIFT_RESULTS_DDL, insert_sql
from tests.monitoring.conftest import Receiver

SENSOR = next(s for s in drift_sensors if s.name == "readmission_drift_sensor")


def add_result(path: Path, result_id: str, drifted_share: float, day: date, **extra) -> None:
    row = {
        "drift_result_id": result_id,
        "model_name": READMISSION.model_name,
        "model_version": "1",
        "evaluated_at": datetime(2025, 1, 1) + timedelta(days=(day - date(2025, 1, 1)).days),
        "partition_date": day,
        "current_rows": 50,
        "is_dataset_drift": drifted_share >= 0.5,
        "drifted_share": drifted_share,
        "drifted_columns": "age_years,charlson_index" if drifted_share >= 0.5 else "",
        **extra,
    }
    with duckdb.connect(str(path)) as connection:
        connection.execute(DRIFT_RESULTS_DDL)
        connection.execute(insert_sql("monitoring.drift_results", row), list(row.values()))


def events(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(
            "select event_type, drift_result_id, run_id, model_version, is_promoted "
            "from monitoring.retraining_events order by event_at, event_type"
        ).fetchall()


def evaluate(path: Path, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"warehouse": WarehouseResource(path=str(path))}
    )
    return SENSOR(context), context


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def test_no_warehouse_yet_is_a_skip(warehouse: Path) -> None:
    result, _ = evaluate(warehouse, None)
    assert isinstance(result, dg.SkipReason)


def test_drift_requests_one_retrain_and_records_the_trigger(warehouse: Path) -> None:
    add_result(warehouse, "r1", 0.1, date(2025, 3, 1))
    add_result(warehouse, "r2", 0.6, date(2025, 3, 2))
    result, context = evaluate(warehouse, None)
    assert [r.run_key for r in result.run_requests] == ["readmission-retrain-r2"]
    request = result.run_requests[0]
    assert request.tags[MONITOR_TAG] == "readmission"
    assert request.tags[PARTITION_TAG] == "2025-03-02"
    assert "feature drift" in request.tags["vigil/trigger"]
    assert events(warehouse) == [("retrain_requested", "r2", None, None, None)]
    again, _ = evaluate(warehouse, result.cursor)
    assert isinstance(again, dg.SkipReason)  # each result is handled once


def test_a_storm_of_drifted_days_retrains_once_and_records_the_rest(warehouse: Path) -> None:
    for day in range(1, 6):
        add_result(warehouse, f"r{day}", 0.8, date(2025, 3, day))
    result, _ = evaluate(warehouse, None)
    assert len(result.run_requests) == 1
    assert [e[0] for e in events(warehouse)].count("suppressed_by_cooldown") == 4
    add_result(warehouse, "r6", 0.8, date(2025, 3, 6))
    later, _ = evaluate(warehouse, result.cursor)
    assert not later.run_requests  # still within the cooldown of the first request
    assert [e[0] for e in events(warehouse)].count("suppressed_by_cooldown") == 5


def test_quality_drop_triggers_without_drift(warehouse: Path) -> None:
    add_result(warehouse, "r1", 0.0, date(2025, 3, 1), max_missing_share_increase=0.3)
    result, _ = evaluate(warehouse, None)
    assert "missing values up" in result.run_requests[0].tags["vigil/trigger"]


def test_within_thresholds_moves_the_cursor_without_events(warehouse: Path) -> None:
    add_result(warehouse, "r1", 0.2, date(2025, 3, 1))
    result, _ = evaluate(warehouse, None)
    assert not result.run_requests and result.cursor is not None
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute("select table_name from information_schema.tables").fetchall()
    assert ("retraining_events",) not in tables


def test_length_of_stay_drift_or_mae_rise_requests_its_own_retrain_job(warehouse: Path) -> None:
    los_sensor = next(s for s in drift_sensors if s.name == "length_of_stay_drift_sensor")
    thresholds = LENGTH_OF_STAY.thresholds
    share = thresholds.drift_share
    add_result(warehouse, "readm", 0.9, date(2025, 3, 1))  # another model's result: not its own
    add_result(warehouse, "l1", 0.0, date(2025, 3, 1), model_name=LENGTH_OF_STAY.model_name)
    add_result(warehouse, "l2", share, date(2025, 3, 2), model_name=LENGTH_OF_STAY.model_name)
    context = dg.build_sensor_context(
        cursor=None, resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )
    result = los_sensor(context)
    assert los_sensor.job_name == "length_of_stay_retrain_job"
    assert [r.run_key for r in result.run_requests] == ["length_of_stay-retrain-l2"]
    assert result.run_requests[0].tags[MONITOR_TAG] == "length_of_stay"
    assert "feature drift" in result.run_requests[0].tags["vigil/trigger"]
    add_result(
        warehouse, "l3", 0.0, date(2025, 3, 3), model_name=LENGTH_OF_STAY.model_name,
        mae_increase=thresholds.max_mae_increase + 0.01,
    )  # fmt: skip
    later = los_sensor(dg.build_sensor_context(
        cursor=result.cursor, resources={"warehouse": WarehouseResource(path=str(warehouse))}
    ))  # fmt: skip
    assert not later.run_requests  # within the cooldown of the drift request: recorded only
    assert events(warehouse)[-1][:2] == ("suppressed_by_cooldown", "l3")


def add_stays(path: Path, first_day: date, days: int, per_day: int, mature: bool) -> None:
    """Rows of the LOS features table: ``per_day`` admissions a day from ``first_day``."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists ml")
        connection.execute(
            "create table if not exists ml.length_of_stay_features "
            "(encounter_id varchar, admitted_at timestamp, is_target_mature boolean)"
        )
        for d in range(days):
            for i in range(per_day):
                at = datetime.combine(first_day + timedelta(days=d), datetime.min.time())
                connection.execute(
                    "insert into ml.length_of_stay_features values (?, ?, ?)",
                    [f"{first_day}-{d}-{i}-{mature}", at + timedelta(hours=i % 24), mature],
                )


def test_regate_waits_for_matured_post_drift_stays_then_retrains_that_drift_once(
    warehouse: Path,
) -> None:
    regate_sensor = next(s for s in regate_sensors)
    assert [s.name for s in regate_sensors] == ["length_of_stay_regate_sensor"]
    assert regate_sensor.job_name == "length_of_stay_retrain_job"
    context = dg.build_sensor_context(
        resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )
    assert "does not exist yet" in regate_sensor(context).skip_message  # no warehouse
    los_sensor = next(s for s in drift_sensors if s.name == "length_of_stay_drift_sensor")
    # The drift is flagged on its first day (and again the next: the same drift).
    for day, result_id in ((date(2025, 3, 22), "l1"), (date(2025, 3, 23), "l2")):
        add_result(warehouse, result_id, 0.9, day, model_name=LENGTH_OF_STAY.model_name)
        assert los_sensor(dg.build_sensor_context(
            cursor=None, resources={"warehouse": WarehouseResource(path=str(warehouse))}
        ))  # fmt: skip
    need = LENGTH_OF_STAY.regate_min_post_drift_rows
    add_stays(warehouse, date(2025, 3, 1), 21, 20, mature=True)  # before the drift
    add_stays(warehouse, date(2025, 3, 22), 1, need - 1, mature=True)
    add_stays(warehouse, date(2025, 3, 23), 20, 20, mature=False)  # not yet mature
    waiting = regate_sensor(context)
    assert waiting.skip_message == (
        f"waiting for post-drift labels: {need - 1} of {need} rows since 2025-03-22 have matured"
    )
    add_stays(warehouse, date(2025, 3, 23), 1, 1, mature=True)
    request = regate_sensor(context)
    assert request.run_key == "length_of_stay-regate-l1"
    assert request.tags[PARTITION_TAG] == "2025-03-22"  # the drift's first day
    assert request.tags[MONITOR_TAG] == "length_of_stay" and request.tags[RESULT_TAG] == "l1"
    assert events(warehouse)[-1][:2] == ("regate_requested", "l1")
    done = regate_sensor(context)
    assert done.skip_message == "no drift-triggered retrain since the last re-gate"


def test_warehouse_locked_by_another_process_is_a_skip(warehouse: Path) -> None:
    add_result(warehouse, "r1", 0.9, date(2025, 3, 1))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); "
            "print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result, context = evaluate(warehouse, None)
    finally:
        holder.kill()
        holder.wait()
    assert isinstance(result, dg.SkipReason)
    assert context.cursor is None  # the drifted result is still to be handled next tick
    retry, _ = evaluate(warehouse, None)
    assert len(retry.run_requests) == 1


@dg.op
def train(context) -> None:
    context.log.info("training")


@dg.job
def fake_retrain_job() -> None:
    train()


@dg.op
def explode() -> None:
    raise RuntimeError("the warehouse is on fire")


@dg.job
def failing_job() -> None:
    explode()


def test_audit_sensor_records_the_run_and_the_gate_decision(warehouse: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    tags = {MONITOR_TAG: "readmission", RESULT_TAG: "r2", PARTITION_TAG: "2025-03-02"}
    run = fake_retrain_job.execute_in_process(instance=instance, tags=tags)
    fake_retrain_job.execute_in_process(instance=instance)  # not a retrain: ignored
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create schema monitoring; create table monitoring.model_decisions ("
            "decided_at timestamp, model_name varchar, model_version varchar, "
            "champion_version varchar, is_promoted boolean, reasons varchar, "
            "dagster_run_id varchar)"
        )
        connection.execute(
            "insert into monitoring.model_decisions values "
            "('2025-03-02 10:00', 'vigil-readmission', '2', '2', true, 'AUROC gain', ?)",
            [run.run_id],
        )
    context = dg.build_sensor_context(
        instance=instance, resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )
    retraining_audit_sensor(context)
    assert events(warehouse) == [
        ("gate_decision", "r2", run.run_id, "2", True),
        ("run_succeeded", "r2", run.run_id, None, None),
    ]
    cursor = context.cursor
    again = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    assert "no finished retrain runs" in retraining_audit_sensor(again).skip_message


def test_audit_records_old_and_new_champion_scores_on_post_drift_data(warehouse: Path) -> None:
    """The gate's comparison (holdout, and the holdout rows after the drifted day) is
    copied from monitoring.model_decisions into the gate_decision event."""
    from ml.gate import MODEL_DECISIONS_DDL

    instance = dg.DagsterInstance.ephemeral()
    tags = {MONITOR_TAG: "length_of_stay", RESULT_TAG: "r3", PARTITION_TAG: "2025-03-22"}
    run = fake_retrain_job.execute_in_process(instance=instance, tags=tags)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema monitoring")
        connection.execute(MODEL_DECISIONS_DDL)
        connection.execute(
            "insert into monitoring.model_decisions by name select "
            "timestamp '2025-04-20 10:00' as decided_at, 'vigil-length-of-stay' as model_name, "
            "'2' as model_version, '1' as previous_champion_version, '2' as champion_version, "
            "true as is_promoted, 'mae' as primary_metric, 2.05 as challenger_value, "
            "2.20 as champion_value, 0.0 as min_gain, 'MAE gain' as reasons, "
            "'{}' as metrics_json, 'm' as mlflow_run_id, ? as dagster_run_id, "
            "140 as post_drift_rows, 2.10 as post_drift_challenger_value, "
            "2.31 as post_drift_champion_value",
            [run.run_id],
        )
    context = dg.build_sensor_context(
        instance=instance, resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )
    retraining_audit_sensor(context)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute(
            "select partition_date, primary_metric, new_version_score, old_champion_score, "
            "post_drift_rows, post_drift_new_version_score, post_drift_old_champion_score "
            "from monitoring.retraining_events where event_type = 'gate_decision'"
        ).fetchone()
    assert row == (date(2025, 3, 22), "mae", 2.05, 2.20, 140, 2.10, 2.31)


def failure_context(instance, warehouse: Path, webhook_url: str):
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    run = instance.get_run_by_id(result.run_id)
    failure = next(
        e
        for e in instance.all_logs(run.run_id)
        if e.dagster_event and e.dagster_event.is_run_failure
    ).dagster_event
    return run, dg.build_run_status_sensor_context(
        sensor_name="vigil_run_failure_sensor",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=failure,
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "alerts": AlertsResource(webhook_url=webhook_url),
        },
    ).for_run_failure()


def test_failed_run_alert_reaches_the_configured_webhook(warehouse: Path, webhook: str) -> None:
    run, context = failure_context(dg.DagsterInstance.ephemeral(), warehouse, webhook)
    vigil_run_failure_sensor(context)
    assert [body["run_id"] for body in Receiver.received] == [run.run_id]
    assert "the warehouse is on fire" in Receiver.received[0]["message"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        delivered = connection.execute(
            "select is_webhook_delivered, webhook_error from monitoring.run_failure_alerts"
        ).fetchall()
    assert delivered == [(True, None)]


def test_failed_run_raises_an_alert_in_the_table_and_the_log(warehouse: Path, caplog) -> None:
    instance = dg.DagsterInstance.ephemeral()
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    run = instance.get_run_by_id(result.run_id)
    failure = next(
        e
        for e in instance.all_logs(run.run_id)
        if e.dagster_event and e.dagster_event.is_run_failure
    ).dagster_event
    context = dg.build_run_status_sensor_context(
        sensor_name="vigil_run_failure_sensor",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=failure,
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "alerts": AlertsResource(webhook_url=""),
        },
    ).for_run_failure()
    with caplog.at_level("ERROR", logger="vigil.alerts"):
        vigil_run_failure_sensor(context)
        vigil_run_failure_sensor(context)  # a retried tick keeps one row
    assert "failing_job failed" in caplog.text
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select run_id, job_name, is_webhook_delivered, dagster_run_url "
            "from monitoring.run_failure_alerts"
        ).fetchall()
    assert rows == [(run.run_id, "failing_job", False, f"http://127.0.0.1:3000/runs/{run.run_id}")]


def test_audit_sensor_names_the_demand_forecast_for_its_retrain_runs(warehouse: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    tags = {MONITOR_TAG: "demand_forecast", RESULT_TAG: "f1", PARTITION_TAG: "2025-03-31"}
    run = fake_retrain_job.execute_in_process(instance=instance, tags=tags)
    duckdb.connect(str(warehouse)).close()  # a warehouse without monitoring.model_decisions
    context = dg.build_sensor_context(
        instance=instance, resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )
    retraining_audit_sensor(context)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select event_type, model_name, run_id, partition_date "
            "from monitoring.retraining_events"
        ).fetchall()
    assert rows == [("run_succeeded", "vigil-demand-forecast", run.run_id, date(2025, 3, 31))]
