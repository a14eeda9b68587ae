"""The `monitoring.drift_results` table: one row per model per daily evaluation.

A row holds the drift verdict (Evidently's dataset-drift rule over the features),
prediction drift, data-quality deltas against the reference window and, once labels
have matured, the champion's AUROC and Brier (classifiers) or MAE (regressors) on the
window. Re-evaluating a day adds
a row (``evaluated_at`` tells them apart), so the history stays auditable.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from monitoring.drift import DriftSummary
from monitoring.intake import IntakeDrift
from monitoring.performance import ModelQuality
from monitoring.quality import QualitySummary

DRIFT_RESULTS_DDL = """
create schema if not exists monitoring;
create table if not exists monitoring.drift_results (
    drift_result_id varchar primary key,
    model_name varchar not null,
    model_version varchar,
    evaluated_at timestamp not null,
    reference_start_at timestamp,
    reference_end_at timestamp,
    reference_rows integer,
    current_start_at timestamp,
    current_end_at timestamp,
    current_rows integer,
    is_dataset_drift boolean not null,
    drifted_share double not null,
    drifted_columns varchar,
    column_statistics json,
    report_path varchar
);
alter table monitoring.drift_results add column if not exists partition_date date;
alter table monitoring.drift_results add column if not exists is_prediction_drift boolean;
alter table monitoring.drift_results add column if not exists prediction_drift_statistic double;
alter table monitoring.drift_results add column if not exists max_missing_share_increase double;
alter table monitoring.drift_results
    add column if not exists max_out_of_range_share_increase double;
alter table monitoring.drift_results add column if not exists quality_statistics json;
alter table monitoring.drift_results add column if not exists labelled_rows integer;
alter table monitoring.drift_results add column if not exists auroc double;
alter table monitoring.drift_results add column if not exists reference_auroc double;
alter table monitoring.drift_results add column if not exists auroc_drop double;
alter table monitoring.drift_results add column if not exists brier double;
alter table monitoring.drift_results add column if not exists quality_report_path varchar;
alter table monitoring.drift_results add column if not exists mae double;
alter table monitoring.drift_results add column if not exists reference_mae double;
alter table monitoring.drift_results add column if not exists mae_increase double;
alter table monitoring.drift_results add column if not exists intake_rows integer;
alter table monitoring.drift_results add column if not exists is_intake_drift boolean;
alter table monitoring.drift_results add column if not exists intake_drifted_columns varchar;
alter table monitoring.drift_results add column if not exists intake_statistics json;
"""


def drift_result_row(
    *,
    model_name: str,
    model_version: str,
    evaluated_at: datetime,
    reference: tuple[datetime, datetime, int],
    current: tuple[datetime, datetime, int],
    summary: DriftSummary,
    report_path: Path,
    partition_date: date | None = None,
    quality: QualitySummary | None = None,
    performance: ModelQuality | None = None,
    quality_report_path: Path | None = None,
    intake: IntakeDrift | None = None,
) -> dict[str, Any]:
    """One row of `monitoring.drift_results`, keyed by a hash of model, day and time."""
    key = hashlib.sha1(
        f"{model_name}|{partition_date}|{evaluated_at.isoformat()}".encode()
    ).hexdigest()[:16]
    statistics = [
        {
            "column": c.column,
            "method": c.method,
            "statistic": c.statistic,
            "threshold": c.threshold,
            "drifted": c.drifted,
        }
        for c in summary.columns
    ]
    return {
        "drift_result_id": key,
        "model_name": model_name,
        "model_version": model_version,
        "evaluated_at": evaluated_at,
        "reference_start_at": reference[0],
        "reference_end_at": reference[1],
        "reference_rows": reference[2],
        "current_start_at": current[0],
        "current_end_at": current[1],
        "current_rows": current[2],
        "is_dataset_drift": summary.dataset_drift,
        "drifted_share": summary.drifted_share,
        "drifted_columns": ",".join(summary.drifted_columns),
        "column_statistics": json.dumps(statistics),
        "report_path": str(report_path),
        "partition_date": partition_date,
        "is_prediction_drift": summary.prediction_drift,
        "prediction_drift_statistic": summary.prediction.statistic if summary.prediction else None,
        "max_missing_share_increase": quality.max_missing_increase if quality else None,
        "max_out_of_range_share_increase": quality.max_out_of_range_increase if quality else None,
        "quality_statistics": json.dumps(quality.as_records()) if quality else None,
        "labelled_rows": performance.labelled_rows if performance else None,
        "auroc": performance.auroc if performance else None,
        "reference_auroc": performance.reference_auroc if performance else None,
        "auroc_drop": performance.auroc_drop if performance else None,
        "brier": performance.brier if performance else None,
        "quality_report_path": str(quality_report_path) if quality_report_path else None,
        "mae": performance.mae if performance else None,
        "reference_mae": performance.reference_mae if performance else None,
        "mae_increase": performance.mae_increase if performance else None,
        "intake_rows": intake.current_rows if intake else None,
        "is_intake_drift": intake.is_drift if intake else None,
        "intake_drifted_columns": ",".join(intake.drifted_columns) if intake else None,
        "intake_statistics": json.dumps(intake.as_records()) if intake else None,
    }


def insert_sql(table: str, row: dict[str, Any]) -> str:
    """A parameterised insert of ``row``'s columns into ``table``."""
    return f"insert into {table} ({', '.join(row)}) values ({', '.join('?' * len(row))})"
