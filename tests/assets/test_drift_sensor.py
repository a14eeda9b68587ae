"""The drift sensor asks for retraining exactly once per drifted result."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.monitoring.sensors import readmission_drift_sensor
from assets.resources import WarehouseResource
from monitoring.results import DRIFT_RESULTS_DDL


def add_result(path: Path, result_id: str, drift: bool, at: datetime) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute(DRIFT_RESULTS_DDL)
        connection.execute(
            "insert into monitoring.drift_results (drift_result_id, model_name, evaluated_at, "
            "is_dataset_drift, drifted_share, drifted_columns) "
            "values (?, 'vigil-readmission', ?, ?, ?, ?)",
            [
                result_id,
                at,
                drift,
                0.6 if drift else 0.1,
                "age_years,charlson_index" if drift else "",
            ],
        )


def evaluate(path: Path, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"warehouse": WarehouseResource(path=str(path))}
    )
    return readmission_drift_sensor(context), context.cursor


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def test_no_warehouse_yet_is_a_skip(warehouse: Path) -> None:
    result, _ = evaluate(warehouse, None)
    assert isinstance(result, dg.SkipReason)


def test_drift_requests_one_retraining_run(warehouse: Path) -> None:
    add_result(warehouse, "r1", drift=False, at=datetime(2025, 1, 1))
    add_result(warehouse, "r2", drift=True, at=datetime(2025, 1, 2))
    request, cursor = evaluate(warehouse, None)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "drift-r2"
    assert request.tags["vigil/drifted_columns"] == "age_years,charlson_index"
    again, _ = evaluate(warehouse, cursor)
    assert isinstance(again, dg.SkipReason)


def test_no_drift_skips(warehouse: Path) -> None:
    add_result(warehouse, "r1", drift=False, at=datetime(2025, 1, 1))
    result, _ = evaluate(warehouse, None)
    assert isinstance(result, dg.SkipReason)
    assert "no dataset drift" in result.skip_message


def test_warehouse_locked_by_another_process_is_a_skip(warehouse: Path) -> None:
    add_result(warehouse, "r1", drift=True, at=datetime(2025, 1, 1))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(warehouse)!r}); "
            "print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result, cursor = evaluate(warehouse, None)
    finally:
        holder.kill()
        holder.wait()
    assert isinstance(result, dg.SkipReason)
    assert "not readable yet" in result.skip_message
    assert cursor is None  # the drifted result is still to be handled next tick
