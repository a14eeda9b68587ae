"""The `monitoring.drift_results` table: one row per drift evaluation."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from monitoring.drift import DriftSummary

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
) -> dict[str, Any]:
    """One row of `monitoring.drift_results`, keyed by a hash of model and time."""
    key = hashlib.sha1(f"{model_name}|{evaluated_at.isoformat()}".encode()).hexdigest()[:16]
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
    }
