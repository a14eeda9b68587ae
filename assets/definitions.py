"""Vigil's one Dagster code location (loaded by workspace.yaml).

This is the composition root: the only module that reads settings at import, since
Dagster loads definitions by importing this file. It prepares the dbt manifest
under ``$VIGIL_HOME`` if missing, then wires the asset families to their resources.
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from assets.dbt.assets import build_dbt_assets
from assets.dbt.project import dbt_executable, vigil_dbt_project
from assets.ingest.assets import ingest_assets
from assets.ingest.checks import ingest_checks
from assets.ml.catalog import ml_assets, ml_jobs
from assets.monitoring.alerts import AlertsResource, vigil_run_failure_sensor
from assets.monitoring.assets import evaluation_sensors, monitoring_assets, monitoring_jobs
from assets.monitoring.retraining import retraining_audit_sensor
from assets.monitoring.sensors import drift_sensors, regate_sensors
from assets.raw.assets import raw_assets
from assets.raw.sensors import raw_landing_job, raw_landing_sensor
from assets.resources import LandingZoneResource, MlflowResource, WarehouseResource
from assets.streams.assets import stream_assets
from assets.streams.checks import stream_checks
from assets.streams.sensors import news2_stream_sensor
from vigil.settings import Settings, apply_process_env, get_settings

ALL_ASSETS_JOB = "vigil_all_job"


def build_definitions(settings: Settings) -> dg.Definitions:
    apply_process_env(settings)
    project = vigil_dbt_project(settings)
    all_job = dg.define_asset_job(
        ALL_ASSETS_JOB,
        selection=dg.AssetSelection.all(),
        description="Everything: raw landing, dbt staging and marts, model training, drift report.",
    )
    return dg.Definitions(
        assets=[
            *raw_assets,
            *build_dbt_assets(project),
            *ml_assets,
            *monitoring_assets,
            *stream_assets,
            *ingest_assets,
        ],
        asset_checks=[*stream_checks, *ingest_checks],
        # Steps run in the run's own process: every warehouse step is serialised by the
        # `warehouse` pool anyway, and a process per step re-imports this code location
        # (seconds each), which left runs STARTED for minutes while holding the pool.
        executor=dg.in_process_executor,
        jobs=[all_job, raw_landing_job, *ml_jobs, *monitoring_jobs],
        sensors=[
            *drift_sensors,
            *regate_sensors,
            *evaluation_sensors,
            retraining_audit_sensor,
            vigil_run_failure_sensor,
            news2_stream_sensor,
            raw_landing_sensor,
        ],
        resources={
            "warehouse": WarehouseResource(path=str(settings.warehouse_path)),
            "landing": LandingZoneResource(path=str(settings.landing_dir)),
            "dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable()),
            "mlflow_store": MlflowResource(
                tracking_uri=settings.mlflow_tracking_uri,
                artifact_dir=str(settings.mlflow_artifact_dir),
            ),
            "reports_dir": str(settings.reports_dir),
            "alerts": AlertsResource(webhook_url=settings.alert_webhook_url),
            # The simulator's ground truth: read by model evaluation only, never features.
            "ground_truth_dir": str(settings.home / "ground_truth"),
        },
    )


defs = build_definitions(get_settings())
