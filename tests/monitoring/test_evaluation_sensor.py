"""New days of a features table are evaluated without anyone asking: the evaluation
sensor requests the monitoring partitions after the last evaluated day."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.ml.assets import FEATURES_KEY
from assets.monitoring.assets import evaluation_sensors
from assets.resources import WarehouseResource
from monitoring.evaluate import pending_days
from monitoring.monitors import READMISSION
from monitoring.results import DRIFT_RESULTS_DDL, insert_sql

SENSOR = next(s for s in evaluation_sensors if s.name == "readmission_evaluation_sensor")


@pytest.mark.parametrize(
    ("last", "latest", "expected"),
    [
        (None, None, None),
        (None, date(2025, 3, 31), (date(2025, 3, 18), date(2025, 3, 31))),
        (date(2025, 3, 29), date(2025, 3, 31), (date(2025, 3, 30), date(2025, 3, 31))),
        (date(2025, 3, 31), date(2025, 3, 31), None),
        (date(2025, 1, 1), date(2025, 3, 31), (date(2025, 3, 18), date(2025, 3, 31))),
    ],
)
def test_pending_days(last, latest, expected) -> None:
    assert pending_days(last, latest, 14) == expected


def discharges(path: Path, last_day: str) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists ml")
        connection.execute(
            f"create or replace table {READMISSION.features_table} as "
            f"select timestamp '{last_day} 10:00:00' as {READMISSION.time_column}"
        )


def evaluate(instance: dg.DagsterInstance, path: Path, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"warehouse": WarehouseResource(path=str(path))},
    )
    return SENSOR(context), context


def test_each_rebuild_of_the_features_evaluates_the_days_it_gained(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with dg.instance_for_test() as instance:
        result, _ = evaluate(instance, warehouse, None)
        assert isinstance(result, dg.SkipReason)  # features never materialized

        discharges(warehouse, "2025-03-31")
        instance.report_runless_asset_event(dg.AssetMaterialization(FEATURES_KEY))
        request, context = evaluate(instance, warehouse, None)
        assert request.tags["dagster/asset_partition_range_start"] == "2025-03-18"
        assert request.tags["dagster/asset_partition_range_end"] == "2025-03-31"
        again, _ = evaluate(instance, warehouse, context.cursor)
        assert isinstance(again, dg.SkipReason)  # one request per rebuild

        # Days up to 2025-03-31 evaluated; the next rebuild adds two days.
        row = {
            "drift_result_id": "r1",
            "model_name": READMISSION.model_name,
            "evaluated_at": datetime(2025, 4, 1),
            "partition_date": date(2025, 3, 31),
            "is_dataset_drift": False,
            "drifted_share": 0.0,
        }
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(DRIFT_RESULTS_DDL)
            connection.execute(insert_sql("monitoring.drift_results", row), list(row.values()))
        discharges(warehouse, "2025-04-02")
        instance.report_runless_asset_event(dg.AssetMaterialization(FEATURES_KEY))
        request, context = evaluate(instance, warehouse, context.cursor)
        assert request.tags["dagster/asset_partition_range_start"] == "2025-04-01"
        assert request.tags["dagster/asset_partition_range_end"] == "2025-04-02"
        assert request.job_name in (None, "readmission_monitoring_job")


def test_the_demand_forecast_is_evaluated_when_its_history_gains_days(tmp_path: Path) -> None:
    from assets.ml.demand_forecast import HISTORY_KEY
    from monitoring.monitors import DEMAND_FORECAST

    sensor = next(s for s in evaluation_sensors if s.name == "demand_forecast_evaluation_sensor")
    assert sensor.job_name == "demand_forecast_monitoring_job"
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema ml")
        connection.execute(
            "create table ml.demand_history as select 'H1' as hospital_id, "
            "date '2025-03-31' as demand_date, 80 as ed_arrivals, 200 as midnight_census"
        )
        connection.execute(DRIFT_RESULTS_DDL)
        row = {
            "drift_result_id": "f1",
            "model_name": DEMAND_FORECAST.model_name,
            "evaluated_at": datetime(2025, 3, 30),
            "partition_date": date(2025, 3, 29),
            "is_dataset_drift": False,
            "drifted_share": 0.0,
        }
        connection.execute(insert_sql("monitoring.drift_results", row), list(row.values()))
    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(dg.AssetMaterialization(HISTORY_KEY))
        context = dg.build_sensor_context(
            instance=instance, resources={"warehouse": WarehouseResource(path=str(warehouse))}
        )
        request = sensor(context)
    assert request.tags["dagster/asset_partition_range_start"] == "2025-03-30"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-03-31"
