"""`monitoring/demand_forecast_drift` on a tiny warehouse with a real registered forecast
champion, and the real drift sensor on its results: a steady week keeps the champion, a
surge week (x1.3 arrivals and census) requests `demand_forecast_retrain_job`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import mlflow
import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient

from assets.ml.demand_forecast import DEMAND_FORECAST_MODEL, EXPERIMENT
from assets.monitoring.forecast import demand_forecast_drift
from assets.monitoring.sensors import MONITOR_TAG, PARTITION_TAG, drift_sensors
from assets.resources import MlflowResource, WarehouseResource
from ml import forecast
from ml.registry import CHAMPION, Tracking, log_and_register
from monitoring.monitors import DEMAND_FORECAST

START = date(2025, 1, 1)
PARAMS = {"level_days": 14, "weekday_weeks": 4, "weekday_shrinkage": 0.2}
WEEKDAY = np.array([1.15, 1.05, 1.0, 0.98, 0.97, 0.9, 0.95])
TRAINED_THROUGH = 62  # the champion's history: days 0..62
SURGE_FROM = 84
SENSOR = next(s for s in drift_sensors if s.name == "demand_forecast_drift_sensor")


def demand_history(days: int, seed: int = 5) -> pd.DataFrame:
    """`ml.demand_history` of two hospitals (Poisson, weekday-seasonal arrivals; census),
    both x1.3 from day ``SURGE_FROM`` on (the simulator's surge scenario)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=days, freq="D")
    surge = np.where(np.arange(days) >= SURGE_FROM, 1.3, 1.0)
    frames = []
    for hospital, arrivals, census in (("H1", 80, 200), ("H2", 60, 150)):
        frames.append(
            pd.DataFrame(
                {
                    "hospital_id": hospital,
                    forecast.DATE: dates.date,
                    "ed_arrivals": rng.poisson(arrivals * WEEKDAY[dates.weekday] * surge),
                    "midnight_census": rng.poisson(census * surge),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def register_champion(history: pd.DataFrame, tracking: Tracking) -> str:
    """A champion fitted as `ml/demand_forecast_model` does, on days 0..TRAINED_THROUGH."""
    long = forecast.long_history(history)
    trained = long[long[forecast.DATE] <= pd.Timestamp(START + timedelta(TRAINED_THROUGH))]
    model = forecast.DemandForecaster(PARAMS).fit(trained)
    tracking.activate(EXPERIMENT)
    with mlflow.start_run():
        example = model.forecast()[["hospital_id", "target", "horizon_days"]]
        version = log_and_register(
            model, DEMAND_FORECAST_MODEL, example, {"mape": 0.1}, predict=model.predict
        )
    MlflowClient(tracking.tracking_uri).set_registered_model_alias(
        DEMAND_FORECAST_MODEL, CHAMPION, version
    )
    return version


def sensor_tick(warehouse: Path, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )
    return SENSOR(context)


def test_a_surge_week_retrains_the_forecast_and_a_steady_week_does_not(tmp_path: Path) -> None:
    assert DEMAND_FORECAST.model_name == DEMAND_FORECAST_MODEL
    assert SENSOR.job_name == "demand_forecast_retrain_job"
    history = demand_history(days=SURGE_FROM + 7)
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema ml")
        connection.execute("create table ml.demand_history as select * from history")
    tracking = Tracking(f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "artifacts")
    version = register_champion(history, tracking)
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse)),
        "mlflow_store": MlflowResource(
            tracking_uri=tracking.tracking_uri, artifact_dir=str(tracking.artifact_dir)
        ),
        "reports_dir": str(tmp_path / "reports"),
    }
    steady_day = START + timedelta(days=76)  # window: days 70..76
    surge_day = START + timedelta(days=SURGE_FROM + 6)  # window: the surge's first week

    steady = dg.materialize(
        [demand_forecast_drift], resources=resources, partition_key=steady_day.isoformat()
    )
    assert steady.success
    after_steady = sensor_tick(warehouse, None)
    assert not after_steady.run_requests  # within thresholds: no retrain, cursor moves on

    surge = dg.materialize(
        [demand_forecast_drift], resources=resources, partition_key=surge_day.isoformat()
    )
    assert surge.success
    after_surge = sensor_tick(warehouse, after_steady.cursor)
    assert len(after_surge.run_requests) == 1
    request = after_surge.run_requests[0]
    assert request.tags[MONITOR_TAG] == "demand_forecast"
    assert request.tags[PARTITION_TAG] == surge_day.isoformat()
    assert "pct_error" in request.tags["vigil/trigger"]  # the errors drifted
    assert "MAE up" in request.tags["vigil/trigger"]

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select partition_date, model_name, model_version, current_rows, reference_rows, "
            "is_dataset_drift, drifted_columns, mae, reference_mae, mae_increase, "
            "cast(quality_statistics->>'$[0].mape' as double) as mape, report_path "
            "from monitoring.drift_results order by partition_date"
        ).df()
        events = connection.execute(
            "select event_type, model_name, partition_date from monitoring.retraining_events"
        ).fetchall()
    assert list(rows["partition_date"].dt.date) == [steady_day, surge_day]
    assert list(rows["model_name"]) == [DEMAND_FORECAST_MODEL] * 2
    assert list(rows["model_version"]) == [version] * 2
    assert list(rows["current_rows"]) == [28, 28]  # 2 hospitals x 2 targets x 7 days
    assert list(rows["reference_rows"]) == [112, 112]  # x 28 days up to the training end
    steady_row, surge_row = rows.iloc[0], rows.iloc[1]
    assert not steady_row["is_dataset_drift"] and surge_row["is_dataset_drift"]
    assert surge_row["drifted_columns"] == "pct_error"
    assert steady_row["mae_increase"] < DEMAND_FORECAST.thresholds.max_mae_increase
    assert surge_row["mae_increase"] > DEMAND_FORECAST.thresholds.max_mae_increase
    assert surge_row["mape"] > steady_row["mape"] > 0
    assert events == [("retrain_requested", DEMAND_FORECAST_MODEL, surge_day)]

    report = Path(surge_row["report_path"])
    assert report.parent == tmp_path / "reports" / "demand_forecast" / surge_day.isoformat()
    assert report.is_file()
    metadata = surge.asset_materializations_for_node("monitoring__demand_forecast_drift")[
        0
    ].metadata
    assert metadata["forecast_report"].value == str(report)
    assert metadata["error_drift"].value is True
    client = MlflowClient(tracking.tracking_uri)
    run_id = client.get_model_version(DEMAND_FORECAST_MODEL, version).run_id
    logged = client.list_artifacts(run_id, f"monitoring/{surge_day.isoformat()}")
    assert [Path(a.path).name for a in logged] == [report.name]
