"""Evidently drift report for the readmission model's features."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.ml.assets import FEATURES_KEY, READMISSION_MODEL, readmission_model
from assets.raw.assets import WAREHOUSE_POOL
from assets.resources import MlflowResource, WarehouseResource
from ml import readmission
from ml.registry import CHAMPION
from monitoring.drift import drift_report
from monitoring.results import DRIFT_RESULTS_DDL, drift_result_row

MODEL_KEY = readmission_model.key


class DriftConfig(dg.Config):
    current_window_days: int = 14


@dg.asset(
    key=["monitoring", "readmission_drift"],
    deps=[FEATURES_KEY, MODEL_KEY],
    group_name="monitoring",
    owners=["team:ml-engineering"],
    kinds={"evidently", "duckdb", "html"},
    pool=WAREHOUSE_POOL,
)
def readmission_drift(
    context: dg.AssetExecutionContext,
    config: DriftConfig,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
    reports_dir: dg.ResourceParam[str],
) -> dg.MaterializeResult:
    """Feature drift of the readmission model: champion's training window vs the latest days.

    Runs Evidently's DataDriftPreset, saves the HTML report under
    `$VIGIL_HOME/reports/readmission/`, and appends the summary to
    `monitoring.drift_results`, which the drift sensor reads.
    """
    champion = (
        mlflow_store.tracking().client().get_model_version_by_alias(READMISSION_MODEL, CHAMPION)
    )
    train_start = pd.Timestamp(champion.tags["train_start"])
    train_end = pd.Timestamp(champion.tags["train_end"])
    with warehouse.connect(read_only=True) as connection:
        features = connection.execute("select * from ml.readmission_features").df()
    reference = features[features["discharged_at"].between(train_start, train_end)]
    current_start = features["discharged_at"].max() - pd.Timedelta(days=config.current_window_days)
    current = features[features["discharged_at"] > current_start]
    snapshot, summary = drift_report(
        reference, current, readmission.NUMERIC_FEATURES, readmission.CATEGORICAL_FEATURES
    )
    evaluated_at = datetime.now(UTC).replace(tzinfo=None)
    report_path = Path(reports_dir) / "readmission" / f"drift-{evaluated_at:%Y%m%dT%H%M%S%f}.html"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    snapshot.save_html(str(report_path))

    row = drift_result_row(
        model_name=READMISSION_MODEL,
        model_version=champion.version,
        evaluated_at=evaluated_at,
        reference=(train_start, train_end, len(reference)),
        current=(current_start, features["discharged_at"].max(), len(current)),
        summary=summary,
        report_path=report_path,
    )
    with warehouse.connect() as connection:
        connection.execute(DRIFT_RESULTS_DDL)
        placeholders = ", ".join("?" * len(row))
        connection.execute(
            f"insert into monitoring.drift_results ({', '.join(row)}) values ({placeholders})",
            list(row.values()),
        )
    return dg.MaterializeResult(
        metadata={
            "dataset_drift": summary.dataset_drift,
            "drifted_share": summary.drifted_share,
            "drifted_columns": ", ".join(summary.drifted_columns) or "none",
            "report": dg.MetadataValue.path(str(report_path)),
            "reference_rows": len(reference),
            "current_rows": len(current),
            "champion_version": champion.version,
        }
    )
